/**
 * The beat grid every generated note sits on. Beats are given by their times in seconds (so a
 * drifting tempo is fine); a fractional beat position is placed by linear interpolation between
 * its two neighbouring beats. The grid extends past the end of the audio so that notes near the
 * end still have a length.
 */
import type { BeatEvent } from '../contracts/music.js';

export interface BeatGrid {
  /** Beat times in seconds, strictly increasing (including beats past the end of the audio). */
  beatTimesSec: Float64Array;
  /** Position in the bar of each beat, 1 on downbeats. */
  positions: Int32Array;
  /** Nominal beats per bar. */
  beatsPerBar: number;
  /** Beat index of each bar's downbeat, in order. */
  barStartBeats: Int32Array;
}

/** A constant-tempo grid: first downbeat at `startSec`, covering at least `durationSec` + 8 beats. */
export function makeConstantGrid(bpm: number, beatsPerBar: number, durationSec: number, startSec = 0): BeatGrid {
  const period = 60 / bpm;
  const count = Math.ceil((durationSec - startSec) / period) + 2 * beatsPerBar + 8;
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(startSec + i * period);
  return gridFromTimes(times, times.map((_, i) => (i % beatsPerBar) + 1), beatsPerBar, durationSec);
}

/**
 * A grid from beat times with tempo drift given as a function of time: the tempo at time t is
 * bpm · (1 + driftDepth · sin(2π t / driftPeriodSec)). Beats are integrated numerically (fine
 * steps), so the returned beat times are the exact truth of what is rendered.
 */
export function makeDriftingGrid(
  bpm: number,
  beatsPerBar: number,
  durationSec: number,
  startSec: number,
  driftDepth: number,
  driftPeriodSec: number,
): BeatGrid {
  const times: number[] = [startSec];
  const positions: number[] = [1];
  const dt = 0.001;
  let t = startSec;
  let phase = 0;
  const target = durationSec + 12 * (60 / bpm);
  while (t < target) {
    const tempo = bpm * (1 + driftDepth * Math.sin((2 * Math.PI * t) / driftPeriodSec));
    const step = (tempo / 60) * dt;
    if (phase + step >= 1) {
      const frac = (1 - phase) / step;
      const tb = t + frac * dt;
      times.push(tb);
      positions.push((positions.length % beatsPerBar) + 1);
      phase = phase + step - 1;
    } else {
      phase += step;
    }
    t += dt;
  }
  return gridFromTimes(times, positions, beatsPerBar, durationSec);
}

/** Build a grid from beat times and positions; extends it with the median period to cover the audio. */
export function gridFromTimes(times: number[], positions: number[], beatsPerBar: number, durationSec: number): BeatGrid {
  const t = times.slice();
  const p = positions.slice();
  const periods: number[] = [];
  for (let i = 1; i < t.length; i++) periods.push(t[i] - t[i - 1]);
  periods.sort((a, b) => a - b);
  const period = periods.length > 0 ? periods[Math.floor(periods.length / 2)] : 0.5;
  while (t.length < 2 || t[t.length - 1] < durationSec + 8 * period) {
    const last = t.length > 0 ? t[t.length - 1] : 0;
    const lastPos = p.length > 0 ? p[p.length - 1] : 0;
    t.push(t.length > 0 ? last + period : 0);
    p.push((lastPos % beatsPerBar) + 1);
  }
  const bars: number[] = [];
  for (let i = 0; i < p.length; i++) if (p[i] === 1) bars.push(i);
  return {
    beatTimesSec: Float64Array.from(t),
    positions: Int32Array.from(p),
    beatsPerBar,
    barStartBeats: Int32Array.from(bars),
  };
}

/**
 * Grid from analysed beats (e.g. a JAMS read back): keeps the beat times and bar positions as they
 * are, so that fitted stems follow the song's drift and downbeats.
 */
export function gridFromBeats(beats: readonly BeatEvent[], beatsPerBar: number, durationSec: number): BeatGrid {
  const sorted = [...beats].sort((a, b) => a.timeSec - b.timeSec);
  const times: number[] = [];
  const positions: number[] = [];
  for (const b of sorted) {
    if (times.length > 0 && b.timeSec - times[times.length - 1] < 0.05) continue;
    times.push(b.timeSec);
    positions.push(Math.max(1, Math.round(b.positionInBar)));
  }
  return gridFromTimes(times, positions, beatsPerBar, durationSec);
}

/** Time in seconds of a fractional beat position (beat index + fraction). */
export function timeAtBeat(grid: BeatGrid, beat: number): number {
  const t = grid.beatTimesSec;
  const last = t.length - 1;
  if (beat <= 0) return t[0] + beat * (t[1] - t[0]);
  if (beat >= last) return t[last] + (beat - last) * (t[last] - t[last - 1]);
  const i = Math.floor(beat);
  return t[i] + (beat - i) * (t[i + 1] - t[i]);
}

/** Fractional beat position of a time in seconds (inverse of {@link timeAtBeat}). */
export function beatAtTime(grid: BeatGrid, timeSec: number): number {
  const t = grid.beatTimesSec;
  const last = t.length - 1;
  if (timeSec <= t[0]) return (timeSec - t[0]) / (t[1] - t[0]);
  if (timeSec >= t[last]) return last + (timeSec - t[last]) / (t[last] - t[last - 1]);
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= timeSec) lo = mid;
    else hi = mid;
  }
  return lo + (timeSec - t[lo]) / (t[lo + 1] - t[lo]);
}

/** Local beat period in seconds at a beat position. */
export function beatPeriodAt(grid: BeatGrid, beat: number): number {
  const t = grid.beatTimesSec;
  const i = Math.max(0, Math.min(t.length - 2, Math.floor(beat)));
  return t[i + 1] - t[i];
}

/** Number of beats in bar `barIndex` (distance to the next downbeat, or beatsPerBar for the last). */
export function beatsInBar(grid: BeatGrid, barIndex: number): number {
  const b = grid.barStartBeats;
  if (barIndex + 1 < b.length) return b[barIndex + 1] - b[barIndex];
  return grid.beatsPerBar;
}
