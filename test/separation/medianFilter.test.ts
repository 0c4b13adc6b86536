import { describe, expect, it } from 'vitest';
import { medianFilterFrequency, medianFilterTime } from '../../shared/separation/medianFilter.js';
import { seededRandom } from './fixtures.js';

/** Brute-force median with zero padding, for reference. */
function reference(mag: Float32Array, frames: number, bins: number, len: number, alongTime: boolean): Float32Array {
  const out = new Float32Array(mag.length);
  const half = len >> 1;
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) {
      const w: number[] = [];
      for (let j = -half; j <= half; j++) {
        const tt = alongTime ? t + j : t, kk = alongTime ? k : k + j;
        w.push(tt >= 0 && tt < frames && kk >= 0 && kk < bins ? mag[tt * bins + kk] : 0);
      }
      w.sort((a, b) => a - b);
      out[t * bins + k] = w[half];
    }
  }
  return out;
}

describe('running median filters', () => {
  const frames = 37, bins = 29;
  for (const quantised of [false, true]) {
    it(`match a brute-force median with zero padding (${quantised ? 'many ties' : 'distinct values'})`, () => {
      const r = seededRandom(quantised ? 11 : 12);
      const mag = Float32Array.from({ length: frames * bins }, () => (quantised ? Math.floor(r() * 4) : r()));
      for (const len of [1, 3, 5, 7, 17, 41]) {
        expect(Array.from(medianFilterTime(mag, frames, bins, len))).toEqual(Array.from(reference(mag, frames, bins, len, true)));
        expect(Array.from(medianFilterFrequency(mag, frames, bins, len))).toEqual(Array.from(reference(mag, frames, bins, len, false)));
      }
    });
  }

  it('with a stride, reads every s-th bin: a brute-force median over k + s·j, zero padded', () => {
    const r = seededRandom(14);
    const mag = Float32Array.from({ length: frames * bins }, () => r());
    for (const [len, stride] of [[5, 2], [9, 3], [41, 2]] as const) {
      const expected = new Float32Array(mag.length);
      const half = len >> 1;
      for (let t = 0; t < frames; t++) {
        for (let k = 0; k < bins; k++) {
          const w: number[] = [];
          for (let j = -half; j <= half; j++) {
            const kk = k + stride * j;
            w.push(kk >= 0 && kk < bins ? mag[t * bins + kk] : 0);
          }
          w.sort((a, b) => a - b);
          expected[t * bins + k] = w[half];
        }
      }
      expect(Array.from(medianFilterFrequency(mag, frames, bins, len, undefined, stride))).toEqual(Array.from(expected));
    }
  });

  it('with interpolation, filters every s-th bin exactly and draws straight lines between them', () => {
    const r = seededRandom(15);
    const mag = Float32Array.from({ length: frames * bins }, () => r());
    for (const stride of [2, 3]) {
      const full = medianFilterFrequency(mag, frames, bins, 9, undefined, stride);
      const fast = medianFilterFrequency(mag, frames, bins, 9, undefined, stride, true);
      for (let t = 0; t < frames; t++) {
        const row = t * bins;
        const last = Math.floor((bins - 1) / stride) * stride;
        for (let k = 0; k < bins; k++) {
          if (k % stride === 0) expect(fast[row + k]).toBe(full[row + k]);
          else if (k > last) expect(fast[row + k]).toBe(full[row + last]);
          else {
            const k0 = k - (k % stride);
            const expected = full[row + k0] + ((full[row + k0 + stride] - full[row + k0]) * (k - k0)) / stride;
            expect(fast[row + k]).toBeCloseTo(expected, 6);
          }
        }
      }
    }
  });

  it('rounds even lengths up to the next odd length', () => {
    const r = seededRandom(13);
    const mag = Float32Array.from({ length: frames * bins }, () => r());
    expect(Array.from(medianFilterTime(mag, frames, bins, 4))).toEqual(Array.from(medianFilterTime(mag, frames, bins, 5)));
  });

  it('keeps a horizontal line through the time median and removes it through the frequency median', () => {
    const mag = new Float32Array(frames * bins);
    for (let t = 0; t < frames; t++) mag[t * bins + 10] = 1; // a steady partial in bin 10
    const h = medianFilterTime(mag, frames, bins, 9);
    const p = medianFilterFrequency(mag, frames, bins, 9);
    expect(h[18 * bins + 10]).toBe(1);
    expect(p[18 * bins + 10]).toBe(0);
  });

  it('returns an empty result for an empty spectrogram', () => {
    expect(medianFilterTime(new Float32Array(0), 0, 0, 5).length).toBe(0);
    expect(medianFilterFrequency(new Float32Array(0), 0, 0, 5).length).toBe(0);
  });
});
