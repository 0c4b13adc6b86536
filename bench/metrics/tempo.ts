/**
 * Tempo accuracy (Gouyon et al., "An experimental comparison of audio tempo induction
 * algorithms", IEEE TASLP 2006; the definitions madmom and the MIREX tempo literature use):
 * - Acc1: the estimate is within ±4 % of the reference tempo;
 * - Acc2: the estimate is within ±4 % of the reference times 1, 2, 3, 1/2 or 1/3 (octave and
 *   metrical-level errors forgiven).
 * Each test is |est − f·ref| ≤ tolerance · f·ref. mir_eval itself only has the MIREX P-score
 * (mir_eval.tempo.detection, ±8 % against two reference tempi), also given here.
 * A null or non-positive estimate scores 0.
 */

export interface TempoAccuracyOptions {
  /** Relative tolerance; default 0.04 (4 %). */
  tolerance?: number;
}

/** Metrical factors forgiven by Acc2. */
export const ACC2_FACTORS: readonly number[] = [1, 2, 3, 1 / 2, 1 / 3];

function within(estBpm: number, targetBpm: number, tolerance: number): boolean {
  return Math.abs(estBpm - targetBpm) <= tolerance * targetBpm;
}

/** Acc1: 1 when the estimate is within ±tolerance of the reference BPM, else 0. */
export function tempoAccuracy1(referenceBpm: number, estimatedBpm: number | null, options: TempoAccuracyOptions = {}): number {
  const tol = options.tolerance ?? 0.04;
  if (estimatedBpm === null || !(estimatedBpm > 0) || !(referenceBpm > 0)) return 0;
  return within(estimatedBpm, referenceBpm, tol) ? 1 : 0;
}

/** Acc2: 1 when the estimate is within ±tolerance of the reference BPM × {1, 2, 3, 1/2, 1/3}. */
export function tempoAccuracy2(referenceBpm: number, estimatedBpm: number | null, options: TempoAccuracyOptions = {}): number {
  const tol = options.tolerance ?? 0.04;
  if (estimatedBpm === null || !(estimatedBpm > 0) || !(referenceBpm > 0)) return 0;
  return ACC2_FACTORS.some((f) => within(estimatedBpm, f * referenceBpm, tol)) ? 1 : 0;
}

export interface TempoPScore {
  pScore: number;
  oneCorrect: boolean;
  bothCorrect: boolean;
}

/**
 * mir_eval.tempo.detection: two reference tempi (slow, fast) with the salience `referenceWeight`
 * of the first, two estimated tempi; a reference tempo is hit when some estimate is within
 * tolerance (default 8 %) of it. P-score = w·hit₀ + (1 − w)·hit₁.
 */
export function tempoPScore(
  referenceBpm: readonly [number, number],
  referenceWeight: number,
  estimatedBpm: readonly [number, number],
  tolerance = 0.08,
): TempoPScore {
  const hits = referenceBpm.map((ref) => ref > 0 && estimatedBpm.some((est) => Math.abs(est - ref) <= tolerance * ref));
  return {
    pScore: referenceWeight * (hits[0] ? 1 : 0) + (1 - referenceWeight) * (hits[1] ? 1 : 0),
    oneCorrect: hits[0] || hits[1],
    bothCorrect: hits[0] && hits[1],
  };
}
