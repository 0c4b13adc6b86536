import { describe, expect, it } from 'vitest';
import { computeChroma } from '../../shared/mir/chroma.js';
import { finalChordEvidence } from '../../shared/mir/key-ending.js';
import { estimateKey, tonicChordEvidence } from '../../shared/mir/key.js';
import { AnalysisSignal } from '../../shared/mir/signal.js';
import { renderProgression } from './tonal-fixtures.js';

const SR = 22050;

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/** The signal followed by `silenceSec` of silence. */
function withTrailingSilence(signal: AnalysisSignal, silenceSec: number): AnalysisSignal {
  const out = new Float32Array(signal.mono.length + Math.round(silenceSec * SR));
  out.set(signal.mono);
  return new AnalysisSignal(out, SR);
}

describe('finalChordEvidence', () => {
  it('names the closing triad, past a trailing silence', () => {
    const { signal } = renderProgression(['C:maj', 'F:maj', 'E:7', 'A:min'], { noise: 0.01, beatsPerChord: 4 });
    const ev = finalChordEvidence(computeChroma(withTrailingSilence(signal, 2)));
    expect(argmax(ev)).toBe(12 + 9); // A minor
    expect(ev[12 + 9]).toBeGreaterThan(0.7);
    expect(ev[12 + 9]).toBeLessThanOrEqual(1);
  });

  it('tells a major closing triad from the parallel minor', () => {
    const { signal } = renderProgression(['A:min', 'D:min', 'G:7', 'C:maj'], { noise: 0.01, tuningHz: 445 });
    const ev = finalChordEvidence(computeChroma(signal, { tuningHz: 445 }));
    expect(argmax(ev)).toBe(0); // C major
    expect(ev[0]).toBeGreaterThan(ev[12]);
  });

  it('is all zeros for silence and for an empty frame range', () => {
    const chroma = computeChroma(new AnalysisSignal(new Float32Array(SR * 2), SR));
    expect(Array.from(finalChordEvidence(chroma)).every((v) => v === 0)).toBe(true);
    const { signal } = renderProgression(['C:maj'], { noise: 0.01 });
    expect(Array.from(finalChordEvidence(computeChroma(signal), { startFrame: 5, endFrame: 5 })).every((v) => v === 0)).toBe(true);
  });
});

describe('tonicChordEvidence', () => {
  it('is the time share of each key tonic chord, with no first-chord bonus', () => {
    const ev = tonicChordEvidence([
      { startSec: 0, endSec: 2, label: 'G:maj', confidence: 1 },
      { startSec: 2, endSec: 8, label: 'E:min7', confidence: 1 },
      { startSec: 8, endSec: 10, label: 'N', confidence: 1 },
      { startSec: 10, endSec: 12, label: 'C:sus4', confidence: 1 },
    ]);
    expect(ev[7]).toBeCloseTo(0.25, 6); // G major: 2 of the 8 s with a third
    expect(ev[12 + 4]).toBeCloseTo(0.75, 6); // E minor
    expect(ev.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe('estimateKey with the closing chord', () => {
  // B minor built from the chords it shares with D major; the F#7 and the final B minor name it.
  const labels = ['D:maj', 'G:maj', 'A:maj', 'B:min', 'G:maj', 'D:maj', 'A:maj', 'F#:7', 'B:min'];

  it('tells a minor key from its relative major', () => {
    const { signal } = renderProgression(labels, { noise: 0.01, beatsPerChord: 4 });
    const key = estimateKey(computeChroma(signal));
    expect(key).toEqual(expect.objectContaining({ tonic: 11, mode: 'minor' }));
  });

  it('without the closing chord (endingWeight 0) the shared scale reads as the relative major', () => {
    const { signal } = renderProgression(labels, { noise: 0.01, beatsPerChord: 4 });
    const key = estimateKey(computeChroma(signal), { endingWeight: 0 });
    expect(key).toEqual(expect.objectContaining({ tonic: 2, mode: 'major' }));
  });
});
