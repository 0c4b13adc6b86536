import { describe, expect, it } from 'vitest';
import { harmonicComb } from '../../shared/separation/harmonicComb.js';
import type { SpectrogramGeometry } from '../../shared/separation/geometry.js';

const geometry = (numFrames: number): SpectrogramGeometry => ({ numFrames, numBins: 1025, nFft: 2048, hopLength: 1024, sampleRate: 44100 });
const binOf = (hz: number): number => Math.round((hz * 2048) / 44100);

/** A spectrogram with the partials of `f0` (amplitude 1/h) in every frame, plus faint noise. */
function harmonicFrames(f0: number, numFrames: number): Float32Array {
  const mag = new Float32Array(numFrames * 1025).fill(1e-3);
  for (let t = 0; t < numFrames; t++) for (let h = 1; h * f0 < 8000; h++) mag[t * 1025 + binOf(h * f0)] = 1 / h;
  return mag;
}

describe('harmonicComb (predominant-f0 comb)', () => {
  it('finds a 220 Hz tone and keeps its partials while damping the bins between them', () => {
    const g = geometry(4);
    const mag = harmonicFrames(220, 4);
    const { comb, bins, voiced } = harmonicComb(mag, null, g, { floor: 0.2, vibratoCents: 0 });
    expect([...voiced]).toEqual([1, 1, 1, 1]);
    for (let h = 1; h <= 8; h++) expect(comb[bins + binOf(h * 220)]).toBe(1);
    // Halfway between partials 2 and 3.
    expect(comb[bins + binOf(550)]).toBeCloseTo(0.2);
  });

  it('leaves silence and off-centre sounds unvoiced (comb 1 everywhere)', () => {
    const g = geometry(3);
    const silent = harmonicComb(new Float32Array(3 * 1025), null, g);
    expect([...silent.voiced]).toEqual([0, 0, 0]);
    expect(silent.comb.every((x) => x === 1)).toBe(true);
    const offCentre = harmonicComb(harmonicFrames(220, 3), new Float32Array(3 * 1025), g);
    expect([...offCentre.voiced]).toEqual([0, 0, 0]);
  });

  it('turns off with floor 1', () => {
    const { comb } = harmonicComb(harmonicFrames(220, 2), null, geometry(2), { floor: 1 });
    expect(comb.every((x) => x === 1)).toBe(true);
  });
});

describe('harmonic comb: fundamental check (minFundamentalShare)', () => {
  // One frame of a 4096-point spectrum at 44.1 kHz; peaks (±1 bin) at the given frequencies.
  const geometry = { numFrames: 1, numBins: 2049, nFft: 4096, hopLength: 2048, sampleRate: 44100 };
  const frame = (hz: number[]): Float32Array => {
    const mag = new Float32Array(geometry.numBins);
    for (const f of hz) {
      const k = Math.round((f * geometry.nFft) / geometry.sampleRate);
      mag[k] = 1;
      mag[k - 1] = mag[k + 1] = 0.5;
    }
    return mag;
  };
  const bassRegister = { minHz: 35, maxHz: 220, harmonics: 8, topHz: 500, widthBins: 2, minFundamentalShare: 0.3 };

  it('takes a bass note with its fundamental as voiced', () => {
    expect(harmonicComb(frame([55, 110, 165, 220]), null, geometry, bassRegister).voiced[0]).toBe(1);
  });

  it('leaves a chord with no sounding fundamental below it unvoiced (a virtual pitch)', () => {
    const chord = frame([261.6, 329.6, 392.0]);
    expect(harmonicComb(chord, null, geometry, { ...bassRegister, minFundamentalShare: 0 }).voiced[0]).toBe(1);
    expect(harmonicComb(chord, null, geometry, bassRegister).voiced[0]).toBe(0);
  });
});
