import { describe, expect, it } from 'vitest';
import { computeStemMasks } from '../../shared/separation/masks.js';
import type { HarmonicComb } from '../../shared/separation/harmonicComb.js';

describe('stem masks: bass-line comb', () => {
  // Two frames of a 4096-point spectrogram at 44.1 kHz (10.8 Hz bins), flat harmonic energy.
  const geometry = { numFrames: 2, numBins: 64, nFft: 4096, hopLength: 2048, sampleRate: 44100 };
  const size = geometry.numFrames * geometry.numBins;
  const harmonic = new Float32Array(size).fill(1);
  const percussive = new Float32Array(size).fill(0.1);
  // Frame 0: a bass line with a partial at bin 5 (54 Hz) and nothing at bin 6 (65 Hz) or 25 (269 Hz);
  // frame 1: unvoiced (comb 1 everywhere).
  const bins = 40;
  const comb = new Float32Array(2 * bins).fill(1);
  comb[6] = 0.3;
  comb[25] = 0.3;
  const bassComb: HarmonicComb = { comb, bins, voiced: Uint8Array.from([1, 0]) };
  const masks = computeStemMasks({ geometry, harmonic, percussive, centre: null, bassComb });
  const at = (t: number, k: number) => t * geometry.numBins + k;

  it('keeps the bass on the line’s partials and gives the low energy between them to the drums', () => {
    expect(masks.bass[at(0, 5)]).toBeCloseTo(masks.bass[at(1, 5)], 6);
    expect(masks.bass[at(0, 6)]).toBeLessThan(0.5 * masks.bass[at(1, 6)]);
    expect(masks.drums[at(0, 6)]).toBeGreaterThan(2 * masks.drums[at(1, 6)]);
  });

  it('gives the energy between the partials higher up (past the crossover’s middle) mostly to other', () => {
    const gainedOther = masks.other[at(0, 25)] - masks.other[at(1, 25)];
    const gainedDrums = masks.drums[at(0, 25)] - masks.drums[at(1, 25)];
    expect(gainedOther).toBeGreaterThan(gainedDrums);
    expect(gainedDrums).toBeGreaterThanOrEqual(0);
  });

  it('still gives masks in [0, 1] that sum to one', () => {
    for (let i = 0; i < size; i++) {
      const sum = masks.vocals[i] + masks.drums[i] + masks.bass[i] + masks.other[i];
      expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
      for (const m of [masks.vocals, masks.drums, masks.bass, masks.other]) {
        expect(m[i]).toBeGreaterThanOrEqual(0);
        expect(m[i]).toBeLessThanOrEqual(1);
      }
    }
  });
});
