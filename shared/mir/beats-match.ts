/**
 * Pairing of two beat sequences of the same audio (for example the beats of a WAV and of its MP3
 * encoding), to measure how far apart they sit. Greedy one-to-one matching in time order: each
 * beat of `a` is paired with the nearest unpaired beat of `b` within `toleranceSec`, as in the
 * mir_eval beat F-measure window (Davies, Degara & Plumbley 2009, "Evaluation methods for musical
 * audio beat tracking algorithms", §3.1), but here the offsets of the pairs are the result.
 */

export interface BeatOffsets {
  /** b − a for each matched pair, seconds, in time order. */
  offsetsSec: number[];
  /** Beats of `a` with no partner in `b` within the tolerance. */
  unmatchedA: number;
  /** Beats of `b` with no partner in `a` within the tolerance. */
  unmatchedB: number;
  /** Largest |offset|, seconds (0 with no pair). */
  maxAbsSec: number;
  /** Mean |offset|, seconds (0 with no pair). */
  meanAbsSec: number;
}

/**
 * Match beats of `a` to beats of `b` (both sorted, seconds) within `toleranceSec`
 * (default 0.07 s, the mir_eval F-measure window) and return the offsets of the pairs.
 */
export function matchBeatOffsets(a: number[], b: number[], toleranceSec = 0.07): BeatOffsets {
  const offsetsSec: number[] = [];
  let j = 0;
  let unmatchedA = 0;
  for (const t of a) {
    while (j < b.length && b[j] < t - toleranceSec) j++;
    // Nearest of b[j], b[j+1] (the sequences are sorted, so no other can be closer).
    let k = j;
    if (k + 1 < b.length && Math.abs(b[k + 1] - t) < Math.abs(b[k] - t)) k++;
    if (k < b.length && Math.abs(b[k] - t) <= toleranceSec) {
      offsetsSec.push(b[k] - t);
      j = k + 1;
    } else unmatchedA++;
  }
  const abs = offsetsSec.map(Math.abs);
  return {
    offsetsSec,
    unmatchedA,
    unmatchedB: b.length - offsetsSec.length,
    maxAbsSec: abs.length ? Math.max(...abs) : 0,
    meanAbsSec: abs.length ? abs.reduce((s, v) => s + v, 0) / abs.length : 0,
  };
}
