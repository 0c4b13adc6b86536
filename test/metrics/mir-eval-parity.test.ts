/**
 * Parity with the reference implementation: inputs drawn at random (seeded) and scored by
 * mir_eval 0.7 (test/metrics/fixtures/make_mir_eval_fixture.py) must score the same here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { beatFMeasure, evaluateChords, evaluateSegments, keyWeightedScore, noteFMeasure } from '../../bench/metrics/index.js';

type Iv = [number, number, string];
interface Fixture {
  mir_eval_version: string;
  beat: Array<{ ref: number[]; est: number[]; f: number }>;
  key: Array<{ ref: [number, 'major' | 'minor']; est: [number, 'major' | 'minor']; score: number }>;
  chord: Array<{ ref: Iv[]; est: Iv[]; scores: Record<'root' | 'thirds' | 'majmin' | 'sevenths' | 'mirex', number> }>;
  segment: Array<{ ref: Iv[]; est: Iv[]; trim: boolean; scores: Record<string, number> }>;
  transcription: Array<{ ref: Array<[number, number, number]>; est: Array<[number, number, number]>; onset: number[]; onsetOffset: number[] }>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/mir_eval_cases.json', import.meta.url), 'utf8')) as Fixture;
const toIntervals = (xs: Iv[]) => xs.map(([startSec, endSec, label]) => ({ startSec, endSec, label }));
const toNotes = (xs: Array<[number, number, number]>) => xs.map(([startSec, endSec, midi]) => ({ startSec, endSec, midi }));

describe(`parity with mir_eval ${fixture.mir_eval_version}`, () => {
  it('beat F-measure (40 random cases)', () => {
    expect(fixture.beat.length).toBeGreaterThanOrEqual(40);
    for (const [i, c] of fixture.beat.entries()) expect(beatFMeasure(c.ref, c.est).fMeasure, `case ${i}`).toBeCloseTo(c.f, 10);
  });

  it('key weighted score (all 576 pairs)', () => {
    expect(fixture.key).toHaveLength(576);
    for (const c of fixture.key) {
      const ref = { tonic: c.ref[0], mode: c.ref[1] };
      const est = { tonic: c.est[0], mode: c.est[1] };
      expect(keyWeightedScore(ref, est), JSON.stringify(c)).toBe(c.score);
    }
  });

  it('chord WCSR: root, thirds, majmin, sevenths, mirex (40 random cases)', () => {
    expect(fixture.chord.length).toBeGreaterThanOrEqual(40);
    for (const [i, c] of fixture.chord.entries()) {
      const s = evaluateChords(toIntervals(c.ref), toIntervals(c.est));
      for (const k of ['root', 'thirds', 'majmin', 'sevenths', 'mirex'] as const) expect(s[k], `case ${i} ${k}`).toBeCloseTo(c.scores[k], 10);
    }
  });

  it('segment boundary F@0.5, F@3 and pairwise P/R/F (40 random cases, trimmed and not)', () => {
    expect(fixture.segment.length).toBeGreaterThanOrEqual(40);
    for (const [i, c] of fixture.segment.entries()) {
      const s = evaluateSegments(toIntervals(c.ref), toIntervals(c.est), { trim: c.trim });
      expect(s.boundary05.fMeasure, `case ${i} F@0.5`).toBeCloseTo(c.scores['F-measure@0.5'], 10);
      expect(s.boundary3.fMeasure, `case ${i} F@3`).toBeCloseTo(c.scores['F-measure@3.0'], 10);
      expect(s.pairwise.precision, `case ${i} pairwise P`).toBeCloseTo(c.scores['Pairwise Precision'], 10);
      expect(s.pairwise.recall, `case ${i} pairwise R`).toBeCloseTo(c.scores['Pairwise Recall'], 10);
      expect(s.pairwise.fMeasure, `case ${i} pairwise F`).toBeCloseTo(c.scores['Pairwise F-measure'], 10);
    }
  });

  it('note onset F (offset_ratio None) and with offsets (offset_ratio 0.2)', () => {
    expect(fixture.transcription.length).toBeGreaterThanOrEqual(30);
    for (const [i, c] of fixture.transcription.entries()) {
      const a = noteFMeasure(toNotes(c.ref), toNotes(c.est));
      expect([a.precision, a.recall, a.fMeasure].map((x, j) => x - c.onset[j]).every((d) => Math.abs(d) < 1e-10), `case ${i} onset`).toBe(true);
      const b = noteFMeasure(toNotes(c.ref), toNotes(c.est), { offsetRatio: 0.2 });
      expect([b.precision, b.recall, b.fMeasure].map((x, j) => x - c.onsetOffset[j]).every((d) => Math.abs(d) < 1e-10), `case ${i} offset`).toBe(true);
    }
  });
});
