/**
 * FLAC adapter (native FLAC and FLAC in Ogg) over `@wasm-audio-decoders/flac` (libFLAC in wasm).
 *
 * The probe reads STREAMINFO (sample rate, channels, bits per sample, total samples) and the
 * VORBIS_COMMENT block (TITLE, ARTIST, ALBUM) without decoding.
 *
 * Truncation rule: FLAC declares its exact length in STREAMINFO. A file that ends inside its
 * metadata, or whose decoded length falls short of the declared total, is TruncatedAudioError
 * naming both counts. Frames damaged in the middle are skipped silently by the decoder's frame
 * parser and show up the same way (fewer samples than declared), so they get the same error:
 * decoding past them would shift the rest of the timeline. (A STREAMINFO total of 0 means
 * "unknown"; then whatever decodes is kept.)
 */
import type { AudioBuffer, AudioInfo, AudioTags, DecodedAudio } from './types.js';
import { asciiAt } from './detect.js';
import { decodeInPieces, decodeWholeFile, parseVorbisComments, type DecodeLimits } from './codec-common.js';
import { AudioTooLongError, InvalidAudioParametersError, NotAudioError, TruncatedAudioError } from '../errors.js';
import { readOggPackets } from './ogg.js';

/** A new libFLAC decoder; its module (WebAssembly inline) loads on the first FLAC, so other formats never pay for it. */
async function newFlacDecoder() {
  return new (await import('@wasm-audio-decoders/flac')).FLACDecoder();
}

export interface FlacStreamInfo {
  sampleRate: number;
  channelCount: number;
  bitsPerSample: number;
  /** 0 when the encoder did not know the length. */
  totalSamples: number;
}

/** Parse the 34-byte STREAMINFO body at `pos`. */
export function parseStreamInfo(bytes: Uint8Array, pos: number): FlacStreamInfo {
  const b = (i: number) => bytes[pos + i];
  const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const channelCount = ((b(12) >> 1) & 7) + 1;
  const bitsPerSample = (((b(12) & 1) << 4) | (b(13) >> 4)) + 1;
  const totalSamples = (b(13) & 0x0f) * 2 ** 32 + ((b(14) << 24) >>> 0) + ((b(15) << 16) | (b(16) << 8) | b(17));
  return { sampleRate, channelCount, bitsPerSample, totalSamples };
}

/** Walk native FLAC metadata blocks from `offset` ("fLaC"); returns STREAMINFO and tags. */
export function parseFlacHeader(bytes: Uint8Array, offset: number): { streamInfo: FlacStreamInfo; tags: AudioTags } {
  if (asciiAt(bytes, offset, 4) !== 'fLaC') throw new NotAudioError(`no fLaC marker at byte ${offset}`);
  let p = offset + 4;
  let streamInfo: FlacStreamInfo | null = null;
  let tags: AudioTags = {};
  for (;;) {
    if (p + 4 > bytes.length) throw new TruncatedAudioError(`FLAC file ends inside its metadata (at byte ${p} of ${bytes.length})`);
    const last = (bytes[p] & 0x80) !== 0;
    const type = bytes[p] & 0x7f;
    const len = (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3];
    const body = p + 4;
    if (body + len > bytes.length) {
      throw new TruncatedAudioError(`FLAC metadata block (type ${type}) declares ${len} bytes but the file ends after ${bytes.length - body}`);
    }
    if (type === 0) {
      if (len < 34) throw new NotAudioError(`FLAC STREAMINFO block is ${len} bytes; it must be 34`);
      streamInfo = parseStreamInfo(bytes, body);
    } else if (type === 4) {
      tags = parseVorbisComments(bytes, body, body + len);
    } else if (type === 127) {
      throw new NotAudioError(`FLAC metadata block type 127 (invalid) at byte ${p}`);
    }
    p = body + len;
    if (last) break;
  }
  if (!streamInfo) throw new NotAudioError('FLAC file has no STREAMINFO block');
  if (p >= bytes.length) throw new TruncatedAudioError(`FLAC file ends after its metadata, before any audio frame (${bytes.length} bytes)`);
  return { streamInfo, tags };
}

/** STREAMINFO and tags of FLAC-in-Ogg: packet 1 = 0x7F "FLAC" mapping header + STREAMINFO. */
export function parseOggFlacHeader(bytes: Uint8Array, offset: number): { streamInfo: FlacStreamInfo; tags: AudioTags } {
  const packets = readOggPackets(bytes, offset, 2);
  const id = packets[0];
  if (!id || id.length < 13 + 4 + 34) throw new TruncatedAudioError(`Ogg FLAC file ends inside its first header packet (${bytes.length} bytes)`);
  const streamInfo = parseStreamInfo(id, 13 + 4);
  let tags: AudioTags = {};
  const meta = packets[1];
  if (meta && meta.length >= 4 && (meta[0] & 0x7f) === 4) tags = parseVorbisComments(meta, 4, meta.length);
  return { streamInfo, tags };
}

/**
 * libFLAC-in-wasm returns code / (2^(b-1) - 1); the rest of stemflow (and the WAV reader) uses
 * code / 2^(b-1). Recover the integer code and rescale, so FLAC and WAV of the same PCM decode to
 * identical floats. For b ≤ 24 the code is recovered exactly (float32 holds 24 bits).
 */
function rescaleToPowerOfTwo(channels: Float32Array[], bits: number): void {
  if (bits < 4 || bits > 32) return;
  const libScale = 2 ** (bits - 1) - 1;
  const ourScale = 1 / 2 ** (bits - 1);
  if (bits <= 24) {
    for (const ch of channels) for (let i = 0; i < ch.length; i++) ch[i] = Math.round(ch[i] * libScale) * ourScale;
  } else {
    const g = libScale * ourScale;
    for (const ch of channels) for (let i = 0; i < ch.length; i++) ch[i] *= g;
  }
}

function flacInfo(si: FlacStreamInfo, tags: AudioTags, ogg: boolean): AudioInfo {
  return {
    format: ogg ? 'ogg' : 'flac',
    codec: 'flac',
    sampleRate: si.sampleRate,
    channelCount: si.channelCount,
    bitDepth: si.bitsPerSample,
    durationSec: si.sampleRate > 0 ? si.totalSamples / si.sampleRate : 0,
    tags,
  };
}

/** Header-only AudioInfo; duration is exact unless STREAMINFO says 0 (unknown). */
export function probeFlac(bytes: Uint8Array, offset: number, ogg = false): AudioInfo & { durationExact: boolean } {
  const { streamInfo, tags } = ogg ? parseOggFlacHeader(bytes, offset) : parseFlacHeader(bytes, offset);
  if (streamInfo.sampleRate === 0) throw new InvalidAudioParametersError('FLAC STREAMINFO declares a sample rate of 0 Hz');
  return { ...flacInfo(streamInfo, tags, ogg), durationExact: streamInfo.totalSamples > 0 };
}

/** TruncatedAudioError for a FLAC stream that decoded `n` of `declared` samples (0: none at all). */
function flacShortfall(bytes: number, n: number, declared: number, sampleRate: number, errors: string[]): TruncatedAudioError {
  if (n === 0) {
    const why = errors.length ? `; decoder said: ${errors[0]}` : '';
    return new TruncatedAudioError(`FLAC stream of ${bytes} bytes yields no audio (STREAMINFO declares ${declared} samples)${why}`);
  }
  const missingSec = ((declared - n) / sampleRate).toFixed(3);
  return new TruncatedAudioError(`FLAC stream is truncated or damaged: STREAMINFO declares ${declared} samples per channel, only ${n} decode (${missingSec} s missing)`);
}

/**
 * Decode a native FLAC or Ogg FLAC file a piece at a time (about a megabyte of FLAC each), for
 * long files: the same samples as {@link decodeFlac}, in order, with the same errors (a shortfall
 * is only known, and thrown, at the end).
 */
export async function* decodeFlacPieces(bytes: Uint8Array, offset: number, ogg = false, limits: DecodeLimits = {}): AsyncGenerator<AudioBuffer> {
  const { streamInfo } = ogg ? parseOggFlacHeader(bytes, offset) : parseFlacHeader(bytes, offset);
  const declared = streamInfo.totalSamples;
  const errors: string[] = [];
  let n = 0;
  for await (const r of decodeInPieces(await newFlacDecoder(), bytes, offset)) {
    for (const e of r.errors) errors.push(e.message);
    const keep = declared > 0 ? Math.min(r.samplesDecoded, Math.max(0, declared - n)) : r.samplesDecoded;
    n += r.samplesDecoded;
    if (limits.maxFrames !== undefined && (declared > 0 ? Math.min(n, declared) : n) > limits.maxFrames) {
      throw new AudioTooLongError(`FLAC audio is longer than the limit of ${(limits.maxFrames / streamInfo.sampleRate).toFixed(1)} s`);
    }
    if (keep <= 0) continue;
    const channels = r.channelData.map((ch) => ch.subarray(0, keep));
    rescaleToPowerOfTwo(channels, streamInfo.bitsPerSample);
    yield { sampleRate: r.sampleRate || streamInfo.sampleRate, channels };
  }
  if (n === 0 || (declared > 0 && n < declared)) throw flacShortfall(bytes.length - offset, n, declared, streamInfo.sampleRate, errors);
}

/** Decode a native FLAC or Ogg FLAC file whose container starts at `offset`. */
export async function decodeFlac(bytes: Uint8Array, offset: number, ogg = false, limits: DecodeLimits = {}): Promise<DecodedAudio> {
  const { streamInfo, tags } = ogg ? parseOggFlacHeader(bytes, offset) : parseFlacHeader(bytes, offset);
  const result = await decodeWholeFile(await newFlacDecoder(), bytes, offset);
  const n = result.samplesDecoded;
  const declared = streamInfo.totalSamples;
  if (n === 0 || (declared > 0 && n < declared)) throw flacShortfall(bytes.length - offset, n, declared, streamInfo.sampleRate, result.errors.map((e) => e.message));
  const frames = declared > 0 ? Math.min(n, declared) : n;
  if (limits.maxFrames !== undefined && frames > limits.maxFrames) {
    throw new AudioTooLongError(`FLAC audio lasts ${(frames / streamInfo.sampleRate).toFixed(1)} s, over the limit of ${(limits.maxFrames / streamInfo.sampleRate).toFixed(1)} s`);
  }
  const channels = result.channelData.map((ch) => (ch.length === frames ? ch : ch.slice(0, frames)));
  rescaleToPowerOfTwo(channels, streamInfo.bitsPerSample);
  const info = flacInfo(streamInfo, tags, ogg);
  info.durationSec = frames / streamInfo.sampleRate;
  return { audio: { sampleRate: result.sampleRate || streamInfo.sampleRate, channels }, info };
}
