/**
 * MP3, FLAC, Ogg FLAC and Ogg Vorbis decoding, against files the Debian encoders make at test
 * time from a WAV written by encodeWav. A missing encoder fails the suite (never skips it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio, probeAudio } from '../../shared/audio/decode.js';
import { encodeWav } from '../../shared/audio/wav.js';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { requireTool, rms, sine, sineAmplitude, ToolDir, TOOLS } from './helpers.js';

const RATE = 44100;
const FRAMES = 2 * RATE;
const CLICK_AT = 30000;

/** Left: 440 Hz sine, right: 660 Hz sine, both with a short 3 kHz click burst at CLICK_AT. */
function makeSource(frames = FRAMES, rate = RATE): AudioBuffer {
  const left = sine(440, rate, frames, 0.3);
  const right = sine(660, rate, frames, 0.3);
  for (let i = 0; i < 64; i++) {
    const v = 0.6 * Math.sin((2 * Math.PI * 3000 * i) / rate) * Math.exp(-i / 20);
    left[CLICK_AT + i] += v;
    right[CLICK_AT + i] += v;
  }
  return { sampleRate: rate, channels: [left, right] };
}

/** Index of the click: first sample after CLICK_AT - 2000 whose |x - tone| exceeds 0.15. */
function clickOnset(x: Float32Array, toneHz: number, rate: number): number {
  // Remove the steady tone with a least-squares fit on a window before the click, then threshold.
  const from = CLICK_AT - 4000;
  const seg = x.subarray(from, CLICK_AT - 1200);
  const amp = sineAmplitude(seg, toneHz, rate);
  for (let i = CLICK_AT - 1000; i < x.length; i++) {
    if (Math.abs(x[i]) > amp + 0.15) return i;
  }
  return -1;
}

function snrDb(ref: Float32Array, test: Float32Array, from: number, to: number): number {
  let s = 0;
  let e = 0;
  for (let i = from; i < to; i++) {
    s += ref[i] * ref[i];
    e += (ref[i] - test[i]) ** 2;
  }
  return 10 * Math.log10(s / Math.max(e, 1e-20));
}

const dir = new ToolDir();
let source: AudioBuffer;

beforeAll(() => {
  for (const [tool, pkg] of TOOLS) requireTool(tool, pkg);
  source = makeSource();
  dir.write('src.wav', encodeWav(source, { bitDepth: 16 }));
  dir.write('src24.wav', encodeWav(source, { bitDepth: 24 }));
  const eight: AudioBuffer = { sampleRate: 48000, channels: Array.from({ length: 8 }, (_, k) => sine(200 + 50 * k, 48000, 4800, 0.4)) };
  dir.write('eight.wav', encodeWav(eight, { bitDepth: 16 }));
  const meta = ['--tt', 'Test Title', '--ta', 'Test Artist'];
  dir.run('lame', ['--quiet', '-b', '192', ...meta, 'src.wav', 'cbr.mp3']);
  dir.run('lame', ['--quiet', '-V', '2', '-m', 'm', 'src.wav', 'vbr-mono.mp3']);
  dir.run('lame', ['--quiet', '-t', '-b', '128', 'src.wav', 'notag.mp3']);
  dir.run('lame', ['--quiet', '-b', '64', '--resample', '22.05', 'src.wav', 'mpeg2.mp3']);
  dir.run('flac', ['-s', '-f', '-T', 'TITLE=Flac Title', '-T', 'ARTIST=Flac Artist', 'src.wav', '-o', 'src.flac']);
  dir.run('flac', ['-s', '-f', 'src24.wav', '-o', 'src24.flac']);
  dir.run('flac', ['-s', '-f', 'eight.wav', '-o', 'eight.flac']);
  dir.run('flac', ['-s', '-f', '--ogg', 'src.wav', '-o', 'src.oga']);
  dir.run('oggenc', ['-Q', '-q', '5', '-t', 'Ogg Title', '-a', 'Ogg Artist', 'src.wav', '-o', 'src.ogg']);
  dir.run('oggenc', ['-Q', '-q', '3', 'eight.wav', '-o', 'eight.ogg']);
}, 60_000);

afterAll(() => dir.dispose());

describe('MP3 (mpg123-decoder)', () => {
  it('CBR stereo: gapless length, click onset within 1 ms of the WAV, tags, probe without decoding', async () => {
    const bytes = dir.read('cbr.mp3');
    const { audio, info } = await decodeAudio(bytes);
    expect(info).toMatchObject({ format: 'mp3', codec: 'mp3', sampleRate: RATE, channelCount: 2, tags: { title: 'Test Title', artist: 'Test Artist' } });
    expect(audio.channels[0].length).toBe(FRAMES);
    const onsetWav = clickOnset(source.channels[0], 440, RATE);
    const onsetMp3 = clickOnset(audio.channels[0], 440, RATE);
    expect(Math.abs(onsetMp3 - onsetWav)).toBeLessThanOrEqual(0.001 * RATE);
    expect(snrDb(source.channels[1], audio.channels[1], 1000, FRAMES - 1000)).toBeGreaterThan(20);
    const probe = await probeAudio(bytes);
    expect(probe.durationSec).toBeCloseTo(2, 6);
    expect(probe.tags.title).toBe('Test Title');
  });

  it('VBR mono: one channel, exact length, aligned', async () => {
    const { audio, info } = await decodeAudio(dir.read('vbr-mono.mp3'));
    expect(info.channelCount).toBe(1);
    expect(audio.channels).toHaveLength(1);
    expect(audio.channels[0].length).toBe(FRAMES);
    const mid = new Float32Array(FRAMES);
    for (let i = 0; i < FRAMES; i++) mid[i] = 0.5 * (source.channels[0][i] + source.channels[1][i]);
    expect(snrDb(mid, audio.channels[0], 1000, FRAMES - 1000)).toBeGreaterThan(15);
  });

  it('without a LAME/Info tag: the 529-sample decoder delay is removed, only LAME\'s own 576-sample delay remains', async () => {
    const bytes = dir.read('notag.mp3');
    const { audio } = await decodeAudio(bytes);
    const shift = clickOnset(audio.channels[0], 440, RATE) - clickOnset(source.channels[0], 440, RATE);
    expect(Math.abs(shift - 576)).toBeLessThanOrEqual(2);
    const probe = await probeAudio(bytes); // CBR size estimate
    expect(Math.abs(probe.durationSec - 2)).toBeLessThan(0.06);
  });

  it('MPEG-2 Layer III at 22.05 kHz', async () => {
    const { audio, info } = await decodeAudio(dir.read('mpeg2.mp3'));
    expect(info.sampleRate).toBe(22050);
    expect(audio.channels[0].length).toBe(FRAMES / 2);
    expect(sineAmplitude(audio.channels[1].subarray(2000, 12000), 660, 22050)).toBeCloseTo(0.3, 1);
  });
});

describe('FLAC (@wasm-audio-decoders/flac)', () => {
  it('16-bit: bit-exact against the source WAV, tags, probe', async () => {
    const bytes = dir.read('src.flac');
    const { audio, info } = await decodeAudio(bytes);
    const ref = (await decodeAudio(dir.read('src.wav'))).audio;
    expect(info).toMatchObject({ format: 'flac', codec: 'flac', bitDepth: 16, channelCount: 2, sampleRate: RATE, tags: { title: 'Flac Title', artist: 'Flac Artist' } });
    for (let ch = 0; ch < 2; ch++) expect(Buffer.from(audio.channels[ch].buffer, audio.channels[ch].byteOffset, audio.channels[ch].byteLength).equals(Buffer.from(ref.channels[ch].buffer, ref.channels[ch].byteOffset, ref.channels[ch].byteLength))).toBe(true);
    expect(await probeAudio(bytes)).toMatchObject({ durationSec: 2, bitDepth: 16, tags: { title: 'Flac Title' } });
  });

  it('24-bit: bit-exact against the 24-bit WAV (same code / 2^23 scaling)', async () => {
    const { audio, info } = await decodeAudio(dir.read('src24.flac'));
    const ref = (await decodeAudio(dir.read('src24.wav'))).audio;
    expect(info.bitDepth).toBe(24);
    let worst = 0;
    for (let i = 0; i < FRAMES; i++) worst = Math.max(worst, Math.abs(audio.channels[0][i] - ref.channels[0][i]));
    expect(worst).toBe(0);
  });

  it('8 channels keep their order', async () => {
    const { audio, info } = await decodeAudio(dir.read('eight.flac'));
    expect(info.channelCount).toBe(8);
    for (let k = 0; k < 8; k++) expect(sineAmplitude(audio.channels[k], 200 + 50 * k, 48000)).toBeCloseTo(0.4, 2);
  });

  it('FLAC in Ogg decodes bit-exact too', async () => {
    const { audio, info } = await decodeAudio(dir.read('src.oga'));
    const ref = (await decodeAudio(dir.read('src.wav'))).audio;
    expect(info).toMatchObject({ format: 'ogg', codec: 'flac', channelCount: 2 });
    expect(audio.channels[1].length).toBe(FRAMES);
    expect(Array.from(audio.channels[1].subarray(CLICK_AT, CLICK_AT + 50))).toEqual(Array.from(ref.channels[1].subarray(CLICK_AT, CLICK_AT + 50)));
  });
});

describe('Ogg Vorbis (@wasm-audio-decoders/ogg-vorbis)', () => {
  it('stereo: exact length from the granule, click within 1 ms, tags, probe', async () => {
    const bytes = dir.read('src.ogg');
    const { audio, info } = await decodeAudio(bytes);
    expect(info).toMatchObject({ format: 'ogg', codec: 'vorbis', channelCount: 2, sampleRate: RATE, tags: { title: 'Ogg Title', artist: 'Ogg Artist' } });
    expect(audio.channels[0].length).toBe(FRAMES);
    const onset = clickOnset(audio.channels[0], 440, RATE);
    expect(Math.abs(onset - clickOnset(source.channels[0], 440, RATE))).toBeLessThanOrEqual(0.001 * RATE);
    expect(snrDb(source.channels[0], audio.channels[0], 1000, FRAMES - 1000)).toBeGreaterThan(20);
    expect(await probeAudio(bytes)).toMatchObject({ durationSec: 2, channelCount: 2, tags: { artist: 'Ogg Artist' } });
  });

  it('8 channels come back in WAV order (oggenc stores them in Vorbis order L C R …)', async () => {
    const { audio } = await decodeAudio(dir.read('eight.ogg'));
    expect(audio.channels).toHaveLength(8);
    for (let k = 0; k < 8; k++) {
      if (k === 3) {
        expect(rms(audio.channels[k])).toBeGreaterThan(0.05); // LFE: coded coarsely by Vorbis
        continue;
      }
      expect(sineAmplitude(audio.channels[k], 200 + 50 * k, 48000, 500)).toBeGreaterThan(0.3);
    }
  });
});
