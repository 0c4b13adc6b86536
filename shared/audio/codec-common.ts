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

/** Join per-chunk planar outputs into one Float32Array per channel. */
export function concatPlanar(chunks: Float32Array[][], channelCount: number, totalFrames: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < channelCount; c++) {
    const dst = new Float32Array(totalFrames);
    let p = 0;
    for (const chunk of chunks) {
      const src = chunk[c];
      if (!src) continue;
      const take = Math.min(src.length, totalFrames - p);
      dst.set(take === src.length ? src : src.subarray(0, take), p);
      p += take;
    }
    out.push(dst);
  }
  return out;
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
