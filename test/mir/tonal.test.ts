import { describe, expect, it } from 'vitest';
import { AnalysisSignal, ANALYSIS_SAMPLE_RATE } from '../../shared/mir/signal.js';
import { estimateTuning } from '../../shared/mir/tuning.js';
import { computeChroma } from '../../shared/mir/chroma.js';
import { estimateKey } from '../../shared/mir/key.js';
import { estimateChords } from '../../shared/mir/chords.js';
import { analyzeTonal } from '../../shared/mir/tonal.js';
import { addTone, renderProgression, seededRandom } from './tonal-fixtures.js';
import { tuningToCents } from '../../shared/music/pitch.js';

const SR = ANALYSIS_SAMPLE_RATE;

/** Label of the chord event sounding at time t. */
function labelAt(events: { startSec: number; endSec: number; label: string }[], t: number): string | undefined {
  return events.find((e) => e.startSec <= t && t < e.endSec)?.label;
}

describe('estimateTuning', () => {
  it.each([-40, -17, 0, 12.5, 33])('finds a %s-cent detuned harmonic tone set within 2 cents', (cents) => {
    const tuningHz = 440 * Math.pow(2, cents / 1200);
    const rand = seededRandom(7 + Math.round(cents));
    const x = new Float32Array(SR * 4);
    // A random set of notes in several octaves, with noise.
    for (let i = 0; i < 10; i++) {
      const midi = 40 + Math.floor(rand() * 40);
      const start = rand() * 3;
      addTone(x, SR, midi, start, start + 0.8 + rand(), { tuningHz, numHarmonics: 6, amplitude: 0.05 });
    }
    for (let i = 0; i < x.length; i++) x[i] += 0.005 * (rand() * 2 - 1);
    const est = estimateTuning(new AnalysisSignal(x, SR));
    expect(Math.abs(tuningToCents(est.tuningHz) - cents)).toBeLessThan(2);
    expect(est.confidence).toBeGreaterThan(0.5);
  });

  it('returns 440 Hz with confidence 0 for silence and for an empty signal', () => {
    expect(estimateTuning(new AnalysisSignal(new Float32Array(SR * 2), SR))).toEqual({ tuningHz: 440, confidence: 0 });
    expect(estimateTuning(new AnalysisSignal(new Float32Array(0), SR))).toEqual({ tuningHz: 440, confidence: 0 });
  });
});

describe('computeChroma', () => {
  it('gives 12 non-negative bins per frame, max-normalised, for treble and bass', () => {
    const { signal, durationSec } = renderProgression(['C:maj', 'G:7'], { noise: 0.01 });
    const c = computeChroma(signal);
    expect(c.treble.length).toBe(c.numFrames * 12);
    expect(c.bass.length).toBe(c.numFrames * 12);
    expect(c.numFrames / c.frameRateHz).toBeCloseTo(durationSec, 0);
    for (let t = 0; t < c.numFrames; t++) {
      for (const arr of [c.treble, c.bass]) {
        const frame = Array.from(arr.subarray(t * 12, t * 12 + 12));
        expect(Math.min(...frame)).toBeGreaterThanOrEqual(0);
        const max = Math.max(...frame);
        expect(max === 0 || Math.abs(max - 1) < 1e-6).toBe(true);
      }
    }
  });

  it('puts a C major triad on C, E and G, and its bass on C', () => {
    const { signal } = renderProgression(['C:maj'], { tuningHz: 446 });
    const c = computeChroma(signal);
    const t = Math.round(1 * c.frameRateHz);
    const treble = Array.from(c.treble.subarray(t * 12, t * 12 + 12));
    const chordTones = [0, 4, 7].map((i) => treble[i]);
    const others = treble.filter((_, i) => ![0, 4, 7].includes(i));
    expect(Math.min(...chordTones)).toBeGreaterThan(0.5);
    expect(Math.max(...others)).toBeLessThan(0.35);
    const bass = Array.from(c.bass.subarray(t * 12, t * 12 + 12));
    expect(bass.indexOf(Math.max(...bass))).toBe(0);
  });

  it('is all zeros for silence', () => {
    const c = computeChroma(new AnalysisSignal(new Float32Array(SR), SR));
    expect(c.numFrames).toBeGreaterThan(0);
    expect(c.treble.every((v) => v === 0)).toBe(true);
    expect(c.bass.every((v) => v === 0)).toBe(true);
  });
});

describe('estimateKey', () => {
  it.each([
    [['C:maj', 'F:maj', 'G:7', 'C:maj', 'A:min', 'D:min7', 'G:7', 'C:maj'], 0, 'major'],
    [['A:min', 'D:min', 'E:7', 'A:min', 'F:maj', 'G:maj', 'E:maj', 'A:min'], 9, 'minor'],
    [['F#:min', 'B:min', 'C#:7', 'F#:min', 'D:maj', 'E:maj', 'C#:maj', 'F#:min'], 6, 'minor'],
    [['Eb:maj', 'Ab:maj', 'Bb:7', 'Eb:maj', 'C:min', 'F:min7', 'Bb:7', 'Eb:maj'], 3, 'major'],
  ])('names the key of %j', (labels, tonic, mode) => {
    const { signal } = renderProgression(labels as string[], { tuningHz: 452, noise: 0.01, beatsPerChord: 2 });
    const key = estimateKey(computeChroma(signal));
    expect(key).not.toBeNull();
    expect(key!.tonic).toBe(tonic);
    expect(key!.mode).toBe(mode);
    expect(key!.confidence).toBeGreaterThan(0);
    expect(key!.confidence).toBeLessThanOrEqual(1);
  });

  it('returns null for silence', () => {
    expect(estimateKey(computeChroma(new AnalysisSignal(new Float32Array(SR * 2), SR)))).toBeNull();
  });
});

describe('estimateChords', () => {
  const labels = ['C:maj', 'F:maj', 'G:maj', 'C:maj', 'D:min7', 'G:7', 'C:maj'];

  it('labels an I–IV–V–I with a ii7 and a V7 at the right times (beat-synchronous)', () => {
    const { signal, beatTimesSec, chordTimesSec, durationSec } = renderProgression(labels, { tuningHz: 431, noise: 0.01, bpm: 100 });
    const events = estimateChords(computeChroma(signal), beatTimesSec);
    labels.forEach((label, i) => {
      const mid = chordTimesSec[i] + 1.2;
      expect(labelAt(events, mid)).toBe(label);
    });
    // Boundaries sit on the chord changes (± one beat).
    const changes = events.slice(1).map((e) => e.startSec);
    expect(changes.length).toBe(labels.length - 1);
    changes.forEach((t, i) => expect(Math.abs(t - chordTimesSec[i + 1])).toBeLessThan(0.61));
    expect(events[events.length - 1].endSec).toBeCloseTo(durationSec, 1);
    for (const e of events) {
      expect(e.confidence).toBeGreaterThan(0);
      expect(e.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('still finds the chords with fixed frames when no beats are given', () => {
    const { signal, chordTimesSec } = renderProgression(labels, { noise: 0.01 });
    const events = estimateChords(computeChroma(signal), []);
    labels.forEach((label, i) => expect(labelAt(events, chordTimesSec[i] + 1)).toBe(label));
  });

  it('tells maj7, min, dim and sus4 apart', () => {
    const ls = ['C:maj7', 'E:min', 'B:dim', 'G:sus4', 'A:min7'];
    const { signal, beatTimesSec, chordTimesSec } = renderProgression(ls, { noise: 0.01 });
    const events = estimateChords(computeChroma(signal), beatTimesSec);
    ls.forEach((label, i) => expect(labelAt(events, chordTimesSec[i] + 1)).toBe(label));
  });

  it('reads rootless 9th voicings over a root bass (jazz ii9–V9–Imaj9–vi9) as their 7th chords', () => {
    // Harte "(*1)" omits the root from the treble voicing; the bass still plays it.
    const rootless = ['D:min9(*1)', 'G:9(*1)', 'C:maj9(*1)', 'A:min9(*1)'];
    const { signal, beatTimesSec, chordTimesSec } = renderProgression(rootless, { noise: 0.01, bpm: 132 });
    const events = estimateChords(computeChroma(signal), beatTimesSec);
    ['D:min7', 'G:7', 'C:maj7', 'A:min7'].forEach((label, i) => expect(labelAt(events, chordTimesSec[i] + 0.9)).toBe(label));
  });

  it('gives N for silence between chords, and nothing for an empty signal', () => {
    const { signal, beatTimesSec, chordTimesSec } = renderProgression(['C:maj', 'N', 'A:min'], { noise: 0 });
    const events = estimateChords(computeChroma(signal), beatTimesSec);
    expect(labelAt(events, chordTimesSec[1] + 1)).toBe('N');
    expect(labelAt(events, chordTimesSec[2] + 1)).toBe('A:min');
    expect(estimateChords(computeChroma(new AnalysisSignal(new Float32Array(0), SR)), [])).toEqual([]);
  });
});

describe('analyzeTonal', () => {
  it('gives 440 Hz, no key and a single N for silence', () => {
    const r = analyzeTonal(new AnalysisSignal(new Float32Array(SR * 3), SR), [0.5, 1, 1.5, 2]);
    expect(r.tuningHz).toBe(440);
    expect(r.key).toBeNull();
    expect(r.chords.map((c) => c.label)).toEqual(['N']);
  });

  it('handles a 0.2 s clip without throwing', () => {
    const x = new Float32Array(Math.round(SR * 0.2));
    addTone(x, SR, 60, 0, 0.2);
    const r = analyzeTonal(new AnalysisSignal(x, SR), []);
    expect(r.chords.length).toBeGreaterThan(0);
    expect(Number.isFinite(r.tuningHz)).toBe(true);
  });

  it('finds the tuning, key and chords of a detuned progression together', () => {
    const { signal, beatTimesSec, chordTimesSec } = renderProgression(['A:min', 'F:maj', 'C:maj', 'G:maj', 'A:min'], { tuningHz: 428, noise: 0.02, seed: 3 });
    const r = analyzeTonal(signal, beatTimesSec);
    expect(Math.abs(tuningToCents(r.tuningHz) - tuningToCents(428))).toBeLessThan(2);
    expect(r.key).toMatchObject({ tonic: 9, mode: 'minor' });
    expect(labelAt(r.chords, chordTimesSec[1] + 1)).toBe('F:maj');
  });
});
