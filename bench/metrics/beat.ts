/**
 * Beat and downbeat F-measure, as mir_eval.beat.f_measure (Dixon, "Evaluation of the audio beat
 * tracking system BeatRoot", JNMR 2007): an estimated beat is correct when it lies within
 * ±70 ms of a reference beat, each reference matched at most once (maximum bipartite matching);
 * F = 2PR/(P+R). mir_eval.beat.evaluate first drops beats before 5 s (mir_eval.beat.trim_beats)
 * from both sequences; that is the default here too (`minBeatTimeSec`, 0 disables it).
 * Downbeat F is the same F-measure on the beats at position 1 in the bar (madmom's
 * downbeat evaluation), with the same options. Either side empty (after trimming) scores 0.
 * Times in seconds.
 */
import type { BeatEvent } from '../../shared/contracts/music.js';
import { matchEvents, scoreMatches, type PrecisionRecallF } from './matching.js';

export interface BeatFMeasureOptions {
  /** Tolerance window, s; default 0.07. */
  windowSec?: number;
  /** Beats before this time are ignored on both sides, s; default 5 (mir_eval's trim_beats). */
  minBeatTimeSec?: number;
}

/** mir_eval.beat.trim_beats: keep the beats at or after `minBeatTimeSec` (default 5 s), sorted. */
export function trimBeats(beatTimesSec: readonly number[], minBeatTimeSec = 5): number[] {
  return beatTimesSec.filter((t) => t >= minBeatTimeSec).sort((a, b) => a - b);
}

/** Beat-tracking F-measure (with precision and recall) between two lists of beat times. */
export function beatFMeasure(referenceSec: readonly number[], estimatedSec: readonly number[], options: BeatFMeasureOptions = {}): PrecisionRecallF {
  const windowSec = options.windowSec ?? 0.07;
  const minTime = options.minBeatTimeSec ?? 5;
  const ref = trimBeats(referenceSec, minTime);
  const est = trimBeats(estimatedSec, minTime);
  if (ref.length === 0 || est.length === 0) return { precision: 0, recall: 0, fMeasure: 0 };
  return scoreMatches(matchEvents(ref, est, windowSec).length, ref.length, est.length);
}

/** Times of the downbeats (position 1 in the bar), s. */
export function downbeatTimes(beats: readonly BeatEvent[]): number[] {
  return beats.filter((b) => b.positionInBar === 1).map((b) => b.timeSec);
}

/** Downbeat F-measure: {@link beatFMeasure} on the beats with positionInBar = 1. */
export function downbeatFMeasure(reference: readonly BeatEvent[], estimated: readonly BeatEvent[], options: BeatFMeasureOptions = {}): PrecisionRecallF {
  return beatFMeasure(downbeatTimes(reference), downbeatTimes(estimated), options);
}
