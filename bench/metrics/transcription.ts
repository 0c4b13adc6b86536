/**
 * Note-level transcription scores as mir_eval.transcription.precision_recall_f1_overlap
 * (Bay, Ehmann & Downie, "Evaluation of multiple-F0 estimation and tracking systems",
 * ISMIR 2009). With the default `offsetRatio: null` it is the onset-only note F-measure:
 * an estimated note matches a reference note when its onset is within ±50 ms (distances rounded
 * to 7 decimals first, as mir_eval does) and its pitch within ±50 cents; each note is matched at
 * most once, by maximum bipartite matching. With an offset ratio, the offset must also be within
 * max(offsetRatio × reference duration, offsetMinTolerance). Either side empty → 0.
 * Times in seconds; pitches as fractional MIDI numbers (100 cents per unit), as the JAMS
 * note_midi namespace stores them.
 */
import { fMeasure, maxBipartiteMatching, type PrecisionRecallF } from './matching.js';

export interface NoteEvent {
  startSec: number;
  endSec: number;
  /** Fractional MIDI note number. */
  midi: number;
}

export interface NoteMatchOptions {
  /** Default 0.05 s. */
  onsetToleranceSec?: number;
  /** Default 50 cents. */
  pitchToleranceCents?: number;
  /** null (default) ignores offsets; mir_eval's own default is 0.2. */
  offsetRatio?: number | null;
  /** Default 0.05 s. */
  offsetMinToleranceSec?: number;
  /** Use < instead of ≤ for every tolerance; default false. */
  strict?: boolean;
  beta?: number;
}

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;

/** mir_eval.transcription.match_notes: matched [refIndex, estIndex] pairs. */
export function matchNotes(reference: readonly NoteEvent[], estimated: readonly NoteEvent[], options: NoteMatchOptions = {}): Array<[number, number]> {
  const onsetTol = options.onsetToleranceSec ?? 0.05;
  const pitchTol = options.pitchToleranceCents ?? 50;
  const offsetRatio = options.offsetRatio ?? null;
  const offsetMin = options.offsetMinToleranceSec ?? 0.05;
  const within = options.strict ? (d: number, tol: number) => d < tol : (d: number, tol: number) => d <= tol;
  const adjacency = estimated.map((e) => {
    const refs: number[] = [];
    reference.forEach((r, i) => {
      if (!within(round7(Math.abs(r.startSec - e.startSec)), onsetTol)) return;
      if (!within(Math.abs(100 * (r.midi - e.midi)), pitchTol)) return;
      if (offsetRatio !== null) {
        const tol = Math.max(offsetRatio * (r.endSec - r.startSec), offsetMin);
        if (!within(round7(Math.abs(r.endSec - e.endSec)), tol)) return;
      }
      refs.push(i);
    });
    return refs;
  });
  const matchRef = maxBipartiteMatching(adjacency, reference.length);
  const pairs: Array<[number, number]> = [];
  matchRef.forEach((estIndex, refIndex) => {
    if (estIndex >= 0) pairs.push([refIndex, estIndex]);
  });
  return pairs;
}

/** Note precision, recall and F-measure (onset-only by default). */
export function noteFMeasure(reference: readonly NoteEvent[], estimated: readonly NoteEvent[], options: NoteMatchOptions = {}): PrecisionRecallF {
  if (reference.length === 0 || estimated.length === 0) return { precision: 0, recall: 0, fMeasure: 0 };
  const matches = matchNotes(reference, estimated, options).length;
  const precision = matches / estimated.length;
  const recall = matches / reference.length;
  return { precision, recall, fMeasure: fMeasure(precision, recall, options.beta ?? 1) };
}
