/**
 * Beat tracking by dynamic programming (Ellis 2007, "Beat tracking by dynamic programming",
 * J. New Music Research 36(1)), extended with a local beat period: the transition cost
 * α·log²(Δ/τ(t)) is taken against a tempo curve τ(t) estimated from windowed autocorrelation
 * around the global period, so a live tempo drift (±5 % and more, within ±`maxDriftRatio`) is
 * followed instead of being forced onto one period.
 *
 * The beats of the path are then placed at sub-frame precision ({@link placeBeats}: peaks of
 * the Gaussian-smoothed envelope, a weighted Whittaker smoother over the beat sequence for beats
 * without an onset), so that a lossy encoding of the same audio moves them by a few ms at most.
 * Beats that left the song's majority grid (a section tracked on its off-beats) are then moved
 * back onto it ({@link alignBeatPhase}) and placed again.
 *
 * Units: the envelope's frames in, beat times in seconds out. Degenerate input (empty or silent
 * envelope, non-positive tempo) → [].
 */
import type { TempoEstimate } from '../contracts/music.js';
import type { OnsetEnvelope } from './onset.js';
import { removeLocalMean } from './tempo.js';
import { parabolicPeakOffset } from '../dsp/stats.js';

export interface BeatOptions {
  /** Ellis's tightness α of the log-interval transition cost. Default 300. */
  tightness?: number;
  /** Follow a local tempo curve (true) or hold the global period (false). Default true. */
  followTempo?: boolean;
  /** Window of the local tempo estimate, s. Default 8. */
  tempoWindowSec?: number;
  /** Hop between local tempo estimates, s. Default 1. */
  tempoHopSec?: number;
  /** Largest local deviation from the global period, as a ratio. Default 0.12. */
  maxDriftRatio?: number;
  /** Leading/trailing beats whose onset prominence is below this fraction of the envelope's reference level ({@link referenceLevel}) are trimmed. Default 0.15. */
  trimRatio?: number;
  /** Envelope on which beats are trimmed and placed ({@link placeBeats}); default the tracked one. */
  placement?: OnsetEnvelope;
  /** Beats on either side whose onsets define the grid of the final placement ({@link PlaceOptions.neighbourGridBeats}). Default {@link NEIGHBOUR_GRID_BEATS}; 0 disables it. */
  neighbourGridBeats?: number;
  /** Phase continuity ({@link alignBeatPhase}); false leaves the path's beats where they are. */
  phaseAlignment?: PhaseAlignOptions | false;
  /**
   * Silent stretches [start, end) in seconds (silence.ts findSilentGaps): music may come back on
   * another phase after a break, so phase continuity holds between gaps, not across them.
   */
  gaps?: Array<[number, number]>;
}

/** Beats on either side of each beat whose onsets define its grid in the final placement ({@link neighbourGrid}). */
export const NEIGHBOUR_GRID_BEATS = 4;

export interface PhaseAlignOptions {
  /** Beats further than this from the song's grid (cycles of the local period) are moved onto it. Default 0.2. */
  maxDeviation?: number;
  /**
   * A beat off the grid whose neighbours are both on it is moved only when it is further off than
   * this (cycles). Default 0.3. A slip is a run of beats; one beat a fifth of a period off among
   * beats on the grid is the placement's concern (its onset, or its neighbours' grid), and a
   * threshold crossed by one beat alone flipped with the encoding (generator seed 92 at 60 s: a
   * beat 0.201 off in the WAV and 0.198 in the CBR MP3 was moved 12 ms in one and not the other).
   */
  isolatedDeviation?: number;
  /** Standard deviation of the Gaussian window of the grid's slow trend, beats. Default 32. */
  trendBeats?: number;
  /** Half-width of the window of the local period, beats. Default 6. */
  periodReach?: number;
  /**
   * The tempo curve the beats were tracked against (time s → beat period s), which a slip of the
   * path does not move. Given, the local period weighs each interval by its closeness to it (see
   * {@link alignBeatPhase}); trackBeats passes its own. Default: none (the intervals alone).
   */
  expectedPeriod?: (timeSec: number) => number;
  /** Standard deviation of the Gaussian weight on an interval's relative distance from `expectedPeriod`. Default 0.03. */
  steadyTolerance?: number;
}

/** Envelope normalised for beat tracking: local mean removed, divided by its standard deviation. */
export function normaliseEnvelope(env: OnsetEnvelope): Float32Array {
  const x = removeLocalMean(env.values, Math.round(env.frameRateHz));
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const sd = Math.sqrt(ss / Math.max(1, x.length));
  if (sd > 0) for (let i = 0; i < x.length; i++) x[i] /= sd;
  return x;
}

/**
 * Local beat period (frames) for every frame: in windows of `windowSec`, the lag within
 * ±maxDrift of the global period that maximises r(l) + ½ r(2l) − κ·r(0)·ln²(l/P) of the
 * normalised envelope (the last term a log-normal prior around the global period P, weighted by
 * the window's energy r(0): κ = `priorWeight`, default 10, costs 0.1·r(0) at ±10 % and a
 * fortieth of that at ±2.5 %, so a drift is followed but a sparse section does not wander off
 * to a lag its pattern happens to favour), parabolically interpolated, median-smoothed over five
 * windows and linearly interpolated between window centres. Windows with no periodic evidence keep the global period, and so do
 * windows whose best lag lies on the edge of the search range: the autocorrelation is still
 * rising there, so the lag is no local period but a pull from outside the range (a sparse intro
 * or outro whose pattern repeats at another lag).
 */
export function estimateLocalPeriod(x: Float32Array, frameRateHz: number, globalPeriod: number, windowSec: number, hopSec: number, maxDrift: number, priorWeight = 10): Float32Array {
  const n = x.length;
  const out = new Float32Array(n).fill(globalPeriod);
  const win = Math.round(windowSec * frameRateHz);
  const hop = Math.max(1, Math.round(hopSec * frameRateHz));
  if (n < win || win < 3 * globalPeriod) return out;
  const lagLo = Math.max(2, Math.floor(globalPeriod / (1 + maxDrift)));
  const lagHi = Math.ceil(globalPeriod * (1 + maxDrift));
  const maxLag = 2 * lagHi + 1;
  const centres: number[] = [];
  const periods: number[] = [];
  const r = new Float64Array(maxLag + 1);
  for (let s = 0; s + win <= n; s += hop) {
    for (let l = lagLo; l <= maxLag; l++) {
      if (l > lagHi && (l < 2 * lagLo || l > 2 * lagHi + 1)) continue;
      let acc = 0;
      for (let t = s + l; t < s + win; t++) acc += x[t] * x[t - l];
      r[l] = acc / (win - l);
    }
    let r0 = 0;
    for (let t = s; t < s + win; t++) r0 += x[t] * x[t];
    r0 /= win;
    const score = (l: number): number => r[l] + 0.5 * r[2 * l] - priorWeight * r0 * Math.log(l / globalPeriod) ** 2;
    let best = -Infinity;
    let bestL = -1;
    for (let l = lagLo; l <= lagHi; l++) {
      const v = score(l);
      if (v > best) {
        best = v;
        bestL = l;
      }
    }
    let period = globalPeriod;
    if (best > 0 && bestL > lagLo && bestL < lagHi) {
      period = bestL + parabolicPeakOffset(score(bestL - 1), best, score(bestL + 1));
    }
    centres.push(s + win / 2);
    periods.push(period);
  }
  if (centres.length === 0) return out;
  const smooth = periods.map((_, i) => {
    const w = periods.slice(Math.max(0, i - 2), i + 3).sort((a, b) => a - b);
    return w[w.length >> 1];
  });
  for (let t = 0; t < n; t++) {
    if (t <= centres[0]) out[t] = smooth[0];
    else if (t >= centres[centres.length - 1]) out[t] = smooth[smooth.length - 1];
    else {
      const j = Math.min(centres.length - 2, Math.floor((t - centres[0]) / hop));
      const f = (t - centres[j]) / (centres[j + 1] - centres[j]);
      out[t] = smooth[j] * (1 - f) + smooth[j + 1] * f;
    }
  }
  return out;
}

/**
 * The beat period (frames) the tracker expects at every frame of the envelope: the local period
 * ({@link estimateLocalPeriod}) around the tempo's, or the tempo's throughout when
 * `followTempo` is false. Empty for silence or a non-positive tempo.
 */
export function beatPeriodCurve(env: OnsetEnvelope, tempo: TempoEstimate, options: BeatOptions = {}): Float32Array {
  if (env.values.length === 0 || !(tempo.bpm > 0)) return new Float32Array(0);
  return periodCurveOf(normaliseEnvelope(env), env.frameRateHz, (60 * env.frameRateHz) / tempo.bpm, options);
}

/** {@link beatPeriodCurve} of an envelope already normalised ({@link normaliseEnvelope}), around `globalPeriod` frames. */
function periodCurveOf(x: Float32Array, frameRateHz: number, globalPeriod: number, options: BeatOptions): Float32Array {
  if (options.followTempo === false) return new Float32Array(x.length).fill(globalPeriod);
  return estimateLocalPeriod(x, frameRateHz, globalPeriod, options.tempoWindowSec ?? 8, options.tempoHopSec ?? 1, options.maxDriftRatio ?? 0.12);
}

/**
 * Track beats through the onset envelope at the given tempo (Ellis 2007 dynamic programming with
 * a local period). Returns beat times in seconds, ascending. Silence → [].
 */
export function trackBeats(env: OnsetEnvelope, tempo: TempoEstimate, options: BeatOptions = {}): number[] {
  const n = env.values.length;
  const fr = env.frameRateHz;
  if (n === 0 || !(tempo.bpm > 0)) return [];
  let peak = 0;
  for (let i = 0; i < n; i++) if (env.values[i] > peak) peak = env.values[i];
  if (!(peak > 1e-6)) return [];
  const alpha = options.tightness ?? 300;
  const globalPeriod = (60 * fr) / tempo.bpm;
  if (globalPeriod < 2) return [];
  const x = normaliseEnvelope(env);
  const period = periodCurveOf(x, fr, globalPeriod, options);

  const maxD = Math.ceil(2 * globalPeriod * 1.15);
  const logD = new Float64Array(maxD + 1);
  for (let d = 1; d <= maxD; d++) logD[d] = Math.log(d);
  const score = new Float64Array(n);
  const back = new Int32Array(n).fill(-1);
  for (let t = 0; t < n; t++) {
    const tau = period[t];
    const lo = Math.max(1, Math.round(tau / 2));
    const hi = Math.min(maxD, Math.round(2 * tau));
    const logTau = Math.log(tau);
    let best = -Infinity;
    let arg = -1;
    for (let d = lo; d <= hi && d <= t; d++) {
      const u = logD[d] - logTau;
      const v = score[t - d] - alpha * u * u;
      if (v > best) {
        best = v;
        arg = t - d;
      }
    }
    // A chain may also start here afresh (worth 0), so early beats are not forced onto a
    // penalised predecessor in the lead-in.
    if (arg >= 0 && best > 0) {
      score[t] = x[t] + best;
      back[t] = arg;
    } else score[t] = x[t];
  }

  // Final beat: the last local maximum of the cumulative score above half the median of them.
  const maxima: number[] = [];
  for (let t = 1; t < n - 1; t++) if (score[t] > score[t - 1] && score[t] >= score[t + 1]) maxima.push(t);
  if (maxima.length === 0) return [];
  const sortedScores = maxima.map((t) => score[t]).sort((a, b) => a - b);
  const median = sortedScores[sortedScores.length >> 1];
  let end = maxima[maxima.length - 1];
  for (let i = maxima.length - 1; i >= 0; i--) {
    if (score[maxima[i]] > 0.5 * median) {
      end = maxima[i];
      break;
    }
  }
  // Prefer the best-scoring end within the last period (Ellis).
  for (const t of maxima) if (t > end - globalPeriod && t < end && score[t] > score[end]) end = t;
  const frames: number[] = [];
  for (let t = end; t >= 0; t = back[t]) frames.push(t);
  frames.reverse();

  const smooth = gaussianSmooth(env.values, PEAK_SMOOTH_FRAMES);
  const gaps = options.gaps ?? [];
  const kept = trimWeakEnds(frames, frameOnsetGate(smooth, fr, gaps, options.trimRatio ?? TRIM_RATIO));
  const placeEnv = options.placement ?? env;
  const placeSmooth = options.placement ? gaussianSmooth(options.placement.values, PEAK_SMOOTH_FRAMES) : smooth;
  const place = { smooth: placeSmooth, reference: referenceLevel(placeSmooth) };
  const path = kept.map((f) => f / fr);
  // The final placement measures onsets against their neighbours' grid (placeBeats). The phase
  // continuity check below reads the plain placement: fed the grid-weighted one, it moved the
  // arpeggio intros of some dev songs (generator seeds 4, 5, 39) differently in MP3 and WAV.
  const final = { ...place, neighbourGridBeats: options.neighbourGridBeats ?? NEIGHBOUR_GRID_BEATS };
  if (options.phaseAlignment === false) return placeBeats(placeEnv, path, final);
  // Sections that slipped off the song's grid go back onto it, and are placed on their onsets.
  const expectedPeriod = (t: number): number => period[Math.max(0, Math.min(n - 1, Math.round(t * fr)))] / fr;
  const aligned = alignBetweenGaps(placeBeats(placeEnv, path, place), gaps, { expectedPeriod, ...options.phaseAlignment });
  return placeBeats(placeEnv, aligned.moved > 0 ? aligned.beats : path, final);
}

/**
 * Index ranges [start, end) of the runs of beats (seconds, ascending) between silent `gaps`
 * (seconds, [start, end), ascending): a run ends at a beat inside a gap or at the first beat after
 * one, and beats inside a gap belong to no run.
 */
export function runsBetweenGaps(beats: number[], gaps: Array<[number, number]>): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  let g = 0;
  for (let i = 0; i < beats.length; i++) {
    let crossed = false;
    while (g < gaps.length && beats[i] >= gaps[g][1]) {
      g++;
      crossed = true;
    }
    const inGap = g < gaps.length && beats[i] >= gaps[g][0];
    if (start >= 0 && (crossed || inGap)) {
      runs.push([start, i]);
      start = -1;
    }
    if (!inGap && start < 0) start = i;
  }
  if (start >= 0) runs.push([start, beats.length]);
  return runs;
}

/**
 * Beats (seconds, ascending) with each run between silent `gaps` ({@link runsBetweenGaps})
 * replaced by `each(run)`; beats inside a gap are kept as they are (they carry no onset, and
 * the analysis drops them). The result is in time order even where `each` adds a beat beyond
 * its run's ends.
 */
export function mapRunsBetweenGaps(beats: number[], gaps: Array<[number, number]>, each: (run: number[]) => number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (const [a, b] of runsBetweenGaps(beats, gaps)) {
    out.push(...beats.slice(next, a), ...each(beats.slice(a, b)));
    next = b;
  }
  out.push(...beats.slice(next));
  for (let i = 1; i < out.length; i++) if (out[i] < out[i - 1]) return out.sort((x, y) => x - y);
  return out;
}

/** {@link alignBeatPhase} on each run of beats between silent `gaps` (seconds). */
function alignBetweenGaps(beats: number[], gaps: Array<[number, number]>, options?: PhaseAlignOptions): { beats: number[]; moved: number } {
  let moved = 0;
  const out = mapRunsBetweenGaps(beats, gaps, (run) => {
    const aligned = alignBeatPhase(run, options);
    moved += aligned.moved;
    return aligned.beats;
  });
  return { beats: out, moved };
}

/** Wrap a phase (cycles) into [−0.5, 0.5). */
function wrapPhase(x: number): number {
  return x - Math.floor(x + 0.5);
}

/**
 * Phase continuity of a beat sequence: the beats of one piece of music lie on one grid, whose
 * period may drift slowly but whose phase does not jump. The dynamic programme does not know
 * that: its cost α·log²(Δ/τ) is quadratic, so a slip to the off-beats spread over a few
 * intervals a few per cent short costs almost nothing, and a section whose strongest onsets are
 * syncopated (a drumless intro of off-beat chords or arpeggios, an outro of off-beat bass, a
 * break where only the off-beat hats play) pulls the path onto its off-beats.
 *
 * Method: each beat's phase against the local grid is accumulated from the inter-beat intervals,
 * Σ (Δᵢ/pᵢ − round(Δᵢ/pᵢ)) in cycles, where pᵢ is the local period over ±`periodReach` beats
 * without a slip's short or long intervals (sub-frame beat times, so it is not quantised). Given
 * the tempo curve the path was tracked against (`expectedPeriod`), pᵢ is the mean of the intervals
 * weighted by exp(−½((Δ/τ − 1)/`steadyTolerance`)²): a slip does not move that curve, so the
 * intervals that carry it, 5 % or more off the curve, keep a quarter of their weight or less
 * (a hundredth from 9 %). Against the intervals' own interquartile mean (the fallback, which
 * drops the intervals more than 6 % off it), half a window of them pulls the mean a few per cent
 * their way and they read as steady. (On generator seed 55
 * as VBR MP3, a drumless intro slid half a beat over six intervals 0.3 to 19 % long. Against the
 * intervals' own mean it read as 0.28 to 0.33 of a cycle off and was moved by that much, which
 * left it a fifth of a beat off the grid; against the curve it reads as 0.39 off, and the
 * placement on its onsets finishes the move.)
 * The song's grid is the majority phase: a robust circular mean of these phases, then a
 * Gaussian-weighted local mean of them (σ = `trendBeats`, so a slowly accumulating error of pᵢ is
 * followed) with Tukey biweights
 * (scale 0.15 cycle, refitted three times), so that beats off the majority grid do not pull it.
 * A beat off the grid moves to the grid position on the side of its unwrapped deviation, so a
 * run of beats about half a period off all move the same way. Beats whose
 * phase deviates from the grid by more than `maxDeviation` are moved onto it (by the deviation
 * times the local period), a beat whose neighbours are both on the grid only when it deviates by
 * more than `isolatedDeviation`; two beats that then fall within half a period keep the one nearer
 * the grid. The phase decision of the whole song (on-beat or off-beat) is left to the harmonic
 * check (rhythm-phase.ts), which sees a consistent sequence. Units: seconds in and out.
 * Fewer than 8 beats → unchanged.
 */
export function alignBeatPhase(beatTimesSec: number[], options: PhaseAlignOptions = {}): { beats: number[]; moved: number } {
  const maxDeviation = options.maxDeviation ?? 0.2;
  const n = beatTimesSec.length;
  if (n < 8) return { beats: beatTimesSec.slice(), moved: 0 };
  const ibi: number[] = [];
  for (let i = 1; i < n; i++) ibi.push(beatTimesSec[i] - beatTimesSec[i - 1]);
  // Local period at every interval, from the intervals within ±reach beats but not those of a slip
  // (short or long intervals, which would pull the period towards the slip): with a tempo curve,
  // their mean weighted by closeness to it; without one, the interquartile mean of the window,
  // then again without the intervals more than `slipRatio` off that first estimate.
  const reach = options.periodReach ?? 6;
  const slipRatio = 0.06;
  const iqm = (keep: (j: number) => boolean, fallback: number[]): number[] =>
    ibi.map((_, i) => {
      const w: number[] = [];
      for (let j = Math.max(0, i - reach); j < Math.min(ibi.length, i + reach + 1); j++) if (keep(j)) w.push(ibi[j]);
      if (w.length < 4) return fallback[i];
      w.sort((x, y) => x - y);
      const lo = Math.floor(w.length / 4);
      const hi = Math.max(lo + 1, w.length - lo);
      let sum = 0;
      for (let j = lo; j < hi; j++) sum += w[j];
      return sum / (hi - lo);
    });
  const first = iqm(() => true, ibi);
  let localPeriod: number[];
  if (options.expectedPeriod) {
    const tolerance = options.steadyTolerance ?? 0.03;
    const expected = options.expectedPeriod;
    // Per interval: its length per beat spanned, and a Gaussian weight on its distance from the curve.
    const perBeat: number[] = [];
    const weight: number[] = [];
    ibi.forEach((d, j) => {
      const r = d / expected(0.5 * (beatTimesSec[j] + beatTimesSec[j + 1]));
      const m = Math.max(1, Math.round(r));
      perBeat.push(d / m);
      weight.push(Math.exp(-0.5 * ((r - m) / tolerance) ** 2));
    });
    localPeriod = ibi.map((_, i) => {
      let sw = 0;
      let sy = 0;
      for (let j = Math.max(0, i - reach); j < Math.min(ibi.length, i + reach + 1); j++) {
        sw += weight[j];
        sy += weight[j] * perBeat[j];
      }
      // Fewer than two steady intervals' worth of weight: nothing to measure against.
      return sw >= 2 ? sy / sw : first[i];
    });
  } else {
    const steady = ibi.map((d, j) => {
      const r = d / first[j];
      return Math.abs(r - Math.max(1, Math.round(r))) <= slipRatio;
    });
    localPeriod = iqm((j) => steady[j], first);
  }
  // Unwrapped phase of each beat against the local grid, cycles.
  const level = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const r = ibi[i - 1] / localPeriod[i - 1];
    level[i] = level[i - 1] + (r - Math.max(1, Math.round(r)));
  }
  // Robust slow trend (Gaussian-weighted local mean, σ beats, Tukey-reweighted): the grid most
  // beats lie on, through a slowly accumulating error of the local period.
  const sigma = options.trendBeats ?? 32;
  const scale = 0.15;
  const weight = new Float64Array(n);
  const trend = new Float64Array(n);
  // Start from the song's majority phase (robust circular mean of the levels).
  let mu = 0;
  for (let iter = 0; iter < 4; iter++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const d = wrapPhase(level[i] - mu);
      if (iter > 0 && Math.abs(d) > scale) continue;
      re += Math.cos(2 * Math.PI * d);
      im += Math.sin(2 * Math.PI * d);
    }
    mu += Math.atan2(im, re) / (2 * Math.PI);
  }
  for (let i = 0; i < n; i++) {
    const u = wrapPhase(level[i] - mu) / scale;
    weight[i] = Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
  }
  const half = Math.ceil(3 * sigma);
  const kernel = new Float64Array(2 * half + 1);
  for (let k = -half; k <= half; k++) kernel[k + half] = Math.exp((-0.5 * k * k) / (sigma * sigma));
  for (let iter = 0; iter < 3; iter++) {
    for (let i = 0; i < n; i++) {
      let sw = 0;
      let sy = 0;
      for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) {
        const w = weight[j] * kernel[j - i + half];
        sw += w;
        sy += w * level[j];
      }
      trend[i] = sw > 0 ? sy / sw : i > 0 ? trend[i - 1] : mu;
    }
    for (let i = 0; i < n; i++) {
      const u = wrapPhase(level[i] - trend[i]) / scale;
      weight[i] = Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
    }
  }
  // Deviation from the grid; a beat off it moves to the grid position on the side of its
  // unwrapped deviation, so that a run of beats about half a period off moves one way.
  const dev = Array.from(level, (l, i) => wrapPhase(l - trend[i]));
  const shift = Array.from(level, (l, i) => {
    const d = l - trend[i];
    return d - Math.trunc(d);
  });
  const isolatedDeviation = Math.max(maxDeviation, options.isolatedDeviation ?? 0.3);
  const isOff = (k: number): boolean => k >= 0 && k < n && Math.abs(dev[k]) > maxDeviation;
  const out: number[] = [];
  const outDev: number[] = [];
  let moved = 0;
  for (let i = 0; i < n; i++) {
    const p = localPeriod[Math.min(ibi.length - 1, Math.max(0, i - 1))];
    const off = isOff(i) && (Math.abs(dev[i]) > isolatedDeviation || isOff(i - 1) || isOff(i + 1));
    const t = off ? beatTimesSec[i] - shift[i] * p : beatTimesSec[i];
    if (off) moved++;
    const last = out.length - 1;
    if (last >= 0 && t - out[last] < 0.5 * p) {
      // Two beats on one grid position: keep the one that was on the grid.
      if (Math.abs(dev[i]) < Math.abs(outDev[last])) {
        out[last] = t;
        outDev[last] = dev[i];
      }
      continue;
    }
    if (t < 0) continue;
    out.push(t);
    outDev.push(dev[i]);
  }
  return { beats: out, moved };
}

/**
 * Drop leading and trailing beats (frames) without an onset by `hasOnset` ({@link frameOnsetGate}).
 */
function trimWeakEnds(frames: number[], hasOnset: (frame: number) => boolean): number[] {
  if (frames.length < 3) return frames;
  let a = 0;
  let b = frames.length - 1;
  while (a < b && !hasOnset(frames[a])) a++;
  while (b > a && !hasOnset(frames[b])) b--;
  return frames.slice(a, b + 1);
}

/** Default of {@link BeatOptions.trimRatio}. */
export const TRIM_RATIO = 0.15;

/**
 * Whether a beat at a frame (rounded) has an onset, the test by which the tracker trims its first
 * and last beats: the prominence of the smoothed onset peak within ±2 frames ({@link onsetPeak})
 * at least `ratio` × the envelope's reference level ({@link referenceLevel}). Prominence rather
 * than height, so that the noise floor of a fade-out or of a lossy codec's quiet tail does not
 * pass for onsets. A frame inside a silent gap (`gaps`, seconds) has no onset whatever the
 * envelope shows there: the log compression still reads a flux in a reverb tail at −100 dBFS,
 * and an MP3 encoder that cuts such a tail to digital zero made one there (generator seed 27,
 * VBR: three beats after the music had ended).
 */
function frameOnsetGate(smooth: Float32Array, frameRateHz: number, gaps: Array<[number, number]>, ratio: number): (frame: number) => boolean {
  const thr = ratio * referenceLevel(smooth);
  return (frame) => {
    const f = Math.max(0, Math.min(smooth.length - 1, Math.round(frame)));
    const silent = gaps.some(([a, b]) => f >= a * frameRateHz && f < b * frameRateHz);
    return (silent ? 0 : onsetPeak(smooth, f, 2).strength) >= thr;
  };
}

/**
 * {@link frameOnsetGate} of an envelope, on beat times (s). For beats that did not come from the
 * tracker's path, such as those the phase check adds half a period before the first beat and
 * after the last, which can fall in the lead-in or the release.
 */
export function onsetGate(env: OnsetEnvelope, gaps: Array<[number, number]> = [], ratio = TRIM_RATIO): (timeSec: number) => boolean {
  const fr = env.frameRateHz;
  const hasOnset = frameOnsetGate(gaussianSmooth(env.values, PEAK_SMOOTH_FRAMES), fr, gaps, ratio);
  return (t) => hasOnset(t * fr);
}

/** Standard deviation of the Gaussian that smooths the envelope before peaks are located, frames. */
export const PEAK_SMOOTH_FRAMES = 1;

export interface PlaceOptions {
  /** Search reach around each beat for its onset peak, frames (3 ≈ 70 ms, the beat F-measure tolerance). Default 3. */
  reachFrames?: number;
  /** Onset prominence (fraction of the reference level) at which a peak gets half its weight. Default 0.2. */
  anchorRatio?: number;
  /** Weight of each beat's own (tracked) position; a full-strength onset peak has weight 1. Default 0.0005. */
  inputWeight?: number;
  /** Weight λ of the second-difference (steady tempo) term of the smoother. Default 0.01. */
  smoothness?: number;
  /**
   * A beat's onset counts against the strongest onset of the beats within ±2 of it: the
   * prominence at which it gets half its weight is at least this fraction of that. Default 0.1.
   */
  neighbourRatio?: number;
  /**
   * Scale of the Cauchy weight on an onset's distance from the first fit, s (see
   * {@link placeBeats}). Default 0.015; 0 skips the reweighted pass.
   */
  distanceScaleSec?: number;
  /**
   * Final placement: the reweighted pass measures each onset's distance from the grid of its
   * neighbours (see {@link neighbourGrid}; this many beats on either side) instead of from the
   * first fit, with a Gaussian weight of standard deviation `distanceScaleSec`. Default 0 (off).
   */
  neighbourGridBeats?: number;
  /**
   * Final placement: how far a weak onset may pull its beat off the neighbours' grid, s. An onset
   * r off the grid, of strength ρ relative to the strongest onset of the beats within ±2 (at most
   * 1), pulls as if it were c·tanh(r/c) + ρ·(r − c·tanh(r/c)) off it, c this value: a full-strength
   * onset where it is, a weak one no further than about c (see {@link placeBeats}). Default 0.008.
   */
  pullLimitSec?: number;
  /** The envelope smoothed by {@link gaussianSmooth} with {@link PEAK_SMOOTH_FRAMES}, if already computed. */
  smooth?: Float32Array;
  /** {@link referenceLevel} of `smooth`, if already computed. */
  reference?: number;
}

/** Envelope convolved with a normalised Gaussian of standard deviation `sigma` frames. */
export function gaussianSmooth(values: Float32Array, sigma: number): Float32Array {
  const n = values.length;
  if (!(sigma > 0)) return values.slice();
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    let acc = 0;
    for (let i = Math.max(-r, -t); i <= Math.min(r, n - 1 - t); i++) acc += k[i + r] * values[t + i];
    out[t] = acc;
  }
  return out;
}

/**
 * Reference onset level of a smoothed envelope: its 95th percentile, which sits at the height of
 * the song's typical strong onsets whatever the share of beats that carry one.
 */
export function referenceLevel(smooth: Float32Array): number {
  if (smooth.length === 0) return 0;
  const sorted = Float32Array.from(smooth).sort();
  return sorted[Math.floor(0.95 * (sorted.length - 1))];
}

/**
 * The onset peak of a smoothed envelope near frame f: the highest interior local maximum within
 * ±reach frames, at sub-frame position (parabolic interpolation), with its prominence within
 * the window (height above the higher of the minima on either side), so that a frame on the
 * flank of a neighbouring onset does not count as one. No maximum → position f, strength 0.
 */
export function onsetPeak(smooth: Float32Array, f: number, reach: number): { frame: number; strength: number } {
  const m = smooth.length;
  let best = -1;
  for (let i = Math.max(1, f - reach); i <= Math.min(m - 2, f + reach); i++) {
    if (smooth[i] >= smooth[i - 1] && smooth[i] >= smooth[i + 1] && (best < 0 || smooth[i] > smooth[best])) best = i;
  }
  if (best < 0) return { frame: f, strength: 0 };
  let minL = smooth[best];
  for (let i = Math.max(0, best - reach); i < best; i++) minL = Math.min(minL, smooth[i]);
  let minR = smooth[best];
  for (let i = best + 1; i <= Math.min(m - 1, best + reach); i++) minR = Math.min(minR, smooth[i]);
  const frame = best + parabolicPeakOffset(smooth[best - 1], smooth[best], smooth[best + 1]);
  return { frame, strength: smooth[best] - Math.max(minL, minR) };
}

/**
 * Whittaker smoother with weights (Whittaker 1923; Eilers 2003, "A perfect smoother", Anal.
 * Chem. 75): the sequence t minimising Σ wᵢ(tᵢ − yᵢ)² + λ Σ (tᵢ₋₁ − 2tᵢ + tᵢ₊₁)², solved as a
 * symmetric pentadiagonal system (Gaussian elimination, no pivoting needed). Weights must be > 0.
 */
export function whittakerSmooth(y: number[], w: number[], lambda: number): number[] {
  const n = y.length;
  if (n < 3) return y.slice();
  const a = new Float64Array(n * 5); // row r, column c at a[r * 5 + (c - r + 2)]
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i * 5 + 2] += w[i];
    b[i] = w[i] * y[i];
  }
  const d = [1, -2, 1];
  for (let j = 0; j + 2 < n; j++) {
    for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) a[(j + p) * 5 + (q - p + 2)] += lambda * d[p] * d[q];
  }
  for (let i = 0; i < n; i++) {
    const piv = a[i * 5 + 2];
    for (let r = i + 1; r <= Math.min(i + 2, n - 1); r++) {
      const f = a[r * 5 + (i - r + 2)] / piv;
      if (f === 0) continue;
      for (let c = i; c <= Math.min(i + 2, n - 1); c++) a[r * 5 + (c - r + 2)] -= f * a[i * 5 + (c - i + 2)];
      b[r] -= f * b[i];
    }
  }
  const t = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let c = i + 1; c <= Math.min(i + 2, n - 1); c++) s -= a[i * 5 + (c - i + 2)] * t[c];
    t[i] = s / a[i * 5 + 2];
  }
  return t;
}

/**
 * Final beat positions, robust to small changes of the envelope (a lossy codec, dither). Each
 * beat is located at its onset peak ({@link onsetPeak} on the Gaussian-smoothed envelope, whose
 * sub-frame peak two encodings of the same audio move far less than the raw two-frame peaks),
 * weighted by the peak's prominence s through a soft threshold ((s/s₀)⁴ / (1 + (s/s₀)⁴)), plus
 * its own tracked position with a small weight. A weighted Whittaker smoother then places the
 * beats: beats on clear onsets stay there, beats without one (rests, syncopated bars, a quiet
 * lead-in) fall on the local beat grid of their neighbours instead of following the envelope's
 * noise floor, where the tracker's frame choice is arbitrary.
 *
 * Guards keep a beat without an onset of its own off the bumps near it, which move or come
 * and go when the song is re-encoded:
 * - s₀ is relative to the neighbours as well as to the song: at least `neighbourRatio` of the
 *   strongest onset of the beats within ±2. A bump a few per cent of the height of the onsets
 *   around it (a codec's noise in a rest, a reverb tail) is no onset of this beat.
 * - A second, reweighted pass (iteratively reweighted least squares with Cauchy weights,
 *   1 / (1 + (r/σ)²), r the onset's distance from the first fit, σ = `distanceScaleSec`): an
 *   onset far from the grid its neighbours define is more likely a syncopated note than the
 *   beat's attack. A strong onset holds the first fit to itself, so its r and its weight stay;
 *   a weak one 30 ms off keeps a fifth of its weight.
 * - The final placement (`neighbourGridBeats`) measures r from the grid the neighbours' onsets
 *   define without the beat ({@link neighbourGrid}), which a weak onset cannot pull towards
 *   itself as it pulls the first fit, and weighs it by exp(−½(r/σ)²), which falls faster than the
 *   Cauchy weight: a weak onset 30 ms off the grid keeps an eighth of its weight, one 100 ms off
 *   (a syncopated note) none, so that two such bumps on either side of the grid, which an
 *   encoding makes a little stronger or weaker, no longer pull the beat back and forth. (On
 *   generator songs 1–40 re-encoded as MP3, beats moved by up to 23 ms with the Cauchy weight on
 *   the first fit, 6.6 ms with this, 4.5 ms with the two below: bench/mp3-wav.ts.)
 * - A weak onset off the grid also pulls less far: its distance r counts as c·tanh(r/c) (a
 *   bounded influence, as in robust regression) plus the share ρ of the rest that its strength,
 *   relative to the strongest onset of the beats within ±2, earns (`pullLimitSec` = c). A bump a
 *   third as strong as its neighbours and 30 ms late moves its beat 10 ms instead of 21, so an
 *   encoding that shifts the bump by a few milliseconds moves the beat by less; a full-strength
 *   attack 30 ms late (a rushed or dragged beat) still holds its beat.
 * - Neither the grid nor the Gaussian weight switches on at once: the grid is trusted in proportion
 *   to the onset weight it stands on, on its thinner side ({@link GridPoint.support}; fully from
 *   {@link GRID_SUPPORT}[1] onsets, not below [0]), and where it is trusted less the pass falls
 *   back on the Cauchy weight around the first fit. (With a hard threshold at half an onset's
 *   weight, a beat near the end of generator song 22 moved 8 ms between its WAV and its MP3,
 *   whose weight on one side fell just under the threshold.)
 *
 * Units: seconds in and out.
 */
export function placeBeats(env: OnsetEnvelope, beatTimesSec: number[], options: PlaceOptions = {}): number[] {
  const n = beatTimesSec.length;
  if (n < 3) return beatTimesSec.slice();
  const fr = env.frameRateHz;
  const g = options.smooth ?? gaussianSmooth(env.values, PEAK_SMOOTH_FRAMES);
  const s0 = (options.anchorRatio ?? 0.2) * (options.reference ?? referenceLevel(g));
  if (!(s0 > 0)) return beatTimesSec.slice();
  const reach = options.reachFrames ?? 3;
  const wIn = options.inputWeight ?? 0.0005;
  const lambda = options.smoothness ?? 0.01;
  const neighbourRatio = options.neighbourRatio ?? 0.1;
  const own = beatTimesSec.map((t) => t * fr);
  const peaks = own.map((f) => onsetPeak(g, Math.max(0, Math.min(g.length - 1, Math.round(f))), reach));
  // The strongest onset of the beats within ±2 of each beat, itself left out.
  const around = peaks.map((_, i) => {
    let m = 0;
    for (let j = Math.max(0, i - 2); j <= Math.min(n - 1, i + 2); j++) if (j !== i) m = Math.max(m, peaks[j].strength);
    return m;
  });
  const onsetWeight = peaks.map((peak, i) => {
    const q = (peak.strength / Math.max(s0, neighbourRatio * around[i])) ** 4;
    return q / (1 + q);
  });
  const fit = (w: (i: number) => number, at: (i: number) => number = (i) => peaks[i].frame): number[] => {
    const target: number[] = [];
    const weight: number[] = [];
    for (let i = 0; i < n; i++) {
      const wOn = w(i);
      target.push((wIn * own[i] + wOn * at(i)) / (wIn + wOn));
      weight.push(wIn + wOn);
    }
    return whittakerSmooth(target, weight, lambda);
  };
  const first = fit((i) => onsetWeight[i]);
  const sigma = (options.distanceScaleSec ?? 0.015) * fr;
  if (!(sigma > 0)) return first.map((f) => f / fr);
  const gridBeats = options.neighbourGridBeats ?? 0;
  const grid = gridBeats > 0 ? neighbourGrid(peaks.map((p) => p.frame), onsetWeight, gridBeats) : [];
  const trust = grid.map((point) => (point ? smoothstep(point.support, GRID_SUPPORT[0], GRID_SUPPORT[1]) : 0));
  const c = (options.pullLimitSec ?? 0.008) * fr;
  const reweighted = (i: number): number => {
    const cauchy = onsetWeight[i] / (1 + ((peaks[i].frame - first[i]) / sigma) ** 2);
    const point = grid[i];
    if (!point) return cauchy;
    const gauss = onsetWeight[i] * Math.exp(-0.5 * ((peaks[i].frame - point.frame) / sigma) ** 2);
    return trust[i] * gauss + (1 - trust[i]) * cauchy;
  };
  const pulledTo = (i: number): number => {
    const point = grid[i];
    if (!point || !(c > 0)) return peaks[i].frame;
    const r = peaks[i].frame - point.frame;
    const bounded = c * Math.tanh(r / c);
    const rho = around[i] > 0 ? Math.min(1, peaks[i].strength / around[i]) : 1;
    const pulled = point.frame + bounded + rho * (r - bounded);
    return trust[i] * pulled + (1 - trust[i]) * peaks[i].frame;
  };
  return fit(reweighted, pulledTo).map((f) => f / fr);
}

/** Onset weight (on the thinner side) below which {@link neighbourGrid}'s line is not trusted, and from which it is fully. */
export const GRID_SUPPORT: readonly [number, number] = [0.1, 0.6];

/** Hermite smoothstep: 0 at or below `lo`, 1 at or above `hi`, 3u² − 2u³ between (u the position in [lo, hi]). */
function smoothstep(x: number, lo: number, hi: number): number {
  const u = Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
  return u * u * (3 - 2 * u);
}

/** A beat's position on its neighbours' grid ({@link neighbourGrid}). */
export interface GridPoint {
  /** Predicted onset frame. */
  frame: number;
  /** Onset weight on the thinner side of the beat: how far the line is interpolated rather than extrapolated. */
  support: number;
}

/**
 * Where each beat's neighbours put it: the weighted least-squares straight line through the onset
 * positions of the `reach` beats on either side (beat index against onset frame, each weighted
 * by its onset weight), leaving the beat itself out, evaluated at the beat. A leave-one-out
 * prediction: what the grid says without the beat's own onset, with the onset weight on its
 * thinner side as its support (near the start or end of the music, or a break, the line is
 * extrapolated from one side and deserves less trust). Undefined where a side has no weight at
 * all or the line is degenerate. Units: frames in and out.
 */
export function neighbourGrid(frames: readonly number[], weight: readonly number[], reach: number): Array<GridPoint | undefined> {
  const n = frames.length;
  const out = new Array<GridPoint | undefined>(n);
  for (let i = 0; i < n; i++) {
    let sw = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let before = 0;
    let after = 0;
    for (let j = Math.max(0, i - reach); j <= Math.min(n - 1, i + reach); j++) {
      if (j === i) continue;
      const w = weight[j];
      const x = j - i;
      sw += w;
      sx += w * x;
      sy += w * frames[j];
      sxx += w * x * x;
      sxy += w * x * frames[j];
      if (j < i) before += w;
      else after += w;
    }
    const det = sw * sxx - sx * sx;
    if (!(before > 0 && after > 0 && det > 1e-9)) continue;
    // Line y = a + b·x through the neighbours; at the beat itself x = 0, so the prediction is a.
    out[i] = { frame: (sy * sxx - sx * sxy) / det, support: Math.min(before, after) };
  }
  return out;
}
