import { describe, expect, it } from 'vitest';
import { istft, stft } from '../../shared/dsp/stft.js';
import { istftPair, istftPairInto, stftPair } from '../../shared/separation/pairStft.js';
import { seededRandom } from './fixtures.js';

function noise(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('stftPair / istftPair', () => {
  it('gives the same spectra as the shared stft for each channel', () => {
    const a = noise(5000, 1), b = noise(5000, 2);
    const [A, B] = stftPair(a, b, { nFft: 512, hopLength: 128 });
    const sa = stft(a, { nFft: 512, hopLength: 128 }), sb = stft(b, { nFft: 512, hopLength: 128 });
    expect(A.numFrames).toBe(sa.numFrames);
    expect(maxAbsDiff(A.re, sa.re)).toBeLessThan(1e-4);
    expect(maxAbsDiff(A.im, sa.im)).toBeLessThan(1e-4);
    expect(maxAbsDiff(B.re, sb.re)).toBeLessThan(1e-4);
    expect(maxAbsDiff(B.im, sb.im)).toBeLessThan(1e-4);
  });

  it('reconstructs both signals (odd length, 50 % and 75 % overlap)', () => {
    for (const hopLength of [64, 128]) {
      const a = noise(3001, 3), b = noise(3001, 4);
      const [A, B] = stftPair(a, b, { nFft: 256, hopLength });
      const [ra, rb] = istftPair(A, B, a.length);
      expect(maxAbsDiff(ra, a)).toBeLessThan(1e-5);
      expect(maxAbsDiff(rb, b)).toBeLessThan(1e-5);
    }
  });

  it('applies masks on the fly like istft of the masked spectra', () => {
    const a = noise(4000, 5), b = noise(4000, 6);
    const [A, B] = stftPair(a, b, { nFft: 256, hopLength: 64 });
    const r = seededRandom(7);
    const maskA = Float32Array.from({ length: A.re.length }, () => r());
    const maskB = Float32Array.from({ length: A.re.length }, () => r());
    const [ya, yb] = istftPair(A, B, a.length, maskA, maskB);
    const ref = (spec: typeof A, mask: Float32Array): Float32Array =>
      istft({ ...spec, re: spec.re.map((x, i) => x * mask[i]), im: spec.im.map((x, i) => x * mask[i]) }, a.length);
    expect(maxAbsDiff(ya, ref(A, maskA))).toBeLessThan(1e-5);
    expect(maxAbsDiff(yb, ref(B, maskB))).toBeLessThan(1e-5);
  });

  it('writes any sample range of the resynthesis into place, equal to the whole signal there', () => {
    const a = noise(3001, 8), b = noise(3001, 9);
    for (const hopLength of [64, 128, 256]) {
      const [A, B] = stftPair(a, b, { nFft: 256, hopLength });
      const r = seededRandom(hopLength);
      const maskA = Float32Array.from({ length: A.re.length }, () => r());
      const [wholeA, wholeB] = istftPair(A, B, a.length, maskA);
      for (const [from, count] of [[0, 3001], [0, 100], [37, 1000], [1500, 1501], [2990, 11], [700, 1]]) {
        const outA = new Float32Array(count + 5).fill(7);
        const outB = new Float32Array(count + 5).fill(7);
        istftPairInto(A, B, { length: a.length, from, count, outA, outB, at: 5 }, maskA);
        expect(outA.subarray(0, 5).every((x) => x === 7)).toBe(true);
        expect(Array.from(outA.subarray(5))).toEqual(Array.from(wholeA.subarray(from, from + count)));
        expect(Array.from(outB.subarray(5))).toEqual(Array.from(wholeB.subarray(from, from + count)));
        // Without a second output only the first signal is made.
        const only = new Float32Array(count);
        istftPairInto(A, B, { length: a.length, from, count, outA: only, outB: null, at: 0 }, maskA);
        expect(Array.from(only)).toEqual(Array.from(wholeA.subarray(from, from + count)));
      }
    }
  });

  it('handles an empty signal', () => {
    const [A, B] = stftPair(new Float32Array(0), new Float32Array(0), { nFft: 256 });
    expect(A.numFrames).toBe(0);
    const [a, b] = istftPair(A, B, 0);
    expect(a.length + b.length).toBe(0);
  });
});
