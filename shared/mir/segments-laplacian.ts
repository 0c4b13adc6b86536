/**
 * Section types by Laplacian structural decomposition (McFee & Ellis, "Analyzing song structure
 * with spectral clustering", ISMIR 2014) on a bar grid — the earlier method of
 * shared/mir/segments.ts, kept as `method: 'laplacian'` for comparison.
 *
 * The recurrence graph (repeats) and sequential links between neighbouring bars (continuity) are
 * balanced so that both carry equal weight on average; the smallest eigenvectors of the
 * normalised Laplacian (cyclic Jacobi), row-normalised, embed the bars; the eigengap (2..6) sets
 * the number of section types and k-means (deterministic farthest-point start) gives each bar a
 * type. Runs of equal types are the sections: runs shorter than the minimum are absorbed by the
 * neighbour they resemble, a run of m × the usual length of its type is split in m, and two
 * types that only ever occur as an ordered pair with the same timbre are merged.
 *
 * Units: bars (segment indices are bar indices, end exclusive).
 */
import type { LabelledSegment } from './segments-labels.js';
import { median } from '../dsp/stats.js';

/**
 * Eigen-decomposition of a symmetric n×n matrix by cyclic Jacobi rotations. Returns eigenvalues
 * (descending) and eigenvectors as columns of a row-major n×n matrix in the same order.
 */
function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let k = 0; k < n * n; k++) total += a[k] * a[k];
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-20 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-14) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** k-means on the rows of `points` (n × dim), deterministic farthest-point initialisation. */
function kMeans(points: Float64Array, n: number, dim: number, k: number): { labels: Int32Array; inertia: number } {
  const centres = new Float64Array(k * dim);
  const dist2 = (i: number, c: number): number => {
    let acc = 0;
    for (let d = 0; d < dim; d++) acc += (points[i * dim + d] - centres[c * dim + d]) ** 2;
    return acc;
  };
  for (let d = 0; d < dim; d++) centres[d] = points[d];
  const nearest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let best = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], dist2(i, c - 1));
      if (nearest[i] > nearest[best]) best = i;
    }
    for (let d = 0; d < dim; d++) centres[c * dim + d] = points[best * dim + d];
  }
  const labels = new Int32Array(n);
  let inertia = 0;
  for (let iter = 0; iter < 50; iter++) {
    let changed = false;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let bestC = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const dd = dist2(i, c);
        if (dd < bestD) {
          bestD = dd;
          bestC = c;
        }
      }
      inertia += bestD;
      if (labels[i] !== bestC || iter === 0) changed = changed || labels[i] !== bestC;
      labels[i] = bestC;
    }
    if (!changed && iter > 0) break;
    centres.fill(0);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let d = 0; d < dim; d++) centres[labels[i] * dim + d] += points[i * dim + d];
    }
    for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) centres[c * dim + d] /= Math.max(1, counts[c]);
  }
  return { labels, inertia };
}

/**
 * Laplacian spectral embedding (McFee & Ellis 2014): the graph mixes recurrence links (repeats)
 * and sequential links between neighbouring bars (continuity), balanced so that both carry equal
 * weight on average; the eigenvectors of the normalised Laplacian with the smallest eigenvalues,
 * row-normalised, embed every bar so that bars of the same section type cluster together.
 */
function laplacianEmbedding(rec: Float64Array, path: Float64Array, n: number): { eigenvalues: Float64Array; vectors: Float64Array } {
  const degRec = new Float64Array(n);
  const degPath = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      degRec[i] += rec[i * n + j];
      degPath[i] += path[i * n + j];
    }
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += degPath[i] * (degPath[i] + degRec[i]);
    den += (degPath[i] + degRec[i]) ** 2;
  }
  const mu = den > 0 ? num / den : 0.5;
  const affinity = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) affinity[k] = mu * rec[k] + (1 - mu) * path[k];
  const deg = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) deg[i] += affinity[i * n + j];
  // M = D^{-1/2} A D^{-1/2}; the Laplacian's smallest eigenvalues are 1 − M's largest.
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = Math.sqrt(deg[i] * deg[j]);
      m[i * n + j] = d > 0 ? affinity[i * n + j] / d : 0;
    }
  }
  const { values, vectors } = symmetricEigen(m, n);
  return { eigenvalues: values.map((v) => 1 - v), vectors };
}


/**
 * Runs of equal bar labels → segments. Runs shorter than `minBars` are absorbed by the
 * neighbouring run they resemble more (mean bar similarity). A run of one type that spans about
 * m ≥ 2 times the typical length of that type's other occurrences (e.g. a doubled last chorus) is
 * split into m equal parts, since repeats of a section type usually have one length.
 */
function segmentsFromLabels(labels: number[], minBars: number, sim: Float64Array, n: number): LabelledSegment[] {
  let runs: LabelledSegment[] = [];
  for (let i = 0; i < n; i++) {
    const last = runs[runs.length - 1];
    if (last && last.label === labels[i]) last.endBar = i + 1;
    else runs.push({ startBar: i, endBar: i + 1, label: labels[i] });
  }
  const meanSim = (a: LabelledSegment, b: LabelledSegment): number => {
    let acc = 0;
    for (let i = a.startBar; i < a.endBar; i++) for (let j = b.startBar; j < b.endBar; j++) acc += sim[i * n + j];
    return acc / ((a.endBar - a.startBar) * (b.endBar - b.startBar));
  };
  for (;;) {
    let shortest = -1;
    for (let r = 0; r < runs.length; r++) {
      const len = runs[r].endBar - runs[r].startBar;
      if (len < minBars && runs.length > 1 && (shortest < 0 || len < runs[shortest].endBar - runs[shortest].startBar)) shortest = r;
    }
    if (shortest < 0) break;
    const run = runs[shortest];
    const prev = runs[shortest - 1];
    const next = runs[shortest + 1];
    const target = !prev ? next : !next ? prev : meanSim(run, prev) >= meanSim(run, next) ? prev : next;
    target.startBar = Math.min(target.startBar, run.startBar);
    target.endBar = Math.max(target.endBar, run.endBar);
    runs.splice(shortest, 1);
    // Merge neighbours that now carry the same label.
    const merged: LabelledSegment[] = [];
    for (const r of runs) {
      const last = merged[merged.length - 1];
      if (last && last.label === r.label) last.endBar = r.endBar;
      else merged.push({ ...r });
    }
    runs = merged;
  }
  const out: LabelledSegment[] = [];
  for (const r of runs) {
    const len = r.endBar - r.startBar;
    const others = runs.filter((o) => o !== r && o.label === r.label).map((o) => o.endBar - o.startBar);
    const typical = others.length ? median(others) : 0;
    const m = typical >= minBars ? Math.round(len / typical) : 1;
    if (m >= 2 && Math.abs(len - m * typical) <= 1) {
      for (let p = 0; p < m; p++) {
        out.push({ startBar: r.startBar + Math.round((p * len) / m), endBar: r.startBar + Math.round(((p + 1) * len) / m), label: r.label });
      }
    } else out.push(r);
  }
  return out;
}

/**
 * Merge section types that only ever occur as an ordered pair with the same timbre: when every
 * segment of type X is immediately followed by one of type Y and every Y immediately preceded by
 * an X (at least twice), and the pairs are as homogeneous in timbre across the join as within
 * their parts (ratio ≥ `minTimbreRatio`), each X-Y pair becomes one segment of type X. The
 * spectral clustering tends to split a section whose chord progression has two distinct halves
 * into two types; the same instruments on both sides tell it from a verse always followed by a
 * chorus. Repeated until nothing changes.
 */
function mergeInseparablePairs(segments: LabelledSegment[], st: Float64Array, n: number, minTimbreRatio: number): LabelledSegment[] {
  const mean = (a: LabelledSegment, b: LabelledSegment): number => {
    let acc = 0;
    for (let i = a.startBar; i < a.endBar; i++) for (let j = b.startBar; j < b.endBar; j++) acc += st[i * n + j];
    return acc / ((a.endBar - a.startBar) * (b.endBar - b.startBar));
  };
  let segs = segments.map((x) => ({ ...x }));
  for (let changed = true; changed; ) {
    changed = false;
    const count = new Map<number, number>();
    for (const x of segs) count.set(x.label, (count.get(x.label) ?? 0) + 1);
    const pairs = new Map<string, number[]>();
    for (let i = 0; i + 1 < segs.length; i++) {
      const key = `${segs[i].label},${segs[i + 1].label}`;
      pairs.set(key, [...(pairs.get(key) ?? []), i]);
    }
    for (const [key, at] of pairs) {
      const [x, y] = key.split(',').map(Number);
      if (x === y || at.length < 2 || count.get(x) !== at.length || count.get(y) !== at.length) continue;
      let ratio = 0;
      for (const i of at) ratio += mean(segs[i], segs[i + 1]) / Math.sqrt(mean(segs[i], segs[i]) * mean(segs[i + 1], segs[i + 1]));
      if (ratio / at.length < minTimbreRatio) continue;
      const out: LabelledSegment[] = [];
      for (let i = 0; i < segs.length; i++) {
        if (segs[i].label === x && i + 1 < segs.length && segs[i + 1].label === y) {
          out.push({ startBar: segs[i].startBar, endBar: segs[i + 1].endBar, label: x });
          i++;
        } else out.push(segs[i]);
      }
      segs = out;
      changed = true;
      break;
    }
  }
  return segs;
}

/** Options of {@link laplacianSegments} (the same fields as SectionOptions in segments.ts). */
export interface LaplacianOptions {
  numSectionTypes?: number;
  minSectionTypes?: number;
  maxSectionTypes?: number;
  pairTimbreRatio?: number;
}

/**
 * Sections by Laplacian structural decomposition (see the module comment): `rec` the recurrence
 * graph, `path` the sequential links, `combined` the repetition similarity (for absorbing short
 * runs), `st` the timbre similarity (for merging inseparable pairs), all n × n over bars.
 */
export function laplacianSegments(
  rec: Float64Array,
  path: Float64Array,
  combined: Float64Array,
  st: Float64Array,
  n: number,
  minBars: number,
  options: LaplacianOptions,
): { segments: LabelledSegment[]; barLabels: number[]; eigenvalues: Float64Array; numTypes: number } {
  const { eigenvalues, vectors } = laplacianEmbedding(rec, path, n);
  const maxK = Math.max(2, Math.min(options.maxSectionTypes ?? 6, Math.floor(n / minBars)));
  let numTypes = options.numSectionTypes ?? 0;
  if (!numTypes) {
    // Eigengap heuristic: the number of clusters is where the Laplacian spectrum jumps most.
    let bestGap = -Infinity;
    for (let c = Math.min(options.minSectionTypes ?? 2, maxK); c <= maxK && c < n; c++) {
      const gap = eigenvalues[c] - eigenvalues[c - 1];
      if (gap > bestGap) {
        bestGap = gap;
        numTypes = c;
      }
    }
  }
  numTypes = Math.max(1, Math.min(numTypes, n));
  const embedding = new Float64Array(n * numTypes);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let c = 0; c < numTypes; c++) norm += vectors[i * n + c] ** 2;
    const g = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < numTypes; c++) embedding[i * numTypes + c] = vectors[i * n + c] * g;
  }
  const barLabels = Array.from(kMeans(embedding, n, numTypes, numTypes).labels);
  const segments = mergeInseparablePairs(segmentsFromLabels(barLabels, minBars, combined, n), st, n, options.pairTimbreRatio ?? 0.8);
  return { segments, barLabels, eigenvalues, numTypes };
}
