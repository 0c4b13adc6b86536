/**
 * The one entry point for encoded audio: recognise the container by content, read its header,
 * check the parameters and the length limit before decoding where the header allows, decode.
 *
 * Formats: WAV/RF64 (PCM 8/16/24/32, float 32/64, extensible), MP3 (and MPEG Layer I/II),
 * FLAC (native and in Ogg), Ogg Vorbis.
 *
 * Error rules (all subclasses of BadInputError, messages name the offending value):
 * - EmptyAudioError: 0 bytes.
 * - NotAudioError: no known magic; the message says what the bytes look like.
 * - UnsupportedCodecError: a known container with a codec we do not decode (WAV ADPCM/μ-law/…,
 *   Ogg Opus/Speex, AAC, M4A, AIFF, …).
 * - TruncatedAudioError: the file ends inside its header, before any audio frame, or (WAV, FLAC:
 *   formats that declare an exact length) before the declared end of the samples. MP3 and Ogg
 *   Vorbis streams cut after their first audio frame decode up to the cut, as players do.
 * - InvalidAudioParametersError: 0 or more than 8 channels, a sample rate below 1000 Hz or above
 *   384000 Hz (or above `maxSampleRate`).
 * - AudioTooLongError: longer than `maxDurationSec`; raised from the header before decoding when
 *   the header gives the exact length (WAV, FLAC, Ogg, MP3 with a Xing/Info tag), else during the
 *   decode as soon as the limit is passed.
 */
import type { AudioBuffer, AudioInfo, DecodedAudio } from './types.js';
import { detectContainer } from './detect.js';
import { decodeWavSamples, parseWavHeader, wavInfo } from './wav.js';
import { decodeMp3, probeMp3, readMp3Tags } from './mp3.js';
import { decodeMp3Split, mapMp3Frames, MIN_SPLIT_SEC, type Mp3TailDecoder } from './mp3Split.js';
import { decodeFlac, probeFlac } from './flac.js';
import { decodeOggVorbis, probeOggVorbis } from './ogg.js';
import { AudioTooLongError, InvalidAudioParametersError } from '../errors.js';

export interface DecodeAudioOptions {
  /** Reject audio longer than this, in seconds. Default: no limit. */
  maxDurationSec?: number;
  /** Reject sample rates above this, in Hz. Default (and ceiling) 384000. */
  maxSampleRate?: number;
  /** Sees the samples as they are decoded, so that work on them can start before the decode ends. */
  observer?: DecodeObserver;
  /**
   * A second thread that decodes the back half of an MP3 of at least {@link MIN_SPLIT_SEC} s
   * (mp3Split.ts: the same samples, in about half the time). Not used with an observer, which
   * must see the samples in order as they come.
   */
  mp3Helper?: Mp3TailDecoder;
}

/**
 * Watches a {@link decodeAudio}: `start` once the header is read and checked, then `piece` with
 * the decoded samples in order (MP3 is decoded a megabyte at a time; the other formats give all
 * their samples in one piece). The pieces add up to the returned audio. Pieces are views the
 * decoder may reuse: copy what you keep.
 */
export interface DecodeObserver {
  /** `frames`: the exact length the header gives (WAV, FLAC, tagged MP3, Ogg), else null. */
  start(format: { sampleRate: number; channelCount: number; frames: number | null }): void;
  piece(piece: AudioBuffer): void;
}

export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 384000;
export const MAX_CHANNELS = 8;

/** Throw InvalidAudioParametersError for channel counts and sample rates outside the accepted range. */
export function validateAudioParameters(info: Pick<AudioInfo, 'channelCount' | 'sampleRate' | 'format'>, options: DecodeAudioOptions = {}): void {
  const maxRate = Math.min(options.maxSampleRate ?? MAX_SAMPLE_RATE, MAX_SAMPLE_RATE);
  const what = info.format.toUpperCase();
  if (info.channelCount < 1) throw new InvalidAudioParametersError(`${what} audio has ${info.channelCount} channels; need 1 to ${MAX_CHANNELS}`);
  if (info.channelCount > MAX_CHANNELS) {
    throw new InvalidAudioParametersError(`${what} audio has ${info.channelCount} channels; at most ${MAX_CHANNELS} are supported`);
  }
  if (!(info.sampleRate >= MIN_SAMPLE_RATE && info.sampleRate <= maxRate)) {
    throw new InvalidAudioParametersError(`${what} sample rate ${info.sampleRate} Hz is outside the accepted range ${MIN_SAMPLE_RATE}–${maxRate} Hz`);
  }
}

function checkDuration(info: AudioInfo, options: DecodeAudioOptions): void {
  const max = options.maxDurationSec;
  if (max !== undefined && info.durationSec > max) {
    throw new AudioTooLongError(`${info.format.toUpperCase()} audio lasts ${info.durationSec.toFixed(1)} s, over the limit of ${max} s`);
  }
}

type ProbeResult = AudioInfo & { durationExact: boolean };

function probeContainer(bytes: Uint8Array): { probe: ProbeResult; offset: number; kind: 'wav' | 'mp3' | 'flac' | 'oggflac' | 'vorbis' } {
  const det = detectContainer(bytes);
  if (det.format === 'wav') {
    const h = parseWavHeader(bytes);
    return { probe: { ...wavInfo(h), durationExact: true }, offset: 0, kind: 'wav' };
  }
  if (det.format === 'mp3') return { probe: probeMp3(bytes, det.offset), offset: det.offset, kind: 'mp3' };
  if (det.format === 'flac') return { probe: probeFlac(bytes, det.offset), offset: det.offset, kind: 'flac' };
  if (det.codec === 'flac') return { probe: probeFlac(bytes, det.offset, true), offset: det.offset, kind: 'oggflac' };
  return { probe: probeOggVorbis(bytes, det.offset), offset: det.offset, kind: 'vorbis' };
}

/**
 * Read what the header says (format, codec, rate, channels, bit depth, duration, tags) without
 * a full decode. The duration is exact for WAV, FLAC, Ogg and MP3 with a Xing/Info tag; for a
 * tagless MP3 it is a constant-bitrate estimate from the file size. Throws the same typed errors
 * as decodeAudio for bad headers, parameters and (when `maxDurationSec` is given) length.
 */
export async function probeAudio(bytes: Uint8Array, options: DecodeAudioOptions = {}): Promise<AudioInfo> {
  const { probe, kind } = probeContainer(bytes);
  validateAudioParameters(probe, options);
  if (probe.durationExact) checkDuration(probe, options);
  const { durationExact: _exact, ...info } = probe;
  if (kind === 'mp3') info.tags = await readMp3Tags(bytes);
  return info;
}

/**
 * Decode any supported file into planar float32 audio at its own sample rate, with its info
 * (duration measured from the decoded samples). See the module comment for the error rules.
 */
export async function decodeAudio(bytes: Uint8Array, options: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  const { probe, offset, kind } = probeContainer(bytes);
  validateAudioParameters(probe, options);
  if (probe.durationExact) checkDuration(probe, options);
  const maxFrames = options.maxDurationSec !== undefined ? Math.floor(options.maxDurationSec * probe.sampleRate) : undefined;
  const { observer } = options;
  observer?.start({
    sampleRate: probe.sampleRate,
    channelCount: probe.channelCount,
    frames: probe.durationExact ? Math.round(probe.durationSec * probe.sampleRate) : null,
  });
  let decoded: DecodedAudio;
  switch (kind) {
    case 'wav': {
      const h = parseWavHeader(bytes);
      decoded = { audio: decodeWavSamples(bytes, h), info: wavInfo(h) };
      break;
    }
    case 'mp3': {
      // The frame walk only for a stream long enough to split (the probe's length is exact or a CBR estimate).
      const map = options.mp3Helper && !observer && probe.durationSec >= MIN_SPLIT_SEC ? mapMp3Frames(bytes, offset) : null;
      const split = map && map.total >= MIN_SPLIT_SEC * probe.sampleRate ? map : null;
      const [d, tags] = await Promise.all([
        split ? decodeMp3Split(bytes, split, options.mp3Helper!, { maxFrames }).then(({ helperFrames: _, ...d }) => d) : decodeMp3(bytes, offset, { maxFrames }, observer),
        readMp3Tags(bytes),
      ]);
      d.info.tags = tags;
      decoded = d;
      break;
    }
    case 'flac':
    case 'oggflac':
      decoded = await decodeFlac(bytes, offset, kind === 'oggflac', { maxFrames });
      break;
    default:
      decoded = await decodeOggVorbis(bytes, offset, { maxFrames });
  }
  if (kind !== 'mp3') observer?.piece(decoded.audio);
  validateAudioParameters(decoded.info, options);
  checkDuration(decoded.info, options);
  return decoded;
}
