/**
 * Silent gaps: stretches where the music stops (digital silence between parts, a cut, a pause in
 * a live recording). A beat tracker's dynamic programme bridges any gap at the tempo it has
 * found, which is right across a quiet bar but not across seconds of silence: a user sees beats
 * on nothing. These helpers find the gaps and drop the beats inside them.
 *
 * A frame (`frameSec`, default 50 ms) is silent when its RMS is more than `belowDb` (default
 * 50 dB) under the song's loud level (level.ts `loudOf`), or under −90 dBFS.
 * A gap is a run of silent frames at least `minSec` long (default 1.5 s).
 */
import type { BeatEvent } from '../contracts/music.js';
import { LEVEL_FRAME_SEC, SILENCE_FLOOR, frameRms, frameSamples, loudOf } from './level.js';

export interface SilenceOptions {
  /** Frame length, seconds. Default 0.05. */
  frameSec?: number;
  /** A frame this many dB under the loud level (level.ts `loudOf`) is silent. Default 50. */
  belowDb?: number;
  /** Shortest gap, seconds. Default 1.5. */
  minSec?: number;
}

/** Silent gaps of a mono signal as [startSec, endSec) pairs, in time order. */
export function findSilentGaps(mono: Float32Array, sampleRate: number, options: SilenceOptions = {}): Array<[number, number]> {
  const frameSec = options.frameSec ?? LEVEL_FRAME_SEC;
  return gapsOfFrames(frameRms(mono, sampleRate, frameSec), frameSamples(frameSec, sampleRate), sampleRate, options);
}

/**
 * {@link findSilentGaps} from the frame RMS already measured (level.ts `frameRms`, frames of
 * `frame` samples at `sampleRate`); `options.frameSec` is not read.
 */
export function gapsOfFrames(rms: Float64Array, frame: number, sampleRate: number, options: SilenceOptions = {}): Array<[number, number]> {
  const count = rms.length;
  if (count === 0) return [];
  const loud = loudOf(rms);
  const floor = Math.max(loud * 10 ** (-(options.belowDb ?? 50) / 20), SILENCE_FLOOR);
  const minFrames = Math.ceil((options.minSec ?? 1.5) * sampleRate / frame);
  const gaps: Array<[number, number]> = [];
  for (let f = 0; f < count; ) {
    if (rms[f] >= floor) {
      f++;
      continue;
    }
    let g = f;
    while (g < count && rms[g] < floor) g++;
    if (g - f >= minFrames) gaps.push([(f * frame) / sampleRate, (g * frame) / sampleRate]);
    f = g;
  }
  return gaps;
}

/** The beats that do not fall inside a gap (a beat within `edgeSec` of a gap's edge is kept). */
export function dropBeatsInGaps(beats: BeatEvent[], gaps: Array<[number, number]>, edgeSec = 0.1): BeatEvent[] {
  if (gaps.length === 0) return beats;
  return beats.filter((b) => !gaps.some(([s, e]) => b.timeSec > s + edgeSec && b.timeSec < e - edgeSec));
}
