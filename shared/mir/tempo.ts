/**
 * Global tempo from the onset envelope: autocorrelation of the (local-mean removed) onset
 * strength, scored at every candidate beat period by the mean of the autocorrelation at its
 * integer multiples (a comb over the lag axis, so a level whose every multiple is strong wins
 * over its own subdivisions), weighted by a log-normal tempo prior (Ellis 2007, "Beat tracking
 * by dynamic programming"; Percival & Tzanetakis 2014, "Streamlined tempo estimation based on
 * autocorrelation and cross-correlation with pulses").
 *
 * Units: BPM. Degenerate input (an envelope shorter than `minDurationSec`, or silence) → null.
 */
import { rfft, irfft } from '../dsp/fft.js';
import type { TempoEstimate } from '../contracts/music.js';
import type { OnsetEnvelope } from './onset.js';
import { parabolicPeakOffset } from '../dsp/stats.js';

export interface TempoOptions {
  /** Slowest tempo considered, BPM. Default 40. */
  minBpm?: number;
  /** Fastest tempo considered, BPM. Default 240. */
  maxBpm?: number;
  /** Centre of the log-normal tempo prior, BPM. Default 120. */
  priorBpm?: number;
  /** Width of the prior in octaves (standard deviation of log2 tempo). Default 1.0. */
  priorSigmaOctaves?: number;
  /** Longest lag (s) whose autocorrelation enters the comb. Default 4.5. */
  maxLagSec?: number;
  /** Shortest envelope (s) for which a tempo is given. Default 2. */
  minDurationSec?: number;
  /**
   * Window (s) of the short-time autocorrelations that are averaged; short windows keep a
   * drifting tempo's peaks sharp. Default 8 (signals shorter than 1.5 windows use one window).
   */
  windowSec?: number;
  /** Weight of the off-beat (half-period) autocorrelation subtracted in the comb. Default 0. */
  offBeatWeight?: number;
  /** Number of candidates returned. Default 5. */
  numCandidates?: number;
  /**
   * Envelope that settles the metrical level: when given, the winner and its half and double
   * tempo are compared again by this envelope's prior-weighted comb salience, and the half or
   * double replaces the winner when it scores `octaveMargin` times higher. Non-octave rivals
   * (3:2) stay decided by the main envelope, and so does a clip shorter than 1.5 windows
   * (`windowSec`): one window is too little evidence to overrule it (an 8 s rock intro with a
   * sparse backbeat reads at half tempo in the bands below 2 kHz).
   */
  octaveEnvelope?: OnsetEnvelope;
  /**
   * Factor by which the octave envelope must prefer the half or double tempo to overrule the
   * main envelope. Default 1.1 (dev songs: the four ballads it corrects score 1.16–1.31, the
   * highest right answer it would overturn 1.04).
   */
  octaveMargin?: number;
}

export type TempoResult = TempoEstimate & { candidates: { bpm: number; score: number }[] };

/** Grid step of the candidate tempo axis (relative). */
const GRID_STEP = 0.002;

/**
 * Onset envelope with its local mean removed (a moving average of `windowFrames`), the form the
 * periodicity analyses use. Output has zero local mean; length equals the input.
 */
export function removeLocalMean(values: Float32Array, windowFrames: number): Float32Array {
  const n = values.length;
  const out = new Float32Array(n);
  const half = Math.max(1, windowFrames >> 1);
  let sum = 0;
  let lo = 0;
  let hi = -1;
  for (let t = 0; t < n; t++) {
    const a = Math.max(0, t - half);
    const b = Math.min(n - 1, t + half);
    while (hi < b) sum += values[++hi];
    while (lo < a) sum -= values[lo++];
    out[t] = values[t] - sum / (hi - lo + 1);
  }
  return out;
}

/**
 * Autocorrelation r[τ] for τ = 0..maxLag of x (via FFT, zero-padded), divided by the number of
 * overlapping terms and normalised so that r[0] = 1. All-zero input → all zeros.
 */
export function autocorrelate(x: Float32Array, maxLag: number): Float64Array {
  const n = x.length;
  const lagCount = Math.min(maxLag, n - 1) + 1;
  const r = new Float64Array(Math.max(0, lagCount));
  if (n === 0) return r;
  let size = 4;
  while (size < 2 * n) size <<= 1;
  const buf = new Float64Array(size);
  buf.set(x);
  const half = (size >> 1) + 1;
  const re = new Float64Array(half);
  const im = new Float64Array(half);
  rfft(buf, re, im);
  for (let k = 0; k < half; k++) {
    re[k] = re[k] * re[k] + im[k] * im[k];
    im[k] = 0;
  }
  irfft(re, im, buf);
  const r0 = buf[0] / n;
  if (!(r0 > 0)) return r;
  for (let l = 0; l < lagCount; l++) r[l] = buf[l] / (n - l) / r0;
  return r;
}

/**
 * Mean of the normalised autocorrelations of half-overlapping windows of `windowFrames`
 * (windows without energy are skipped); the whole signal when it is shorter than 1.5 windows.
 */
export function windowedAutocorrelation(x: Float32Array, maxLag: number, windowFrames: number): Float64Array {
  if (x.length < 1.5 * windowFrames || windowFrames <= maxLag) return autocorrelate(x, maxLag);
  const acc = new Float64Array(maxLag + 1);
  const hop = Math.max(1, windowFrames >> 1);
  let count = 0;
  for (let s = 0; s + windowFrames <= x.length; s += hop) {
    const r = autocorrelate(x.subarray(s, s + windowFrames), maxLag);
    if (!(r[0] > 0)) continue;
    for (let l = 0; l <= maxLag; l++) acc[l] += r[l];
    count++;
  }
  if (count > 0) for (let l = 0; l <= maxLag; l++) acc[l] /= count;
  return acc;
}

function interp(r: Float64Array, lag: number): number {
  const i = Math.floor(lag);
  if (i + 1 >= r.length) return i < r.length ? r[i] : 0;
  const f = lag - i;
  return r[i] * (1 - f) + r[i + 1] * f;
}

/** Autocorrelation near lag `centre`: the blend of its interpolated value and the maximum within ±2 %. */
function readLag(r: Float64Array, centre: number): number {
  const maxLag = r.length - 1;
  const tol = Math.max(0.5, 0.02 * centre);
  let best = -Infinity;
  for (let l = Math.max(1, Math.ceil(centre - tol)); l <= Math.min(maxLag, Math.floor(centre + tol)); l++) if (r[l] > best) best = r[l];
  const v = interp(r, centre);
  return best === -Infinity ? v : 0.5 * (v + best);
}

/**
 * Comb salience of beat period `periodFrames`: the mean autocorrelation at its multiples up to
 * the longest lag, minus `offBeatWeight` × the mean at the half-way lags (k − ½)·period. The
 * second term says that a level whose off-beats are as strong as its beats is a subdivision of
 * a faster pulse, not the beat. Each lag is read with ±2 % tolerance so a drifting tempo still
 * scores.
 */
export function combSalience(r: Float64Array, periodFrames: number, offBeatWeight = 0): number {
  const maxLag = r.length - 1;
  let on = 0;
  let off = 0;
  let count = 0;
  for (let k = 1; k * periodFrames <= maxLag; k++) {
    on += readLag(r, k * periodFrames);
    off += readLag(r, (k - 0.5) * periodFrames);
    count++;
  }
  return count > 0 ? (on - offBeatWeight * off) / count : 0;
}

/**
 * Estimate the global tempo (BPM) with a confidence in 0..1 and the ranked candidates
 * (score = prior-weighted comb salience, normalised so the best is 1). Silence or too short an
 * envelope → null.
 */
export function estimateTempo(env: OnsetEnvelope, options: TempoOptions = {}): TempoResult | null {
  const minBpm = options.minBpm ?? 40;
  const maxBpm = options.maxBpm ?? 240;
  const priorBpm = options.priorBpm ?? 120;
  const sigma = options.priorSigmaOctaves ?? 1.0;
  const offBeatWeight = options.offBeatWeight ?? 0;
  const fr = env.frameRateHz;
  const n = env.values.length;
  if (n < (options.minDurationSec ?? 2) * fr) return null;
  let peak = 0;
  for (let i = 0; i < n; i++) if (env.values[i] > peak) peak = env.values[i];
  if (!(peak > 1e-6)) return null;
  const maxLag = Math.min(n - 1, Math.round((options.maxLagSec ?? 4.5) * fr));
  const windowFrames = Math.round((options.windowSec ?? 8) * fr);
  const acfOf = (values: Float32Array) => windowedAutocorrelation(removeLocalMean(values, Math.round(fr)), maxLag, windowFrames);
  const r = acfOf(env.values);
  const steps = Math.floor(Math.log(maxBpm / minBpm) / Math.log1p(GRID_STEP)) + 1;
  const score = new Float64Array(steps);
  const salience = (acf: Float64Array, bpm: number): number => {
    const period = (60 * fr) / bpm;
    if (period > maxLag) return 0;
    const z = Math.log2(bpm / priorBpm) / sigma;
    return Math.max(0, combSalience(acf, period, offBeatWeight)) * Math.exp(-0.5 * z * z);
  };
  for (let i = 0; i < steps; i++) score[i] = salience(r, minBpm * (1 + GRID_STEP) ** i);
  const peaks: { bpm: number; score: number }[] = [];
  for (let i = 1; i < steps - 1; i++) {
    if (score[i] > 0 && score[i] >= score[i - 1] && score[i] > score[i + 1]) {
      const b = score[i];
      const d = parabolicPeakOffset(score[i - 1], b, score[i + 1]);
      peaks.push({ bpm: minBpm * (1 + GRID_STEP) ** (i + d), score: b });
    }
  }
  if (peaks.length === 0) return null;
  peaks.sort((p, q) => q.score - p.score);
  // Merge near-duplicates (within 3 %), keeping the stronger.
  const merged: { bpm: number; score: number }[] = [];
  for (const p of peaks) if (!merged.some((m) => Math.abs(Math.log(m.bpm / p.bpm)) < 0.03)) merged.push(p);
  if (options.octaveEnvelope && n >= 1.5 * windowFrames) {
    const r2 = acfOf(options.octaveEnvelope.values);
    const best = merged[0].bpm;
    let level = best;
    let levelScore = salience(r2, best) * (options.octaveMargin ?? 1.1);
    for (const alt of [best / 2, best * 2]) {
      const sc = alt >= minBpm && alt <= maxBpm ? salience(r2, alt) : 0;
      if (sc > levelScore) [level, levelScore] = [alt, sc];
    }
    if (level !== best) {
      // The chosen level leads with the top score, at its own peak's tempo when it has one.
      const i = merged.findIndex((m) => Math.abs(Math.log(m.bpm / level)) < 0.03);
      merged.unshift({ bpm: i >= 0 ? merged.splice(i, 1)[0].bpm : level, score: merged[0].score });
    }
  }
  const top = merged[0].score;
  const candidates = merged.slice(0, options.numCandidates ?? 5).map((p) => ({ bpm: p.bpm, score: p.score / top }));
  const second = candidates.length > 1 ? candidates[1].score : 0;
  const confidence = Math.max(0, Math.min(1, 1 - second)) * 0.5 + 0.5 * Math.min(1, Math.max(0, top / 0.5));
  return { bpm: candidates[0].bpm, confidence, candidates };
}
