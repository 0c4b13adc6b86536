import { describe, expect, it } from 'vitest';
import { enhanceHarmonicPercussive } from '../../shared/separation/hpss.js';
import { medianFilterTime } from '../../shared/separation/medianFilter.js';

/** Deterministic pseudo-random values in [0, 1) (many exact ties when `levels` is small). */
function values(n: number, seed: number, levels = 0): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = levels > 0 ? Math.floor(u * levels) / levels : u;
  }
  return out;
}

describe('medianFilterTime with a quantile (running order statistic over time)', () => {
  const numFrames = 60, numBins = 7;
  for (const levels of [0, 3]) {
    it(`matches a brute-force rank over the zero-padded window (${levels ? 'many ties' : 'distinct values'})`, () => {
      const mag = values(numFrames * numBins, 7 + levels, levels);
      for (const length of [1, 5, 17]) {
        for (const q of [0, 0.3, 0.6, 1]) {
          const out = new Float32Array(numFrames * numBins).fill(-1);
          medianFilterTime(mag, numFrames, numBins, length, out, 5, q);
          const half = length >> 1, rank = Math.round(q * (length - 1));
          for (let k = 0; k < numBins; k++) {
            for (let t = 0; t < numFrames; t++) {
              if (k >= 5) {
                expect(out[t * numBins + k]).toBe(-1); // bins at or above binEnd untouched
                continue;
              }
              const w: number[] = [];
              for (let j = -half; j <= half; j++) w.push(t + j >= 0 && t + j < numFrames ? mag[(t + j) * numBins + k] : 0);
              w.sort((a, b) => a - b);
              expect(out[t * numBins + k]).toBe(w[rank]);
            }
          }
        }
      }
    });
  }
});

describe('low band: plucked bass notes vs a kick', () => {
  // One low bin (54 Hz at 4096/44.1 kHz) over 80 frames (46 ms hop): a bass line of plucked
  // notes, each 8 frames (0.37 s) decaying from 1 to 0.5, and a kick body (a 4-frame burst of
  // 1.5) in another bin every 12 frames.
  const geometry = { numFrames: 80, numBins: 64, nFft: 4096, hopLength: 2048, sampleRate: 44100 };
  const mag = new Float32Array(geometry.numFrames * geometry.numBins);
  const bassBin = 5, kickBin = 4;
  for (let t = 0; t < geometry.numFrames; t++) {
    mag[t * geometry.numBins + bassBin] = 0.5 ** ((t % 8) / 7);
    if (t % 12 < 4) mag[t * geometry.numBins + kickBin] = 1.5 * 0.5 ** (t % 12);
  }
  const share = (q: number, bin: number) => {
    const { harmonic, percussive } = enhanceHarmonicPercussive(mag, geometry, { lowBandPercentile: q });
    let h = 0, p = 0;
    for (let t = 10; t < 70; t++) {
      h += harmonic[t * geometry.numBins + bin] ** 2;
      p += percussive[t * geometry.numBins + bin] ** 2;
    }
    return h / (h + p);
  };

  it('keeps more of the decaying bass notes harmonic with the upper percentile than with the median', () => {
    // The part of the notes called percussive (the drums' share) at least halves.
    expect(1 - share(0.6, bassBin)).toBeLessThan(0.5 * (1 - share(0.5, bassBin)));
    expect(share(0.6, bassBin)).toBeGreaterThan(0.95);
  });

  it('still calls the short kick bursts percussive', () => {
    expect(share(0.6, kickBin)).toBeLessThan(0.2);
  });
});
