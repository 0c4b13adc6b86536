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
 *
 * Units: the envelope's frames in, beat times in seconds out. Degenerate input (empty or silent
 * envelope, non-positive tempo) → [].
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
  /** Leading/trailing beats whose onset prominence is below this fraction of the envelope's reference level ({@link referenceLevel}) are trimmed. Default 0.15. */
  trimRatio?: number;
  /** Envelope on which beats are trimmed and placed ({@link placeBeats}); default the tracked one. */
  placement?: OnsetEnvelope;
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
      const a = score(bestL - 1);
      const c = score(bestL + 1);
      const den = a - 2 * best + c;
      period = bestL + (den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0);
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

  const smooth = gaussianSmooth(env.values, PEAK_SMOOTH_FRAMES);
  const kept = trimWeakEnds(frames, smooth, referenceLevel(smooth), options.trimRatio ?? 0.15);
  return placeBeats(options.placement ?? env, kept.map((f) => f / fr), options.placement ? {} : { smooth });
}

/**
 * Drop leading and trailing beats in near-silence: the prominence of the smoothed onset peak at
 * the beat ({@link onsetPeak}) below `ratio` × the envelope's reference level
 * ({@link referenceLevel}). Prominence rather than height, so that the noise floor of a fade-out
 * or of a lossy codec's quiet tail does not pass for onsets.
 */
function trimWeakEnds(frames: number[], smooth: Float32Array, reference: number, ratio: number): number[] {
  if (frames.length < 3) return frames;
  const thr = ratio * reference;
  const strength = (f: number): number => onsetPeak(smooth, f, 2).strength;
  let a = 0;
  let b = frames.length - 1;
  while (a < b && strength(frames[a]) < thr) a++;
  while (b > a && strength(frames[b]) < thr) b--;
  return frames.slice(a, b + 1);
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
  const a = smooth[best - 1];
  const c = smooth[best + 1];
  const den = a - 2 * smooth[best] + c;
  const frame = best + (den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0);
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
 * weighted by the peak's prominence through a soft threshold ((s/s₀)⁴ / (1 + (s/s₀)⁴)), plus
 * its own tracked position with a small weight. A weighted Whittaker smoother then places the
 * beats: beats on clear onsets stay there, beats without one (rests, syncopated bars, a quiet
 * lead-in) fall on the local beat grid of their neighbours instead of following the envelope's
 * noise floor, where the tracker's frame choice is arbitrary. Units: seconds in and out.
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
  const target: number[] = [];
  const weight: number[] = [];
  for (const t of beatTimesSec) {
    const own = t * fr;
    const peak = onsetPeak(g, Math.max(0, Math.min(g.length - 1, Math.round(own))), reach);
    const q = (peak.strength / s0) ** 4;
    const wOn = q / (1 + q);
    target.push((wIn * own + wOn * peak.frame) / (wIn + wOn));
    weight.push(wIn + wOn);
  }
  return whittakerSmooth(target, weight, options.smoothness ?? 0.01).map((f) => f / fr);
}
