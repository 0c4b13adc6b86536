/**
 * Music structure analysis: section boundaries on bar lines, repetition letters and functional
 * names (intro, verse, chorus, bridge, outro).
 *
 * Method (default `method: 'novelty'`; boundaries by novelty, labels by segment clustering, on a
 * bar grid):
 * 1. Bar grid from the beats and their positions in the bar (downbeats); extrapolated with the
 *    median bar length over stretches without beats (silent or beatless intros/outros), and
 *    gaps inside filled. Without beats a 2 s pseudo-bar grid is used.
 * 2. Bar-synchronous features: the sequence of beat-synchronous treble and bass chroma vectors
 *    within the bar (harmony and its order), and the bar's mean MFCC 1–12 plus its RMS level in
 *    dB, floored 12 dB under the median bar (timbre, raw cepstral units; both at the reference
 *    level of level.ts, so the sections do not depend on the input's gain).
 * 3. Bar self-similarities: cosine for chroma, exp(−d²/median d²) for timbre. For repetition,
 *    their weighted geometric mean (a repeat must match in harmony and, less strictly, in
 *    timbre), path-enhanced along diagonals (the larger of the forward and backward 2-bar
 *    averages), kept as a weighted mutual k-nearest-neighbour recurrence graph.
 * 4. Candidate boundaries (shared/mir/segments-novelty.ts): a weighted mean of a Foote
 *    checkerboard novelty on the timbre similarity (kernel ±3 bars, weight 0.65: a change of
 *    instrumentation or level) and the structural-feature novelty of the recurrence graph
 *    (Serrà et al. 2014, lag folded to |lag|, weight 0.35: a change of what repeats where). Its
 *    local maxima ≥ 0.15 of the largest are kept by non-maximum suppression at least 3 bars apart
 *    (phrases are rarely shorter), never inside the silent lead-in or tail. A silence inside the
 *    music (bars 25 dB under the median) is a section of its own, cut on both sides and left
 *    out of the novelty and of the clustering, so the sections around it keep their letters.
 *    Boundaries are therefore bar lines (downbeats). Timbre leads because the repetition
 *    novelty cannot place a boundary between two sections that repeat at one lag (verse,
 *    chorus, verse, chorus: the verse and chorus ran together); the ±3-bar kernel averages out
 *    the bar-to-bar timbre changes of the chords. (With ±2 bars and equal weights, sections F@3 was 0.954 on seeds
 *    1–40, on which the method was developed, but 0.895 on seeds 41–80 and 0.887 on 81–120. The
 *    values were chosen on seeds 1–80 and checked on 81–120: then 0.959 / 0.936 / 0.928, and
 *    0.959 / 0.939 / 0.935 with the end alignment of step 5, 0.970 / 0.943 / 0.942 with its
 *    phrase-length split; truth beats, bench/structure-dev.ts.)
 * 5. Labels (shared/mir/segments-labels.ts): a piece merges into the section before it when it
 *    repeats that section's opening bars (a progression played twice, cut by a spurious peak);
 *    the pieces are then clustered by diagonal-alignment similarity on a bar similarity that
 *    weighs timbre more (harmony in beat order on mean-removed chroma, weight 0.6, times timbre,
 *    weight 0.4: a repeat keeps its instruments), average linkage with threshold 0.5, so the
 *    number of section types follows from the threshold. Neighbours with one label join; each
 *    repeated section's start then moves by ≤ 2 bars to line up bar by bar with the start of its
 *    best-marked occurrence (repetition is exact, timbre changes can be smeared over a bar);
 *    a repeated section followed by an unrepeated one (a chorus before the bridge) ends, by the
 *    same reach, where its last bars line up with the end of another occurrence;
 *    a run of m × the usual length (≥ 4 bars) of its type (two choruses back to back) is split in m.
 *    Repetition letters A, B, C… follow the types in order of first appearance.
 * 6. Functional names: of the repeated letters, the loudest is the chorus and the next most
 *    repeated the verse (further repeated letters are "instrumental"); unrepeated sections are
 *    intro (first), outro (last) or bridge (middle); near-silent sections are "silence".
 *
 * `method: 'laplacian'` keeps the earlier bar clustering for comparison (Laplacian structural
 * decomposition, McFee & Ellis 2014): sequential links between neighbouring bars weighted by
 * timbre, balanced against the recurrence graph; the smallest eigenvectors of the normalised
 * Laplacian embed the bars, the eigengap (2..6) sets the number of types, k-means assigns them,
 * and runs of equal types are the sections (runs < 2 bars absorbed, inseparable type pairs
 * merged). It misses boundaries when the eigengap picks too few types.
 *
 * Known weaknesses (see bench/structure-dev.ts): a verse and chorus with similar instruments
 * whose progressions share their opening chords can take one letter (and then one section);
 * a boundary with no timbre change and a weak repetition cue can be missed or land a bar or two
 * off when the section is not repeated; a chorus that opens on the chord the verse ended on can
 * be found a bar late, in every occurrence (generator seeds 49 and 59).
 *
 * Inputs longer than 200 bars are analysed in units of several bars (boundaries on unit lines).
 *
 * Units: seconds throughout. Degenerate input: silence (or an empty signal) gives no sections;
 * an input shorter than four bars gives one section (letter A, "verse") over the whole input.
 * Never throws on valid shapes.
 */
import type { BeatEvent, SectionEvent, SectionFunction } from '../contracts/music.js';
import { signalMfcc } from './mfcc.js';
import { levelGain } from './level.js';
import { clusterSegments, segmentSimilarity, segmentSimilarityMatrix, type LabelledSegment } from './segments-labels.js';
import { laplacianSegments } from './segments-laplacian.js';
import { checkerboardNovelty, normaliseMax, structuralFeatureNovelty } from './segments-novelty.js';
import type { AnalysisSignal } from './signal.js';
import { median } from '../dsp/stats.js';

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
  /**
   * 'novelty' (default): boundaries from novelty peaks, labels by segment clustering (see the
   * module comment); 'laplacian': the earlier bar clustering by Laplacian structural
   * decomposition, boundaries where the bar labels change.
   */
  method?: 'novelty' | 'laplacian';
  /** Kernel half-width of the timbre checkerboard novelty, bars. Default 3. */
  noveltyHalfWidthBars?: number;
  /** Gaussian smoothing half-width of the structural features, bars. Default 2. */
  structureSmoothBars?: number;
  /** Candidate boundaries are novelty maxima within ± (this − 1) bars. Default 3. */
  peakDistanceBars?: number;
  /** Repeated sections may move their start by up to this many bars to line up with their reference occurrence. Default 2 (0 = off). */
  alignReachBars?: number;
  /** 'nms' (default): non-maximum suppression of the novelty's local maxima; 'local-max': maxima over ±(peakDistanceBars − 1). */
  peakPicking?: 'nms' | 'local-max';
  /** Weight of chroma against timbre in the bar similarity used for labels (weighted geometric mean), 0..1. Default 0.6. */
  labelChromaWeight?: number;
  /** Weight of the timbre novelty against the repetition (structural-feature) novelty, 0..1. Default 0.65. */
  timbreNoveltyWeight?: number;
  /** Candidate boundaries: novelty peaks at least this high (0..1 of the curve’s maximum). Default 0.15. */
  noveltyThreshold?: number;
  /** Continuation similarity (0..1) at or above which a piece merges with the section before it. Default 0.5. */
  mergeThreshold?: number;
  /** LabelledSegment similarity (0..1) at or above which segments share a repetition letter. Default 0.5. */
  labelThreshold?: number;
}

interface BarGrid {
  /** Bar start times, s; bar i spans [starts[i], starts[i + 1]) and the last ends at `lastEndSec`. */
  starts: number[];
  lastEndSec: number;
  beatsPerBar: number;
}

const FALLBACK_BEAT_SEC = 0.5;
const SILENCE_RMS = 1e-4;
/**
 * Shortest usual length of a section type, bars, by which a longer run of that type is split
 * (step 5): a phrase. With 2 (the minimum section length), an 8-bar bridge labelled like a
 * 2-bar intro was cut in four (generator seeds 5, 27, 108, 120; bench/structure-dev.ts on seeds
 * 1–120: 8 songs score better, none worse).
 */
const SPLIT_UNIT_BARS = 4;
/**
 * Range of the bar energy in the timbre features under the median bar, dB. Without a floor, 8 s
 * fades at both ends set the novelty's scale with their ramps and moved or hid the boundaries
 * near them (generator seeds 41–80 faded: F@3 0.894 → 0.906, pairwise 0.876 → 0.884; unfaded
 * seeds 1–200 with truth beats unchanged, or by at most +0.003, bench/structure-dev.ts).
 */
const ENERGY_RANGE_DB = 12;
/** Bars this far below the median bar level, dB, count as silent lead-in or tail. */
const SILENT_BELOW_MEDIAN_DB = 25;

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

/**
 * Mean of the rows of a frame-major matrix (`dim` columns) over the span [x0, x1) in frame units,
 * row t covering [t, t + 1), each row weighted by its overlap with the span; into out. A span
 * within no row takes the nearest row. Weighting by overlap, rather than taking the rows that
 * start inside, makes the mean move continuously with the span's ends: a beat moved by a few
 * milliseconds moves a bar's features by a little, never by a whole frame.
 */
export function meanRowsOverlap(data: Float32Array, numRows: number, dim: number, x0: number, x1: number, out: Float64Array, outOffset: number): void {
  for (let d = 0; d < dim; d++) out[outOffset + d] = 0;
  if (numRows === 0) return;
  const lo = Math.max(0, x0);
  const hi = Math.min(numRows, x1);
  if (!(hi > lo)) {
    const t = Math.max(0, Math.min(numRows - 1, Math.floor(x0)));
    for (let d = 0; d < dim; d++) out[outOffset + d] = data[t * dim + d];
    return;
  }
  let total = 0;
  for (let t = Math.floor(lo); t < hi; t++) {
    const w = Math.min(hi, t + 1) - Math.max(lo, t);
    if (w <= 0) continue;
    total += w;
    for (let d = 0; d < dim; d++) out[outOffset + d] += w * data[t * dim + d];
  }
  for (let d = 0; d < dim; d++) out[outOffset + d] /= total;
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
      // Chroma frame f is centred on f / fr: it covers [f − ½, f + ½) frames, hence the half-frame shift.
      const x0 = a * fr + 0.5;
      const x1 = b * fr + 0.5;
      const o = i * chromaDim + j * 24;
      meanRowsOverlap(chroma.treble, chroma.numFrames, 12, x0, x1, chromaOut, o);
      normalise(chromaOut, o, 12, 1 - bassWeight);
      if (chroma.bass) {
        meanRowsOverlap(chroma.bass, chroma.numFrames, 12, x0, x1, chromaOut, o + 12);
        normalise(chromaOut, o + 12, 12, bassWeight);
      }
    }
    normalise(chromaOut, i * chromaDim, chromaDim);
  }

  // Timbre: MFCC 1..12 mean per bar, plus bar energy, both at the reference level (level.ts), so
  // that their floors sit as far under the music whatever the input's gain.
  const gain = levelGain(signal.loudLevel());
  const mfcc = signalMfcc(signal, 2048, 512, 13, gain);
  const frameRate = signal.sampleRate / 512;
  const timbreDim = 13;
  const timbre = new Float64Array(numBars * timbreDim);
  const energyDb = new Float64Array(numBars);
  const tmp = new Float64Array(13);
  const x = signal.mono;
  const sr = signal.sampleRate;
  for (let i = 0; i < numBars; i++) {
    const t0 = grid.starts[i];
    const t1 = barEnd(grid, i);
    meanRowsOverlap(mfcc.coefficients, mfcc.numFrames, 13, t0 * frameRate, t1 * frameRate, tmp, 0);
    for (let c = 1; c < 13; c++) timbre[i * timbreDim + c - 1] = tmp[c];
    const s0 = Math.max(0, Math.floor(t0 * sr));
    const s1 = Math.min(x.length, Math.floor(t1 * sr));
    let acc = 0;
    for (let s = s0; s < s1; s++) acc += x[s] * x[s];
    const rms = s1 > s0 ? Math.sqrt(acc / (s1 - s0)) : 0;
    energyDb[i] = 20 * Math.log10(Math.max(gain * rms, 1e-5));
  }
  // The energy dimension is floored ENERGY_RANGE_DB under the median bar: a fade, or a bar
  // nearly silent, is quiet, not a new timbre at every decibel of the ramp.
  const energyFloor = median(Array.from(energyDb)) - ENERGY_RANGE_DB;
  for (let i = 0; i < numBars; i++) timbre[i * timbreDim + 12] = Math.max(energyFloor, energyDb[i]);
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

/**
 * Cosine self-similarity of rows after removing their mean row (each row minus the average over
 * all bars, then unit length; clamped to [0, 1]). What every bar shares (the key, a drone)
 * no longer counts as similarity, so two different progressions in one key score low while a
 * repeat of the same chords in the same order still scores near 1.
 */
function centredCosineSsm(rows: Float64Array, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += rows[i * dim + d] / n;
  const centred = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) centred[i * dim + d] = rows[i * dim + d] - mean[d];
    normalise(centred, i * dim, dim);
  }
  return cosineSsm(centred, n, dim);
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
 * How well segment `next` repeats the beginning of the segment `prev` just before it: mean bar
 * similarity of next's bar k with prev's bar k (over the shorter length). High when a section
 * plays its progression again (a piece cut off by a spurious boundary), low at the start of a
 * different section even when a few of its bars resemble some part of `prev`.
 */
function continuationSimilarity(sim: Float64Array, n: number, prev: LabelledSegment, next: LabelledSegment): number {
  const m = Math.min(prev.endBar - prev.startBar, next.endBar - next.startBar);
  let acc = 0;
  for (let k = 0; k < m; k++) acc += sim[(prev.startBar + k) * n + next.startBar + k];
  return m > 0 ? acc / m : 0;
}

/**
 * Boundary refinement by repetition: a repeated section starts where its bars line up with the
 * start of its best-marked occurrence (the one whose start has the highest novelty). Each other
 * occurrence whose start follows a different section may move its start by up to `reach` bars
 * to maximise the mean similarity of its first (≤ 4) bars with the reference's first bars plus
 * a quarter of the novelty at the new bar line (ties keep the novelty peak). Lengths stay ≥
 * `minBars`. The timbre change at a section start is often smeared over a bar (a fill, a
 * sustained chord), while the chords of a repeat line up exactly.
 */
function alignSectionStarts(segs: LabelledSegment[], sim: Float64Array, novelty: Float64Array, n: number, minBars: number, reach: number): LabelledSegment[] {
  const out = segs.map((x) => ({ ...x }));
  const byLabel = new Map<number, number[]>();
  out.forEach((x, i) => byLabel.set(x.label, [...(byLabel.get(x.label) ?? []), i]));
  for (const members of byLabel.values()) {
    if (members.length < 2) continue;
    const ref = members.reduce((a, b) => (novelty[out[b].startBar] > novelty[out[a].startBar] ? b : a));
    const r = out[ref];
    for (const i of members) {
      if (i === ref || i === 0 || out[i - 1].label === out[i].label) continue;
      const prev = out[i - 1];
      const cur = out[i];
      const k = Math.min(4, r.endBar - r.startBar);
      let best = cur.startBar;
      let bestScore = -Infinity;
      for (let b = cur.startBar - reach; b <= cur.startBar + reach; b++) {
        if (b - prev.startBar < minBars || cur.endBar - b < minBars || b + k > n) continue;
        let acc = 0;
        for (let j = 0; j < k; j++) acc += sim[(b + j) * n + r.startBar + j];
        const score = acc / k + 0.25 * novelty[b];
        if (score > bestScore + 1e-9) {
          bestScore = score;
          best = b;
        }
      }
      prev.endBar = best;
      cur.startBar = best;
    }
  }
  return out;
}

/**
 * Boundary refinement by repetition, at the end of a repeated section followed by an unrepeated
 * one (a chorus running into the bridge): there is no other occurrence of the next section to
 * line its start up with, so the boundary moves instead, by up to `reach` bars, to where the last
 * (≤ 4) bars of the repeated section line up with the last bars of its reference occurrence (of
 * the others, the one whose end has the highest novelty; a run of back-to-back repeats counts by
 * its last member). A bridge that opens on a bar like the end of the chorus (the same chord, the
 * drums still playing) otherwise lets the chorus run a bar into it: its timbre novelty peaks a bar
 * late. The boundary moves only on evidence: the reference's end must be marked at least as well
 * as the current boundary, the moved ending must match the reference's ending (mean bar similarity
 * ≥ `minMatch`), and the section's new length must be the length of another occurrence of its type
 * or twice it (a chorus, or two back to back). A quarter of the novelty at each candidate bar
 * line is added to its score, as in {@link alignSectionStarts}.
 */
function alignSectionEnds(segs: LabelledSegment[], sim: Float64Array, novelty: Float64Array, n: number, minBars: number, reach: number, minMatch = 0.5): LabelledSegment[] {
  const out = segs.map((x) => ({ ...x }));
  const count = new Map<number, number>();
  for (const x of out) count.set(x.label, (count.get(x.label) ?? 0) + 1);
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1];
    const cur = out[i];
    if ((count.get(cur.label) ?? 0) > 1 || (count.get(prev.label) ?? 0) < 2) continue;
    const others = out.filter((o) => o !== prev && o.label === prev.label);
    // A run of back-to-back repeats ends with its last member.
    const ends = out.filter((o, j) => o !== prev && o.label === prev.label && out[j + 1]?.label !== o.label);
    if (ends.length === 0) continue;
    const ref = ends.reduce((a, b) => (novelty[b.endBar] > novelty[a.endBar] ? b : a));
    if (novelty[ref.endBar] < novelty[cur.startBar]) continue;
    const lengths = new Set(others.flatMap((o) => [o.endBar - o.startBar, 2 * (o.endBar - o.startBar)]));
    const endMatch = (b: number): number => {
      const k = Math.min(4, ref.endBar - ref.startBar, b - prev.startBar);
      let acc = 0;
      for (let j = 1; j <= k; j++) acc += sim[(b - j) * n + ref.endBar - j];
      return k > 0 ? acc / k : 0;
    };
    let best = cur.startBar;
    let bestScore = -Infinity;
    for (let b = cur.startBar - reach; b <= cur.startBar + reach; b++) {
      if (b - prev.startBar < minBars || cur.endBar - b < minBars) continue;
      if (b !== cur.startBar && !lengths.has(b - prev.startBar)) continue;
      const score = endMatch(b) + 0.25 * novelty[b];
      if (score > bestScore + 1e-9) {
        bestScore = score;
        best = b;
      }
    }
    if (endMatch(best) < minMatch) continue;
    prev.endBar = best;
    cur.startBar = best;
  }
  return out;
}

/**
 * Runs [start, end) of bars quieter than `quiet` (dB) strictly inside the music (bars `first` to
 * `last`): a break or a dropout, which the structure treats as a silent section.
 */
function silentRuns(energyDb: Float64Array, quiet: number, first: number, last: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let b = first; b <= last; b++) {
    if (!(energyDb[b] < quiet)) continue;
    const a = b;
    while (b <= last && energyDb[b] < quiet) b++;
    runs.push([a, b]);
  }
  return runs;
}

/**
 * Novelty boundaries and segment-clustering labels (steps 4–5 of the module comment).
 * `sc` and `st` are the raw chroma and timbre bar similarities, `rec` the recurrence graph.
 */
function noveltySegments(sc: Float64Array, st: Float64Array, rec: Float64Array, energyDb: Float64Array, n: number, minBars: number, options: SectionOptions): { segments: LabelledSegment[]; numTypes: number; confidence: number[] } {
  // Near-silent bars at either end (the lead-in and the release tail) belong to the first and
  // last sections: no boundary between them and the music.
  const quiet = median(Array.from(energyDb)) - SILENT_BELOW_MEDIAN_DB;
  let first = 0;
  while (first < n - 1 && energyDb[first] < quiet) first++;
  let last = n - 1;
  while (last > first && energyDb[last] < quiet) last--;
  // A silence inside the music is a section of its own, cut on both sides, and no part of the
  // novelty: the timbre kernel compares the bars on either side of it with each other, and the
  // repetition novelty, whose features change wherever the silence starts or ends, is not read
  // on its edges (they would be the largest novelty of the song and sink the other boundaries
  // under the threshold).
  const silent = silentRuns(energyDb, quiet, first, last);
  const inSilence = (bar: number): boolean => silent.some(([a, b]) => bar >= a && bar < b);
  const timbreNovelty = checkerboardNovelty(st, n, options.noveltyHalfWidthBars ?? 3, silent.length > 0 ? inSilence : undefined);
  const repetitionNovelty = structuralFeatureNovelty(rec, n, options.structureSmoothBars ?? 2, true);
  for (const [a, b] of silent) repetitionNovelty.fill(0, Math.max(0, a - 1), Math.min(n, b + 1) + 1);
  if (silent.length > 0) normaliseMax(repetitionNovelty);
  const novelty = new Float64Array(n + 1);
  const wt = options.timbreNoveltyWeight ?? 0.65;
  for (let b = 0; b <= n; b++) novelty[b] = wt * timbreNovelty[b] + (1 - wt) * repetitionNovelty[b];
  const threshold = options.noveltyThreshold ?? 0.15;
  const peakDistance = Math.max(minBars, options.peakDistanceBars ?? 3);
  const cuts: number[] = silent.flat().filter((b) => b > 0 && b < n);
  const lo = Math.max(first + minBars, minBars);
  const hi = Math.min(last + 1 - minBars, n - minBars);
  if (options.peakPicking === 'local-max') {
    for (let b = lo; b <= hi; b++) {
      let isPeak = novelty[b] >= threshold;
      for (let d = 1; d < peakDistance && isPeak; d++) if ((b - d >= 0 && novelty[b - d] > novelty[b]) || (b + d <= n && novelty[b + d] > novelty[b])) isPeak = false;
      if (isPeak) cuts.push(b);
    }
  } else {
    // Non-maximum suppression: strongest bar lines first, none closer than peakDistance to a kept one.
    const order: number[] = [];
    for (let b = lo; b <= hi; b++) if (novelty[b] >= threshold && novelty[b] >= novelty[b - 1] && novelty[b] >= novelty[b + 1]) order.push(b);
    order.sort((a, b) => novelty[b] - novelty[a] || a - b);
    // A silence's edges are certain: a boundary may come as close to them as a section is short.
    const forced = new Set(cuts);
    for (const b of order) if (cuts.every((c) => Math.abs(c - b) >= (forced.has(c) ? minBars : peakDistance))) cuts.push(b);
  }
  cuts.sort((a, b) => a - b);
  for (let i = cuts.length - 1; i > 0; i--) if (cuts[i] === cuts[i - 1]) cuts.splice(i, 1);
  // Bar similarity for repetition: weighted geometric mean of harmony (in beat order) and timbre.
  const labelChromaWeight = options.labelChromaWeight ?? 0.6;
  const sim = new Float64Array(n * n);
  for (let q = 0; q < n * n; q++) sim[q] = Math.pow(sc[q], labelChromaWeight) * Math.pow(st[q], 1 - labelChromaWeight);
  const edges = [0, ...cuts, n];
  let segs: LabelledSegment[] = edges.slice(0, -1).map((a, i) => ({ startBar: a, endBar: edges[i + 1], label: 0 }));
  const labelThreshold = options.labelThreshold ?? 0.5;
  const mergeThreshold = options.mergeThreshold ?? 0.5;
  const isSilent = (x: LabelledSegment): boolean => x.endBar > x.startBar && inSilence(x.startBar) && inSilence(x.endBar - 1);
  // Silent sections take no part in the clustering: each is a type of its own.
  const label = (list: LabelledSegment[]): LabelledSegment[] => {
    const music = list.filter((x) => !isSilent(x));
    const ids = clusterSegments(segmentSimilarityMatrix(sim, n, music), music.length, labelThreshold);
    let next = Math.max(-1, ...ids) + 1;
    let k = 0;
    return list.map((x) => ({ ...x, label: isSilent(x) ? next++ : ids[k++] }));
  };
  // Neighbouring pieces that repeat each other are one section (a progression played twice).
  const merged: LabelledSegment[] = [];
  for (const x of segs) {
    const last = merged[merged.length - 1];
    if (last && !isSilent(last) && !isSilent(x) && continuationSimilarity(sim, n, last, x) >= mergeThreshold) last.endBar = x.endBar;
    else merged.push({ ...x });
  }
  segs = [];
  for (const x of label(merged)) {
    const last = segs[segs.length - 1];
    if (last && last.label === x.label) last.endBar = x.endBar;
    else segs.push({ ...x });
  }
  segs = alignSectionStarts(segs, sim, novelty, n, minBars, options.alignReachBars ?? 2);
  segs = alignSectionEnds(segs, sim, novelty, n, minBars, options.alignReachBars ?? 2);
  // A run of m × the usual length of its type (two choruses back to back) is split in m, when
  // that length is a phrase (≥ SPLIT_UNIT_BARS): a type whose other occurrences are a bar or two
  // long (a short intro whose letter a sparse bridge took) is no unit the run repeats.
  const out: LabelledSegment[] = [];
  for (const r of segs) {
    const len = r.endBar - r.startBar;
    const others = segs.filter((o) => o !== r && o.label === r.label).map((o) => o.endBar - o.startBar);
    const typical = others.length ? median(others) : 0;
    const m = typical >= Math.max(minBars, SPLIT_UNIT_BARS) ? Math.round(len / typical) : 1;
    if (m >= 2 && Math.abs(len - m * typical) <= 1) {
      for (let p = 0; p < m; p++) out.push({ startBar: r.startBar + Math.round((p * len) / m), endBar: r.startBar + Math.round(((p + 1) * len) / m), label: r.label });
    } else out.push(r);
  }
  // Confidence: how well a repeated section matches the other occurrences of its type, or how
  // unlike everything else an unrepeated one is (0..1).
  const confidence = out.map((x, i) => {
    const same = out.filter((o, j) => j !== i && o.label === x.label).map((o) => segmentSimilarity(sim, n, x, o));
    if (same.length) return same.reduce((a, b) => a + b, 0) / same.length;
    return 1 - Math.max(0, ...out.filter((_, j) => j !== i).map((o) => segmentSimilarity(sim, n, x, o)));
  });
  return { segments: out, numTypes: new Set(out.map((x) => x.label)).size, confidence };
}

/** Share of the segment's bars whose own cluster agrees with the segment's, 0..1 (Laplacian method). */
function segmentConfidence(seg: LabelledSegment, barLabels: number[]): number {
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
  let segments: LabelledSegment[];
  let barLabels: number[];
  let eigenvalues: Float64Array = new Float64Array(0);
  let numTypes: number;
  let confidence: number[];
  if ((options.method ?? 'novelty') === 'novelty') {
    const r = noveltySegments(centredCosineSsm(features.chroma, n, features.chromaDim), st, rec, features.energyDb, n, minBars, options);
    segments = r.segments;
    numTypes = r.numTypes;
    confidence = r.confidence;
    barLabels = new Array<number>(n).fill(0);
    for (const seg of segments) for (let i = seg.startBar; i < seg.endBar; i++) barLabels[i] = seg.label;
  } else {
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
    const lap = laplacianSegments(rec, path, combined, st, n, minBars, options);
    eigenvalues = lap.eigenvalues;
    numTypes = lap.numTypes;
    barLabels = lap.barLabels;
    segments = lap.segments;
    confidence = segments.map((seg) => segmentConfidence(seg, lap.barLabels));
  }
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
    confidence: confidence[i],
  }));
  return { sections, barStartsSec: grid.starts, barLabels, eigenvalues, numSectionTypes: numTypes };
}
