/**
 * Repetition labels for contiguous segments of a bar grid (shared/mir/segments.ts): segment
 * similarity by diagonal alignment in a bar self-similarity matrix, then average-linkage
 * agglomerative clustering of the segments with a similarity threshold.
 *
 * Method (segment-similarity clustering after boundary detection, as in Serrà, Müller, Grosche
 * & Arcos, IEEE TMM 2014, §III-C, and Paulus & Klapuri's segment-pair distances, IEEE TASLP
 * 2009): the similarity of segments p and q is the best mean of the bar similarities along a
 * diagonal path that aligns the shorter segment bar by bar with some position inside the longer
 * one (a repeat plays the same chords in the same order, so the order of the bars matters, not
 * only the chord set); a shorter repeat (a half chorus) then still matches. Segments are merged
 * into section types, most similar first, while the average-linkage similarity of the two
 * groups is at least the threshold; the number of section types follows from the threshold
 * instead of being fixed.
 *
 * Units: bars (segment indices are bar indices, end exclusive); similarities 0..1.
 */

export interface BarSegment {
  /** First bar. */
  startBar: number;
  /** One past the last bar. */
  endBar: number;
}

/** A segment with its section type (cluster id). */
export interface LabelledSegment extends BarSegment {
  label: number;
}

/**
 * Best diagonal alignment similarity of segments p and q in the n × n bar similarity `sim`:
 * the shorter (length m) slides over every position inside the longer, the score is the mean of
 * sim along the aligned diagonal, maximised over positions. 0..1 if sim is.
 */
export function segmentSimilarity(sim: Float64Array, n: number, p: BarSegment, q: BarSegment): number {
  const lp = p.endBar - p.startBar;
  const lq = q.endBar - q.startBar;
  const [s, l] = lp <= lq ? [p, q] : [q, p];
  const m = Math.min(lp, lq);
  const span = Math.max(lp, lq) - m;
  let best = 0;
  for (let o = 0; o <= span; o++) {
    let acc = 0;
    for (let k = 0; k < m; k++) acc += sim[(s.startBar + k) * n + l.startBar + o + k];
    best = Math.max(best, acc / m);
  }
  return best;
}

/** n_seg × n_seg matrix of {@link segmentSimilarity} (diagonal 1). */
export function segmentSimilarityMatrix(sim: Float64Array, n: number, segments: BarSegment[]): Float64Array {
  const k = segments.length;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    out[a * k + a] = 1;
    for (let b = a + 1; b < k; b++) {
      const v = segmentSimilarity(sim, n, segments[a], segments[b]);
      out[a * k + b] = v;
      out[b * k + a] = v;
    }
  }
  return out;
}

/**
 * Average-linkage agglomerative clustering of k items with similarity matrix `segSim`: merge
 * the most similar pair of groups while their mean pairwise similarity is ≥ `threshold`.
 * Returns a group id per item, numbered in order of first appearance.
 */
export function clusterSegments(segSim: Float64Array, k: number, threshold: number): number[] {
  let groups: number[][] = Array.from({ length: k }, (_, i) => [i]);
  const link = (a: number[], b: number[]): number => {
    let acc = 0;
    for (const i of a) for (const j of b) acc += segSim[i * k + j];
    return acc / (a.length * b.length);
  };
  for (;;) {
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        const v = link(groups[i], groups[j]);
        if (v > best) {
          best = v;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0 || best < threshold) break;
    groups[bi] = [...groups[bi], ...groups[bj]];
    groups = groups.filter((_, g) => g !== bj);
  }
  const label = new Array<number>(k).fill(-1);
  groups.sort((a, b) => Math.min(...a) - Math.min(...b));
  groups.forEach((g, id) => g.forEach((i) => (label[i] = id)));
  return label;
}
