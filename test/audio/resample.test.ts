/**
 * Resampler quality measured on sines: passband amplitude error and aliasing, for every quality
 * and the rate pairs the project uses.
 */
import { describe, expect, it } from 'vitest';
import { mixToAnalysisMono, mixToAnalysisMonoRange, resample, resampleMono, type ResampleQuality } from '../../shared/audio/resample.js';
import { type AudioBuffer, toMono } from '../../shared/audio/types.js';
import { InvalidAudioParametersError } from '../../shared/errors.js';
import { rms, sine, sineAmplitude } from './helpers.js';

const db = (x: number) => 20 * Math.log10(x);
const QUALITIES: ResampleQuality[] = ['fast', 'medium', 'best'];
const PAIRS: Array<[number, number]> = [
  [44100, 22050],
  [48000, 22050],
  [44100, 48000],
  [22050, 44100],
  [32000, 44100],
  [44100, 16000],
  [96000, 44100],
];

/** Amplitude of `freq` in the middle of the resampled sine (edges excluded). */
function passbandGainDb(from: number, to: number, freq: number, quality: ResampleQuality): number {
  const x = sine(freq, from, Math.round(from * 0.25), 0.5);
  const y = resampleMono(x, from, to, { quality });
  const edge = Math.round(to * 0.03);
  return db(sineAmplitude(y, freq, to, edge) / 0.5);
}

describe('resample: passband', () => {
  for (const quality of QUALITIES) {
    for (const [from, to] of PAIRS) {
      it(`${quality} ${from}→${to}: 1 kHz and 0.45·fsLow keep amplitude within 0.1 dB`, () => {
        const low = Math.min(from, to);
        expect(Math.abs(passbandGainDb(from, to, 1000, quality))).toBeLessThan(0.1);
        expect(Math.abs(passbandGainDb(from, to, 0.45 * low, quality))).toBeLessThan(0.1);
      });
    }
  }

  it('a sine keeps its phase: output sample n sits at time n / targetRate', () => {
    const x = sine(997, 44100, 44100, 0.5, 0.3);
    const y = resampleMono(x, 44100, 48000, { quality: 'medium' });
    const ref = sine(997, 48000, y.length, 0.5, 0.3);
    let err = 0;
    for (let i = 2000; i < y.length - 2000; i++) err = Math.max(err, Math.abs(y[i] - ref[i]));
    expect(err).toBeLessThan(1e-3);
  });
});

describe('resample: aliasing', () => {
  const cases: Array<[ResampleQuality, number]> = [
    ['fast', 60],
    ['medium', 80],
    ['best', 100],
  ];
  for (const [quality, minDb] of cases) {
    it(`${quality}: 15 kHz going 44.1k → 22.05k is attenuated by ≥ ${minDb} dB`, () => {
      const x = sine(15000, 44100, 22050, 0.5);
      const y = resampleMono(x, 44100, 22050, { quality });
      const edge = 1000;
      const leak = rms(y, edge, y.length - edge) / (0.5 / Math.SQRT2);
      expect(db(leak)).toBeLessThan(-minDb);
    });

    it(`${quality}: 30 kHz going 96k → 44.1k is attenuated by ≥ ${minDb} dB`, () => {
      const x = sine(30000, 96000, 48000, 0.5);
      const y = resampleMono(x, 96000, 44100, { quality });
      const leak = rms(y, 2000, y.length - 2000) / (0.5 / Math.SQRT2);
      expect(db(leak)).toBeLessThan(-minDb);
    });
  }

  it('best: even a tone just above the new Nyquist (11.2 kHz → 22.05k) is removed by ≥ 60 dB', () => {
    const y = resampleMono(sine(11200, 44100, 22050, 0.5), 44100, 22050, { quality: 'best' });
    expect(db(rms(y, 1000, y.length - 1000) / (0.5 / Math.SQRT2))).toBeLessThan(-60);
  });

  it('upsampling 44.1k → 48k: a 19 kHz tone keeps its level and leaves < −80 dB of images (its image at 25.1 kHz folds to 22.9 kHz)', () => {
    const x = sine(19000, 44100, 44100, 0.5);
    const y = resampleMono(x, 44100, 48000, { quality: 'medium' });
    // remove the 20 kHz component by least squares, the residual is imaging/aliasing
    const mid = y.subarray(3000, y.length - 3000);
    const amp = sineAmplitude(mid, 19000, 48000);
    expect(Math.abs(db(amp / 0.5))).toBeLessThan(0.1);
    let s = 0;
    let c = 0;
    let ss = 0;
    let cc = 0;
    let sc = 0;
    for (let i = 0; i < mid.length; i++) {
      const w = (2 * Math.PI * 19000 * (i + 3000)) / 48000;
      s += mid[i] * Math.sin(w);
      c += mid[i] * Math.cos(w);
      ss += Math.sin(w) ** 2;
      cc += Math.cos(w) ** 2;
      sc += Math.sin(w) * Math.cos(w);
    }
    const det = ss * cc - sc * sc;
    const a = (s * cc - c * sc) / det;
    const b = (c * ss - s * sc) / det;
    const residual = new Float32Array(mid.length);
    for (let i = 0; i < mid.length; i++) {
      const w = (2 * Math.PI * 19000 * (i + 3000)) / 48000;
      residual[i] = mid[i] - a * Math.sin(w) - b * Math.cos(w);
    }
    expect(db(rms(residual) / (0.5 / Math.SQRT2))).toBeLessThan(-80);
  });
});

describe('resample: shape of the output', () => {
  it('equal rates return the same buffer (no copy)', () => {
    const audio: AudioBuffer = { sampleRate: 44100, channels: [new Float32Array(10)] };
    expect(resample(audio, 44100)).toBe(audio);
    const x = new Float32Array(5);
    expect(resampleMono(x, 22050, 22050)).toBe(x);
  });

  it('length is ceil(n · to / from); empty stays empty; channels stay separate', () => {
    expect(resampleMono(new Float32Array(1001), 44100, 22050).length).toBe(501);
    expect(resampleMono(new Float32Array(441), 44100, 48000).length).toBe(480);
    expect(resampleMono(new Float32Array(0), 44100, 48000).length).toBe(0);
    const audio: AudioBuffer = { sampleRate: 48000, channels: [sine(500, 48000, 4800), new Float32Array(4800)] };
    const out = resample(audio, 16000);
    expect(out.sampleRate).toBe(16000);
    expect(out.channels[0].length).toBe(1600);
    expect(sineAmplitude(out.channels[0].subarray(200, 1400), 500, 16000)).toBeCloseTo(0.5, 3);
    expect(rms(out.channels[1])).toBe(0);
  });

  it('unusual ratios (44100 → 44099, large L) use interpolated phases and stay accurate', () => {
    expect(Math.abs(passbandGainDb(44100, 44099, 1000, 'medium'))).toBeLessThan(0.1);
    expect(Math.abs(passbandGainDb(44100, 22051, 9000, 'medium'))).toBeLessThan(0.1);
  });

  it('DC is preserved exactly enough (gain 1 ± 1e-5)', () => {
    const y = resampleMono(new Float32Array(19000).fill(0.25), 44100, 48000);
    expect(y[10000]).toBeCloseTo(0.25, 5);
  });

  it('rejects non-integer or non-positive rates with InvalidAudioParametersError naming the value', () => {
    expect(() => resampleMono(new Float32Array(4), 44100, 0)).toThrow(InvalidAudioParametersError);
    expect(() => resampleMono(new Float32Array(4), 44100.5, 22050)).toThrow(/44100.5/);
  });
});

describe('mixToAnalysisMono', () => {
  const noise = (n: number, seed: number): Float32Array => {
    let x = seed;
    return Float32Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
  };
  const cases: Array<[string, number, number, number]> = [
    ['stereo 44.1 → 22.05 kHz (channels mixed inside the half-band loop)', 44100, 2, 22050],
    ['mono 44.1 → 22.05 kHz', 44100, 1, 22050],
    ['5 channels 44.1 → 22.05 kHz', 44100, 5, 22050],
    ['stereo 48 → 22.05 kHz (general path)', 48000, 2, 22050],
  ];
  for (const [name, rate, count, target] of cases) {
    it(`equals resampleMono of the channel average: ${name}`, () => {
      for (const n of [1, 7, 4096 * 2 + 3, 30001]) {
        const mix: AudioBuffer = { sampleRate: rate, channels: Array.from({ length: count }, (_, c) => noise(n, 11 + c)) };
        const want = resampleMono(toMono(mix), rate, target);
        const got = mixToAnalysisMono(mix, target);
        expect(got.length).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        expect(worst).toBeLessThan(1e-6);
      }
    });
  }

  for (const [name, rate, count, target] of cases) {
    it(`computes any range of outputs bit for bit, from the whole mix or a window of it: ${name}`, () => {
      const n = 30001;
      const mix: AudioBuffer = { sampleRate: rate, channels: Array.from({ length: count }, (_, c) => noise(n, 5 + c)) };
      const whole = mixToAnalysisMono(mix, target);
      for (const split of [1, 777, whole.length >> 1, whole.length - 3]) {
        const out = new Float32Array(whole.length).fill(NaN);
        mixToAnalysisMonoRange(mix, target, 0, split, out);
        // The back part from a window of the input that starts (at any frame) before its first
        // tap, as a thread that holds only part of the input would compute it.
        const offset = Math.max(0, Math.floor((split * rate) / target) - 401);
        mixToAnalysisMonoRange({ sampleRate: rate, channels: mix.channels.map((ch) => ch.subarray(offset)) }, target, split, whole.length, out, offset);
        expect(out).toEqual(whole);
      }
    });
  }

  it('refuses a range whose taps reach before the window it is given', () => {
    const mix: AudioBuffer = { sampleRate: 44100, channels: [noise(20000, 3)] };
    const out = new Float32Array(10000);
    expect(() => mixToAnalysisMonoRange({ sampleRate: 44100, channels: [mix.channels[0].subarray(8000)] }, 22050, 4000, 5000, out, 8000)).toThrow(/input frame/);
  });

  it('gives an empty signal for an empty mix and rejects a bad rate', () => {
    expect(mixToAnalysisMono({ sampleRate: 44100, channels: [new Float32Array(0), new Float32Array(0)] }, 22050).length).toBe(0);
    expect(() => mixToAnalysisMono({ sampleRate: 0, channels: [new Float32Array(4)] }, 22050)).toThrow(InvalidAudioParametersError);
  });
});
