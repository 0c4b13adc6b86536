import { describe, expect, it } from 'vitest';
import type { BeatEvent, MusicDescription } from '../../shared/contracts/music.js';
import {
  beatFMeasure,
  chordWcsr,
  detectBoundaries,
  downbeatFMeasure,
  evaluateChords,
  evaluateSegments,
  keyWeightedScore,
  matchEvents,
  noteFMeasure,
  pairwiseLabelF,
  scoreMusicDescription,
  sdrPerStem,
  summarizeScores,
  signalToDistortionRatio,
  tempoAccuracy1,
  tempoAccuracy2,
  tempoPScore,
  trimBeats,
  tuningDeviationCents,
  tuningErrorCents,
  type LabeledInterval,
} from '../../bench/metrics/index.js';

const iv = (startSec: number, endSec: number, label: string): LabeledInterval => ({ startSec, endSec, label });

describe('tempo (Gouyon 2006 Acc1/Acc2, mir_eval P-score)', () => {
  it('Acc1 accepts ±4 % only', () => {
    expect(tempoAccuracy1(120, 124.8)).toBe(1);
    expect(tempoAccuracy1(120, 115.2)).toBe(1);
    expect(tempoAccuracy1(120, 125)).toBe(0);
    expect(tempoAccuracy1(120, 60)).toBe(0);
    expect(tempoAccuracy1(120, null)).toBe(0);
  });
  it('Acc2 forgives ×2, ×3, ×1/2, ×1/3 but not ×3/4', () => {
    for (const est of [120, 240, 360, 60, 40, 61.5]) expect(tempoAccuracy2(120, est), `${est}`).toBe(1);
    for (const est of [90, 180, 150, 0]) expect(tempoAccuracy2(120, est), `${est}`).toBe(0);
  });
  it('P-score weights the two reference tempi', () => {
    expect(tempoPScore([60, 120], 0.3, [120, 90]).pScore).toBeCloseTo(0.7, 12);
    expect(tempoPScore([60, 120], 0.3, [61, 119])).toEqual({ pScore: 1, oneCorrect: true, bothCorrect: true });
  });
});

describe('beat F-measure (mir_eval.beat.f_measure)', () => {
  const grid = Array.from({ length: 41 }, (_, i) => i * 0.5);
  it('trims beats before 5 s by default', () => {
    expect(trimBeats([1, 6, 5, 4.99])).toEqual([5, 6]);
    expect(trimBeats([1, 6], 0)).toEqual([1, 6]);
  });
  it('scores a hand-computed case: two of four beats within ±70 ms', () => {
    const r = beatFMeasure([1, 2, 3, 4], [1.06, 2.1, 3.0, 3.05], { minBeatTimeSec: 0 });
    expect(r).toEqual({ precision: 0.5, recall: 0.5, fMeasure: 0.5 });
  });
  it('uses a maximum matching, not a greedy one', () => {
    // Greedy would pair 1.05 with 1.0 and leave 0.99 unmatched.
    expect(matchEvents([1.0, 1.1], [1.05, 0.99], 0.07)).toHaveLength(2);
    expect(beatFMeasure([1.0, 1.1], [1.05, 0.99], { minBeatTimeSec: 0 }).fMeasure).toBe(1);
  });
  it('is 1 for a 50 ms offset and 0 for an 80 ms offset; 0 when one side is empty', () => {
    expect(beatFMeasure(grid, grid.map((t) => t + 0.05)).fMeasure).toBe(1);
    expect(beatFMeasure(grid, grid.map((t) => t + 0.08)).fMeasure).toBe(0);
    expect(beatFMeasure(grid, []).fMeasure).toBe(0);
    // Only beats before 5 s: nothing left after trimming.
    expect(beatFMeasure([1, 2], [1, 2]).fMeasure).toBe(0);
  });
  it('half-tempo estimate: precision 1, recall 1/2', () => {
    const r = beatFMeasure(grid, grid.filter((_, i) => i % 2 === 0));
    expect(r.precision).toBe(1);
    // After trimming: reference 5.0, 5.5 … 20 (31 beats), estimate 5, 6 … 20 (16 beats).
    expect(r.recall).toBeCloseTo(16 / 31, 12);
    expect(r.fMeasure).toBeCloseTo((2 * r.precision * r.recall) / (r.precision + r.recall), 12);
  });
  it('downbeat F scores position-1 beats only', () => {
    const ref: BeatEvent[] = grid.map((t, i) => ({ timeSec: t, positionInBar: (i % 4) + 1 }));
    const shifted: BeatEvent[] = grid.map((t, i) => ({ timeSec: t, positionInBar: ((i + 2) % 4) + 1 }));
    expect(downbeatFMeasure(ref, ref).fMeasure).toBe(1);
    expect(beatFMeasure(ref.map((b) => b.timeSec), shifted.map((b) => b.timeSec)).fMeasure).toBe(1);
    expect(downbeatFMeasure(ref, shifted).fMeasure).toBe(0);
  });
});

describe('key (mir_eval.key.weighted_score)', () => {
  const C = { tonic: 0, mode: 'major' as const };
  it('scores each MIREX relation', () => {
    expect(keyWeightedScore(C, C)).toBe(1);
    expect(keyWeightedScore(C, { tonic: 7, mode: 'major' })).toBe(0.5); // G: fifth above
    expect(keyWeightedScore({ tonic: 9, mode: 'minor' }, { tonic: 4, mode: 'minor' })).toBe(0.5); // Am → Em
    expect(keyWeightedScore(C, { tonic: 9, mode: 'minor' })).toBe(0.3); // relative minor
    expect(keyWeightedScore({ tonic: 9, mode: 'minor' }, C)).toBe(0.3); // relative major
    expect(keyWeightedScore(C, { tonic: 0, mode: 'minor' })).toBe(0.2); // parallel
    expect(keyWeightedScore(C, { tonic: 2, mode: 'major' })).toBe(0);
    expect(keyWeightedScore(C, { tonic: 7, mode: 'minor' })).toBe(0);
  });
  it('gives a descending fifth 0 by default (mir_eval) and 0.5 when allowed', () => {
    expect(keyWeightedScore(C, { tonic: 5, mode: 'major' })).toBe(0);
    expect(keyWeightedScore(C, { tonic: 5, mode: 'major' }, { allowDescendingFifths: true })).toBe(0.5);
  });
  it('treats null as unknown', () => {
    expect(keyWeightedScore(null, null)).toBe(1);
    expect(keyWeightedScore(C, null)).toBe(0);
    expect(keyWeightedScore(null, C)).toBe(0);
  });
});

describe('tuning error', () => {
  it('is the absolute deviation in cents', () => {
    expect(tuningErrorCents(440, 442)).toBeCloseTo(7.8514, 3);
    expect(tuningDeviationCents(440, 440 * 2 ** (-10 / 1200))).toBeCloseTo(-10, 9);
    expect(tuningErrorCents(440, 440 * 2 ** (-10 / 1200))).toBeCloseTo(10, 9);
    expect(Number.isNaN(tuningErrorCents(440, 0))).toBe(true);
  });
});

describe('chords (mir_eval.chord WCSR)', () => {
  const ref = [iv(0, 2, 'C:maj'), iv(2, 4, 'A:min'), iv(4, 6, 'G:7'), iv(6, 8, 'C:sus4')];
  const est = [iv(0, 1, 'C:maj'), iv(1, 3, 'A:min'), iv(3, 5, 'G:maj'), iv(5, 8, 'C:maj')];
  it('matches a hand-computed example under every comparison', () => {
    const s = evaluateChords(ref, est);
    expect(s.majmin).toBeCloseTo(3 / 6, 12); // C:sus4 (2 s) excluded; G:7 vs G:maj counts as maj
    expect(s.sevenths).toBeCloseTo(2 / 6, 12); // G:7 vs G:maj is wrong at sevenths
    expect(s.root).toBeCloseTo(5 / 8, 12);
    expect(s.thirds).toBeCloseTo(5 / 8, 12);
    expect(s.mirex).toBeCloseTo(3 / 8, 12);
    expect(chordWcsr(ref, est)).toBeCloseTo(0.5, 12);
  });
  it('pads a short estimate with N and crops a long one to the reference span', () => {
    expect(chordWcsr([iv(0, 4, 'C:maj')], [iv(0, 2, 'C:maj')])).toBeCloseTo(0.5, 12);
    expect(chordWcsr([iv(1, 4, 'C:maj')], [iv(0, 10, 'C:maj')])).toBe(1);
    expect(chordWcsr([iv(0, 4, 'C:maj')], [])).toBe(0);
  });
  it('handles N, X, slash chords and out-of-vocabulary references', () => {
    expect(chordWcsr([iv(0, 1, 'N'), iv(1, 2, 'C:maj')], [iv(0, 1, 'N'), iv(1, 2, 'C:maj')])).toBe(1);
    expect(chordWcsr([iv(0, 1, 'N'), iv(1, 2, 'C:maj')], [iv(0, 2, 'C:maj')])).toBeCloseTo(0.5, 12);
    // X is excluded from the denominator.
    expect(chordWcsr([iv(0, 1, 'X'), iv(1, 2, 'C:maj')], [iv(0, 2, 'D:min')], 'root')).toBe(0);
    expect(chordWcsr([iv(0, 3, 'X'), iv(3, 4, 'C:maj')], [iv(0, 4, 'C:maj')], 'root')).toBe(1);
    // The bass joins the bitmap: C:maj/b7 is a C7 for sevenths, still a C major for majmin.
    expect(chordWcsr([iv(0, 1, 'C:maj/b7')], [iv(0, 1, 'C:7')], 'sevenths')).toBe(1);
    expect(chordWcsr([iv(0, 1, 'C:maj/b7')], [iv(0, 1, 'C:maj')], 'majmin')).toBe(1);
    // Only out-of-vocabulary references: nothing comparable → 0.
    expect(chordWcsr([iv(0, 1, 'C:dim')], [iv(0, 1, 'C:dim')], 'majmin')).toBe(0);
    // Extensions above the octave are dropped (mir_eval QUALITIES): C:9 equals C:7.
    expect(chordWcsr([iv(0, 1, 'C:7')], [iv(0, 1, 'C:9')], 'sevenths')).toBe(1);
    expect(() => chordWcsr([iv(0, 1, 'H:maj')], [])).toThrow(/H:maj/);
  });
});

describe('segments (mir_eval.segment)', () => {
  const ref = [iv(0, 10, 'A'), iv(10, 20, 'B'), iv(20, 30, 'A')];
  const est = [iv(0, 10.4, 'x'), iv(10.4, 19, 'y'), iv(19, 30, 'x')];
  it('boundary detection at 0.5 s and 3 s, trimmed by default', () => {
    expect(detectBoundaries(ref, est, { windowSec: 0.5 })).toEqual({ precision: 0.5, recall: 0.5, fMeasure: 0.5 });
    expect(detectBoundaries(ref, est, { windowSec: 3 }).fMeasure).toBe(1);
    expect(detectBoundaries(ref, est, { windowSec: 0.5, trim: false }).fMeasure).toBeCloseTo(0.75, 12);
    expect(detectBoundaries(ref, [iv(0, 30, 'x')]).fMeasure).toBe(0);
  });
  it('pairwise F is invariant to label names and matches a hand count', () => {
    expect(pairwiseLabelF(ref, ref.map((s) => ({ ...s, label: s.label === 'A' ? 'q' : 'r' }))).fMeasure).toBe(1);
    // Reference A|B (20 frames each) vs one estimate label: P = 380/780, R = 1.
    const r = pairwiseLabelF([iv(0, 2, 'A'), iv(2, 4, 'B')], [iv(0, 4, 'X')]);
    expect(r.precision).toBeCloseTo(380 / 780, 12);
    expect(r.recall).toBe(1);
    expect(r.fMeasure).toBeCloseTo((2 * (380 / 780)) / (1 + 380 / 780), 12);
  });
  it('evaluateSegments pads a short estimate to the reference end', () => {
    const s = evaluateSegments(ref, [iv(0, 10, 'x'), iv(10, 20, 'y')]);
    // Estimate boundaries 0,10,20,30 after padding → trimmed [10, 20] = reference.
    expect(s.boundary05.fMeasure).toBe(1);
    expect(s.boundary3.fMeasure).toBe(1);
    // The padded tail (20–30) is labelled __T_MAX, unlike the reference's A.
    expect(s.pairwise.fMeasure).toBeLessThan(1);
    expect(s.pairwise.precision).toBe(1);
  });
});

describe('separation SDR (MDX 2021 energy ratio)', () => {
  const n = 44100;
  const sine = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 44100));
  const scaled = (x: Float32Array, g: number): Float32Array => x.map((v) => v * g);
  it('is 20 dB for a 10 % amplitude error, channel-joint', () => {
    expect(signalToDistortionRatio(sine, scaled(sine, 0.9))).toBeCloseTo(20, 4);
    expect(signalToDistortionRatio([sine, sine], [scaled(sine, 0.9), scaled(sine, 0.9)])).toBeCloseTo(20, 4);
    expect(signalToDistortionRatio(sine, sine)).toBeGreaterThan(80);
  });
  it('takes the median over windows when asked', () => {
    const est = new Float32Array(n);
    for (let i = 0; i < n; i++) est[i] = sine[i] * (i < (2 * n) / 3 ? 0.9 : 0.5);
    expect(signalToDistortionRatio(sine, est, { windowSamples: n / 3 })).toBeCloseTo(20, 3);
  });
  it('reports null for silent reference stems and throws on shape mismatch', () => {
    const silent = new Float32Array(n);
    const r = sdrPerStem({ vocals: [sine], bass: [silent], drums: [sine] }, { vocals: [scaled(sine, 0.9)], bass: [sine] });
    expect(r.vocals).toBeCloseTo(20, 4);
    expect(r.bass).toBeNull();
    expect(r.drums).toBeNull();
    expect(() => signalToDistortionRatio(sine, sine.subarray(0, 10))).toThrow(/1×44100.*1×10/);
  });
});

describe('transcription note F (mir_eval.transcription, offset_ratio = None)', () => {
  const ref = [
    { startSec: 1.0, endSec: 2.0, midi: 60 },
    { startSec: 2.0, endSec: 3.0, midi: 62 },
    { startSec: 3.0, endSec: 4.0, midi: 64 },
  ];
  it('needs onset within 50 ms and pitch within 50 cents', () => {
    const est = [
      { startSec: 1.04, endSec: 1.5, midi: 60.3 }, // hit
      { startSec: 2.06, endSec: 3.0, midi: 62 }, // onset 60 ms off
      { startSec: 3.0, endSec: 4.0, midi: 65 }, // 100 cents off
    ];
    const r = noteFMeasure(ref, est);
    expect(r.precision).toBeCloseTo(1 / 3, 12);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
  });
  it('counts an onset exactly 50 ms away (rounded distance), unless strict', () => {
    const est = [{ startSec: 1.05, endSec: 2, midi: 60 }];
    expect(noteFMeasure(ref, est).precision).toBe(1);
    expect(noteFMeasure(ref, est, { strict: true }).precision).toBe(0);
  });
  it('checks offsets only with an offset ratio', () => {
    const est = [{ startSec: 1.0, endSec: 2.3, midi: 60 }];
    expect(noteFMeasure(ref, est).precision).toBe(1);
    expect(noteFMeasure(ref, est, { offsetRatio: 0.2 }).precision).toBe(0);
    expect(noteFMeasure(ref, [{ startSec: 1.0, endSec: 2.15, midi: 60 }], { offsetRatio: 0.2 }).precision).toBe(1);
    expect(noteFMeasure(ref, []).fMeasure).toBe(0);
  });
});

describe('scoreMusicDescription / summarizeScores', () => {
  const beats = Array.from({ length: 40 }, (_, i) => ({ timeSec: i * 0.5, positionInBar: (i % 4) + 1 }));
  const truth: MusicDescription = {
    durationSec: 20,
    tempo: { bpm: 120, confidence: 1 },
    beatsPerBar: 4,
    beats,
    key: { tonic: 9, mode: 'minor', confidence: 1 },
    tuningHz: 440,
    chords: [
      { startSec: 0, endSec: 10, label: 'A:min', confidence: 1 },
      { startSec: 10, endSec: 20, label: 'F:maj7', confidence: 1 },
    ],
    sections: [
      { startSec: 0, endSec: 8, label: 'verse', letter: 'A', confidence: 1 },
      { startSec: 8, endSec: 16, label: 'chorus', letter: 'B', confidence: 1 },
      { startSec: 16, endSec: 20, label: 'verse', letter: 'A', confidence: 1 },
    ],
  };
  it('scores a perfect estimate 1 everywhere and 0 cents', () => {
    const s = scoreMusicDescription(truth, truth);
    for (const [k, v] of Object.entries(s)) expect(v, k).toBe(k === 'tuningErrorCents' ? 0 : 1);
  });
  it('scores a half-tempo, wrong-key, empty estimate below the perfect one, and nulls what truth lacks', () => {
    const s = scoreMusicDescription(truth, { tempo: { bpm: 60, confidence: 1 }, beats: beats.filter((_, i) => i % 2 === 0), key: { tonic: 0, mode: 'major', confidence: 1 }, tuningHz: 442 });
    expect(s).toMatchObject({ tempoAcc1: 0, tempoAcc2: 1, keyWeighted: 0.3, chordMajmin: 0, boundaryF3: 0 });
    expect(s.beatF).toBeGreaterThan(0.5);
    expect(s.beatF).toBeLessThan(1);
    const empty = scoreMusicDescription({ ...truth, tempo: null, beats: [], key: null, chords: [], sections: [] }, truth);
    expect(empty).toMatchObject({ tempoAcc1: null, beatF: null, downbeatF: null, keyWeighted: null, chordMajmin: null, pairwiseF: null, tuningErrorCents: 0 });
    const summary = summarizeScores([scoreMusicDescription(truth, truth), s, empty]);
    expect(summary.tempoAcc1).toEqual({ mean: 0.5, median: 0.5, count: 2 });
    expect(summary.keyWeighted.mean).toBeCloseTo(0.65, 12);
  });
});
