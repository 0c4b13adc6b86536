import { describe, expect, it } from 'vitest';
import { computeDescriptors } from '../../shared/mir/descriptors.js';
import { computeMfcc } from '../../shared/mir/mfcc.js';
import { AnalysisSignal } from '../../shared/mir/signal.js';

const SR = 22050;

function sine(freqHz: number, amplitude: number, durationSec: number, sampleRate = SR): Float32Array {
  const x = new Float32Array(Math.round(durationSec * sampleRate));
  for (let i = 0; i < x.length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate);
  return x;
}

/** Seeded uniform white noise (mulberry32). */
function noise(amplitude: number, length: number, seed = 1): Float32Array {
  let a = seed >>> 0;
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    x[i] = amplitude * ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1);
  }
  return x;
}

describe('computeDescriptors', () => {
  it('puts a sine\'s centroid and roll-off at its frequency, with low flatness', () => {
    for (const f of [440, 1000, 3000]) {
      const x = sine(f, 0.5, 3);
      const d = computeDescriptors({ sampleRate: SR, channels: [x] }, new AnalysisSignal(x, SR));
      expect(Math.abs(d.spectralCentroidHz.mean - f) / f).toBeLessThan(0.03);
      expect(Math.abs(d.spectralRolloffHz.mean - f)).toBeLessThan(25);
      expect(d.spectralFlatness.mean).toBeLessThan(0.01);
      // RMS of a sine is amplitude / sqrt(2) (edge frames are half empty).
      expect(d.rms.mean).toBeGreaterThan(0.34);
      expect(d.rms.mean).toBeLessThan(0.36);
      expect(d.mfccMean).toHaveLength(13);
      expect(d.mfccStd).toHaveLength(13);
    }
  });

  it('gives white noise a centroid near a quarter of the sample rate and high flatness', () => {
    const x = noise(0.3, SR * 3, 7);
    const d = computeDescriptors({ sampleRate: SR, channels: [x] }, new AnalysisSignal(x, SR));
    expect(Math.abs(d.spectralCentroidHz.mean - SR / 4) / (SR / 4)).toBeLessThan(0.05);
    expect(d.spectralRolloffHz.mean).toBeGreaterThan(0.8 * 0.85 * (SR / 2));
    expect(d.spectralFlatness.mean).toBeGreaterThan(0.4);
  });

  it('reports loudness of the native-rate stereo mix and the dynamic range as loudness range', () => {
    const sr = 44100;
    const loud = sine(1000, 0.1, 10, sr);
    const quiet = sine(1000, 0.01, 10, sr);
    const x = new Float32Array(loud.length + quiet.length);
    x.set(loud);
    x.set(quiet, loud.length);
    const mono = sine(1000, 0.1, 1); // the analysis signal does not feed loudness
    const d = computeDescriptors({ sampleRate: sr, channels: [x, x] }, new AnalysisSignal(mono, SR));
    expect(d.integratedLoudnessLufs).not.toBeNull();
    expect(Math.abs((d.integratedLoudnessLufs as number) + 20)).toBeLessThan(0.3);
    expect(Math.abs(d.dynamicRangeDb - 20)).toBeLessThan(1.5);
  });

  it('returns zeros and null loudness for silence and for an empty signal, without throwing', () => {
    for (const n of [0, SR * 2]) {
      const x = new Float32Array(n);
      const d = computeDescriptors({ sampleRate: SR, channels: [x] }, new AnalysisSignal(x, SR));
      expect(d.integratedLoudnessLufs).toBeNull();
      expect(d.dynamicRangeDb).toBe(0);
      expect(d.rms.mean).toBe(0);
      expect(d.spectralCentroidHz.mean).toBe(0);
      expect(d.mfccMean.every((v) => v === 0)).toBe(true);
    }
  });
});

describe('computeMfcc', () => {
  it('shifts only c0 when the gain changes (by 20·log10(g)·sqrt(bands))', () => {
    const x = noise(0.1, SR, 3);
    const y = x.map((v) => v * 2);
    const a = computeMfcc(new AnalysisSignal(x, SR).magnitude(2048, 512));
    const b = computeMfcc(new AnalysisSignal(y, SR).magnitude(2048, 512));
    const t = 10 * 13;
    expect(b.coefficients[t] - a.coefficients[t]).toBeCloseTo(20 * Math.log10(2) * Math.sqrt(40), 2);
    for (let c = 1; c < 13; c++) expect(b.coefficients[t + c]).toBeCloseTo(a.coefficients[t + c], 2);
  });

  it('tells a low tone from a high one in c1 (spectral tilt)', () => {
    const lo = computeMfcc(new AnalysisSignal(sine(200, 0.5, 1), SR).magnitude(2048, 512));
    const hi = computeMfcc(new AnalysisSignal(sine(5000, 0.5, 1), SR).magnitude(2048, 512));
    expect(lo.coefficients[20 * 13 + 1]).toBeGreaterThan(hi.coefficients[20 * 13 + 1]);
  });
});
