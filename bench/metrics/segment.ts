/**
 * Structural segmentation scores as defined by mir_eval.segment:
 * - boundary detection (mir_eval.segment.detection; Turnbull et al., ISMIR 2007): boundaries are
 *   the unique interval edges (rounded to 10 µs); an estimated boundary is a hit within ±window
 *   of a reference boundary, each matched at most once (maximum bipartite matching);
 *   P = hits/|est|, R = hits/|ref|. With `trim` the first and last boundary (track start and
 *   end, trivially right) are dropped. mir_eval's own default is trim = false; we default to
 *   trim = true so the score says something about the inner boundaries only (as the MIREX
 *   structural segmentation task reports it). Either side empty → 0.
 * - pairwise label F (mir_eval.segment.pairwise; Levy & Sandler, IEEE TASLP 2008): the track is
 *   sampled every 0.1 s; a pair of samples "agrees" when both carry the same label; precision is
 *   the share of the estimate's agreeing pairs that also agree in the reference, recall the
 *   converse. Computed from label-pair counts (O(n)), which equals mir_eval's n×n matrices.
 * {@link evaluateSegments} first adjusts both annotations as mir_eval.segment.evaluate does:
 * the reference is padded to start at 0, the estimate cropped/padded to [0, reference end].
 * Times in seconds.
 */
import { adjustIntervals, type LabeledInterval } from './chord.js';
import { fMeasure, matchEvents, type PrecisionRecallF } from './matching.js';

export type { LabeledInterval } from './chord.js';

export interface Interval {
  startSec: number;
  endSec: number;
}

export interface BoundaryDetectionOptions {
  /** Hit window, s; default 0.5. */
  windowSec?: number;
  /** Drop the first and last boundary; default true (see module comment). */
  trim?: boolean;
  beta?: number;
}

/** mir_eval.util.intervals_to_boundaries: unique sorted edges, rounded to 5 decimals. */
export function intervalsToBoundaries(intervals: readonly Interval[]): number[] {
  const edges = intervals.flatMap((iv) => [iv.startSec, iv.endSec]).map((t) => Math.round(t * 1e5) / 1e5);
  return [...new Set(edges)].sort((a, b) => a - b);
}

/** Boundary detection P/R/F (mir_eval.segment.detection). */
export function detectBoundaries(reference: readonly Interval[], estimated: readonly Interval[], options: BoundaryDetectionOptions = {}): PrecisionRecallF {
  const windowSec = options.windowSec ?? 0.5;
  const trim = options.trim ?? true;
  let ref = intervalsToBoundaries(reference);
  let est = intervalsToBoundaries(estimated);
  if (trim) {
    ref = ref.slice(1, -1);
    est = est.slice(1, -1);
  }
  if (ref.length === 0 || est.length === 0) return { precision: 0, recall: 0, fMeasure: 0 };
  const hits = matchEvents(ref, est, windowSec).length;
  const precision = hits / est.length;
  const recall = hits / ref.length;
  return { precision, recall, fMeasure: fMeasure(precision, recall, options.beta ?? 1) };
}

export interface PairwiseOptions {
  /** Sampling period, s; default 0.1. */
  frameSizeSec?: number;
  beta?: number;
}

/**
 * mir_eval.util.intervals_to_samples: labels at t_i = i·frameSize (float32 arithmetic, as
 * mir_eval computes them), i < floor(max end / frameSize). A sample on a shared edge takes the
 * later interval's label; uncovered samples get null.
 */
export function sampleIntervalLabels(intervals: readonly LabeledInterval[], frameSizeSec: number): Array<string | null> {
  if (intervals.length === 0) return [];
  const maxEnd = Math.max(...intervals.map((iv) => iv.endSec));
  const n = Math.floor(maxEnd / frameSizeSec);
  const step = Math.fround(frameSizeSec);
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = Math.fround(i * step);
  const labels: Array<string | null> = new Array(n).fill(null);
  const firstAtOrAfter = (x: number, inclusive: boolean): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inclusive ? times[mid] < x : times[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const iv of [...intervals].sort((a, b) => a.startSec - b.startSec)) {
    const from = firstAtOrAfter(iv.startSec, true);
    const to = firstAtOrAfter(iv.endSec, false);
    for (let i = from; i < to; i++) labels[i] = iv.label;
  }
  return labels;
}

function pairsAgreeing(counts: Iterable<number>): number {
  let s = 0;
  for (const c of counts) s += (c * (c - 1)) / 2;
  return s;
}

/** Pairwise frame-clustering P/R/F (mir_eval.segment.pairwise). Either side empty → 0. */
export function pairwiseLabelF(reference: readonly LabeledInterval[], estimated: readonly LabeledInterval[], options: PairwiseOptions = {}): PrecisionRecallF {
  const frame = options.frameSizeSec ?? 0.1;
  if (reference.length === 0 || estimated.length === 0) return { precision: 0, recall: 0, fMeasure: 0 };
  const yRef = sampleIntervalLabels(reference, frame);
  const yEst = sampleIntervalLabels(estimated, frame);
  const n = Math.min(yRef.length, yEst.length);
  const refCounts = new Map<string | null, number>();
  const estCounts = new Map<string | null, number>();
  const jointCounts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    refCounts.set(yRef[i], (refCounts.get(yRef[i]) ?? 0) + 1);
    estCounts.set(yEst[i], (estCounts.get(yEst[i]) ?? 0) + 1);
    const key = JSON.stringify([yRef[i], yEst[i]]);
    jointCounts.set(key, (jointCounts.get(key) ?? 0) + 1);
  }
  const agreeRef = pairsAgreeing(refCounts.values());
  const agreeEst = pairsAgreeing(estCounts.values());
  const matches = pairsAgreeing(jointCounts.values());
  const precision = agreeEst > 0 ? matches / agreeEst : 0;
  const recall = agreeRef > 0 ? matches / agreeRef : 0;
  return { precision, recall, fMeasure: fMeasure(precision, recall, options.beta ?? 1) };
}

export interface SegmentScores {
  boundary05: PrecisionRecallF;
  boundary3: PrecisionRecallF;
  pairwise: PrecisionRecallF;
}

/**
 * Boundary F at 0.5 s and 3 s and pairwise label F, after mir_eval.segment.evaluate's span
 * adjustment (labels '__T_MIN' / '__T_MAX' for the padding). An empty reference scores 0.
 */
export function evaluateSegments(
  reference: readonly LabeledInterval[],
  estimated: readonly LabeledInterval[],
  options: { trim?: boolean; frameSizeSec?: number } = {},
): SegmentScores {
  const zero = { precision: 0, recall: 0, fMeasure: 0 };
  if (reference.length === 0) return { boundary05: zero, boundary3: zero, pairwise: zero };
  const refEnd = Math.max(...reference.map((iv) => iv.endSec));
  const ref = adjustIntervals(reference, 0, refEnd, '__T_MIN');
  const est = adjustIntervals(estimated, 0, refEnd, '__T_MIN', '__T_MAX');
  return {
    boundary05: detectBoundaries(ref, est, { windowSec: 0.5, trim: options.trim }),
    boundary3: detectBoundaries(ref, est, { windowSec: 3, trim: options.trim }),
    pairwise: pairwiseLabelF(ref, est, { frameSizeSec: options.frameSizeSec }),
  };
}
