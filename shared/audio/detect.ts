/**
 * Container recognition by content (magic bytes), never by file name.
 *
 * Recognised: RIFF/WAVE and RF64/WAVE, MPEG audio (with or without a leading ID3v2 tag), native
 * FLAC (also behind an ID3v2 tag), and Ogg with Vorbis or FLAC inside. Known audio formats that
 * stemflow does not decode (Ogg Opus/Speex, AAC in ADTS, MP4/M4A, AIFF, Matroska/WebM, CAF, AU,
 * WavPack, Monkey's Audio) raise {@link UnsupportedCodecError}; anything else raises
 * {@link NotAudioError} with a guess at what the bytes are and their first four bytes in hex.
 */
import type { ContainerFormat } from './types.js';
import {
  EmptyAudioError,
  NotAudioError,
  TruncatedAudioError,
  UnsupportedCodecError,
} from '../errors.js';

export interface DetectedContainer {
  format: ContainerFormat;
  /** Codec inside the container as far as the magic bytes tell ('pcm' for WAV, refined later). */
  codec: 'pcm' | 'mp3' | 'flac' | 'vorbis';
  /** Byte offset where the container proper starts (after a leading ID3v2 tag, if any). */
  offset: number;
  /** True for RF64 (64-bit RIFF) WAV files. */
  rf64?: boolean;
}

/** Read `len` bytes at `pos` as Latin-1 text (shorter if the buffer ends). */
export function asciiAt(bytes: Uint8Array, pos: number, len: number): string {
  let s = '';
  const end = Math.min(bytes.length, pos + len);
  for (let i = pos; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Hex of the first `n` bytes, e.g. "89 50 4e 47". */
export function hexPrefix(bytes: Uint8Array, n = 4): string {
  return Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Size in bytes of an ID3v2 tag starting at `pos` (header + body + footer), or 0 if none. */
export function id3v2Size(bytes: Uint8Array, pos = 0): number {
  if (bytes.length < pos + 10) return 0;
  if (bytes[pos] !== 0x49 || bytes[pos + 1] !== 0x44 || bytes[pos + 2] !== 0x33) return 0; // "ID3"
  const flags = bytes[pos + 5];
  const body = ((bytes[pos + 6] & 0x7f) << 21) | ((bytes[pos + 7] & 0x7f) << 14) | ((bytes[pos + 8] & 0x7f) << 7) | (bytes[pos + 9] & 0x7f);
  return 10 + body + (flags & 0x10 ? 10 : 0);
}

/** Parsed 4-byte MPEG audio frame header. */
export interface MpegFrameHeader {
  /** 1 = MPEG-1, 2 = MPEG-2, 2.5 = MPEG-2.5. */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  bitrateKbps: number;
  sampleRate: number;
  channelCount: 1 | 2;
  /** Frame length in bytes, including the header. */
  frameBytes: number;
  samplesPerFrame: number;
  hasCrc: boolean;
}

const BITRATES: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_RATES: Record<string, number[]> = { '1': [44100, 48000, 32000], '2': [22050, 24000, 16000], '2.5': [11025, 12000, 8000] };

/**
 * Parse an MPEG audio frame header at `pos`; null if the bytes there are not a valid header
 * (bad sync, reserved version/layer, free-format or bad bitrate, reserved sample rate).
 */
export function parseMpegFrameHeader(bytes: Uint8Array, pos: number): MpegFrameHeader | null {
  if (pos + 4 > bytes.length) return null;
  const b1 = bytes[pos + 1];
  const b2 = bytes[pos + 2];
  if (bytes[pos] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const vBits = (b1 >> 3) & 3;
  const lBits = (b1 >> 1) & 3;
  if (vBits === 1 || lBits === 0) return null;
  const version: 1 | 2 | 2.5 = vBits === 3 ? 1 : vBits === 2 ? 2 : 2.5;
  const layer = (4 - lBits) as 1 | 2 | 3;
  const brIndex = b2 >> 4;
  const srIndex = (b2 >> 2) & 3;
  if (brIndex === 0 || brIndex === 15 || srIndex === 3) return null;
  const bitrateKbps = BITRATES[`${version === 1 ? 1 : 2}-${layer}`][brIndex];
  const sampleRate = MPEG_RATES[String(version)][srIndex];
  const padding = (b2 >> 1) & 1;
  const channelCount = ((bytes[pos + 3] >> 6) & 3) === 3 ? 1 : 2;
  let samplesPerFrame: number;
  let frameBytes: number;
  if (layer === 1) {
    samplesPerFrame = 384;
    frameBytes = (Math.floor((12 * bitrateKbps * 1000) / sampleRate) + padding) * 4;
  } else {
    samplesPerFrame = layer === 3 && version !== 1 ? 576 : 1152;
    frameBytes = Math.floor(((samplesPerFrame / 8) * bitrateKbps * 1000) / sampleRate) + padding;
  }
  return { version, layer, bitrateKbps, sampleRate, channelCount, frameBytes, samplesPerFrame, hasCrc: (b1 & 1) === 0 };
}

/**
 * Find the first MPEG frame at or after `from` (scanning at most `maxScan` bytes) that is
 * confirmed by a second valid header right after it (or by the end of the buffer). -1 if none.
 */
export function findMpegSync(bytes: Uint8Array, from: number, maxScan = 65536): number {
  const end = Math.min(bytes.length - 4, from + maxScan);
  for (let i = from; i <= end; i++) {
    if (bytes[i] !== 0xff) continue;
    const h = parseMpegFrameHeader(bytes, i);
    if (!h) continue;
    const next = i + h.frameBytes;
    if (next >= bytes.length) return i; // a single frame that runs to the end
    const h2 = parseMpegFrameHeader(bytes, next);
    if (h2 && h2.layer === h.layer && h2.sampleRate === h.sampleRate) return i;
  }
  return -1;
}

/** Guess what a non-audio file is, for the NotAudioError message. */
function describeNonAudio(bytes: Uint8Array): string {
  const a4 = asciiAt(bytes, 0, 4);
  const b = bytes;
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  let what: string | null = null;
  if (starts(0x89, 0x50, 0x4e, 0x47)) what = 'a PNG image';
  else if (starts(0xff, 0xd8, 0xff)) what = 'a JPEG image';
  else if (a4 === 'GIF8') what = 'a GIF image';
  else if (a4 === '%PDF') what = 'a PDF document';
  else if (starts(0x50, 0x4b, 0x03, 0x04)) what = 'a ZIP archive (or an Office document)';
  else if (starts(0x1f, 0x8b)) what = 'a gzip archive';
  else if (starts(0x7f, 0x45, 0x4c, 0x46)) what = 'an ELF executable';
  else if (a4.startsWith('MZ')) what = 'a Windows executable';
  else if (asciiAt(bytes, 0, 6) === '7z\xbc\xaf\x27\x1c') what = 'a 7-Zip archive';
  else {
    // Text: look at up to 512 leading bytes (skipping a UTF-8 BOM).
    let start = starts(0xef, 0xbb, 0xbf) ? 3 : 0;
    const end = Math.min(bytes.length, start + 512);
    let printable = 0;
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0xc2) printable++;
    }
    if (end > start && printable / (end - start) > 0.95) {
      while (start < end && (bytes[start] === 32 || bytes[start] === 9 || bytes[start] === 10 || bytes[start] === 13)) start++;
      const c = String.fromCharCode(bytes[start] ?? 0);
      if (c === '{' || c === '[') what = 'text/JSON';
      else if (c === '<') what = 'text/HTML or XML';
      else what = 'text';
    }
  }
  const hex = hexPrefix(bytes);
  return what ? `looks like ${what} (first bytes ${hex})` : `first bytes ${hex} match no known audio format`;
}

/** A known audio format that stemflow does not decode, or null. */
function unsupportedAudioFormat(bytes: Uint8Array): string | null {
  const a4 = asciiAt(bytes, 0, 4);
  if (asciiAt(bytes, 4, 4) === 'ftyp') return 'MP4/M4A (AAC or ALAC)';
  if (a4 === 'FORM' && /^AIF[FC]$/.test(asciiAt(bytes, 8, 4))) return 'AIFF';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'Matroska/WebM';
  if (a4 === 'caff') return 'Core Audio Format (CAF)';
  if (a4 === '.snd') return 'Sun/NeXT AU';
  if (a4 === 'wvpk') return 'WavPack';
  if (a4 === 'MAC ') return "Monkey's Audio (APE)";
  if (a4 === 'MThd') return 'MIDI (notes, not audio)';
  if (a4 === '#!AM') return 'AMR';
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0) return 'AAC in ADTS';
  return null;
}

/** Identify the codec inside an Ogg stream from the first packet of its first page. */
function detectOggCodec(bytes: Uint8Array, pos: number): DetectedContainer {
  if (bytes.length < pos + 27) throw new TruncatedAudioError(`Ogg file is cut inside its first page header (${bytes.length} bytes)`);
  const segments = bytes[pos + 26];
  const dataStart = pos + 27 + segments;
  if (bytes.length < dataStart + 8) throw new TruncatedAudioError(`Ogg file is cut inside its first page (${bytes.length} bytes, first packet at byte ${dataStart})`);
  const head = asciiAt(bytes, dataStart, 8);
  if (head.slice(1, 7) === 'vorbis' && bytes[dataStart] === 1) return { format: 'ogg', codec: 'vorbis', offset: pos };
  if (head.slice(0, 5) === '\x7fFLAC') return { format: 'ogg', codec: 'flac', offset: pos };
  let name: string;
  if (head === 'OpusHead') name = 'Opus';
  else if (head.startsWith('Speex')) name = 'Speex';
  else if (head.slice(1, 7) === 'theora') name = 'Theora (video)';
  else if (head.startsWith('fishead')) name = 'Ogg Skeleton';
  else name = `unknown (first packet starts ${hexPrefix(bytes.subarray(dataStart), 8)})`;
  throw new UnsupportedCodecError(`Ogg container holds codec ${name}; supported in Ogg: Vorbis and FLAC`);
}

/**
 * Recognise the container of an encoded audio file from its first bytes.
 * Throws EmptyAudioError (0 bytes), TruncatedAudioError (too short to tell a known magic's
 * structure), UnsupportedCodecError (known but unsupported audio format) or NotAudioError.
 */
export function detectContainer(bytes: Uint8Array): DetectedContainer {
  if (bytes.length === 0) throw new EmptyAudioError();
  const a4 = asciiAt(bytes, 0, 4);
  if (a4 === 'RIFF' || a4 === 'RF64') {
    if (bytes.length < 12) throw new TruncatedAudioError(`${a4} file is cut inside its 12-byte header (${bytes.length} bytes)`);
    const form = asciiAt(bytes, 8, 4);
    if (form !== 'WAVE') {
      const kind = form === 'AVI ' ? ' (AVI video)' : form === 'WEBP' ? ' (WebP image)' : '';
      throw new NotAudioError(`RIFF file of form '${form}'${kind} is not a WAVE file (first bytes ${hexPrefix(bytes)})`);
    }
    return { format: 'wav', codec: 'pcm', offset: 0, rf64: a4 === 'RF64' };
  }
  if (a4 === 'fLaC') return { format: 'flac', codec: 'flac', offset: 0 };
  if (a4 === 'OggS') return detectOggCodec(bytes, 0);
  const tagSize = id3v2Size(bytes);
  if (tagSize > 0 || a4.startsWith('ID3')) {
    if (bytes.length < 10 || tagSize > bytes.length) {
      throw new TruncatedAudioError(`file ends inside its ID3v2 tag (tag needs ${tagSize || 10} bytes, file has ${bytes.length})`);
    }
    let pos = tagSize;
    while (pos < bytes.length && bytes[pos] === 0) pos++; // padding some writers leave after the tag
    if (asciiAt(bytes, pos, 4) === 'fLaC') return { format: 'flac', codec: 'flac', offset: pos };
    if (pos >= bytes.length - 4) throw new TruncatedAudioError(`file has an ID3v2 tag (${tagSize} bytes) but no audio after it (${bytes.length} bytes in all)`);
    const sync = findMpegSync(bytes, pos, 65536);
    if (sync >= 0) return { format: 'mp3', codec: 'mp3', offset: sync };
    throw new NotAudioError(`file has an ID3v2 tag (${tagSize} bytes) but no MPEG audio frame follows it (bytes after the tag: ${hexPrefix(bytes.subarray(pos))})`);
  }
  const unsupported = unsupportedAudioFormat(bytes);
  if (unsupported) throw new UnsupportedCodecError(`audio format ${unsupported} is not supported (first bytes ${hexPrefix(bytes)}); supported: WAV, MP3, FLAC, Ogg Vorbis`);
  const h = parseMpegFrameHeader(bytes, 0);
  if (h) {
    const next = parseMpegFrameHeader(bytes, h.frameBytes);
    if (next || h.frameBytes >= bytes.length) return { format: 'mp3', codec: 'mp3', offset: 0 };
  }
  // MPEG audio after some leading junk (common in the wild): require two chained frames.
  if (bytes.length >= 64) {
    const sync = findMpegSync(bytes, 0, 4096);
    if (sync >= 0) {
      const first = parseMpegFrameHeader(bytes, sync)!;
      if (sync + first.frameBytes < bytes.length) return { format: 'mp3', codec: 'mp3', offset: sync };
    }
  }
  throw new NotAudioError(`not an audio file: ${describeNonAudio(bytes)}`);
}
