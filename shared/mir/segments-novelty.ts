/**
 * Boundary novelty curves on a bar grid, for music structure analysis (shared/mir/segments.ts).
 *
 * - Checkerboard novelty (Foote, "Automatic audio segmentation using a measure of audio
 *   novelty", ICME 2000): a Gaussian-tapered checkerboard kernel of half-width w bars slid along
 *   the diagonal of a self-similarity matrix; the value at bar line i (between bars i − 1 and i)
 *   is high when the w bars before and the w bars after are each self-similar but unlike each
 *   other (a change of instrumentation or harmony). Near the edges the kernel is truncated, its
 *   within-side and cross parts renormalised separately by their mass inside the matrix.
 * - Structural-feature novelty (Serrà, Müller, Grosche & Arcos, "Unsupervised music structure
 *   annotation by time series structure features and segment similarity", IEEE TMM 2014): the
 *   recurrence matrix is skewed to a time-lag matrix L[i, l] = R[i, (i + l) mod n] (or, folded,
 *   L[i, l] = max(R[i, i + l], R[i, i − l]) for l ≥ 1, so a bar repeated before and one repeated
 *   after at the same distance look alike), smoothed along time with a Gaussian, and the novelty
 *   at bar line i is the squared distance between consecutive rows (the repetition pattern
 *   changes at a section boundary even where the sound does not, e.g. between two different
 *   sections with the same instruments).
 *
 * Curves are indexed by bar line: entry i refers to the start of bar i (0 ≤ i ≤ n); entries 0
 * and n (the song's edges) are zero. Units: bars; values are normalised to a maximum of 1.
 */

/** Normalise in place to a maximum of 1 (a zero curve stays zero). */
export function normaliseMax(curve: Float64Array): Float64Array {
  let m = 0;
  for (const v of curve) m = Math.max(m, v);
  if (m > 0) for (let i = 0; i < curve.length; i++) curve[i] /= m;
  return curve;
}

/**
 * Foote checkerboard novelty of an n × n similarity matrix at every bar line, kernel half-width
 * `halfWidth` bars, Gaussian taper σ = max(1, halfWidth / 2) bars. The positive (within-side)
 * and negative (cross) parts of the kernel are each normalised by their mass inside the matrix,
 * so a truncated kernel at the edges still gives 0 on a homogeneous stretch. Bars for which
 * `skip` is true (silence) are left out of the kernel like bars outside the matrix, so the bars
 * on either side of a silence are compared with each other. Returns n + 1 values, clipped at 0
 * and normalised to a maximum of 1.
 */
export function checkerboardNovelty(ssm: Float64Array, n: number, halfWidth: number, skip?: (bar: number) => boolean): Float64Array {
  const out = new Float64Array(n + 1);
  const sigma = Math.max(1, halfWidth / 2);
  const taper = (d: number): number => Math.exp(-(d * d) / (2 * sigma * sigma));
  for (let b = 1; b < n; b++) {
    // Bars b − halfWidth .. b − 1 ("before") and b .. b + halfWidth − 1 ("after"): weighted mean
    // similarity within the two sides minus the weighted mean across them.
    let within = 0;
    let withinMass = 0;
    let across = 0;
    let acrossMass = 0;
    for (let u = -halfWidth; u < halfWidth; u++) {
      const i = b + u;
      if (i < 0 || i >= n || skip?.(i)) continue;
      for (let v = -halfWidth; v < halfWidth; v++) {
        const j = b + v;
        if (j < 0 || j >= n || skip?.(j)) continue;
        const w = taper(u + 0.5) * taper(v + 0.5);
        if (u < 0 === v < 0) {
          within += w * ssm[i * n + j];
          withinMass += w;
        } else {
          across += w * ssm[i * n + j];
          acrossMass += w;
        }
      }
    }
    out[b] = withinMass > 0 && acrossMass > 0 ? Math.max(0, within / withinMass - across / acrossMass) : 0;
  }
  return normaliseMax(out);
}

/**
 * Structural-feature novelty (Serrà et al. 2014) of an n × n recurrence matrix (0..1 weights):
 * circular time-lag matrix (`folded`: lag ±l folded onto l, see the module comment), Gaussian
 * smoothing over ±`smoothBars` bars along time (σ = smoothBars / 2), and the squared Euclidean distance between the smoothed lag rows of bars
 * i − 1 and i. Returns n + 1 values normalised to a maximum of 1.
 */
export function structuralFeatureNovelty(rec: Float64Array, n: number, smoothBars: number, folded = false): Float64Array {
  const lag = new Float64Array(n * n);
  if (folded) {
    for (let i = 0; i < n; i++) {
      for (let l = 1; l < n; l++) {
        const a = i + l < n ? rec[i * n + i + l] : 0;
        const b = i - l >= 0 ? rec[i * n + i - l] : 0;
        lag[i * n + l] = Math.max(a, b);
      }
    }
  } else for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) lag[i * n + l] = rec[i * n + ((i + l) % n)];
  const sigma = Math.max(0.5, smoothBars / 2);
  const smooth = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let wsum = 0;
    for (let k = -smoothBars; k <= smoothBars; k++) {
      const t = i + k;
      if (t < 0 || t >= n) continue;
      const w = Math.exp(-(k * k) / (2 * sigma * sigma));
      wsum += w;
      for (let l = 0; l < n; l++) smooth[i * n + l] += w * lag[t * n + l];
    }
    if (wsum > 0) for (let l = 0; l < n; l++) smooth[i * n + l] /= wsum;
  }
  const out = new Float64Array(n + 1);
  for (let b = 1; b < n; b++) {
    let d = 0;
    for (let l = 0; l < n; l++) d += (smooth[b * n + l] - smooth[(b - 1) * n + l]) ** 2;
    out[b] = d;
  }
  return normaliseMax(out);
}

