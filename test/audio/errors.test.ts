/**
 * Every bad-input case gets its exact error class and a message that names the problem.
 * Real encoded files come from the Debian encoders (a missing tool fails the suite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio, probeAudio } from '../../shared/audio/decode.js';
import { encodeWav } from '../../shared/audio/wav.js';
import type { AudioBuffer } from '../../shared/audio/types.js';
import {
  AudioTooLongError,
  BadInputError,
  EmptyAudioError,
  InvalidAudioParametersError,
  NotAudioError,
  TruncatedAudioError,
  UnsupportedCodecError,
} from '../../shared/errors.js';
import { buildWav, packInts, requireTool, seededRandom, sine, ToolDir, TOOLS } from './helpers.js';

type ErrorClass = new (...args: never[]) => Error;

/** Assert decodeAudio rejects with exactly `cls` and a message matching `pattern`. */
async function expectDecodeError(bytes: Uint8Array, cls: ErrorClass, pattern: RegExp, options?: Parameters<typeof decodeAudio>[1]): Promise<void> {
  let caught: unknown = null;
  try {
    await decodeAudio(bytes, options);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${cls.name}`).toBeInstanceOf(cls);
  expect((caught as Error).constructor).toBe(cls);
  expect(caught).toBeInstanceOf(BadInputError);
  expect((caught as Error).message).toMatch(pattern);
}

async function expectProbeError(bytes: Uint8Array, cls: ErrorClass, pattern: RegExp, options?: Parameters<typeof probeAudio>[1]): Promise<void> {
  await expect(probeAudio(bytes, options)).rejects.toThrow(pattern);
  await expect(probeAudio(bytes, options)).rejects.toBeInstanceOf(cls);
}

const enc = new TextEncoder();
const dir = new ToolDir();
const stereo = (seconds: number, rate = 44100): AudioBuffer => ({
  sampleRate: rate,
  channels: [sine(440, rate, Math.round(seconds * rate), 0.4), sine(550, rate, Math.round(seconds * rate), 0.4)],
});

beforeAll(() => {
  for (const [tool, pkg] of TOOLS) requireTool(tool, pkg);
  dir.write('three.wav', encodeWav(stereo(3)));
  dir.run('lame', ['--quiet', '-b', '128', '--tt', 'Some title', '--id3v2-only', 'three.wav', 'three.mp3']);
  dir.run('lame', ['--quiet', '-t', '-b', '128', 'three.wav', 'three-notag.mp3']);
  dir.run('flac', ['-s', '-f', 'three.wav', '-o', 'three.flac']);
  dir.run('oggenc', ['-Q', 'three.wav', '-o', 'three.ogg']);
  dir.run('opusenc', ['--quiet', 'three.wav', 'three.opus']);
  dir.run('sox', ['three.wav', '-e', 'u-law', 'ulaw.wav']);
  dir.run('sox', ['three.wav', '-e', 'a-law', 'alaw.wav']);
  dir.run('sox', ['three.wav', '-e', 'ms-adpcm', 'msadpcm.wav']);
  dir.run('sox', ['three.wav', '-e', 'ima-adpcm', 'imaadpcm.wav']);
  dir.run('sox', ['three.wav', 'three.aiff']);
  dir.run('sox', ['three.wav', '-r', '500', 'low.wav']);
  dir.run('sox', ['three.wav', '-c', '9', 'nine.wav']);
}, 60_000);

afterAll(() => dir.dispose());

describe('empty and non-audio input', () => {
  it('0 bytes → EmptyAudioError', async () => {
    await expectDecodeError(new Uint8Array(0), EmptyAudioError, /empty \(0 bytes\)/);
  });

  it('a PNG image → NotAudioError saying it looks like a PNG', async () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52);
    await expectDecodeError(png, NotAudioError, /looks like a PNG image.*89 50 4e 47/);
  });

  it('JSON text → NotAudioError saying text/JSON', async () => {
    await expectDecodeError(enc.encode('  {"audio_file_id": "x", "blob_uri": "https://example"}\n'), NotAudioError, /looks like text\/JSON/);
  });

  it('an HTML page, plain text and random bytes → NotAudioError with what they look like', async () => {
    await expectDecodeError(enc.encode('<!doctype html><html><body>nope</body></html>'), NotAudioError, /text\/HTML or XML/);
    await expectDecodeError(enc.encode('just some words\n'), NotAudioError, /looks like text \(first bytes 6a 75 73 74\)/);
    const rand = seededRandom(9);
    const noise = Uint8Array.from({ length: 4096 }, () => Math.floor(rand() * 256) & 0x7f); // no 0xFF sync bytes
    await expectDecodeError(noise, NotAudioError, /first bytes [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}/);
  });

  it('a RIFF file that is not WAVE (AVI) → NotAudioError naming the form', async () => {
    const avi = new Uint8Array(64);
    avi.set(enc.encode('RIFF'), 0);
    avi.set(enc.encode('AVI LIST'), 8);
    await expectDecodeError(avi, NotAudioError, /form 'AVI '/);
  });

  it('an ID3 tag followed by no MPEG frames → NotAudioError', async () => {
    const bytes = new Uint8Array(2000);
    bytes.set([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 10]);
    bytes.fill(0x41, 20);
    await expectDecodeError(bytes, NotAudioError, /ID3v2 tag \(20 bytes\) but no MPEG audio frame/);
  });
});

describe('unsupported codecs', () => {
  it('WAV μ-law, A-law, MS ADPCM and IMA ADPCM (made by sox) → UnsupportedCodecError naming the codec and tag', async () => {
    await expectDecodeError(dir.read('ulaw.wav'), UnsupportedCodecError, /μ-law \(format tag 0x0007\)/);
    await expectDecodeError(dir.read('alaw.wav'), UnsupportedCodecError, /A-law \(format tag 0x0006\)/);
    await expectDecodeError(dir.read('msadpcm.wav'), UnsupportedCodecError, /Microsoft ADPCM \(format tag 0x0002\)/);
    await expectDecodeError(dir.read('imaadpcm.wav'), UnsupportedCodecError, /IMA ADPCM \(format tag 0x0011\)/);
  });

  it('Opus in Ogg (made by opusenc) → UnsupportedCodecError naming Opus', async () => {
    await expectDecodeError(dir.read('three.opus'), UnsupportedCodecError, /Ogg container holds codec Opus/);
  });

  it('AIFF (made by sox) → UnsupportedCodecError naming AIFF', async () => {
    await expectDecodeError(dir.read('three.aiff'), UnsupportedCodecError, /audio format AIFF is not supported/);
  });

  it('WAV with 12-bit samples in a 2-byte container decodes, but 64-bit integer PCM does not', async () => {
    const ok = buildWav({ channels: 1, sampleRate: 8000, bitsPerSample: 12, data: packInts([Int32Array.from([16, -32768])], 16) });
    expect((await decodeAudio(ok)).audio.channels[0][1]).toBe(-1);
    const wide = buildWav({ channels: 1, sampleRate: 8000, bitsPerSample: 64, data: new Uint8Array(16) });
    await expectDecodeError(wide, UnsupportedCodecError, /PCM with 64-bit samples/);
  });

  it('WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID', async () => {
    const bytes = buildWav({ formatTag: 0xfffe, subFormat: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, data: new Uint8Array(4) });
    bytes[12 + 8 + 24 + 5] = 0x77; // corrupt the GUID tail
    await expectDecodeError(bytes, UnsupportedCodecError, /non-standard sub-format GUID/);
  });
});

describe('truncated files', () => {
  it('WAV whose data chunk is shorter than its header says', async () => {
    const full = dir.read('three.wav');
    await expectDecodeError(full.subarray(0, 100_000), TruncatedAudioError, /declares 529200 bytes of samples, file holds 99956/);
  });

  it('WAV cut inside its RIFF header or before its data chunk', async () => {
    const full = dir.read('three.wav');
    await expectDecodeError(full.subarray(0, 10), TruncatedAudioError, /12-byte header \(10 bytes\)/);
    await expectDecodeError(full.subarray(0, 30), TruncatedAudioError, /fmt chunk is cut/);
    await expectDecodeError(full.subarray(0, 36), TruncatedAudioError, /no data chunk/);
  });

  it('FLAC cut in the middle (declared length known) and inside its metadata', async () => {
    const full = dir.read('three.flac');
    await expectDecodeError(full.subarray(0, Math.floor(full.length / 2)), TruncatedAudioError, /truncated or damaged: STREAMINFO declares 132300 samples per channel, only \d+ decode \([\d.]+ s missing\)/);
    await expectDecodeError(full.subarray(0, 30), TruncatedAudioError, /FLAC metadata block \(type 0\) declares 34 bytes/);
    await expectDecodeError(full.subarray(0, 3), NotAudioError, /first bytes 66 4c 61/); // "fLa": too short to be recognised
  });

  it('MP3 cut inside its ID3 tag or first frame → TruncatedAudioError; cut mid-stream → decodes up to the cut', async () => {
    const full = dir.read('three.mp3');
    await expectDecodeError(full.subarray(0, 20), TruncatedAudioError, /ends inside its ID3v2 tag/);
    const tagEnd = 10 + ((full[6] << 21) | (full[7] << 14) | (full[8] << 7) | full[9]);
    await expectDecodeError(full.subarray(0, tagEnd + 100), TruncatedAudioError, /ends inside its first frame/);
    const half = await decodeAudio(full.subarray(0, Math.floor(full.length / 2)));
    expect(half.info.durationSec).toBeGreaterThan(1.3);
    expect(half.info.durationSec).toBeLessThan(1.7);
    expect(half.info.tags.title).toBe('Some title');
  });

  it('Ogg Vorbis cut inside its headers → TruncatedAudioError; cut mid-stream → decodes up to the cut', async () => {
    const full = dir.read('three.ogg');
    await expectDecodeError(full.subarray(0, 20), TruncatedAudioError, /cut inside its first page header/);
    await expectDecodeError(full.subarray(0, 200), TruncatedAudioError, /ends inside its header packets/);
    const half = await decodeAudio(full.subarray(0, Math.floor(full.length / 2)));
    expect(half.info.durationSec).toBeGreaterThan(1);
    expect(half.info.durationSec).toBeLessThan(2);
  });

  it('FLAC with a damaged middle (frames lost, file complete) → TruncatedAudioError, not a shifted timeline', async () => {
    const bytes = dir.read('three.flac').slice();
    bytes.fill(0, bytes.length >> 1, (bytes.length >> 1) + 4000);
    await expectDecodeError(bytes, TruncatedAudioError, /truncated or damaged: STREAMINFO declares 132300 samples/);
  });

  it('Opus cut inside its first page still names the problem', async () => {
    await expectDecodeError(dir.read('three.opus').subarray(0, 30), TruncatedAudioError, /cut inside its first page/);
  });
});

describe('invalid parameters', () => {
  it('WAV with 0 channels', async () => {
    const bytes = buildWav({ channels: 0, sampleRate: 44100, bitsPerSample: 16, data: new Uint8Array(8) });
    await expectDecodeError(bytes, InvalidAudioParametersError, /declares 0 channels/);
  });

  it('9 channels (made by sox) → names the count and the maximum', async () => {
    await expectDecodeError(dir.read('nine.wav'), InvalidAudioParametersError, /9 channels; at most 8/);
  });

  it('sample rate 500 Hz (made by sox) and 400000 Hz → names the rate and the range', async () => {
    await expectDecodeError(dir.read('low.wav'), InvalidAudioParametersError, /sample rate 500 Hz is outside the accepted range 1000–384000 Hz/);
    const high = encodeWav({ sampleRate: 400_000, channels: [new Float32Array(100)] });
    await expectDecodeError(high, InvalidAudioParametersError, /sample rate 400000 Hz/);
    await expectProbeError(high, InvalidAudioParametersError, /400000 Hz/);
  });

  it('maxSampleRate option lowers the ceiling', async () => {
    const hi = encodeWav({ sampleRate: 96_000, channels: [new Float32Array(100)] });
    await expectDecodeError(hi, InvalidAudioParametersError, /96000 Hz is outside the accepted range 1000–48000 Hz/, { maxSampleRate: 48_000 });
    expect((await decodeAudio(hi)).info.sampleRate).toBe(96_000);
  });

  it('block align that does not fit the channels', async () => {
    const bytes = buildWav({ channels: 2, sampleRate: 44100, bitsPerSample: 16, data: new Uint8Array(8) });
    bytes[12 + 8 + 12] = 3; // blockAlign = 3
    await expectDecodeError(bytes, InvalidAudioParametersError, /block align 3 bytes does not fit 2 channels of 16-bit samples/);
  });
});

describe('longer than the limit', () => {
  const limit = { maxDurationSec: 2 };

  it('WAV, FLAC, Ogg and tagged MP3 are rejected from the header (probe, no decode)', async () => {
    await expectProbeError(dir.read('three.wav'), AudioTooLongError, /WAV audio lasts 3\.0 s, over the limit of 2 s/, limit);
    await expectProbeError(dir.read('three.flac'), AudioTooLongError, /FLAC audio lasts 3\.0 s/, limit);
    await expectProbeError(dir.read('three.ogg'), AudioTooLongError, /OGG audio lasts 3\.0 s/, limit);
    await expectProbeError(dir.read('three.mp3'), AudioTooLongError, /MP3 audio lasts 3\.0 s/, limit);
    await expectDecodeError(dir.read('three.wav'), AudioTooLongError, /3\.0 s, over the limit of 2 s/, limit);
    await expectDecodeError(dir.read('three.flac'), AudioTooLongError, /3\.0 s, over the limit of 2 s/, limit);
  });

  it('an MP3 without a Xing/Info tag is stopped during the decode', async () => {
    await expectDecodeError(dir.read('three-notag.mp3'), AudioTooLongError, /longer than the limit of 2\.0 s/, limit);
    const ok = await decodeAudio(dir.read('three-notag.mp3'), { maxDurationSec: 4 });
    expect(ok.info.durationSec).toBeGreaterThan(3);
  });

  it('audio within the limit decodes', async () => {
    const { info } = await decodeAudio(dir.read('three.ogg'), { maxDurationSec: 3.5 });
    expect(info.durationSec).toBeCloseTo(3, 3);
  });
});
