/**
 * Decoding a long file a piece at a time, for analyses that must stay in bounded memory whatever
 * the input's length. The source is read through {@link ByteSource}, so the caller decides where
 * the bytes live (a file read in ranges, a blob, memory).
 *
 * - WAV/RF64: the header is read from the head of the source, then the samples one range at a
 *   time (about {@link PIECE_SEC} s each). Bounded memory.
 * - MP3: the compressed stream is read whole (about 1.4 MB per minute at 192 kbit/s) and mpg123
 *   decodes it 1 MiB at a time ({@link decodeMp3Pieces}). Bounded memory.
 * - FLAC and Ogg Vorbis: read whole (compressed), fed to their wasm decoders a megabyte at a
 *   time. Bounded memory besides the compressed bytes.
 * - A WAV file of up to 16 MiB is decoded in one go and handed out in pieces.
 *
 * Pieces are planar float32 at the file's rate and channel count, the same samples
 * {@link decodeAudio} returns for the whole file, in order. A piece's arrays are valid until the
 * next piece is asked for. The same typed errors as decodeAudio, with the same messages where the
 * header decides: parameters and (where the header gives the exact length) the length limit
 * before any sample is decoded.
 */
import type { AudioBuffer, AudioInfo } from './types.js';
import { decodeAudio, type DecodeAudioOptions, probeAudio, validateAudioParameters } from './decode.js';
import { detectContainer } from './detect.js';
import { decodeFlacPieces } from './flac.js';
import { decodeMp3Pieces } from './mp3.js';
import { decodeOggVorbisPieces } from './ogg.js';
import { decodeWavSamples, parseWavHeader, wavInfo } from './wav.js';
import { AudioTooLongError } from '../errors.js';

/** Random access to an encoded file's bytes. */
export interface ByteSource {
  /** Total bytes. */
  readonly size: number;
  /** Bytes [offset, offset + length), clipped to the end. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A {@link ByteSource} over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)) };
}

export interface AudioStream {
  /** What the header says; `durationSec` is exact for WAV and tagged MP3, an estimate otherwise. */
  info: AudioInfo;
  /** Frames the header announces (0 when it cannot tell); the decode may give a few more or less. */
  expectedFrames: number;
  /** The decoded samples, in order. */
  pieces: AsyncGenerator<AudioBuffer>;
}

/** Seconds of audio per WAV piece. */
export const PIECE_SEC = 10;
/** Bytes read for the header of a WAV file too large to read whole. */
const WAV_HEAD_BYTES = 1 << 20;
/** A WAV file up to this size is read whole (one read, no range bookkeeping). */
const WAV_WHOLE_BYTES = 16 << 20;

/**
 * What the header of `source` says ({@link probeAudio}), reading only the head of a large WAV
 * file. Throws the same typed errors as probeAudio.
 */
export async function probeSource(source: ByteSource, options: DecodeAudioOptions = {}): Promise<AudioInfo> {
  const head = await source.read(0, Math.min(source.size, WAV_HEAD_BYTES));
  const det = detectContainer(head);
  if (det.format === 'wav' && source.size > head.length) {
    const info = wavInfo(parseWavHeader(head, source.size));
    validateAudioParameters(info, options);
    return info;
  }
  return probeAudio(head.length === source.size ? head : await source.read(0, source.size), options);
}

/** Open `source` for decoding piece by piece (see the module comment). */
export async function openAudioStream(source: ByteSource, options: DecodeAudioOptions = {}): Promise<AudioStream> {
  const head = await source.read(0, Math.min(source.size, WAV_HEAD_BYTES));
  const det = detectContainer(head);
  if (det.format === 'wav' && source.size > WAV_WHOLE_BYTES) return openWav(source, head, options);
  const bytes = head.length === source.size ? head : await source.read(0, source.size);
  if (det.format === 'wav') {
    // A small WAV: one decode, handed out in pieces.
    const { audio, info } = await decodeAudio(bytes, options);
    const frames = audio.channels[0]?.length ?? 0;
    const step = Math.max(1, PIECE_SEC * audio.sampleRate);
    async function* pieces(): AsyncGenerator<AudioBuffer> {
      for (let a = 0; a < frames; a += step) yield { sampleRate: audio.sampleRate, channels: audio.channels.map((ch) => ch.subarray(a, Math.min(frames, a + step))) };
    }
    return { info, expectedFrames: frames, pieces: pieces() };
  }
  // Compressed: the header checks of a one-shot decode, then the codec's decoder in pieces.
  const info = await probeAudio(bytes, options);
  const maxFrames = options.maxDurationSec !== undefined ? Math.floor(options.maxDurationSec * info.sampleRate) : undefined;
  const limits = { maxFrames };
  const pieces =
    det.format === 'mp3'
      ? decodeMp3Pieces(bytes, det.offset, limits)
      : det.codec === 'flac'
        ? decodeFlacPieces(bytes, det.offset, det.format === 'ogg', limits)
        : decodeOggVorbisPieces(bytes, det.offset, limits);
  return { info, expectedFrames: Math.round(info.durationSec * info.sampleRate), pieces };
}

/** A large WAV file: header from the head, samples range by range. */
function openWav(source: ByteSource, head: Uint8Array, options: DecodeAudioOptions): AudioStream {
  const h = parseWavHeader(head, source.size);
  const info = wavInfo(h);
  validateAudioParameters(info, options);
  const max = options.maxDurationSec;
  if (max !== undefined && info.durationSec > max) {
    throw new AudioTooLongError(`WAV audio lasts ${info.durationSec.toFixed(1)} s, over the limit of ${max} s`);
  }
  const framesPerPiece = Math.max(1, PIECE_SEC * h.sampleRate);
  async function* pieces(): AsyncGenerator<AudioBuffer> {
    for (let f = 0; f < h.frameCount; f += framesPerPiece) {
      const n = Math.min(framesPerPiece, h.frameCount - f);
      const bytes = await source.read(h.dataOffset + f * h.blockAlign, n * h.blockAlign);
      yield decodeWavSamples(bytes, { ...h, dataOffset: 0, frameCount: n, dataBytes: n * h.blockAlign });
    }
  }
  return { info, expectedFrames: h.frameCount, pieces: pieces() };
}
