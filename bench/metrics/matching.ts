/**
 * Shared pieces of the mir_eval definitions (Raffel et al., "mir_eval: a transparent
 * implementation of common MIR metrics", ISMIR 2014): the F-measure, and the maximum bipartite
 * matching of events under a tolerance window (mir_eval.util.match_events), which guarantees each
 * reference and each estimate is matched at most once and that the number of matches is as large
 * as possible.
 */

/** Precision, recall and F-measure, each in [0, 1]. */
export interface PrecisionRecallF {
  precision: number;
  recall: number;
  fMeasure: number;
}

/**
 * Weighted F-measure (mir_eval.util.f_measure): (1 + β²)·P·R / (β²·P + R); 0 when P = R = 0.
 */
export function fMeasure(precision: number, recall: number, beta = 1): number {
  if (precision === 0 && recall === 0) return 0;
  return ((1 + beta * beta) * precision * recall) / (beta * beta * precision + recall);
}

/** P/R/F from a match count; 0 for all three when either side is empty (as mir_eval does). */
export function scoreMatches(matches: number, numReference: number, numEstimated: number, beta = 1): PrecisionRecallF {
  if (numReference === 0 || numEstimated === 0) return { precision: 0, recall: 0, fMeasure: 0 };
  const precision = matches / numEstimated;
  const recall = matches / numReference;
  return { precision, recall, fMeasure: fMeasure(precision, recall, beta) };
}

/**
 * Size-maximal matching of a bipartite graph given as adjacency lists (left vertex → right
 * vertices it may match), by augmenting paths (Kuhn's algorithm; the matching size equals
 * Hopcroft–Karp's, which mir_eval uses). Returns match[right] = left, or -1 when unmatched.
 */
export function maxBipartiteMatching(adjacency: ReadonlyArray<readonly number[]>, numRight: number): Int32Array {
  const matchRight = new Int32Array(numRight).fill(-1);
  const visited = new Int32Array(numRight).fill(-1);
  const tryAugment = (u: number, stamp: number): boolean => {
    for (const v of adjacency[u]) {
      if (visited[v] === stamp) continue;
      visited[v] = stamp;
      if (matchRight[v] === -1 || tryAugment(matchRight[v], stamp)) {
        matchRight[v] = u;
        return true;
      }
    }
    return false;
  };
  // Greedy first pass (cheap), then augment from every still-unmatched left vertex.
  const matchedLeft = new Uint8Array(adjacency.length);
  for (let u = 0; u < adjacency.length; u++) {
    for (const v of adjacency[u]) {
      if (matchRight[v] === -1) {
        matchRight[v] = u;
        matchedLeft[u] = 1;
        break;
      }
    }
  }
  for (let u = 0; u < adjacency.length; u++) if (!matchedLeft[u]) tryAugment(u, u);
  return matchRight;
}

/**
 * mir_eval.util.match_events: the largest set of pairs (ref[i], est[j]) with
 * |ref[i] − est[j]| ≤ windowSec, each event used at most once. Times in seconds, any order.
 * Returns the matched pairs as [refIndex, estIndex], sorted by estimate index.
 */
export function matchEvents(reference: readonly number[], estimated: readonly number[], windowSec: number): Array<[number, number]> {
  const order = reference.map((_, i) => i).sort((a, b) => reference[a] - reference[b]);
  const sorted = order.map((i) => reference[i]);
  const lowerBound = (x: number, strict: boolean): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? sorted[mid] <= x : sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Same hit test as mir_eval's _fast_hit_windows: est − w ≤ ref ≤ est + w.
  const adjacency = estimated.map((t) => {
    const start = lowerBound(t - windowSec, false);
    const end = lowerBound(t + windowSec, true);
    const refs: number[] = [];
    for (let k = start; k < end; k++) refs.push(order[k]);
    return refs;
  });
  const matchRef = maxBipartiteMatching(adjacency, reference.length);
  const pairs: Array<[number, number]> = [];
  matchRef.forEach((estIndex, refIndex) => {
    if (estIndex >= 0) pairs.push([refIndex, estIndex]);
  });
  return pairs.sort((a, b) => a[1] - b[1]);
}
