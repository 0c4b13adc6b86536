/**
 * Chord recognition scores as defined by mir_eval.chord (Harte 2010; Pauwels & Peeters,
 * "Evaluating automatically estimated chord sequences", ICASSP 2013):
 * weighted chord symbol recall (WCSR) = duration-weighted mean of a per-segment comparison, over
 * the reference's time span.
 *
 * Procedure (mir_eval.chord.evaluate):
 * 1. The estimate is cropped/padded with "N" to the reference span [min start, max end]
 *    (mir_eval.util.adjust_intervals).
 * 2. The reference and estimate are cut at the union of their boundaries; each piece takes the
 *    label of the last interval starting at or before it (mir_eval.util.merge_labeled_intervals).
 * 3. Each piece is compared with a comparison function giving 1, 0, or −1 for "reference chord
 *    outside this vocabulary": those pieces are excluded from the denominator
 *    (mir_eval.chord.weighted_accuracy). No comparable piece at all scores 0.
 *
 * Chord encoding (mir_eval.chord.encode): root pitch class, a 12-bin semitone bitmap of the
 * chord relative to its root (extensions above the octave — 9, 11, 13 — dropped, the bass note
 * added), bass interval. "N" is root −1 with an all-zero bitmap; "X" is root −1 with all −1.
 * Comparisons: `root` (same root), `thirds` (same root and same minor-third bit), `majmin` (same root and same
 * bitmap up to the fifth, reference must be maj, min or N), `sevenths` (same root and full
 * bitmap, reference must be maj, min, maj7, 7, min7 or N), `mirex` (≥ 3 shared absolute pitch
 * classes, N matches N; references with 1–2 notes excluded; an estimated X matches, as in
 * mir_eval).
 * Labels are parsed with shared/music/harte.ts; a malformed label throws an Error naming it.
 */
import { parseHarte } from '../../shared/music/harte.js';

export interface LabeledInterval {
  startSec: number;
  endSec: number;
  label: string;
}

export type ChordComparison = 'root' | 'thirds' | 'majmin' | 'sevenths' | 'mirex';
export const CHORD_COMPARISONS: readonly ChordComparison[] = ['root', 'thirds', 'majmin', 'sevenths', 'mirex'];

export interface EncodedChord {
  /** Root pitch class 0..11, −1 for N and X. */
  root: number;
  /** 12 entries relative to the root: 1 present, 0 absent; all −1 for X. */
  bitmap: number[];
  /** Bass interval above the root (0..11), −1 for N and X. */
  bass: number;
}

const encodeCache = new Map<string, EncodedChord>();

/** mir_eval.chord.encode (reduce_extended_chords = False). */
export function encodeChord(label: string): EncodedChord {
  const cached = encodeCache.get(label);
  if (cached) return cached;
  const parsed = parseHarte(label);
  let enc: EncodedChord;
  if (parsed.special === 'N') enc = { root: -1, bitmap: new Array(12).fill(0), bass: -1 };
  else if (parsed.special === 'X') enc = { root: -1, bitmap: new Array(12).fill(-1), bass: -1 };
  else {
    const chord = parsed.chord!;
    const bitmap = new Array(12).fill(0);
    for (const i of chord.intervals) if (i >= 0 && i < 12) bitmap[i] = 1;
    bitmap[chord.bassInterval] = 1;
    enc = { root: chord.root, bitmap, bass: chord.bassInterval };
  }
  encodeCache.set(label, enc);
  return enc;
}

const MAJ = [1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0];
const MIN = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0];
const SEVENTH_VOCAB = [
  MAJ,
  MIN,
  [1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1], // maj7
  [1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0], // 7
  [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0], // min7
  new Array(12).fill(0), // N
];

function equalPrefix(a: readonly number[], b: readonly number[], n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isX(e: EncodedChord): boolean {
  return e.bitmap.some((v) => v < 0);
}

/**
 * mir_eval.chord.rotate_bitmap_to_root: absolute pitch classes of every nonzero bitmap entry.
 * As in mir_eval, an estimated "X" (all −1, root −1) becomes all twelve pitch classes, so under
 * `mirex` it matches any reference of three or more notes.
 */
function absoluteChroma(e: EncodedChord): number[] {
  const out = new Array(12).fill(0);
  e.bitmap.forEach((v, i) => {
    if (v !== 0) out[(((i + e.root) % 12) + 12) % 12] = 1;
  });
  return out;
}

/** Compare one reference label with one estimate: 1 match, 0 mismatch, −1 reference excluded. */
export function compareChordLabels(reference: string, estimated: string, comparison: ChordComparison): number {
  const ref = encodeChord(reference);
  const est = encodeChord(estimated);
  switch (comparison) {
    case 'root':
      if (isX(ref)) return -1;
      return ref.root === est.root ? 1 : 0;
    case 'thirds':
      if (isX(ref)) return -1;
      // mir_eval compares only the minor-third bit (semitone 3).
      return ref.root === est.root && ref.bitmap[3] === est.bitmap[3] ? 1 : 0;
    case 'majmin': {
      const isNone = ref.root < 0 && ref.bitmap.every((v) => v === 0);
      const inVocab = equalPrefix(ref.bitmap, MAJ, 8) || equalPrefix(ref.bitmap, MIN, 8) || isNone;
      if (!inVocab || isX(ref)) return -1;
      return ref.root === est.root && equalPrefix(ref.bitmap, est.bitmap, 8) ? 1 : 0;
    }
    case 'sevenths': {
      if (!SEVENTH_VOCAB.some((q) => equalPrefix(ref.bitmap, q, 12))) return -1;
      return ref.root === est.root && equalPrefix(ref.bitmap, est.bitmap, 12) ? 1 : 0;
    }
    case 'mirex': {
      const refCount = ref.bitmap.filter((v) => v > 0).length;
      if (isX(ref) || (refCount > 0 && refCount < 3)) return -1;
      if (ref.root === -1 && est.root === -1) return 1;
      const r = absoluteChroma(ref);
      const e = absoluteChroma(est);
      let shared = 0;
      for (let pc = 0; pc < 12; pc++) shared += r[pc] * e[pc];
      return shared >= 3 ? 1 : 0;
    }
  }
}

/**
 * mir_eval.util.adjust_intervals: crop intervals to [tMin, tMax] and pad the gaps at the start
 * with `padLabel` and at the end with `endPadLabel`. Intervals are sorted by start first; an
 * empty list becomes one interval labelled `padLabel`.
 */
export function adjustIntervals(
  intervals: readonly LabeledInterval[],
  tMin: number,
  tMax: number,
  padLabel: string,
  endPadLabel: string = padLabel,
): LabeledInterval[] {
  if (intervals.length === 0) return [{ startSec: tMin, endSec: tMax, label: padLabel }];
  let out = [...intervals].sort((a, b) => a.startSec - b.startSec).filter((iv) => iv.endSec >= tMin && iv.startSec <= tMax);
  out = out.map((iv) => ({ startSec: Math.min(tMax, Math.max(tMin, iv.startSec)), endSec: Math.min(tMax, Math.max(tMin, iv.endSec)), label: iv.label }));
  if (out.length === 0) return [{ startSec: tMin, endSec: tMax, label: padLabel }];
  const lo = Math.min(...out.map((iv) => iv.startSec));
  const hi = Math.max(...out.map((iv) => iv.endSec));
  if (lo > tMin) out.unshift({ startSec: tMin, endSec: lo, label: padLabel });
  if (hi < tMax) out.push({ startSec: hi, endSec: tMax, label: endPadLabel });
  return out;
}

export interface MergedIntervals {
  startSec: number[];
  endSec: number[];
  referenceLabels: string[];
  estimatedLabels: string[];
}

/**
 * mir_eval.util.merge_labeled_intervals: cut both sequences at the union of their boundaries.
 * Both must be sorted and span the same range.
 */
export function mergeLabeledIntervals(reference: readonly LabeledInterval[], estimated: readonly LabeledInterval[]): MergedIntervals {
  const bounds = [...new Set([...reference, ...estimated].flatMap((iv) => [iv.startSec, iv.endSec]))].sort((a, b) => a - b);
  const out: MergedIntervals = { startSec: [], endSec: [], referenceLabels: [], estimatedLabels: [] };
  let ri = 0;
  let ei = 0;
  for (let k = 0; k + 1 < bounds.length; k++) {
    const t0 = bounds[k];
    while (ri + 1 < reference.length && reference[ri + 1].startSec <= t0) ri++;
    while (ei + 1 < estimated.length && estimated[ei + 1].startSec <= t0) ei++;
    out.startSec.push(t0);
    out.endSec.push(bounds[k + 1]);
    out.referenceLabels.push(reference[ri].label);
    out.estimatedLabels.push(estimated[ei].label);
  }
  return out;
}

/** mir_eval.chord.weighted_accuracy: weighted mean over comparisons ≥ 0; 0 when none is. */
export function weightedAccuracy(comparisons: readonly number[], weights: readonly number[]): number {
  let total = 0;
  let score = 0;
  for (let i = 0; i < comparisons.length; i++) {
    if (comparisons[i] < 0) continue;
    total += weights[i];
    score += comparisons[i] * weights[i];
  }
  return total > 0 ? score / total : 0;
}

/** Merge, compare and weight: the shared core of {@link chordWcsr} and {@link evaluateChords}. */
function prepare(reference: readonly LabeledInterval[], estimated: readonly LabeledInterval[]): { merged: MergedIntervals; durations: number[] } | null {
  if (reference.length === 0) return null;
  const ref = [...reference].sort((a, b) => a.startSec - b.startSec);
  const tMin = Math.min(...ref.map((iv) => iv.startSec));
  const tMax = Math.max(...ref.map((iv) => iv.endSec));
  if (!(tMax > tMin)) return null;
  const est = adjustIntervals(estimated, tMin, tMax, 'N');
  const merged = mergeLabeledIntervals(ref, est);
  return { merged, durations: merged.startSec.map((s, i) => merged.endSec[i] - s) };
}

/**
 * Weighted chord symbol recall with one comparison (default 'majmin'), in [0, 1].
 * An empty or zero-length reference scores 0.
 */
export function chordWcsr(reference: readonly LabeledInterval[], estimated: readonly LabeledInterval[], comparison: ChordComparison = 'majmin'): number {
  const p = prepare(reference, estimated);
  if (!p) return 0;
  const scores = p.merged.referenceLabels.map((r, i) => compareChordLabels(r, p.merged.estimatedLabels[i], comparison));
  return weightedAccuracy(scores, p.durations);
}

/** WCSR under every comparison at once. */
export function evaluateChords(reference: readonly LabeledInterval[], estimated: readonly LabeledInterval[]): Record<ChordComparison, number> {
  const p = prepare(reference, estimated);
  const out = {} as Record<ChordComparison, number>;
  for (const c of CHORD_COMPARISONS) {
    out[c] = p ? weightedAccuracy(p.merged.referenceLabels.map((r, i) => compareChordLabels(r, p.merged.estimatedLabels[i], c)), p.durations) : 0;
  }
  return out;
}
