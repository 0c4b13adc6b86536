/**
 * WAV (RIFF/WAVE and RF64) reading and writing with typed-array loops.
 *
 * Reads integer PCM (8-bit unsigned, 16/24/32-bit signed, any container width up to 32 bits with
 * WAVE_FORMAT_EXTENSIBLE) and IEEE float (32/64-bit), 1 to 8 channels, odd-sized chunks with
 * their pad byte, and LIST/INFO tags (INAM title, IART artist, IPRD album).
 *
 * Scaling: an N-bit integer sample s maps to s / 2^(N-1), so decoding is exact and an integer
 * round trip (int → float → int) reproduces every code; encoding multiplies by 2^(N-1), rounds
 * to nearest and clips to [-2^(N-1), 2^(N-1) - 1].
 *
 * Truncation rule: a data chunk that declares more bytes than the file holds raises
 * TruncatedAudioError, except the streaming size 0xFFFFFFFF, which means "to the end of the file".
 */
import type { AudioBuffer, AudioInfo, AudioTags, DecodedAudio } from './types.js';
import { asciiAt, hexPrefix } from './detect.js';
import { sharedFloat32 } from './codec-common.js';
import {
  InvalidAudioParametersError,
  NotAudioError,
  TruncatedAudioError,
  UnsupportedCodecError,
} from '../errors.js';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Names for format tags stemflow does not decode (for error messages). */
const FORMAT_TAG_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'μ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3',
  0x00ff: 'AAC',
  0x1610: 'HE-AAC',
  0x2000: 'AC-3',
  0xf1ac: 'FLAC',
};

/** Tail of the KSDATAFORMAT_SUBTYPE GUIDs (bytes 2..15); bytes 0..1 hold the format tag. */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** Speaker masks for the usual layouts (3.0, quad, 5.0, 5.1, 6.1, 7.1), as FLAC and others expect. */
const DEFAULT_CHANNEL_MASKS: Record<number, number> = { 3: 0x7, 4: 0x33, 5: 0x37, 6: 0x3f, 7: 0x70f, 8: 0x63f };

/** What the header of a WAV file says, before touching the samples. */
export interface WavHeader {
  /** Effective format tag (the sub-format for WAVE_FORMAT_EXTENSIBLE). */
  formatTag: number;
  extensible: boolean;
  channelCount: number;
  sampleRate: number;
  /** Container bits per sample (8 × bytes per sample). */
  bitsPerSample: number;
  /** Valid bits (from the extensible header; else bitsPerSample). */
  validBits: number;
  blockAlign: number;
  isFloat: boolean;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data actually used (whole frames only). */
  dataBytes: number;
  frameCount: number;
  tags: AudioTags;
  rf64: boolean;
}

const SUPPORTED_MSG = 'supported: PCM 8/16/24/32-bit and IEEE float 32/64-bit';

function formatName(tag: number): string {
  const name = FORMAT_TAG_NAMES[tag];
  const hex = `0x${tag.toString(16).padStart(4, '0')}`;
  return name ? `${name} (format tag ${hex})` : `format tag ${hex}`;
}

function readInfoList(bytes: Uint8Array, view: DataView, start: number, end: number, tags: AudioTags): void {
  if (asciiAt(bytes, start, 4) !== 'INFO') return;
  let p = start + 4;
  while (p + 8 <= end) {
    const id = asciiAt(bytes, p, 4);
    const size = view.getUint32(p + 4, true);
    const body = p + 8;
    if (body + size > end) break;
    let e = body + size;
    while (e > body && bytes[e - 1] === 0) e--; // strip NUL terminators
    const text = new TextDecoder('utf-8').decode(bytes.subarray(body, e)).trim();
    if (text) {
      if (id === 'INAM') tags.title = text;
      else if (id === 'IART') tags.artist = text;
      else if (id === 'IPRD') tags.album = text;
    }
    p = body + size + (size & 1);
  }
}

/**
 * Parse the chunks of a WAV file: fmt, data (position and size), LIST/INFO, ds64 for RF64.
 * Throws the typed errors for a cut or malformed header and for unsupported sample formats.
 * Does not validate channel count or sample rate ranges (decode.ts does that for every format).
 * `bytes` may be only the head of a file of `fileLength` bytes, as long as it reaches the data
 * chunk's header (a long file read in ranges; tags after the samples are then not seen).
 */
export function parseWavHeader(bytes: Uint8Array, fileLength = bytes.length): WavHeader {
  const rf64 = asciiAt(bytes, 0, 4) === 'RF64';
  if (bytes.length < 12) throw new TruncatedAudioError(`WAV file is cut inside its 12-byte RIFF header (${bytes.length} bytes)`);
  if (!(asciiAt(bytes, 0, 4) === 'RIFF' || rf64) || asciiAt(bytes, 8, 4) !== 'WAVE') {
    throw new NotAudioError(`not a RIFF/WAVE file (first bytes ${hexPrefix(bytes)})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number; validBits: number; extensible: boolean } | null = null;
  let dataOffset = -1;
  let declaredDataBytes = 0;
  let ds64DataBytes = -1;
  const tags: AudioTags = {};
  let p = 12;
  while (p + 8 <= bytes.length) {
    const id = asciiAt(bytes, p, 4);
    let size = view.getUint32(p + 4, true);
    const body = p + 8;
    if (id === 'ds64' && size >= 16) {
      if (body + 16 > bytes.length) throw new TruncatedAudioError(`RF64 file is cut inside its ds64 chunk (${bytes.length} bytes)`);
      // riffSize (8), dataSize (8), sampleCount (8)
      ds64DataBytes = view.getUint32(body + 8, true) + view.getUint32(body + 12, true) * 2 ** 32;
    } else if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) {
        throw new TruncatedAudioError(`WAV fmt chunk is cut: it needs at least 16 bytes, ${Math.max(0, Math.min(size, bytes.length - body))} present`);
      }
      let tag = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const rate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bits = view.getUint16(body + 14, true);
      let validBits = bits;
      let extensible = false;
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 40 > bytes.length) {
          throw new TruncatedAudioError(`WAVE_FORMAT_EXTENSIBLE fmt chunk is cut: it needs 40 bytes, ${Math.min(size, bytes.length - body)} present`);
        }
        extensible = true;
        validBits = view.getUint16(body + 18, true) || bits;
        const guid = bytes.subarray(body + 24, body + 40);
        const standard = GUID_TAIL.every((v, i) => guid[i + 2] === v);
        if (!standard) {
          throw new UnsupportedCodecError(`WAVE_FORMAT_EXTENSIBLE with non-standard sub-format GUID ${hexPrefix(guid, 16)}; ${SUPPORTED_MSG}`);
        }
        tag = guid[0] | (guid[1] << 8);
      }
      fmt = { tag, channels, rate, blockAlign, bits, validBits, extensible };
    } else if (id === 'data') {
      dataOffset = body;
      declaredDataBytes = size;
      const available = fileLength - body;
      if (rf64 && size === 0xffffffff && ds64DataBytes >= 0) declaredDataBytes = ds64DataBytes;
      else if (size === 0xffffffff) declaredDataBytes = available; // streaming writers: "to the end"
      if (declaredDataBytes > available) {
        throw new TruncatedAudioError(
          `WAV data chunk is truncated: header declares ${declaredDataBytes} bytes of samples, file holds ${available}`,
        );
      }
      size = declaredDataBytes;
    } else if (id === 'LIST') {
      if (body + size <= bytes.length) readInfoList(bytes, view, body, body + size, tags);
    }
    if (body + size > bytes.length) {
      if (dataOffset >= 0) break; // trailing junk after the audio: ignore
      throw new TruncatedAudioError(`WAV chunk '${id}' at byte ${p} declares ${size} bytes but the file ends after ${bytes.length - body}`);
    }
    p = body + size + (size & 1); // RIFF chunks are padded to even sizes
  }
  if (!fmt) throw new TruncatedAudioError(`WAV file has no fmt chunk (${bytes.length} bytes read)`);
  if (dataOffset < 0) throw new TruncatedAudioError(`WAV file has no data chunk (${bytes.length} bytes read)`);

  const { tag, channels, rate, blockAlign, bits, validBits, extensible } = fmt;
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    throw new UnsupportedCodecError(`WAV codec ${formatName(tag)} is not supported; ${SUPPORTED_MSG}`);
  }
  if (channels === 0) throw new InvalidAudioParametersError('WAV header declares 0 channels');
  const bytesPerSample = Math.floor(blockAlign / channels);
  if (bytesPerSample === 0 || bytesPerSample * channels !== blockAlign || bytesPerSample * 8 < bits) {
    throw new InvalidAudioParametersError(
      `WAV block align ${blockAlign} bytes does not fit ${channels} channels of ${bits}-bit samples`,
    );
  }
  const isFloat = tag === WAVE_FORMAT_IEEE_FLOAT;
  const containerBits = bytesPerSample * 8;
  if (isFloat ? containerBits !== 32 && containerBits !== 64 : containerBits > 32) {
    throw new UnsupportedCodecError(`WAV ${isFloat ? 'float' : 'PCM'} with ${containerBits}-bit samples is not supported; ${SUPPORTED_MSG}`);
  }
  const frameCount = Math.floor(declaredDataBytes / blockAlign);
  return {
    formatTag: tag,
    extensible,
    channelCount: channels,
    sampleRate: rate,
    bitsPerSample: containerBits,
    validBits: Math.min(validBits, containerBits),
    blockAlign,
    isFloat,
    dataOffset,
    dataBytes: frameCount * blockAlign,
    frameCount,
    tags,
    rf64,
  };
}

/** AudioInfo for a parsed WAV header. */
export function wavInfo(h: WavHeader): AudioInfo {
  const codec = h.isFloat ? `pcm_f${h.bitsPerSample}` : h.bitsPerSample === 8 ? 'pcm_u8' : `pcm_s${h.bitsPerSample}`;
  return {
    format: 'wav',
    codec,
    sampleRate: h.sampleRate,
    channelCount: h.channelCount,
    bitDepth: h.isFloat ? h.bitsPerSample : h.validBits,
    durationSec: h.sampleRate > 0 ? h.frameCount / h.sampleRate : 0,
    tags: h.tags,
  };
}

/** A typed-array view of the sample bytes, copying once only when the offset is misaligned. */
function alignedView<T>(bytes: Uint8Array, offset: number, length: number, width: number, make: (buf: ArrayBufferLike, off: number, len: number) => T): T {
  const abs = bytes.byteOffset + offset;
  if (abs % width === 0) return make(bytes.buffer, abs, length);
  const copy = bytes.slice(offset, offset + length * width);
  return make(copy.buffer, 0, length);
}

/**
 * Decode the samples described by `h` into planar float32 channels.
 * One loop per sample format; no per-sample allocation.
 */
export function decodeWavSamples(bytes: Uint8Array, h: WavHeader): AudioBuffer {
  const n = h.frameCount;
  const c = h.channelCount;
  const channels: Float32Array[] = [];
  for (let ch = 0; ch < c; ch++) channels.push(sharedFloat32(n));
  const total = n * c;
  const off = h.dataOffset;
  const bps = h.bitsPerSample;
  if (h.isFloat) {
    const src = bps === 32
      ? alignedView(bytes, off, total, 4, (b, o, l) => new Float32Array(b, o, l))
      : alignedView(bytes, off, total, 8, (b, o, l) => new Float64Array(b, o, l));
    for (let ch = 0; ch < c; ch++) {
      const dst = channels[ch];
      for (let i = 0, j = ch; i < n; i++, j += c) dst[i] = src[j];
    }
  } else if (bps === 16) {
    const src = alignedView(bytes, off, total, 2, (b, o, l) => new Int16Array(b, o, l));
    const g = 1 / 32768;
    for (let ch = 0; ch < c; ch++) {
      const dst = channels[ch];
      for (let i = 0, j = ch; i < n; i++, j += c) dst[i] = src[j] * g;
    }
  } else if (bps === 8) {
    const g = 1 / 128;
    for (let ch = 0; ch < c; ch++) {
      const dst = channels[ch];
      for (let i = 0, j = off + ch; i < n; i++, j += c) dst[i] = (bytes[j] - 128) * g;
    }
  } else if (bps === 24) {
    const g = 1 / 8388608;
    const stride = 3 * c;
    for (let ch = 0; ch < c; ch++) {
      const dst = channels[ch];
      for (let i = 0, j = off + 3 * ch; i < n; i++, j += stride) {
        dst[i] = (((bytes[j] | (bytes[j + 1] << 8) | (bytes[j + 2] << 16)) << 8) >> 8) * g;
      }
    }
  } else if (bps === 32) {
    const src = alignedView(bytes, off, total, 4, (b, o, l) => new Int32Array(b, o, l));
    const g = 1 / 2147483648;
    for (let ch = 0; ch < c; ch++) {
      const dst = channels[ch];
      for (let i = 0, j = ch; i < n; i++, j += c) dst[i] = src[j] * g;
    }
  } else {
    throw new UnsupportedCodecError(`WAV PCM with ${bps}-bit containers is not supported; ${SUPPORTED_MSG}`);
  }
  return { sampleRate: h.sampleRate, channels };
}

/** Parse and decode a whole WAV file (no range checks; see decodeAudio for those). */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  const h = parseWavHeader(bytes);
  return { audio: decodeWavSamples(bytes, h), info: wavInfo(h) };
}

export type WavBitDepth = 16 | 24 | 32;

/**
 * Offset-binary 16-bit code of sample s: round(s·2^15) to nearest with ties up (as Math.round),
 * clipped to [-2^15, 2^15 - 1], NaN → 0, returned plus 2^15 (so in [0, 65535]). floor(t) of the
 * non-negative t is `t | 0`; s·2^15 + 2^15 + 0.5 is exact in float64 for float32 s near any tie.
 */
function offset16(s: number): number {
  const t = s * 32768 + 32768.5;
  return t >= 65535 ? 65535 : t >= 0 ? t | 0 : t < 0 ? 0 : 32768;
}

/** As {@link offset16} for 24 bits: round(s·2^23), clipped, NaN → 0, plus 2^23. */
function offset24(s: number): number {
  const t = s * 8388608 + 8388608.5;
  return t >= 16777215 ? 16777215 : t >= 0 ? t | 0 : t < 0 ? 0 : 8388608;
}

/**
 * Write the interleaved WAV sample bytes of planar `channels` at byte `off` of `out` (16/24-bit
 * integer PCM as {@link encodeWav} rounds and clips, 32-bit float), e.g. one region of a stem
 * into its whole file. One loop per depth with mono and stereo specialised (no per-sample branch
 * on the layout); 16-bit codes go through a Uint16Array view when the position is even.
 */
export function writeWavSamples(channels: Float32Array[], out: Uint8Array, off: number, bitDepth: WavBitDepth): void {
  const c = channels.length;
  const n = channels[0].length;
  const at = out.byteOffset + off;
  if (bitDepth === 16 && at % 2 !== 0) {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let ch = 0; ch < c; ch++) {
      const a = channels[ch];
      for (let i = 0, j = off + 2 * ch; i < n; i++, j += 2 * c) view.setUint16(j, offset16(a[i]) ^ 0x8000, true);
    }
  } else if (bitDepth === 16) {
    const dst = new Uint16Array(out.buffer, at, n * c);
    if (c === 1) {
      const a = channels[0];
      for (let i = 0; i < n; i++) dst[i] = offset16(a[i]) ^ 0x8000;
    } else if (c === 2) {
      const a = channels[0];
      const b = channels[1];
      for (let i = 0, j = 0; i < n; i++, j += 2) {
        dst[j] = offset16(a[i]) ^ 0x8000;
        dst[j + 1] = offset16(b[i]) ^ 0x8000;
      }
    } else {
      for (let ch = 0; ch < c; ch++) {
        const a = channels[ch];
        for (let i = 0, j = ch; i < n; i++, j += c) dst[j] = offset16(a[i]) ^ 0x8000;
      }
    }
  } else if (bitDepth === 24) {
    const stride = 3 * c;
    for (let ch = 0; ch < c; ch++) {
      const a = channels[ch];
      for (let i = 0, j = off + 3 * ch; i < n; i++, j += stride) {
        const v = offset24(a[i]) ^ 0x800000;
        out[j] = v;
        out[j + 1] = v >> 8;
        out[j + 2] = v >> 16;
      }
    }
  } else if (at % 4 === 0) {
    const dst = new Float32Array(out.buffer, at, n * c);
    if (c === 1) dst.set(channels[0]);
    else if (c === 2) {
      const a = channels[0];
      const b = channels[1];
      for (let i = 0, j = 0; i < n; i++, j += 2) {
        dst[j] = a[i];
        dst[j + 1] = b[i];
      }
    } else {
      for (let ch = 0; ch < c; ch++) {
        const a = channels[ch];
        for (let i = 0, j = ch; i < n; i++, j += c) dst[j] = a[i];
      }
    }
  } else {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let ch = 0; ch < c; ch++) {
      const a = channels[ch];
      for (let i = 0, j = off + 4 * ch; i < n; i++, j += 4 * c) view.setFloat32(j, a[i], true);
    }
  }
}

export interface EncodeWavOptions {
  /** 16 (default) or 24 = integer PCM with rounding and clipping; 32 = IEEE float. */
  bitDepth?: WavBitDepth;
  /** Written as a LIST/INFO chunk (INAM, IART, IPRD) when given. */
  tags?: AudioTags;
}

function infoChunk(tags: AudioTags | undefined): Uint8Array {
  if (!tags) return new Uint8Array(0);
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const [id, value] of [['INAM', tags.title], ['IART', tags.artist], ['IPRD', tags.album]] as const) {
    if (!value) continue;
    const text = enc.encode(value);
    const size = text.length + 1; // NUL-terminated
    const sub = new Uint8Array(8 + size + (size & 1));
    sub.set(enc.encode(id), 0);
    new DataView(sub.buffer).setUint32(4, size, true);
    sub.set(text, 8);
    parts.push(sub);
  }
  if (parts.length === 0) return new Uint8Array(0);
  const bodySize = 4 + parts.reduce((s, x) => s + x.length, 0);
  const out = new Uint8Array(8 + bodySize);
  out.set(enc.encode('LIST'), 0);
  new DataView(out.buffer).setUint32(4, bodySize, true);
  out.set(enc.encode('INFO'), 8);
  let p = 12;
  for (const x of parts) {
    out.set(x, p);
    p += x.length;
  }
  return out;
}

/**
 * The header of a WAV file holding `frames` frames of `channelCount` channels: RIFF, fmt, the
 * optional LIST/INFO tags and the 'data' chunk header, ending where the samples begin (its
 * length is even). With {@link encodeWavSamples} it lets a long file be written piece by piece.
 * Throws InvalidAudioParametersError for a format WAV cannot hold.
 */
export function wavHeader(sampleRate: number, channelCount: number, frames: number, options: EncodeWavOptions = {}): Uint8Array {
  const bitDepth = options.bitDepth ?? 16;
  if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) {
    throw new InvalidAudioParametersError(`WAV bit depth ${String(bitDepth)} is not supported; allowed: 16, 24, 32`);
  }
  const c = channelCount;
  if (!Number.isInteger(c) || c <= 0 || c > 65535) throw new InvalidAudioParametersError(`cannot encode WAV with ${c} channels`);
  const rate = Math.round(sampleRate);
  if (!(rate > 0 && rate <= 0xffffffff)) throw new InvalidAudioParametersError(`cannot encode WAV with sample rate ${sampleRate} Hz`);
  const bytesPerSample = bitDepth / 8;
  const blockAlign = bytesPerSample * c;
  const dataBytes = frames * blockAlign;
  const extensible = c > 2;
  const fmtSize = extensible ? 40 : 16;
  const info = infoChunk(options.tags);
  const headerBytes = 12 + 8 + fmtSize + info.length + 8;
  const total = headerBytes + dataBytes + (dataBytes & 1);
  if (total - 8 > 0xffffffff) throw new InvalidAudioParametersError(`WAV output of ${total} bytes exceeds the 4 GiB RIFF limit`);
  const out = new Uint8Array(headerBytes);
  const view = new DataView(out.buffer);
  const ascii = (pos: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[pos + i] = s.charCodeAt(i);
  };
  const tag = bitDepth === 32 ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  ascii(0, 'RIFF');
  view.setUint32(4, total - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, extensible ? WAVE_FORMAT_EXTENSIBLE : tag, true);
  view.setUint16(22, c, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitDepth, true);
  let p = 36;
  if (extensible) {
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, bitDepth, true); // valid bits
    view.setUint32(40, DEFAULT_CHANNEL_MASKS[c] ?? 0, true);
    view.setUint16(44, tag, true);
    out.set(GUID_TAIL, 46);
    p = 60;
  }
  out.set(info, p);
  p += info.length;
  ascii(p, 'data');
  view.setUint32(p + 4, dataBytes, true);
  return out;
}

function assertEqualLengths(channels: Float32Array[]): number {
  const n = channels[0]?.length ?? 0;
  for (const ch of channels) {
    if (ch.length !== n) throw new InvalidAudioParametersError(`channels differ in length (${n} vs ${ch.length} samples)`);
  }
  return n;
}

/**
 * The interleaved sample bytes of planar channels, as {@link encodeWav} writes them (no pad
 * byte): consecutive pieces of a long signal, after one {@link wavHeader}, make its WAV file
 * (plus one zero byte at the end when the data size is odd).
 */
export function encodeWavSamples(channels: Float32Array[], bitDepth: WavBitDepth = 16): Uint8Array {
  const n = assertEqualLengths(channels);
  const out = new Uint8Array(n * channels.length * (bitDepth / 8));
  if (n > 0) writeWavSamples(channels, out, 0, bitDepth);
  return out;
}

/**
 * Encode planar audio as a WAV file.
 * 16/24-bit: integer PCM, x·2^(N-1) rounded to nearest and clipped to the integer range (no
 * dither). 32-bit: IEEE float, bit-exact. More than 2 channels use WAVE_FORMAT_EXTENSIBLE with the
 * usual speaker mask for that count (5.1 for 6, 7.1 for 8). Zero frames give a valid file with an empty data chunk.
 */
export function encodeWav(audio: AudioBuffer, options: EncodeWavOptions = {}): Uint8Array {
  const n = assertEqualLengths(audio.channels);
  const header = wavHeader(audio.sampleRate, audio.channels.length, n, options);
  const bitDepth = options.bitDepth ?? 16;
  const dataBytes = n * audio.channels.length * (bitDepth / 8);
  const out = new Uint8Array(header.length + dataBytes + (dataBytes & 1));
  out.set(header, 0);
  if (n > 0) writeWavSamples(audio.channels, out, header.length, bitDepth);
  return out;
}
