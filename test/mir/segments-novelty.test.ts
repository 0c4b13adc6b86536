import { describe, expect, it } from 'vitest';
import { checkerboardNovelty, structuralFeatureNovelty } from '../../shared/mir/segments-novelty.js';
import { clusterSegments, segmentSimilarity, segmentSimilarityMatrix } from '../../shared/mir/segments-labels.js';

/** n × n matrix with entry f(i, j). */
function matrix(n: number, f: (i: number, j: number) => number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = f(i, j);
  return m;
}

/** Index of the largest value. */
const argmax = (xs: Float64Array): number => xs.reduce((best, v, i) => (v > xs[best] ? i : best), 0);

describe('segment novelty curves', () => {
  it('checkerboard novelty peaks on the bar line between two homogeneous blocks', () => {
    const n = 16;
    const blockOf = (i: number): number => (i < 6 ? 0 : 1);
    const ssm = matrix(n, (i, j) => (blockOf(i) === blockOf(j) ? 1 : 0.2));
    const nov = checkerboardNovelty(ssm, n, 2);
    expect(nov).toHaveLength(n + 1);
    expect(argmax(nov)).toBe(6);
    expect(nov[6]).toBeCloseTo(1, 9);
    expect(nov[0]).toBe(0);
    expect(nov[n]).toBe(0);
    for (let b = 1; b < n; b++) if (Math.abs(b - 6) > 2) expect(nov[b]).toBeLessThan(1e-9);
  });

  it('checkerboard novelty compares the bars on either side of skipped (silent) bars with each other', () => {
    // Bars 0–6 and 10–19 sound alike; bars 7–9 are silence, like nothing else. Bar 14 starts a
    // new block B.
    const n = 20;
    const kind = (i: number): number => (i >= 7 && i < 10 ? 2 : i >= 14 ? 1 : 0);
    const ssm = matrix(n, (i, j) => (kind(i) === kind(j) ? 1 : 0.1));
    const plain = checkerboardNovelty(ssm, n, 3);
    // Without skipping, the silence's edges are the largest novelty.
    expect([7, 10]).toContain(argmax(plain));
    const skipped = checkerboardNovelty(ssm, n, 3, (i) => i >= 7 && i < 10);
    expect(argmax(skipped)).toBe(14);
    expect(skipped[14]).toBeCloseTo(1, 9);
    for (let b = 5; b <= 12; b++) expect(skipped[b]).toBeLessThan(0.5);
  });

  it('structural-feature novelty marks where the repetition pattern changes, even with no change in sound', () => {
    // A A' B B' A A' B B' with 4-bar sections: bars repeat 8 bars later (or earlier).
    const n = 32;
    const rec = matrix(n, (i, j) => (i !== j && (i - j) % 8 === 0 && i % 8 < 4 === j % 8 < 4 ? 1 : 0));
    const nov = structuralFeatureNovelty(rec, n, 1, true);
    const peaks = [];
    for (let b = 1; b < n; b++) if (nov[b] > 0.5) peaks.push(b);
    expect(peaks).toEqual([8, 24]);
  });

});

describe('segment labels', () => {
  // Bars 0–7 and 16–23 play the same 8 bars; bars 8–15 something else; bars 24–27 the first half again.
  const n = 28;
  const content = (i: number): number => (i < 8 ? i : i < 16 ? 100 + i : i < 24 ? i - 16 : i - 24);
  const sim = matrix(n, (i, j) => (content(i) === content(j) ? 1 : 0.1));

  it('aligns a shorter repeat inside a longer segment, in order', () => {
    expect(segmentSimilarity(sim, n, { startBar: 24, endBar: 28 }, { startBar: 0, endBar: 8 })).toBeCloseTo(1, 9);
    expect(segmentSimilarity(sim, n, { startBar: 0, endBar: 8 }, { startBar: 16, endBar: 24 })).toBeCloseTo(1, 9);
    expect(segmentSimilarity(sim, n, { startBar: 0, endBar: 8 }, { startBar: 8, endBar: 16 })).toBeCloseTo(0.1, 9);
  });

  it('clusters segments into types numbered by first appearance', () => {
    const segs = [
      { startBar: 0, endBar: 8 },
      { startBar: 8, endBar: 16 },
      { startBar: 16, endBar: 24 },
      { startBar: 24, endBar: 28 },
    ];
    const m = segmentSimilarityMatrix(sim, n, segs);
    expect(clusterSegments(m, segs.length, 0.5)).toEqual([0, 1, 0, 0]);
    expect(clusterSegments(m, segs.length, 1.01)).toEqual([0, 1, 2, 3]);
  });
});
