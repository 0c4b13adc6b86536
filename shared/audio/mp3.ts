/**
 * MPEG audio (MP3, also Layer I/II) adapter over `mpg123-decoder` (mpg123 in wasm).
 *
 * Gapless: the LAME/Xing "Info"/"Xing" tag in the first frame carries the encoder delay and
 * padding. mpg123 (gapless mode, on by default in mpg123-decoder) reads that tag itself and
 * removes the encoder delay plus its own 529-sample decoder delay at the start and the padding
 * at the end, so the output lines up sample-accurately with the encoder's input (checked by the
 * click test in test/audio). Without such a tag mpg123 trims nothing; we then remove the 529-sample
 * decoder delay ourselves, and the output is late only by the encoder's own delay, which no
 * header records (576 samples = 13 ms for LAME). Our probe reads the same tag to compute the exact duration
 * (frames × samplesPerFrame − delay − padding) without decoding.
 *
 * Truncation rule: an MP3 has no mandatory length field, and players play a cut stream up to the
 * cut, so a stream cut after its first complete frame decodes to the audio before the cut. A file
 * that ends before its first complete frame (or inside its ID3v2 tag) is TruncatedAudioError.
 * Damaged frames in the middle are skipped (mpg123 resynchronises), as players do.
 *
 * mpg123-decoder always returns two channels; a mono stream (channel mode 3 in the frame
 * header) is returned as one channel.
 */
import { MPEGDecoder } from 'mpg123-decoder';
import type { AudioBuffer, AudioInfo, AudioTags, DecodedAudio } from './types.js';
import { asciiAt, parseMpegFrameHeader, type MpegFrameHeader } from './detect.js';
import { PlanarAccumulator, withQuietConsole, type DecodeLimits } from './codec-common.js';
import { AudioTooLongError, NotAudioError, TruncatedAudioError } from '../errors.js';

/** Samples of delay the Layer III synthesis filterbank adds (mpg123 and the ISO decoder). */
export const MP3_DECODER_DELAY = 529;

/** What the first frame (and its Xing/LAME tag, if any) says about an MPEG stream. */
export interface Mp3Header {
  first: MpegFrameHeader;
  /** Offset of the first audio frame (after the Info/Xing frame, if present). */
  audioOffset: number;
  /** Frame count from the Xing/Info tag (excluding the tag frame), or null. */
  xingFrames: number | null;
  encoderDelay: number;
  encoderPadding: number;
  /** True when a LAME-style tag gave the encoder delay and padding (mpg123 then trims them). */
  gaplessInfo: boolean;
  /** Frames (samples per channel) after gapless trimming; exact when `exact`. */
  frameCount: number;
  /** True when frameCount comes from the Xing/Info tag; false for a CBR size estimate. */
  exact: boolean;
}

/** Parse the first frame at `offset` and its Xing/Info + LAME tag. */
export function parseMp3Header(bytes: Uint8Array, offset: number): Mp3Header {
  const first = parseMpegFrameHeader(bytes, offset);
  if (!first) throw new NotAudioError(`no MPEG audio frame header at byte ${offset}`);
  if (offset + first.frameBytes > bytes.length) {
    throw new TruncatedAudioError(
      `MP3 file ends inside its first frame (frame needs ${first.frameBytes} bytes from byte ${offset}, file has ${bytes.length})`,
    );
  }
  // Side-information size decides where a Xing/Info tag would sit in the first frame.
  const sideInfo = first.version === 1 ? (first.channelCount === 1 ? 17 : 32) : first.channelCount === 1 ? 9 : 17;
  const tagPos = offset + 4 + (first.hasCrc ? 2 : 0) + sideInfo;
  const tagId = asciiAt(bytes, tagPos, 4);
  let xingFrames: number | null = null;
  let encoderDelay = 0;
  let encoderPadding = 0;
  let gaplessInfo = false;
  let audioOffset = offset;
  if (first.layer === 3 && (tagId === 'Xing' || tagId === 'Info')) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const flags = view.getUint32(tagPos + 4, false);
    let p = tagPos + 8;
    if (flags & 1) {
      xingFrames = view.getUint32(p, false);
      p += 4;
    }
    if (flags & 2) p += 4; // byte count
    if (flags & 4) p += 100; // seek table
    if (flags & 8) p += 4; // quality
    // LAME extension: 9-byte version string, then delay/padding at +21 (12 bits each).
    const lame = asciiAt(bytes, p, 4);
    if ((lame === 'LAME' || lame === 'Lavf' || lame === 'Lavc' || lame === 'GOGO') && p + 24 <= offset + first.frameBytes) {
      const a = bytes[p + 21];
      const b = bytes[p + 22];
      const c = bytes[p + 23];
      encoderDelay = (a << 4) | (b >> 4);
      encoderPadding = ((b & 0x0f) << 8) | c;
      gaplessInfo = true;
    }
    audioOffset = offset + first.frameBytes;
  }
  let frameCount: number;
  let exact: boolean;
  const decoderDelay = first.layer === 3 && !gaplessInfo ? MP3_DECODER_DELAY : 0;
  if (xingFrames !== null) {
    frameCount = Math.max(0, xingFrames * first.samplesPerFrame - encoderDelay - encoderPadding - decoderDelay);
    exact = true;
  } else {
    // CBR estimate from the stream size (an ID3v1 tag at the end is 128 bytes).
    let end = bytes.length;
    if (end >= 128 && asciiAt(bytes, end - 128, 3) === 'TAG') end -= 128;
    const frames = Math.max(1, Math.floor((end - audioOffset) / Math.max(1, first.frameBytes)));
    frameCount = Math.max(0, frames * first.samplesPerFrame - decoderDelay);
    exact = false;
  }
  return { first, audioOffset, xingFrames, encoderDelay, encoderPadding, gaplessInfo, frameCount, exact };
}

function codecName(h: MpegFrameHeader): string {
  return h.layer === 3 ? 'mp3' : `mp${h.layer}`;
}

/** Header-only AudioInfo (duration exact with a Xing/Info tag, else a CBR estimate). */
export function probeMp3(bytes: Uint8Array, offset: number): AudioInfo & { durationExact: boolean } {
  const h = parseMp3Header(bytes, offset);
  return {
    format: 'mp3',
    codec: codecName(h.first),
    sampleRate: h.first.sampleRate,
    channelCount: h.first.channelCount,
    durationSec: h.frameCount / h.first.sampleRate,
    tags: {},
    durationExact: h.exact,
  };
}

/** Read ID3v2/ID3v1 title, artist and album with music-metadata; never fails the decode. */
export async function readMp3Tags(bytes: Uint8Array): Promise<AudioTags> {
  try {
    const { parseBuffer } = await import('music-metadata');
    const meta = await parseBuffer(bytes, { mimeType: 'audio/mpeg', size: bytes.length }, { duration: false, skipCovers: true, skipPostHeaders: false });
    const tags: AudioTags = {};
    if (meta.common.title) tags.title = meta.common.title;
    if (meta.common.artist) tags.artist = meta.common.artist;
    if (meta.common.album) tags.album = meta.common.album;
    return tags;
  } catch {
    return {};
  }
}

const FEED_BYTES = 1 << 20;

/** One piece of a decoded MPEG stream: views valid until the next piece is asked for. */
export interface Mp3Piece {
  sampleRate: number;
  channels: Float32Array[];
}

/**
 * One mpg123 decoder fed a stream's bytes in order, dropping the first `skip` decoded samples.
 * For a whole stream ({@link Mp3Feeder.forStream}) it is fed from the first frame (the Info
 * frame stays in, because mpg123 reads the gapless delay and padding from it) and applies the
 * decoder-delay trim of a tagless Layer III stream: the first sample is kept even if the stream
 * is shorter than the delay, as a one-shot trim would.
 */
export class Mp3Feeder {
  /** Samples per channel mpg123 has produced so far (before the tagless trim). */
  decoded = 0;
  /** Samples per channel handed out so far. */
  emitted = 0;
  /** mpg123's messages about damaged data. */
  readonly errors: string[] = [];
  private last: Mp3Piece | null = null;

  private constructor(
    private readonly decoder: MPEGDecoder,
    private readonly channelCount: number,
    private readonly sampleRate: number,
    private skip: number,
  ) {}

  /**
   * A decoder for `channelCount` channels (`sampleRate`: the rate to report if mpg123 gives
   * none) that drops the first `skip` samples; with `gapless`, mpg123 itself trims the delay and
   * padding an Info frame gives.
   */
  static async open(channelCount: number, sampleRate: number, skip: number, gapless: boolean): Promise<Mp3Feeder> {
    const decoder = new MPEGDecoder({ enableGapless: gapless });
    await decoder.ready;
    return new Mp3Feeder(decoder, channelCount, sampleRate, skip);
  }

  /** The decoder for the whole stream of `header`, as a single-decoder run uses it. */
  static forStream(header: Mp3Header): Promise<Mp3Feeder> {
    return Mp3Feeder.open(header.first.channelCount, header.first.sampleRate, header.first.layer === 3 && !header.gaplessInfo ? MP3_DECODER_DELAY : 0, true);
  }

  /** Decode the next bytes of the stream; the new samples (views valid until the next call), or null if none. */
  feed(chunk: Uint8Array): Mp3Piece | null {
    const r = withQuietConsole(() => this.decoder.decode(chunk));
    for (const e of r.errors) this.errors.push(e.message);
    if (r.samplesDecoded <= 0) return null;
    this.decoded += r.samplesDecoded;
    const from = Math.min(this.skip, r.samplesDecoded);
    this.skip -= from;
    const piece = { sampleRate: r.sampleRate || this.sampleRate, channels: r.channelData.slice(0, this.channelCount).map((ch) => ch.subarray(from, r.samplesDecoded)) };
    this.last = piece;
    if (r.samplesDecoded === from) return null;
    this.emitted += r.samplesDecoded - from;
    return piece;
  }

  /** At the end of the stream: the one sample a stream shorter than the trimmed delay keeps, else null. */
  finish(): Mp3Piece | null {
    if (this.decoded === 0 || this.emitted > 0 || !this.last) return null;
    this.emitted = 1;
    return { sampleRate: this.last.sampleRate, channels: this.last.channels.map((ch) => ch.subarray(ch.length - 1)) };
  }

  free(): void {
    this.decoder.free();
  }
}

/** TruncatedAudioError for a stream of which no frame decoded. */
export function noFrameError(bytes: Uint8Array, offset: number, errors: string[]): TruncatedAudioError {
  const why = errors.length ? `; decoder said: ${errors[0]}` : '';
  return new TruncatedAudioError(`MP3 stream of ${bytes.length - offset} bytes yields no complete audio frame${why}`);
}

/** AudioTooLongError once `decoded` samples per channel pass `limits.maxFrames`. */
export function checkMp3Limit(decoded: number, sampleRate: number, limits: DecodeLimits): void {
  if (limits.maxFrames !== undefined && decoded > limits.maxFrames) {
    throw new AudioTooLongError(
      `MP3 audio is longer than the limit of ${(limits.maxFrames / sampleRate).toFixed(1)} s (decoded ${(decoded / sampleRate).toFixed(1)} s before stopping)`,
    );
  }
}

/**
 * Decode an MPEG audio stream whose first frame starts at `offset`, a piece at a time: mpg123 is
 * fed 1 MiB per step, so only a piece's samples exist at once (for long files). Applies the
 * decoder-delay trim of a tagless Layer III stream; stops with AudioTooLongError once
 * `limits.maxFrames` is passed and TruncatedAudioError when no frame decodes.
 */
export async function* decodeMp3Pieces(bytes: Uint8Array, offset: number, limits: DecodeLimits = {}): AsyncGenerator<Mp3Piece> {
  const header = parseMp3Header(bytes, offset);
  const feeder = await Mp3Feeder.forStream(header);
  try {
    for (let p = offset; p < bytes.length; p += FEED_BYTES) {
      const piece = feeder.feed(bytes.subarray(p, Math.min(bytes.length, p + FEED_BYTES)));
      checkMp3Limit(feeder.decoded, header.first.sampleRate, limits);
      if (piece) yield piece;
    }
    const tail = feeder.finish();
    if (tail) yield tail;
  } finally {
    feeder.free();
  }
  if (feeder.decoded === 0) throw noFrameError(bytes, offset, feeder.errors);
}

/**
 * Decode an MPEG audio stream whose first frame starts at `offset` ({@link decodeMp3Pieces},
 * gathered into whole channels; `observer` sees each piece as it comes).
 */
export async function decodeMp3(bytes: Uint8Array, offset: number, limits: DecodeLimits = {}, observer?: { piece(piece: AudioBuffer): void }): Promise<DecodedAudio> {
  const header = parseMp3Header(bytes, offset);
  // Room for the whole stream from the header's frame count (+ the decoder delay mpg123 may keep).
  const samples = new PlanarAccumulator(header.first.channelCount, header.frameCount + MP3_DECODER_DELAY + header.first.samplesPerFrame);
  let outRate = header.first.sampleRate;
  for await (const piece of decodeMp3Pieces(bytes, offset, limits)) {
    samples.append(piece.channels, piece.channels[0].length);
    outRate = piece.sampleRate;
    observer?.piece(piece);
  }
  const total = samples.frames;
  const channelCount = header.first.channelCount;
  const channels = samples.finish();
  return {
    audio: { sampleRate: outRate, channels },
    info: {
      format: 'mp3',
      codec: codecName(header.first),
      sampleRate: outRate,
      channelCount,
      durationSec: total / outRate,
      tags: {},
    },
  };
}
