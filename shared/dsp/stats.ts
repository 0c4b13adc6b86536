/**
 * Small numeric helpers that several analysis modules share.
 */

/** Median of a non-empty numeric array (the mean of the two middle values for an even count). */
export function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/**
 * Offset in [−0.5, 0.5] of the vertex of the parabola through (−1, a), (0, b), (1, c): the
 * sub-sample position of a peak at b (0 when the three points do not bend downwards).
 */
export function parabolicPeakOffset(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  return den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
}
