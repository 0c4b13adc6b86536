/**
 * Beats moved onto the attacks they mark.
 *
 * The beat tracker reads an onset envelope of 93 ms windows on a 23 ms hop. Its peaks sit on an
 * impulse (the envelope's frame shift is measured on clicks), but a note or a drum whose energy
 * builds over a few milliseconds peaks later in so long a window, by up to half of it: the beats
 * come out 5 to 30 ms after the attacks, more for soft attacks (brushes, plucked bass, pads) than
 * for hard ones. Here each beat looks for its attack in a fine onset function (log-magnitude
 * spectral flux, Böck & Widmer 2013 without the maximum filter, on 11.6 ms windows every 2.9 ms at
 * 22 050 Hz, computed only around the beats). The flux curves of a beat and its neighbours, each
 * taken relative to its own beat, are summed, and the beat moves to the centre of mass of the sum
 * above its mean. Summing lets a beat without an attack of its own, or with a stray one (a flam,
 * a grace note, a codec's pre-echo), move with the grid around it instead of jumping; the centre
 * of mass, unlike a choice of peak, moves little when the signal changes little. (Picking each
 * beat's highest peak and taking the median of the offsets flipped between two clusters of
 * offsets on some songs when they were re-encoded as MP3: 14 ms apart.)
 *
 * Units: seconds in and out; the signal is the mono analysis signal.
 */

import { hann } from '../dsp/window.js';
import { realFftPlan } from '../dsp/realFft.js';
import { parabolicPeakOffset } from '../dsp/stats.js';
import { levelGain, loudLevel } from './level.js';

/**
 * Where in the later of the two windows an attack sits when the fine flux peaks: 3/16 of the
 * window after its centre (an impulse, a tone, a noise burst and a kick all come out within 0.5 ms
 * of their onset at 256 points, a 5 ms linear ramp within 4 ms after its start:
 * test/mir/beat-attack.test.ts).
 */
export const LATE_BY = 3 / 16;

export interface AttackOptions {
  /** Window of the fine flux, samples. Default 256 (11.6 ms at 22 050 Hz). */
  nFft?: number;
  /** Hop of the fine flux, samples. Default 64 (2.9 ms at 22 050 Hz; the peak is interpolated between frames). */
  hop?: number;
  /** An attack is looked for within ± this of each beat, s. Default 0.04. */
  searchSec?: number;
  /** Beats on either side whose flux is summed with a beat's own. Default 8. */
  neighbours?: number;
  /** Lowest FFT bin in the flux (below it: rumble and DC). Default 2 (172 Hz at 256 points). */
  minBin?: number;
  /**
   * Gain inside log(1 + gain·|X|) for a signal at the reference level (level.ts), scaled by the
   * signal's {@link levelGain}. Default 100.
   */
  logGain?: number;
  /** Loud level of the signal ({@link loudLevel}); default measured from `mono`. */
  level?: number;
  /**
   * Contrast (peak ÷ mean) of a beat's summed flux below which its move is the song's, and above
   * which it is its own; in between the two mix linearly. Default [1.1, 1.5].
   */
  contrast?: readonly [number, number];
}

/** A beat's attack: its time (s) and the fine flux's peak height there (arbitrary units, 0 if none). */
export interface Attack {
  timeSec: number;
  strength: number;
}

/** The fine flux around one time, and where each of its values puts an attack. */
interface FluxAround {
  /** Flux values, one per hop; value j marks an attack at `centreSample + (j − search)·hop`. */
  flux: Float32Array;
  /** The sample the search centres on (the time, rounded), and the half-width in hops. */
  centreSample: number;
  search: number;
  hop: number;
}

/**
 * The fine log-magnitude flux (each frame against the frame nFft/4 samples earlier) within
 * ±searchSec of `timeSec`, one value per hop, each placed at the onset time {@link LATE_BY} of a
 * window after the later frame's centre, log-compressed with `gain` ({@link fluxGain}).
 */
function fluxAround(mono: Float32Array, sampleRate: number, timeSec: number, options: AttackOptions, gain: number): FluxAround {
  const nFft = options.nFft ?? 256;
  const hop = options.hop ?? 64;
  const lag = Math.max(1, Math.round(nFft / 4 / hop));
  const minBin = options.minBin ?? 2;
  const gain2 = gain * gain;
  const half = nFft >> 1;
  const search = Math.round(((options.searchSec ?? 0.04) * sampleRate) / hop);
  const centreSample = Math.round(timeSec * sampleRate);
  // Flux value j compares the frame centred at centreSample − LATE_BY·nFft + (j − search)·hop with the one lag hops before.
  const count = 2 * search + 1;
  const first = centreSample - LATE_BY * nFft - (search + lag) * hop;
  const frames = count + lag;
  const plan = realFftPlan(nFft);
  const win = hann(nFft);
  const bins = half - minBin;
  const logs = new Float32Array(frames * bins);
  for (let f = 0; f < frames; f++) {
    const start = first + f * hop - half;
    const src = plan.src;
    for (let i = 0; i < nFft; i++) {
      const k = start + i;
      src[i] = k >= 0 && k < mono.length ? mono[k] * win[i] : 0;
    }
    plan.forward();
    const dst = plan.dst;
    const o = f * bins;
    // log(1 + g|X|) ≈ ½·log(1 + g²|X|²): no square root, the same compression where it matters.
    for (let b = minBin; b < half; b++) {
      const re = dst[2 * b];
      const im = dst[2 * b + 1];
      logs[o + b - minBin] = Math.log1p(gain2 * (re * re + im * im));
    }
  }
  const flux = new Float32Array(count);
  for (let j = 0; j < count; j++) {
    const o = (j + lag) * bins;
    const p = j * bins;
    let s = 0;
    for (let b = 0; b < bins; b++) {
      const d = logs[o + b] - logs[p + b];
      if (d > 0) s += d;
    }
    flux[j] = s;
  }
  return { flux, centreSample, search, hop };
}

/** The flux's log gain for this signal: `logGain` at the reference level, scaled to its loud level. */
function fluxGain(mono: Float32Array, sampleRate: number, options: AttackOptions): number {
  return (options.logGain ?? 100) * levelGain(options.level ?? loudLevel(mono, sampleRate));
}

/** The highest interior local maximum of `curve` (parabolically interpolated, in values), or null if it has none above 0. */
function highestPeak(curve: ArrayLike<number>): { at: number; height: number } | null {
  let best = -1;
  for (let j = 1; j < curve.length - 1; j++) {
    if (curve[j] > 0 && curve[j] >= curve[j - 1] && curve[j] > curve[j + 1] && (best < 0 || curve[j] > curve[best])) best = j;
  }
  if (best < 0) return null;
  return { at: best + parabolicPeakOffset(curve[best - 1], curve[best], curve[best + 1]), height: curve[best] };
}

/** The strongest attack within ±searchSec of `timeSec`: the fine flux's highest peak. */
export function findAttack(mono: Float32Array, sampleRate: number, timeSec: number, options: AttackOptions = {}): Attack {
  const around = fluxAround(mono, sampleRate, timeSec, options, fluxGain(mono, sampleRate, options));
  const peak = highestPeak(around.flux);
  if (!peak) return { timeSec, strength: 0 };
  return { timeSec: (around.centreSample + (peak.at - around.search) * around.hop) / sampleRate, strength: peak.height };
}

/**
 * Every beat moved to the centre of mass of the fine flux summed over the beats within
 * ±neighbours of it (each beat's curve taken relative to the beat itself, to the sample), counting
 * only the sum's excess over its own mean. Where that sum has little contrast (scattered onsets,
 * soft attacks: its peak under 1.5 × its mean), its centre of mass is mostly noise, which a
 * re-encoding moves by several milliseconds; such a beat moves instead by a mix of its own offset
 * and the song's (the same centre of mass over all beats), in proportion to the contrast (James &
 * Stein-style shrinkage towards the pooled estimate). Beats with no attack around them (a flat
 * sum) stay where they are. No beat moves by more than searchSec, so beats more than twice that
 * apart keep their order.
 */
export function alignBeatsToAttacks(mono: Float32Array, sampleRate: number, beatTimesSec: number[], options: AttackOptions = {}): number[] {
  const n = beatTimesSec.length;
  if (n === 0) return [];
  const gain = fluxGain(mono, sampleRate, options);
  const curves = beatTimesSec.map((t) => fluxAround(mono, sampleRate, t, options, gain));
  const { search, hop } = curves[0];
  const count = curves[0].flux.length;
  const reach = options.neighbours ?? 8;
  const [lowContrast, highContrast] = options.contrast ?? [1.1, 1.5];
  const sum = new Float64Array(count);
  for (const c of curves) for (let j = 0; j < count; j++) sum[j] += c.flux[j];
  const songAt = centreAboveMean(sum);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    sum.fill(0);
    for (let k = Math.max(0, i - reach); k <= Math.min(n - 1, i + reach); k++) {
      const f = curves[k].flux;
      for (let j = 0; j < count; j++) sum[j] += f[j];
    }
    const at = centreAboveMean(sum);
    if (at === null) {
      out[i] = beatTimesSec[i];
      continue;
    }
    const own = Math.min(1, Math.max(0, (contrastOf(sum) - lowContrast) / (highContrast - lowContrast)));
    const moved = own * at + (1 - own) * (songAt ?? at);
    out[i] = beatTimesSec[i] + ((moved - search) * hop) / sampleRate;
  }
  return out;
}

/** Peak ÷ mean of a non-negative curve (1 for a flat one). */
function contrastOf(curve: Float64Array): number {
  let peak = 0;
  let mean = 0;
  for (const v of curve) {
    if (v > peak) peak = v;
    mean += v;
  }
  mean /= curve.length;
  return mean > 0 ? peak / mean : 1;
}

/** The centre of mass (in values) of the part of `curve` above its mean, or null if it is flat. */
function centreAboveMean(curve: Float64Array): number | null {
  let mean = 0;
  for (const v of curve) mean += v;
  mean /= curve.length;
  let moment = 0;
  let mass = 0;
  for (let j = 0; j < curve.length; j++) {
    const w = curve[j] - mean;
    if (w > 0) {
      moment += w * j;
      mass += w;
    }
  }
  return mass > 0 ? moment / mass : null;
}
