/**
 * Music structure analysis: section boundaries on bar lines, repetition letters and functional
 * names (intro, verse, chorus, bridge, outro).
 *
 * Method (Laplacian structural decomposition, McFee & Ellis 2014, on a bar grid):
 * 1. Bar grid from the beats and their positions in the bar (downbeats); extrapolated with the
 *    median bar length over stretches without beats (silent or beatless intros/outros), and
 *    gaps inside filled. Without beats a 2 s pseudo-bar grid is used.
 * 2. Bar-synchronous features: the sequence of beat-synchronous treble and bass chroma vectors
 *    within the bar (harmony and its order), and the bar's mean MFCC 1–12 plus its RMS level in
 *    dB (timbre, raw cepstral units).
 * 3. Bar self-similarities: cosine for chroma, exp(−d²/median d²) for timbre. For repetition,
 *    their weighted geometric mean (a repeat must match in harmony and, less strictly, in
 *    timbre), path-enhanced along diagonals (the larger of the forward and backward 2-bar
 *    averages), kept as a weighted mutual k-nearest-neighbour recurrence graph.
 * 4. Sequential links between neighbouring bars weighted by timbre similarity only (chords change
 *    inside a section, the instrumentation much less); the two graphs are balanced as in McFee &
 *    Ellis, and the smallest eigenvectors of the normalised Laplacian (cyclic Jacobi), row-
 *    normalised, embed the bars. The number of section types is the eigengap (2..6); k-means
 *    (deterministic farthest-point start) gives each bar a type.
 * 5. Runs of equal types are the sections, so boundaries fall on bar lines (downbeats). Runs
 *    shorter than 2 bars are absorbed by the neighbour they resemble; a run of m × the usual
 *    length of its type (a doubled chorus) is split in m; two types that only ever occur as an
 *    ordered pair with the same timbre (a section whose progression has two distinct halves)
 *    are merged. Repetition letters A, B, C… follow the types in order of first appearance.
 * 6. Functional names: of the repeated letters, the loudest is the chorus and the next most
 *    repeated the verse (further repeated letters are "instrumental"); unrepeated sections are
 *    intro (first), outro (last) or bridge (middle); near-silent sections are "silence".
 *
 * Known weakness (see bench/structure-dev.ts): a section played once through a progression whose
 * halves differ can still come out as two types, and sections whose progressions are rotations
 * of each other can be shifted by a bar.
 *
 * Inputs longer than 200 bars are analysed in units of several bars (boundaries on unit lines).
 *
 * Units: seconds throughout. Degenerate input: silence (or an empty signal) gives no sections;
 * an input shorter than four bars gives one section (letter A, "verse") over the whole input.
 * Never throws on valid shapes.
 */
import type { BeatEvent, SectionEvent, SectionFunction } from '../contracts/music.js';
import { computeMfcc } from './mfcc.js';
import type { AnalysisSignal } from './signal.js';

/** The parts of a chromagram this module reads (shared/mir/chroma.ts `Chromagram` satisfies it). */
export interface SectionChromagram {
  numFrames: number;
  /** Chroma frames per second; frame t is centred on t / frameRateHz seconds. */
  frameRateHz: number;
  /** numFrames × 12, frame-major, pitch class 0 = C. */
  treble: Float32Array;
  /** numFrames × 12 bass chroma (optional). */
  bass?: Float32Array;
}

export interface SectionOptions {
  /** Minimum section length, bars. Default 2. */
  minSectionBars?: number;
  /** Weight of chroma against timbre in the recurrence similarity (weighted geometric mean), 0..1. Default 0.85. */
  chromaWeight?: number;
  /** Length of the forward/backward diagonal path enhancement of the similarities, bars. Default 1. */
  pathLengthBars?: number;
  /** Recurrence neighbours per bar as a fraction of the number of bars. Default 0.1. */
  neighbourFraction?: number;
  /** Weight of the bass chroma inside the chroma feature, 0..1. Default 0.5. */
  bassWeight?: number;
  /** Sequential (continuity) links reach this many bars either side. Default 1. */
  sequentialBars?: number;
  /** z-score every timbre dimension across bars (else raw cepstral distances). Default false. */
  zScoreTimbre?: boolean;
  /** Most analysis units; longer inputs group bars into multi-bar units. Default 200. */
  maxUnits?: number;
  /** Force the number of section types (clusters); 0 = choose by the eigengap. Default 0. */
  numSectionTypes?: number;
  /** Timbre homogeneity across the join (0..1) above which an inseparable pair of types merges. Default 0.8. */
  pairTimbreRatio?: number;
  /** Fewest section types the eigengap may choose. Default 2. */
  minSectionTypes?: number;
  /** Most section types the eigengap may choose. Default 6. */
  maxSectionTypes?: number;
}

interface BarGrid {
  /** Bar start times, s; bar i spans [starts[i], starts[i + 1]) and the last ends at `lastEndSec`. */
  starts: number[];
  lastEndSec: number;
  beatsPerBar: number;
}

const FALLBACK_BEAT_SEC = 0.5;
const SILENCE_RMS = 1e-4;

/** Median of a non-empty numeric array. */
function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Bar grid over [0, durationSec] from the beats (see step 1 of the module comment). */
export function buildBarGrid(beats: BeatEvent[], beatsPerBar: number | null, durationSec: number): BarGrid {
  const sorted = beats.filter((b) => b.timeSec >= 0 && b.timeSec < durationSec).sort((a, b) => a.timeSec - b.timeSec);
  const bpb = beatsPerBar && beatsPerBar > 0 ? beatsPerBar : 4;
  let starts: number[];
  if (sorted.length < 2 * bpb) {
    starts = [];
    for (let t = 0; t < durationSec; t += FALLBACK_BEAT_SEC * 4) starts.push(t);
    return { starts, lastEndSec: durationSec, beatsPerBar: 4 };
  }
  const downbeats = sorted.filter((b) => b.positionInBar === 1).map((b) => b.timeSec);
  starts = downbeats.length >= 2 ? downbeats : sorted.filter((_, i) => i % bpb === 0).map((b) => b.timeSec);
  const gaps: number[] = [];
  for (let i = 1; i < starts.length; i++) gaps.push(starts[i] - starts[i - 1]);
  const barSec = starts.length >= 2 ? median(gaps) : bpb * median(sorted.slice(1).map((b, i) => b.timeSec - sorted[i].timeSec));
  // Extrapolate over beatless stretches at both ends.
  while (starts[0] > 0.5 * barSec) starts.unshift(starts[0] - barSec);
  let lastEnd = starts[starts.length - 1] + barSec;
  while (lastEnd < durationSec - 0.5 * barSec) {
    starts.push(lastEnd);
    lastEnd += barSec;
  }
  // Fill large holes inside (beat tracker dropouts) with extrapolated bars.
  const filled: number[] = [starts[0]];
  for (let i = 1; i < starts.length; i++) {
    const gap = starts[i] - filled[filled.length - 1];
    const k = Math.round(gap / barSec);
    for (let j = 1; j < k; j++) filled.push(filled[filled.length - 1] + gap / k);
    filled.push(starts[i]);
  }
  return { starts: filled, lastEndSec: Math.min(durationSec, lastEnd), beatsPerBar: bpb };
}

/**
 * Long inputs: merge consecutive bars into units of ⌈bars / maxUnits⌉ bars so that the
 * eigen-decomposition (O(units³)) stays fast; boundaries then fall on unit lines.
 */
function coarsenGrid(grid: BarGrid, maxUnits: number): BarGrid {
  const group = Math.ceil(grid.starts.length / Math.max(4, maxUnits));
  if (group <= 1) return grid;
  return { ...grid, starts: grid.starts.filter((_, i) => i % group === 0) };
}

function barEnd(grid: BarGrid, i: number): number {
  return i + 1 < grid.starts.length ? grid.starts[i + 1] : grid.lastEndSec;
}

/** Mean of rows [t0, t1) of a frame-major matrix with `dim` columns into out (nearest row if empty). */
function meanRows(data: Float32Array, numRows: number, dim: number, t0: number, t1: number, out: Float64Array, outOffset: number): void {
  let a = Math.max(0, Math.min(numRows - 1, t0));
  let b = Math.max(a + 1, Math.min(numRows, t1));
  if (numRows === 0) {
    a = 0;
    b = 0;
  }
  for (let d = 0; d < dim; d++) out[outOffset + d] = 0;
  for (let t = a; t < b; t++) for (let d = 0; d < dim; d++) out[outOffset + d] += data[t * dim + d];
  const n = b - a;
  if (n > 0) for (let d = 0; d < dim; d++) out[outOffset + d] /= n;
}

/** L2-normalise out[offset .. offset + dim) in place (zero vectors stay zero). */
function normalise(v: Float64Array, offset: number, dim: number, scale = 1): void {
  let s = 0;
  for (let d = 0; d < dim; d++) s += v[offset + d] * v[offset + d];
  const g = s > 0 ? scale / Math.sqrt(s) : 0;
  for (let d = 0; d < dim; d++) v[offset + d] *= g;
}

interface BarFeatures {
  numBars: number;
  chromaDim: number;
  /** numBars × chromaDim, each row unit length (or zero). */
  chroma: Float64Array;
  timbreDim: number;
  /** numBars × timbreDim, z-scored per dimension. */
  timbre: Float64Array;
  /** Bar RMS in dBFS. */
  energyDb: Float64Array;
}

function computeBarFeatures(signal: AnalysisSignal, grid: BarGrid, chroma: SectionChromagram, bassWeight: number, zScoreTimbre: boolean): BarFeatures {
  const numBars = grid.starts.length;
  const bpb = grid.beatsPerBar;
  const chromaDim = bpb * 24;
  const chromaOut = new Float64Array(numBars * chromaDim);
  const fr = chroma.frameRateHz;
  for (let i = 0; i < numBars; i++) {
    const t0 = grid.starts[i];
    const t1 = barEnd(grid, i);
    for (let j = 0; j < bpb; j++) {
      const a = t0 + ((t1 - t0) * j) / bpb;
      const b = t0 + ((t1 - t0) * (j + 1)) / bpb;
      const f0 = Math.ceil(a * fr);
      const f1 = Math.ceil(b * fr);
      const o = i * chromaDim + j * 24;
      meanRows(chroma.treble, chroma.numFrames, 12, f0, f1, chromaOut, o);
      normalise(chromaOut, o, 12, 1 - bassWeight);
      if (chroma.bass) {
        meanRows(chroma.bass, chroma.numFrames, 12, f0, f1, chromaOut, o + 12);
        normalise(chromaOut, o + 12, 12, bassWeight);
      }
    }
    normalise(chromaOut, i * chromaDim, chromaDim);
  }

  // Timbre: MFCC 1..12 mean per bar, plus bar energy.
  const spec = signal.magnitude(2048, 512);
  const mfcc = computeMfcc(spec, { numCoefficients: 13 });
  const frameRate = spec.sampleRate / spec.hopLength;
  const timbreDim = 13;
  const timbre = new Float64Array(numBars * timbreDim);
  const energyDb = new Float64Array(numBars);
  const tmp = new Float64Array(13);
  const x = signal.mono;
  const sr = signal.sampleRate;
  for (let i = 0; i < numBars; i++) {
    const t0 = grid.starts[i];
    const t1 = barEnd(grid, i);
    meanRows(mfcc.coefficients, mfcc.numFrames, 13, Math.round(t0 * frameRate), Math.round(t1 * frameRate), tmp, 0);
    for (let c = 1; c < 13; c++) timbre[i * timbreDim + c - 1] = tmp[c];
    const s0 = Math.max(0, Math.floor(t0 * sr));
    const s1 = Math.min(x.length, Math.floor(t1 * sr));
    let acc = 0;
    for (let s = s0; s < s1; s++) acc += x[s] * x[s];
    const rms = s1 > s0 ? Math.sqrt(acc / (s1 - s0)) : 0;
    energyDb[i] = 20 * Math.log10(Math.max(rms, 1e-5));
    timbre[i * timbreDim + 12] = energyDb[i];
  }
  if (zScoreTimbre) {
    // z-score each timbre dimension across bars.
    for (let d = 0; d < timbreDim; d++) {
      let m = 0;
      for (let i = 0; i < numBars; i++) m += timbre[i * timbreDim + d];
      m /= numBars;
      let v = 0;
      for (let i = 0; i < numBars; i++) v += (timbre[i * timbreDim + d] - m) ** 2;
      const sd = Math.sqrt(v / numBars) || 1;
      for (let i = 0; i < numBars; i++) timbre[i * timbreDim + d] = (timbre[i * timbreDim + d] - m) / sd;
    }
  }
  return { numBars, chromaDim, chroma: chromaOut, timbreDim, timbre, energyDb };
}

/** Cosine self-similarity of unit rows (clamped to [0, 1]). */
function cosineSsm(rows: Float64Array, n: number, dim: number): Float64Array {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let acc = 0;
      for (let d = 0; d < dim; d++) acc += rows[i * dim + d] * rows[j * dim + d];
      const v = Math.max(0, Math.min(1, acc));
      s[i * n + j] = v;
      s[j * n + i] = v;
    }
  }
  return s;
}

/** Gaussian-kernel self-similarity exp(−d²/median(d²)). */
function gaussianSsm(rows: Float64Array, n: number, dim: number): Float64Array {
  const d2 = new Float64Array(n * n);
  const off: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let acc = 0;
      for (let d = 0; d < dim; d++) acc += (rows[i * dim + d] - rows[j * dim + d]) ** 2;
      d2[i * n + j] = acc;
      d2[j * n + i] = acc;
      off.push(acc);
    }
  }
  const scale = off.length ? median(off) || 1 : 1;
  const s = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) s[k] = Math.exp(-d2[k] / scale);
  return s;
}

/**
 * Path enhancement: each similarity becomes the larger of its forward and backward diagonal
 * averages, mean_k S[i+k, j+k] over k = 0..length and over k = 0..−length, so a cell is high
 * only when a sequence of bars repeats (not a single chord), and the first and last bars of a
 * repeated section keep their links even when what precedes or follows it differs.
 */
function enhancePaths(ssm: Float64Array, n: number, length: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let fwd = 0;
      let fwdCount = 0;
      let bwd = 0;
      let bwdCount = 0;
      for (let k = 0; k <= length; k++) {
        if (i + k < n && j + k < n) {
          fwd += ssm[(i + k) * n + j + k];
          fwdCount++;
        }
        if (i - k >= 0 && j - k >= 0) {
          bwd += ssm[(i - k) * n + j - k];
          bwdCount++;
        }
      }
      out[i * n + j] = Math.max(fwd / fwdCount, bwd / bwdCount);
    }
  }
  return out;
}

/**
 * Weighted mutual k-nearest-neighbour recurrence graph: bars i and j (|i − j| > 1) are linked
 * with weight sim[i, j] when each is among the other's k most similar bars.
 */
function recurrenceGraph(sim: Float64Array, n: number, k: number): Float64Array {
  const theta = new Float64Array(n);
  const row: number[] = [];
  for (let i = 0; i < n; i++) {
    row.length = 0;
    for (let j = 0; j < n; j++) if (Math.abs(i - j) > 1) row.push(sim[i * n + j]);
    row.sort((x, y) => y - x);
    theta[i] = row.length ? row[Math.min(k, row.length) - 1] : Infinity;
  }
  const rec = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (Math.abs(i - j) <= 1) continue;
      const v = sim[i * n + j];
      if (v >= theta[i] && v >= theta[j]) rec[i * n + j] = v;
    }
  }
  return rec;
}

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

interface Segment {
  startBar: number;
  endBar: number;
  /** Section type (cluster id). */
  label: number;
}

/**
 * Runs of equal bar labels → segments. Runs shorter than `minBars` are absorbed by the
 * neighbouring run they resemble more (mean bar similarity). A run of one type that spans about
 * m ≥ 2 times the typical length of that type's other occurrences (e.g. a doubled last chorus) is
 * split into m equal parts, since repeats of a section type usually have one length.
 */
function segmentsFromLabels(labels: number[], minBars: number, sim: Float64Array, n: number): Segment[] {
  let runs: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const last = runs[runs.length - 1];
    if (last && last.label === labels[i]) last.endBar = i + 1;
    else runs.push({ startBar: i, endBar: i + 1, label: labels[i] });
  }
  const meanSim = (a: Segment, b: Segment): number => {
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
    const merged: Segment[] = [];
    for (const r of runs) {
      const last = merged[merged.length - 1];
      if (last && last.label === r.label) last.endBar = r.endBar;
      else merged.push({ ...r });
    }
    runs = merged;
  }
  const out: Segment[] = [];
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
function mergeInseparablePairs(segments: Segment[], st: Float64Array, n: number, minTimbreRatio: number): Segment[] {
  const mean = (a: Segment, b: Segment): number => {
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
      const out: Segment[] = [];
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

/** Share of the segment's bars whose own cluster agrees with the segment's, 0..1. */
function segmentConfidence(seg: Segment, barLabels: number[]): number {
  let agree = 0;
  for (let i = seg.startBar; i < seg.endBar; i++) if (barLabels[i] === seg.label) agree++;
  return agree / (seg.endBar - seg.startBar);
}

/** Letters A, B, C… in order of first appearance (AA, AB… past Z). */
function letterFor(index: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return index < 26 ? alphabet[index] : alphabet[Math.floor(index / 26) - 1] + alphabet[index % 26];
}

/** Functional names from the repetition letters and energies (step 6 of the module comment). */
function nameSections(letters: string[], energyDb: number[]): SectionFunction[] {
  const count = new Map<string, number>();
  const energy = new Map<string, number>();
  letters.forEach((l, i) => {
    count.set(l, (count.get(l) ?? 0) + 1);
    energy.set(l, (energy.get(l) ?? 0) + energyDb[i]);
  });
  const repeated = [...count.keys()].filter((l) => (count.get(l) ?? 0) >= 2);
  const meanEnergy = (l: string): number => (energy.get(l) ?? 0) / (count.get(l) ?? 1);
  let chorus: string | null = null;
  let verse: string | null = null;
  if (repeated.length > 0) {
    chorus = repeated.slice().sort((a, b) => meanEnergy(b) - meanEnergy(a) || (count.get(b) ?? 0) - (count.get(a) ?? 0))[0];
    const rest = repeated.filter((l) => l !== chorus).sort((a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0) || meanEnergy(b) - meanEnergy(a));
    verse = rest.length > 0 ? rest[0] : null;
  }
  const maxEnergy = Math.max(...energyDb);
  return letters.map((l, i) => {
    if (energyDb[i] < maxEnergy - 40 || energyDb[i] <= 20 * Math.log10(SILENCE_RMS)) return 'silence';
    if (l === chorus) return 'chorus';
    if (l === verse) return 'verse';
    if ((count.get(l) ?? 0) >= 2) return 'instrumental';
    if (i === 0) return 'intro';
    if (i === letters.length - 1) return 'outro';
    return 'bridge';
  });
}

/**
 * Sections of a song (see the module comment for the method). `beats` and `beatsPerBar` come from
 * the rhythm analysis, `chroma` from the tonal analysis of the same signal.
 */
export function estimateSections(
  signal: AnalysisSignal,
  beats: BeatEvent[],
  beatsPerBar: number | null,
  chroma: SectionChromagram,
  options: SectionOptions = {},
): SectionEvent[] {
  return analyzeStructure(signal, beats, beatsPerBar, chroma, options).sections;
}

/** The sections together with the intermediate curves, for inspection and benchmarks. */
export interface StructureAnalysis {
  sections: SectionEvent[];
  /** Bar start times, s. */
  barStartsSec: number[];
  /** Cluster (section type) of every bar. */
  barLabels: number[];
  /** Normalised-Laplacian eigenvalues, ascending. */
  eigenvalues: Float64Array;
  /** Number of section types (clusters) used. */
  numSectionTypes: number;
}

/** {@link estimateSections} with its intermediate results. */
export function analyzeStructure(
  signal: AnalysisSignal,
  beats: BeatEvent[],
  beatsPerBar: number | null,
  chroma: SectionChromagram,
  options: SectionOptions = {},
): StructureAnalysis {
  const durationSec = signal.durationSec;
  const empty = (sections: SectionEvent[]): StructureAnalysis => ({ sections, barStartsSec: [], barLabels: [], eigenvalues: new Float64Array(0), numSectionTypes: sections.length });
  if (!(durationSec > 0)) return empty([]);
  let peak = 0;
  for (let i = 0; i < signal.mono.length; i++) peak = Math.max(peak, Math.abs(signal.mono[i]));
  if (peak < SILENCE_RMS) return empty([]);
  const grid = coarsenGrid(buildBarGrid(beats, beatsPerBar, durationSec), options.maxUnits ?? 200);
  const n = grid.starts.length;
  const whole: SectionEvent = { startSec: 0, endSec: durationSec, label: 'verse', letter: 'A', confidence: 0 };
  if (n < 4) return empty([whole]);
  const minBars = options.minSectionBars ?? 2;
  const chromaWeight = options.chromaWeight ?? 0.85;
  const features = computeBarFeatures(signal, grid, chroma, options.bassWeight ?? 0.5, options.zScoreTimbre ?? false);
  const sc = cosineSsm(features.chroma, n, features.chromaDim);
  const st = gaussianSsm(features.timbre, n, features.timbreDim);
  const pathHalf = options.pathLengthBars ?? 1;
  const sc2 = enhancePaths(sc, n, pathHalf);
  const st2 = enhancePaths(st, n, pathHalf);
  const combined = new Float64Array(n * n);
  // A repeat must match in harmony AND timbre: weighted geometric mean of the two similarities.
  for (let q = 0; q < n * n; q++) combined[q] = Math.pow(sc2[q], chromaWeight) * Math.pow(st2[q], 1 - chromaWeight);
  const rec = recurrenceGraph(combined, n, Math.max(2, Math.ceil((options.neighbourFraction ?? 0.1) * n)));
  // Sequential links: timbre similarity of neighbouring bars (chords change inside a section,
  // instrumentation much less), over ±sequentialBars bars.
  const path = new Float64Array(n * n);
  const reach = options.sequentialBars ?? 1;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j <= Math.min(n - 1, i + reach); j++) {
      path[i * n + j] = st[i * n + j];
      path[j * n + i] = st[i * n + j];
    }
  }
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
  const k = segments.length;
  const letterOf = new Map<number, string>();
  const letters = segments.map((seg) => {
    if (!letterOf.has(seg.label)) letterOf.set(seg.label, letterFor(letterOf.size));
    return letterOf.get(seg.label) as string;
  });
  const segEnergy = segments.map((s) => {
    let acc = 0;
    for (let i = s.startBar; i < s.endBar; i++) acc += features.energyDb[i];
    return acc / (s.endBar - s.startBar);
  });
  const names = nameSections(letters, segEnergy);
  const sections = segments.map((s, i) => ({
    startSec: i === 0 ? 0 : grid.starts[s.startBar],
    endSec: i === k - 1 ? durationSec : grid.starts[s.endBar],
    label: names[i],
    letter: letters[i],
    confidence: segmentConfidence(s, barLabels),
  }));
  return { sections, barStartsSec: grid.starts, barLabels, eigenvalues, numSectionTypes: numTypes };
}
