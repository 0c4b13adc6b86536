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

describe('stem masks: bass centre weight (bassPanWidth)', () => {
  // Low harmonic energy only (bins 0–9, up to 97 Hz, all in the bass band), no percussive energy;
  // frame 0 in the centre (centre weight 1), frame 1 panned (weight 0.1), frame 2 hard-panned (0).
  const geometry = { numFrames: 3, numBins: 10, nFft: 4096, hopLength: 2048, sampleRate: 44100 };
  const size = geometry.numFrames * geometry.numBins;
  const harmonic = new Float32Array(size).fill(1);
  const percussive = new Float32Array(size);
  const centre = new Float32Array(size);
  centre.fill(1, 0, 10);
  centre.fill(0.1, 10, 20);
  const at = (t: number, k: number) => t * geometry.numBins + k;

  it('keeps centred low harmonic energy in the bass and gives panned low notes to other', () => {
    const masks = computeStemMasks({ geometry, harmonic, percussive, centre });
    expect(masks.bass[at(0, 3)]).toBeCloseTo(1, 6);
    expect(masks.bass[at(1, 3)]).toBeLessThan(0.2);
    expect(masks.other[at(1, 3)]).toBeGreaterThan(0.8);
    expect(masks.other[at(2, 3)]).toBeCloseTo(1, 6);
    expect(masks.vocals[at(1, 3)]).toBe(0);
  });

  it('widens with bassPanWidth (the weight is exp(−½ (p/σ_b)²) of the same panning distance)', () => {
    const narrow = computeStemMasks({ geometry, harmonic, percussive, centre, centrePanWidth: 0.2 }, { bassPanWidth: 0.2 });
    const wide = computeStemMasks({ geometry, harmonic, percussive, centre, centrePanWidth: 0.2 }, { bassPanWidth: 0.4 });
    // Centre weight 0.1 at σ = 0.2 is 0.1^(1/4) ≈ 0.56 at σ_b = 0.4: bass power 1.5·0.56 against other 0.44.
    const expected = (1.5 * 0.1 ** 0.25) / (1.5 * 0.1 ** 0.25 + 1 - 0.1 ** 0.25);
    expect(wide.bass[at(1, 3)]).toBeCloseTo(expected, 5);
    expect(wide.bass[at(1, 3)]).toBeGreaterThan(narrow.bass[at(1, 3)]);
  });

  it('is off without a centre cue (mono) and with bassPanWidth 0', () => {
    const mono = computeStemMasks({ geometry, harmonic, percussive, centre: null });
    const off = computeStemMasks({ geometry, harmonic, percussive, centre }, { bassPanWidth: 0 });
    for (const masks of [mono, off]) {
      for (let t = 0; t < 3; t++) expect(masks.bass[at(t, 3)]).toBeCloseTo(1, 6);
    }
  });
});
