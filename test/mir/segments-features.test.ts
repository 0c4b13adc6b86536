/**
 * Bar features follow the beats continuously: a span's mean over frames weights each frame by its
 * overlap, so moving a beat by a few milliseconds moves the features by a little (the sections
 * then change only where a decision was a near tie), never by a whole frame's worth.
 */
import { describe, expect, it } from 'vitest';
import { meanRowsOverlap } from '../../shared/mir/segments.js';

/** Rows t = 0..n-1 of two columns: [t, t²]. */
const rows = 10;
const data = Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? i >> 1 : (i >> 1) ** 2));

function mean(x0: number, x1: number): number[] {
  const out = new Float64Array(2);
  meanRowsOverlap(data, rows, 2, x0, x1, out, 0);
  return Array.from(out);
}

describe('meanRowsOverlap', () => {
  it('is the plain mean of the rows a whole-frame span covers', () => {
    expect(mean(2, 5)).toEqual([3, (4 + 9 + 16) / 3]);
  });

  it('weights the rows at the ends by their overlap', () => {
    // Half of row 2, all of row 3, a quarter of row 4.
    const w = [0.5, 1, 0.25];
    const total = 1.75;
    expect(mean(2.5, 4.25)[0]).toBeCloseTo((0.5 * 2 + 3 + 0.25 * 4) / total, 12);
    expect(mean(2.5, 4.25)[1]).toBeCloseTo((w[0] * 4 + w[1] * 9 + w[2] * 16) / total, 12);
  });

  it('moves by little when an end moves by little (no jump at frame lines)', () => {
    for (const edge of [3, 3.5, 4]) {
      const before = mean(1, edge - 1e-6);
      const after = mean(1, edge + 1e-6);
      expect(Math.abs(after[0] - before[0])).toBeLessThan(1e-5);
      expect(Math.abs(after[1] - before[1])).toBeLessThan(1e-4);
    }
  });

  it('takes the nearest row for a span within no row, and clips spans to the rows there are', () => {
    expect(mean(-3, -1)).toEqual([0, 0]);
    expect(mean(12, 14)).toEqual([9, 81]);
    expect(mean(8, 30)).toEqual([8.5, (64 + 81) / 2]);
  });
});
