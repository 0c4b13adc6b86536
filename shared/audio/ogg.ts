/**
 * Ogg Vorbis adapter over `@wasm-audio-decoders/ogg-vorbis` (libvorbis in wasm), plus a small
 * Ogg page reader used by the probes (Vorbis and FLAC-in-Ogg).
 *
 * The probe reads the Vorbis identification header (channels, sample rate) and comment header
 * (TITLE, ARTIST, ALBUM), and takes the duration from the granule position of the last page,
 * without decoding.
 *
 * Truncation rule: Ogg has no length field (the final granule is only in the last page), and
 * players play a cut stream up to the cut. A stream that ends inside its three header packets,
 * or that yields no audio at all, is TruncatedAudioError; a stream cut later decodes to the audio
 * in its complete pages.
 *
 * Channels come out in WAV order (L R C LFE …), not Vorbis order (L C R …), like every other
 * format here.
 */
import type { AudioBuffer, AudioInfo, AudioTags, DecodedAudio } from './types.js';
import { asciiAt } from './detect.js';
import { decodeInPieces, decodeWholeFile, parseVorbisComments, type DecodeLimits } from './codec-common.js';
import { AudioTooLongError, NotAudioError, TruncatedAudioError } from '../errors.js';

/** A new libvorbis decoder; its module (WebAssembly inline) loads on the first Ogg Vorbis, so other formats never pay for it. */
async function newVorbisDecoder() {
  return new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
}

/**
 * Reassemble the first `count` packets of the logical stream whose first page starts at
 * `offset`. Returns fewer packets when the file ends first (a partial packet is dropped).
 */
export function readOggPackets(bytes: Uint8Array, offset: number, count: number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let serial = -1;
  let p = offset;
  while (packets.length < count && p + 27 <= bytes.length) {
    if (asciiAt(bytes, p, 4) !== 'OggS') throw new NotAudioError(`Ogg page expected at byte ${p}, found ${asciiAt(bytes, p, 4)}`);
    const pageSerial = (bytes[p + 14] | (bytes[p + 15] << 8) | (bytes[p + 16] << 16) | (bytes[p + 17] << 24)) >>> 0;
    const nSeg = bytes[p + 26];
    const lacingStart = p + 27;
    let body = lacingStart + nSeg;
    if (body > bytes.length) break;
    let pageEnd = body;
    for (let i = 0; i < nSeg; i++) pageEnd += bytes[lacingStart + i];
    if (serial < 0) serial = pageSerial;
    if (pageSerial !== serial) {
      p = pageEnd;
      continue; // another multiplexed stream
    }
    for (let i = 0; i < nSeg && packets.length < count; i++) {
      const len = bytes[lacingStart + i];
      if (body + len > bytes.length) return packets; // cut inside this page
      pending.push(bytes.subarray(body, body + len));
      body += len;
      if (len < 255) {
        const total = pending.reduce((s, x) => s + x.length, 0);
        const packet = new Uint8Array(total);
        let q = 0;
        for (const part of pending) {
          packet.set(part, q);
          q += part.length;
        }
        packets.push(packet);
        pending = [];
      }
    }
    p = pageEnd;
  }
  return packets;
}

/** Granule position of the last page of the first logical stream (scanning back from the end), or -1. */
export function lastOggGranule(bytes: Uint8Array, offset: number): number {
  const serial = (bytes[offset + 14] | (bytes[offset + 15] << 8) | (bytes[offset + 16] << 16) | (bytes[offset + 17] << 24)) >>> 0;
  const stop = Math.max(offset, bytes.length - (1 << 20));
  for (let p = bytes.length - 27; p >= stop; p--) {
    if (bytes[p] !== 0x4f || bytes[p + 1] !== 0x67 || bytes[p + 2] !== 0x67 || bytes[p + 3] !== 0x53) continue;
    const s = (bytes[p + 14] | (bytes[p + 15] << 8) | (bytes[p + 16] << 16) | (bytes[p + 17] << 24)) >>> 0;
    if (s !== serial) continue;
    const lo = (bytes[p + 6] | (bytes[p + 7] << 8) | (bytes[p + 8] << 16) | (bytes[p + 9] << 24)) >>> 0;
    const hi = (bytes[p + 10] | (bytes[p + 11] << 8) | (bytes[p + 12] << 16) | (bytes[p + 13] << 24)) >>> 0;
    if (hi === 0xffffffff && lo === 0xffffffff) continue; // page with no packet end
    return hi * 2 ** 32 + lo;
  }
  return -1;
}

/**
 * Vorbis orders 3–8 channels as L C R (then surrounds, LFE last); WAV and FLAC use the WAVE/SMPTE
 * order L R C LFE …. For each WAV position, the index of the Vorbis channel that goes there
 * (Vorbis I spec §4.3.9; WAVEFORMATEXTENSIBLE default masks 3.0, quad, 5.0, 5.1, 6.1, 7.1).
 */
const VORBIS_TO_WAV_ORDER: Record<number, number[]> = {
  3: [0, 2, 1],
  5: [0, 2, 1, 3, 4],
  6: [0, 2, 1, 5, 3, 4],
  7: [0, 2, 1, 6, 5, 3, 4],
  8: [0, 2, 1, 7, 5, 6, 3, 4],
};

interface VorbisHeader {
  sampleRate: number;
  channelCount: number;
  tags: AudioTags;
}

function parseVorbisHeader(bytes: Uint8Array, offset: number): VorbisHeader {
  const packets = readOggPackets(bytes, offset, 3);
  const id = packets[0];
  if (!id || id.length < 30) throw new TruncatedAudioError(`Ogg Vorbis file ends inside its identification header (${bytes.length} bytes)`);
  if (id[0] !== 1 || asciiAt(id, 1, 6) !== 'vorbis') throw new NotAudioError('Ogg stream does not start with a Vorbis identification header');
  const channelCount = id[11];
  const sampleRate = (id[12] | (id[13] << 8) | (id[14] << 16) | (id[15] << 24)) >>> 0;
  if (packets.length < 3) {
    throw new TruncatedAudioError(`Ogg Vorbis file ends inside its header packets (${packets.length} of 3 complete, ${bytes.length} bytes)`);
  }
  const comment = packets[1];
  const tags = comment[0] === 3 && asciiAt(comment, 1, 6) === 'vorbis' ? parseVorbisComments(comment, 7, comment.length) : {};
  return { sampleRate, channelCount, tags };
}

/** Header-only AudioInfo; the duration comes from the last page's granule position. */
export function probeOggVorbis(bytes: Uint8Array, offset: number): AudioInfo & { durationExact: boolean } {
  const h = parseVorbisHeader(bytes, offset);
  const granule = lastOggGranule(bytes, offset);
  return {
    format: 'ogg',
    codec: 'vorbis',
    sampleRate: h.sampleRate,
    channelCount: h.channelCount,
    durationSec: granule > 0 && h.sampleRate > 0 ? granule / h.sampleRate : 0,
    tags: h.tags,
    durationExact: granule > 0,
  };
}

/** Decoder channels (Vorbis order, maybe more than the header's count) → WAV order. */
function wavOrder(channelData: Float32Array[], channelCount: number): Float32Array[] {
  const decoded = channelData.slice(0, channelCount);
  const order = VORBIS_TO_WAV_ORDER[decoded.length];
  return order ? order.map((k) => decoded[k]) : decoded;
}

/**
 * Decode an Ogg Vorbis file a piece at a time (about a megabyte of Ogg each), for long files: the
 * same samples as {@link decodeOggVorbis}, in order, with the same errors.
 */
export async function* decodeOggVorbisPieces(bytes: Uint8Array, offset: number, limits: DecodeLimits = {}): AsyncGenerator<AudioBuffer> {
  const h = parseVorbisHeader(bytes, offset);
  const errors: string[] = [];
  let n = 0;
  for await (const r of decodeInPieces(await newVorbisDecoder(), bytes, offset)) {
    for (const e of r.errors) errors.push(e.message);
    if (r.samplesDecoded <= 0) continue;
    n += r.samplesDecoded;
    const rate = r.sampleRate || h.sampleRate;
    if (limits.maxFrames !== undefined && n > limits.maxFrames) {
      throw new AudioTooLongError(`Ogg Vorbis audio is longer than the limit of ${(limits.maxFrames / rate).toFixed(1)} s`);
    }
    yield { sampleRate: rate, channels: wavOrder(r.channelData.map((ch) => ch.subarray(0, r.samplesDecoded)), h.channelCount) };
  }
  if (n === 0) {
    const why = errors.length ? `; decoder said: ${errors[0]}` : '';
    throw new TruncatedAudioError(`Ogg Vorbis stream of ${bytes.length - offset} bytes yields no audio${why}`);
  }
}

/** Decode an Ogg Vorbis file whose first page starts at `offset`. */
export async function decodeOggVorbis(bytes: Uint8Array, offset: number, limits: DecodeLimits = {}): Promise<DecodedAudio> {
  const h = parseVorbisHeader(bytes, offset);
  const result = await decodeWholeFile(await newVorbisDecoder(), bytes, offset);
  const n = result.samplesDecoded;
  if (n === 0) {
    const why = result.errors.length ? `; decoder said: ${result.errors[0].message}` : '';
    throw new TruncatedAudioError(`Ogg Vorbis stream of ${bytes.length - offset} bytes yields no audio${why}`);
  }
  const rate = result.sampleRate || h.sampleRate;
  if (limits.maxFrames !== undefined && n > limits.maxFrames) {
    throw new AudioTooLongError(`Ogg Vorbis audio lasts ${(n / rate).toFixed(1)} s, over the limit of ${(limits.maxFrames / rate).toFixed(1)} s`);
  }
  const channels = wavOrder(result.channelData, h.channelCount);
  return {
    audio: { sampleRate: rate, channels },
    info: { format: 'ogg', codec: 'vorbis', sampleRate: rate, channelCount: h.channelCount, durationSec: n / rate, tags: h.tags },
  };
}
