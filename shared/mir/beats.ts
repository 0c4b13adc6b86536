/**
 * Beat tracking by dynamic programming (Ellis 2007, "Beat tracking by dynamic programming",
 * J. New Music Research 36(1)), extended with a local beat period: the transition cost
 * α·log²(Δ/τ(t)) is taken against a tempo curve τ(t) estimated from windowed autocorrelation
 * around the global period, so a live tempo drift (±5 % and more, within ±`maxDriftRatio`) is
 * followed instead of being forced onto one period.
 *
 * Units: the envelope's frames in, beat times in seconds out (sub-frame, by parabolic
 * interpolation of the onset peak). Degenerate input (empty or silent envelope, non-positive
 * tempo) → [].
 */
import type { TempoEstimate } from '../contracts/music.js';
import type { OnsetEnvelope } from './onset.js';
import { removeLocalMean } from './tempo.js';

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
  /** Leading/trailing beats whose local onset strength is below this fraction of the median are trimmed. Default 0.1. */
  trimRatio?: number;
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
 * ±maxDrift of the global period that maximises r(l) + ½ r(2l) of the normalised envelope,
 * parabolically interpolated, median-smoothed over five windows and linearly interpolated
 * between window centres. Windows with no periodic evidence keep the global period.
 */
export function estimateLocalPeriod(x: Float32Array, frameRateHz: number, globalPeriod: number, windowSec: number, hopSec: number, maxDrift: number): Float32Array {
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
    let best = -Infinity;
    let bestL = -1;
    for (let l = lagLo; l <= lagHi; l++) {
      const v = r[l] + 0.5 * r[2 * l];
      if (v > best) {
        best = v;
        bestL = l;
      }
    }
    let period = globalPeriod;
    if (best > 0 && bestL > lagLo && bestL < lagHi) {
      const a = r[bestL - 1] + 0.5 * r[2 * bestL - 2];
      const c = r[bestL + 1] + 0.5 * r[2 * bestL + 2];
      const den = a - 2 * best + c;
      period = bestL + (den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0);
    } else if (best > 0) period = bestL;
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
  const period = options.followTempo === false
    ? new Float32Array(n).fill(globalPeriod)
    : estimateLocalPeriod(x, fr, globalPeriod, options.tempoWindowSec ?? 8, options.tempoHopSec ?? 1, options.maxDriftRatio ?? 0.12);

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

  const kept = trimWeakEnds(frames, env.values, globalPeriod, options.trimRatio ?? 0.1);
  return kept.map((f) => refineFrame(env.values, f) / fr);
}

/**
 * Drop leading and trailing beats in near-silence: the onset strength at the beat (max within
 * ±`reach` frames) below ratio × the median over all beats.
 */
function trimWeakEnds(frames: number[], values: Float32Array, period: number, ratio: number): number[] {
  if (frames.length < 3) return frames;
  const reach = Math.max(1, Math.round(period / 8));
  const strength = frames.map((f) => {
    let m = 0;
    for (let t = Math.max(0, f - reach); t <= Math.min(values.length - 1, f + reach); t++) if (values[t] > m) m = values[t];
    return m;
  });
  const sorted = [...strength].sort((a, b) => a - b);
  const thr = ratio * sorted[sorted.length >> 1];
  let a = 0;
  let b = frames.length - 1;
  while (a < b && strength[a] < thr) a++;
  while (b > a && strength[b] < thr) b--;
  return frames.slice(a, b + 1);
}

/** Sub-frame position of the onset peak at or next to frame f (parabolic interpolation). */
function refineFrame(values: Float32Array, f: number): number {
  const n = values.length;
  let p = f;
  if (f > 0 && values[f - 1] > values[p]) p = f - 1;
  if (f + 1 < n && values[f + 1] > values[p]) p = f + 1;
  if (p <= 0 || p >= n - 1) return f;
  const a = values[p - 1];
  const b = values[p];
  const c = values[p + 1];
  const den = a - 2 * b + c;
  if (!(den < 0) || b <= 0) return f;
  return p + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
}
