/**
 * Small helpers shared by the compressed-format adapters (mp3.ts, flac.ts, ogg.ts).
 */
import type { AudioTags } from './types.js';

/** Limits a decoder checks while it runs (so an over-long file stops early). */
export interface DecodeLimits {
  /** Stop and report once more than this many frames (samples per channel) are decoded. */
  maxFrames?: number;
}

/**
 * Run `fn` with console.error silenced. The wasm decoders print every stream error to
 * console.error and also return it in `errors`; we report through typed errors instead, so the
 * print is noise in server logs. Only the synchronous part of `fn` is covered.
 */
export function withQuietConsole<T>(fn: () => T): T {
  const saved = console.error;
  console.error = () => undefined;
  try {
    return fn();
  } finally {
    console.error = saved;
  }
}

/**
 * A zeroed Float32Array on shared memory (a SharedArrayBuffer). Decoders put their output there,
 * so worker threads (the parallel separator) read the mix without a copy.
 */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/**
 * Planar samples appended chunk by chunk as a decoder produces them, in one array per channel
 * sized from the expected length (grown by half when the stream runs longer), so a decode never
 * holds its output twice. Channels missing from a chunk stay silent.
 */
export class PlanarAccumulator {
  private channels: Float32Array[];
  private length = 0;

  constructor(
    private readonly channelCount: number,
    expectedFrames: number,
  ) {
    const capacity = Math.max(4096, Math.ceil(expectedFrames));
    this.channels = Array.from({ length: channelCount }, () => sharedFloat32(capacity));
  }

  get frames(): number {
    return this.length;
  }

  append(chunk: Float32Array[], frames: number): void {
    const need = this.length + frames;
    if (need > this.channels[0].length) {
      const capacity = Math.max(need, Math.ceil(this.channels[0].length * 1.5));
      this.channels = this.channels.map((ch) => {
        const grown = sharedFloat32(capacity);
        grown.set(ch.subarray(0, this.length));
        return grown;
      });
    }
    for (let c = 0; c < this.channelCount; c++) {
      const src = chunk[c];
      if (src) this.channels[c].set(src.length > frames ? src.subarray(0, frames) : src, this.length);
    }
    this.length = need;
  }

  /** The arrays as they stand (longer than {@link frames}); valid until the next append. */
  peek(): Float32Array[] {
    return this.channels;
  }

  /** Drop the samples from frame `frames` on. */
  truncate(frames: number): void {
    this.length = Math.max(0, Math.min(this.length, frames));
  }

  /** The samples, one array per channel of exactly `frames` frames (copied only if the estimate was far too large). */
  finish(): Float32Array[] {
    const n = this.length;
    return this.channels.map((ch) => {
      if (ch.length - n <= Math.max(4096, n / 20)) return ch.subarray(0, n);
      const exact = sharedFloat32(n);
      exact.set(ch.subarray(0, n));
      return exact;
    });
  }
}

/**
 * Parse a Vorbis comment block (as in Ogg Vorbis and FLAC VORBIS_COMMENT) starting at `pos`:
 * vendor string, then "KEY=value" comments, all little-endian length-prefixed UTF-8.
 * Returns title/artist/album; stops quietly at the first inconsistent length.
 */
export function parseVorbisComments(bytes: Uint8Array, pos: number, end: number): AudioTags {
  const tags: AudioTags = {};
  const u32 = (p: number) => (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16)) + bytes[p + 3] * 2 ** 24;
  const dec = new TextDecoder('utf-8');
  if (pos + 4 > end) return tags;
  let p = pos + 4 + u32(pos);
  if (p + 4 > end) return tags;
  const count = u32(p);
  p += 4;
  for (let i = 0; i < count && p + 4 <= end; i++) {
    const len = u32(p);
    p += 4;
    if (p + len > end) break;
    const text = dec.decode(bytes.subarray(p, p + len));
    p += len;
    const eq = text.indexOf('=');
    if (eq <= 0) continue;
    const key = text.slice(0, eq).toUpperCase();
    const value = text.slice(eq + 1).trim();
    if (!value) continue;
    if (key === 'TITLE' && !tags.title) tags.title = value;
    else if (key === 'ARTIST' && !tags.artist) tags.artist = value;
    else if (key === 'ALBUM' && !tags.album) tags.album = value;
  }
  return tags;
}

/** The part of the wasm-audio-decoders API that whole-file decoding uses. */
interface WholeFileDecoder<R> {
  ready: Promise<void>;
  decodeFile(bytes: Uint8Array): Promise<R>;
  free(): void;
}

/**
 * Decode a whole file that starts at `offset` with a wasm-audio-decoders decoder, with its
 * console error prints silenced (its errors are returned in the result and turned into typed
 * errors by the caller), and the decoder's memory always freed.
 */
export async function decodeWholeFile<R>(decoder: WholeFileDecoder<R>, bytes: Uint8Array, offset: number): Promise<R> {
  await decoder.ready;
  try {
    return await withQuietConsole(() => decoder.decodeFile(offset === 0 ? bytes : bytes.subarray(offset)));
  } finally {
    decoder.free();
  }
}

/** The part of the wasm-audio-decoders API that decoding in pieces uses. */
interface PieceDecoder<R> {
  ready: Promise<void>;
  decode(bytes: Uint8Array): Promise<R>;
  flush(): Promise<R>;
  free(): void;
}

/** Bytes fed to a decoder per step when decoding in pieces. */
const PIECE_FEED_BYTES = 1 << 20;

/**
 * Decode a file that starts at `offset` a megabyte at a time (the decoder's results in order, its
 * flush last), console prints silenced as in {@link decodeWholeFile}, the decoder always freed.
 * Only one result's samples exist at a time.
 */
export async function* decodeInPieces<R>(decoder: PieceDecoder<R>, bytes: Uint8Array, offset: number): AsyncGenerator<R> {
  await decoder.ready;
  try {
    for (let p = offset; p < bytes.length; p += PIECE_FEED_BYTES) {
      yield await withQuietConsole(() => decoder.decode(bytes.subarray(p, Math.min(bytes.length, p + PIECE_FEED_BYTES))));
    }
    yield await withQuietConsole(() => decoder.flush());
  } finally {
    decoder.free();
  }
}
