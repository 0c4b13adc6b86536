import { describe, expect, it } from 'vitest';
import { irfft, rfft } from '../../shared/dsp/fft.js';
import { istft, magnitude, stft, stftMagnitude } from '../../shared/dsp/stft.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

describe('fft', () => {
  // Double precision below 32 points (fft.js), single precision from 32 up (PFFFT).
  it.each([
    [16, 9],
    [1024, 6],
    [4096, 6],
  ])('irfft inverts rfft (%i points, to %i digits)', (size, digits) => {
    const rnd = seeded(1);
    const x = Float64Array.from({ length: size }, rnd);
    const re = new Float64Array(size / 2 + 1);
    const im = new Float64Array(size / 2 + 1);
    rfft(x, re, im);
    const y = new Float64Array(size);
    irfft(re, im, y);
    for (let i = 0; i < x.length; i++) expect(y[i]).toBeCloseTo(x[i], digits);
  });

  it('puts a sine in its bin', () => {
    const n = 512;
    const x = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * 10 * i) / n));
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    rfft(x, re, im);
    expect(re[10]).toBeCloseTo(n / 2, 6);
    expect(Math.abs(re[11])).toBeLessThan(1e-9);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => rfft(new Float64Array(100), new Float64Array(51), new Float64Array(51))).toThrow(/power of two/);
  });
});

describe('stft', () => {
  it('stftMagnitude gives exactly magnitude(stft(x)) for several sizes, hops and lengths (empty too)', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (const [nFft, hopLength, length] of [[2048, 512, 22050], [1024, 256, 1001], [512, 128, 3], [256, 64, 0]] as const) {
      const x = Float32Array.from({ length }, rand);
      const want = magnitude(stft(x, { nFft, hopLength }));
      const got = stftMagnitude(x, { nFft, hopLength });
      expect(got.numFrames * got.numBins).toBe(want.length);
      expect(Buffer.from(got.mag.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    }
  });

  it('istft(stft(x)) ≈ x for random signals and odd lengths', () => {
    const rnd = seeded(7);
    for (const len of [1, 1000, 4097, 22050]) {
      const x = Float32Array.from({ length: len }, rnd);
      const y = istft(stft(x, { nFft: 1024, hopLength: 256 }), len);
      let err = 0;
      for (let i = 0; i < len; i++) err = Math.max(err, Math.abs(y[i] - x[i]));
      expect(err).toBeLessThan(1e-5);
    }
  });

  it('centres frames and finds a 1 kHz sine at the right bin', () => {
    const sr = 16000;
    const x = Float32Array.from({ length: sr }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / sr));
    const s = stft(x, { nFft: 512, hopLength: 128 });
    expect(s.numFrames).toBe(Math.floor(sr / 128) + 1);
    const mag = magnitude(s);
    const t = 40;
    let best = 0;
    for (let k = 0; k < s.numBins; k++) if (mag[t * s.numBins + k] > mag[t * s.numBins + best]) best = k;
    expect(best).toBe(32); // 1000 Hz · 512 / 16000
  });

  it('gives no frames for an empty signal', () => {
    expect(stft(new Float32Array(0)).numFrames).toBe(0);
  });
});
