/**
 * Score a whole estimated {@link MusicDescription} against a reference one (the generator's truth
 * read back with readJamsDescription), with the mir_eval definitions of this folder, and
 * summarise many songs. A metric is null when the reference has nothing to score it on (no
 * tempo, no beats after trimming, no downbeats, no key, no chords, no sections), so that means
 * and medians skip it rather than count it as 0 or 1.
 * Sections are scored with the repetition letters (structure labels), as mir_eval.segment
 * intends; boundaries are the same whichever labelling is used.
 */
import type { MusicDescription } from '../../shared/contracts/music.js';
import { beatFMeasure, downbeatTimes, trimBeats, type BeatFMeasureOptions } from './beat.js';
import { evaluateChords } from './chord.js';
import { keyWeightedScore, type KeyScoreOptions } from './key.js';
import { evaluateSegments } from './segment.js';
import { tempoAccuracy1, tempoAccuracy2 } from './tempo.js';
import { tuningErrorCents } from './tuning.js';

export interface DescriptionScores {
  tempoAcc1: number | null;
  tempoAcc2: number | null;
  beatF: number | null;
  downbeatF: number | null;
  keyWeighted: number | null;
  tuningErrorCents: number | null;
  chordRoot: number | null;
  chordMajmin: number | null;
  chordSevenths: number | null;
  chordMirex: number | null;
  boundaryF05: number | null;
  boundaryF3: number | null;
  pairwiseF: number | null;
}

export interface ScoreDescriptionOptions {
  beat?: BeatFMeasureOptions;
  key?: KeyScoreOptions;
  /** Boundary trimming (see segment.ts); default true. */
  trimBoundaries?: boolean;
}

/** Every metric of this folder for one song. */
export function scoreMusicDescription(reference: MusicDescription, estimate: Partial<MusicDescription>, options: ScoreDescriptionOptions = {}): DescriptionScores {
  const minBeatTime = options.beat?.minBeatTimeSec ?? 5;
  const refBeats = reference.beats.map((b) => b.timeSec);
  const estBeats = (estimate.beats ?? []).map((b) => b.timeSec);
  const refDownbeats = downbeatTimes(reference.beats);
  const hasBeats = trimBeats(refBeats, minBeatTime).length > 0;
  const hasDownbeats = trimBeats(refDownbeats, minBeatTime).length > 0;
  const refTempo = reference.tempo?.bpm ?? null;
  const estTempo = estimate.tempo?.bpm ?? null;
  const chords = reference.chords.length > 0 ? evaluateChords(reference.chords, estimate.chords ?? []) : null;
  const toLetters = (d: Partial<MusicDescription>) => (d.sections ?? []).map((s) => ({ startSec: s.startSec, endSec: s.endSec, label: s.letter }));
  const segments = reference.sections.length > 0 ? evaluateSegments(toLetters(reference), toLetters(estimate), { trim: options.trimBoundaries }) : null;
  const tuning = estimate.tuningHz !== undefined ? tuningErrorCents(reference.tuningHz, estimate.tuningHz) : Number.NaN;
  return {
    tempoAcc1: refTempo === null ? null : tempoAccuracy1(refTempo, estTempo),
    tempoAcc2: refTempo === null ? null : tempoAccuracy2(refTempo, estTempo),
    beatF: hasBeats ? beatFMeasure(refBeats, estBeats, options.beat).fMeasure : null,
    downbeatF: hasDownbeats ? beatFMeasure(refDownbeats, downbeatTimes(estimate.beats ?? []), options.beat).fMeasure : null,
    keyWeighted: reference.key === null ? null : keyWeightedScore(reference.key, estimate.key ?? null, options.key),
    tuningErrorCents: Number.isNaN(tuning) ? null : tuning,
    chordRoot: chords?.root ?? null,
    chordMajmin: chords?.majmin ?? null,
    chordSevenths: chords?.sevenths ?? null,
    chordMirex: chords?.mirex ?? null,
    boundaryF05: segments?.boundary05.fMeasure ?? null,
    boundaryF3: segments?.boundary3.fMeasure ?? null,
    pairwiseF: segments?.pairwise.fMeasure ?? null,
  };
}

export interface MetricSummary {
  mean: number | null;
  median: number | null;
  /** Songs that had a score (non-null). */
  count: number;
}

/** Mean and median of each metric over songs, skipping nulls. */
export function summarizeScores(scores: readonly DescriptionScores[]): Record<keyof DescriptionScores, MetricSummary> {
  const keys = Object.keys(scores[0] ?? scoreMusicDescription(
    { durationSec: 0, tempo: null, beatsPerBar: null, beats: [], key: null, tuningHz: 440, chords: [], sections: [] },
    {},
  )) as Array<keyof DescriptionScores>;
  const out = {} as Record<keyof DescriptionScores, MetricSummary>;
  for (const k of keys) {
    const xs = scores.map((s) => s[k]).filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
    const m = xs.length >> 1;
    out[k] = {
      mean: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null,
      median: xs.length ? (xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2) : null,
      count: xs.length,
    };
  }
  return out;
}
