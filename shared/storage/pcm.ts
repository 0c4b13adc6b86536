/**
 * The working PCM format (`{id}/work/mix.pcm`): the decoded mix, written once by prepareAudio
 * and read by separateStems and analyzeMix, so the upload is decoded exactly once.
 *
 * Layout (little-endian):
 * ```
 * 0   4  magic "SFPC"
 * 4   2  version (1)
 * 6   2  sample format: 1 = float32, 2 = int16
 * 8   4  sample rate, Hz (uint32)
 * 12  2  channel count (uint16)
 * 14  2  reserved (0)
 * 16  4  frames per channel (uint32)
 * 20  …  planar samples: channel 0 (all frames), channel 1, …
 * ```
 * float32 keeps the decoder's exact samples (the stems then sum back to this mix exactly);
 * int16 halves the size (a 3-minute stereo 44.1 kHz mix: 63 MB f32, 32 MB s16).
 */
import { InvalidRequestError } from '../errors.js';
import type { AudioBuffer } from '../audio/types.js';

const MAGIC = 0x43504653; // "SFPC" read as little-endian uint32
const HEADER_BYTES = 20;
export type PcmSampleFormat = 'f32' | 's16';

/** Encode planar audio into the working PCM format. Empty audio (0 frames) is valid. */
export function encodeWorkPcm(audio: AudioBuffer, format: PcmSampleFormat = 'f32'): Uint8Array {
  const channels = audio.channels.length;
  const frames = channels === 0 ? 0 : audio.channels[0].length;
  const out = new Uint8Array(HEADER_BYTES + channels * frames * bytesPerSampleOf(format));
  out.set(encodeWorkPcmHeader({ format, sampleRate: audio.sampleRate, channelCount: channels, frames }));
  let offset = HEADER_BYTES;
  for (const ch of audio.channels) {
    if (ch.length !== frames) throw new InvalidRequestError(`channels differ in length: ${ch.length} vs ${frames} frames`);
    const bytes = encodeWorkPcmSamples(ch, format);
    out.set(bytes, offset);
    offset += bytes.length;
  }
  return out;
}

/** The 20-byte header of a working PCM blob. */
export function encodeWorkPcmHeader(header: WorkPcmHeader): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, header.format === 'f32' ? 1 : 2, true);
  view.setUint32(8, header.sampleRate, true);
  view.setUint16(12, header.channelCount, true);
  view.setUint16(14, 0, true);
  view.setUint32(16, header.frames, true);
  return out;
}

/**
 * One channel's samples as they sit in a working PCM blob (little-endian float32, or int16 with
 * clipping to [-1, 1] and rounding): consecutive runs of a channel written separately join into
 * the bytes of the whole channel.
 */
export function encodeWorkPcmSamples(ch: Float32Array, format: PcmSampleFormat): Uint8Array {
  if (format === 'f32') {
    const out = new Uint8Array(ch.byteLength); // a plain copy, even of shared memory
    out.set(new Uint8Array(ch.buffer, ch.byteOffset, ch.byteLength));
    return out;
  }
  const out = new Uint8Array(ch.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < ch.length; i++) {
    const s = Math.max(-1, Math.min(1, ch[i]));
    view.setInt16(2 * i, Math.round(s * 32767), true);
  }
  return out;
}

/** What the 20-byte header of a working PCM blob says. */
export interface WorkPcmHeader {
  format: PcmSampleFormat;
  sampleRate: number;
  channelCount: number;
  /** Frames per channel. */
  frames: number;
}

export const WORK_PCM_HEADER_BYTES = HEADER_BYTES;

/** Parse the header (the first 20 bytes). Throws InvalidRequestError naming what is wrong. */
export function readWorkPcmHeader(bytes: Uint8Array): WorkPcmHeader {
  if (bytes.byteLength < HEADER_BYTES) throw new InvalidRequestError(`work PCM is ${bytes.byteLength} bytes, shorter than its ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new InvalidRequestError('work PCM has a bad magic number (not written by stemflow)');
  const version = view.getUint16(4, true);
  if (version !== 1) throw new InvalidRequestError(`work PCM version ${version} is not supported`);
  const formatCode = view.getUint16(6, true);
  if (formatCode !== 1 && formatCode !== 2) throw new InvalidRequestError(`work PCM sample format ${formatCode} is not supported`);
  return { format: formatCode === 1 ? 'f32' : 's16', sampleRate: view.getUint32(8, true), channelCount: view.getUint16(12, true), frames: view.getUint32(16, true) };
}

const bytesPerSampleOf = (format: PcmSampleFormat) => (format === 'f32' ? 4 : 2);

/** Total size in bytes of a working PCM blob with this header. */
export function workPcmByteLength(header: WorkPcmHeader): number {
  return HEADER_BYTES + header.channelCount * header.frames * bytesPerSampleOf(header.format);
}

/**
 * Where frames [start, end) of one channel sit in a working PCM blob (planar layout): a byte
 * offset and count for a ranged read. Throws RangeError outside the blob.
 */
export function workPcmChannelRange(header: WorkPcmHeader, channel: number, start: number, end: number): { offset: number; count: number } {
  if (!(channel >= 0 && channel < header.channelCount) || !(start >= 0 && start <= end && end <= header.frames)) {
    throw new RangeError(`frames [${start}, ${end}) of channel ${channel} are outside a work PCM of ${header.channelCount} × ${header.frames} frames`);
  }
  const bps = bytesPerSampleOf(header.format);
  return { offset: HEADER_BYTES + (channel * header.frames + start) * bps, count: (end - start) * bps };
}

/** Samples of one channel's bytes (as {@link workPcmChannelRange} locates them) as float32. */
export function decodeWorkPcmSamples(bytes: Uint8Array, format: PcmSampleFormat): Float32Array {
  if (format === 'f32') {
    const ch = new Float32Array(bytes.byteLength >> 2);
    // copy: the source offset may not be 4-byte aligned
    new Uint8Array(ch.buffer).set(bytes.subarray(0, ch.length * 4));
    return ch;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ch = new Float32Array(bytes.byteLength >> 1);
  for (let i = 0; i < ch.length; i++) ch[i] = view.getInt16(2 * i, true) / 32767;
  return ch;
}

/** Decode the working PCM format. Throws InvalidRequestError naming what is wrong with the bytes. */
export function decodeWorkPcm(bytes: Uint8Array): AudioBuffer {
  const header = readWorkPcmHeader(bytes);
  const expected = workPcmByteLength(header);
  if (bytes.byteLength !== expected) throw new InvalidRequestError(`work PCM is ${bytes.byteLength} bytes, header says ${expected}`);
  const channels: Float32Array[] = [];
  for (let c = 0; c < header.channelCount; c++) {
    const { offset, count } = workPcmChannelRange(header, c, 0, header.frames);
    channels.push(decodeWorkPcmSamples(bytes.subarray(offset, offset + count), header.format));
  }
  return { sampleRate: header.sampleRate, channels };
}
