import { describe, expect, it } from 'vitest';
import { bassOvertoneShare } from '../../shared/separation/bassOvertones.js';
import { enhanceHarmonicPercussive } from '../../shared/separation/hpss.js';
import { stftPair } from '../../shared/separation/pairStft.js';

const sampleRate = 44100;
const nFft = 2048;
const hopLength = 1024;

/** Share of the low-band harmonic power below 110 Hz that the cap moves to the drums. */
function excessShare(signal: Float32Array, options = {}): number {
  const [spec] = stftPair(signal, signal, { nFft, hopLength });
  const { numFrames, numBins } = spec;
  const mag = new Float32Array(numFrames * numBins);
  for (let i = 0; i < mag.length; i++) mag[i] = Math.hypot(spec.re[i], spec.im[i]);
  const geometry = { numFrames, numBins, nFft, hopLength, sampleRate };
  const { harmonic, shortLow, lowBins } = enhanceHarmonicPercussive(mag, geometry);
  const { bass, excess, bins } = bassOvertoneShare(mag, harmonic, shortLow, lowBins, geometry, options);
  let moved = 0, total = 0;
  const top = Math.round((110 * nFft) / sampleRate);
  for (let t = 10; t < numFrames - 10; t++) {
    for (let k = 0; k < Math.min(bins, top); k++) {
      moved += excess[t * bins + k];
      total += excess[t * bins + k] + bass[t * bins + k];
    }
  }
  return moved / total;
}

/** Kick drums: 50 Hz sines decaying with τ = 0.25 s, one every 0.4 s (a sustained-looking low line). */
function kicks(seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  const period = Math.round(0.4 * sampleRate);
  for (let i = 0; i < out.length; i++) {
    const u = (i % period) / sampleRate;
    out[i] = 0.5 * Math.exp(-u / 0.25) * Math.sin(2 * Math.PI * 50 * u);
  }
  return out;
}

/** A held bass note at 55 Hz: harmonic (partials 1/h) or a pure sine. */
function bassNote(seconds: number, partials: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) {
    let x = 0;
    for (let h = 1; h <= partials; h++) x += Math.sin((2 * Math.PI * 55 * h * i) / sampleRate) / h;
    out[i] = 0.3 * x;
  }
  return out;
}

describe('bassOvertoneShare (kick vs bass below ~120 Hz)', () => {
  it('moves a large part of a repeated kick body (a low sine without overtones) to the drums', () => {
    expect(excessShare(kicks(4))).toBeGreaterThan(0.3);
  });

  it('leaves a held harmonic bass note to the bass', () => {
    expect(excessShare(bassNote(3, 6))).toBeLessThan(0.05);
  });

  it('leaves a held pure sine (808-style sub) to the bass: the steadiness gate', () => {
    expect(excessShare(bassNote(3, 1))).toBeLessThan(0.05);
    // Without the gate the cap would take it.
    expect(excessShare(bassNote(3, 1), { steadySec: 0 })).toBeGreaterThan(0.5);
  });

  it('is off with overtoneGain 0', () => {
    expect(excessShare(kicks(2), { overtoneGain: 0 })).toBe(0);
  });
});
