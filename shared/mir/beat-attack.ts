/**
 * Beats moved onto the attacks they mark.
 *
 * The beat tracker reads an onset envelope of 93 ms windows on a 23 ms hop. Its peaks sit on an
 * impulse (the envelope's frame shift is measured on clicks), but a note or a drum whose energy
 * builds over a few milliseconds peaks later in so long a window, by up to half of it: the beats
 * come out 5 to 30 ms after the attacks, more for soft attacks (brushes, plucked bass, pads) than
 * for hard ones. Here each beat looks for its attack in a fine onset function (log-magnitude
 * spectral flux, Böck & Widmer 2013 without the maximum filter, on 11.6 ms windows every 2.9 ms at
 * 22 050 Hz, computed only around the beats), and the beats move by the median of their
 * neighbours' attack offsets, so that a beat without an attack of its own, or with a stray one
 * (a flam, a grace note, a codec's pre-echo), moves with the grid around it instead of jumping.
 *
 * Units: seconds in and out; the signal is the mono analysis signal.
 */

import { hann } from '../dsp/window.js';
import { realFftPlan } from '../dsp/realFft.js';
import { median, parabolicPeakOffset } from '../dsp/stats.js';

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
  /** Beats on either side whose offsets make a beat's median. Default 8. */
  neighbours?: number;
  /** A beat's attack counts if its flux peak is at least this share of the strongest peak among its neighbours. Default 0.3. */
  minShare?: number;
  /** Lowest FFT bin in the flux (below it: rumble and DC). Default 2 (172 Hz at 256 points). */
  minBin?: number;
  /** Gain inside log(1 + gain·|X|). Default 100. */
  logGain?: number;
}

/** A beat's attack: its time (s) and the fine flux's peak height there (arbitrary units, 0 if none). */
export interface Attack {
  timeSec: number;
  strength: number;
}

/**
 * The strongest attack within ±searchSec of `timeSec`: the peak of the fine log-magnitude flux
 * (each frame against the frame nFft/4 samples earlier), parabolically interpolated, at the
 * onset time {@link LATE_BY} of a window after the later frame's centre.
 */
export function findAttack(mono: Float32Array, sampleRate: number, timeSec: number, options: AttackOptions = {}): Attack {
  const nFft = options.nFft ?? 256;
  const hop = options.hop ?? 64;
  const lag = Math.max(1, Math.round(nFft / 4 / hop));
  const minBin = options.minBin ?? 2;
  const gain = options.logGain ?? 100;
  const gain2 = gain * gain;
  const half = nFft >> 1;
  const search = Math.round(((options.searchSec ?? 0.04) * sampleRate) / hop);
  const centre = Math.round(timeSec * sampleRate) - LATE_BY * nFft;
  // Flux frames c = centre + j·hop, j in [-search, search]; each needs the frame lag hops before.
  const count = 2 * search + 1;
  const first = centre - (search + lag) * hop;
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
  let best = -1;
  for (let j = 1; j < count - 1; j++) {
    if (flux[j] >= flux[j - 1] && flux[j] > flux[j + 1] && (best < 0 || flux[j] > flux[best])) best = j;
  }
  if (best < 0) return { timeSec, strength: 0 };
  const b = flux[best];
  const at = best + parabolicPeakOffset(flux[best - 1], b, flux[best + 1]);
  const sample = first + (at + lag) * hop + LATE_BY * nFft;
  return { timeSec: sample / sampleRate, strength: b };
}

/**
 * Every beat moved by the median attack offset (attack − beat) of the beats within ±neighbours
 * of it whose attack is clear (flux peak ≥ minShare of the strongest among them). Beats with no
 * clear attack among their neighbours stay where they are. No beat moves by more than searchSec
 * (plus half a hop), so beats more than twice that apart keep their order.
 */
export function alignBeatsToAttacks(mono: Float32Array, sampleRate: number, beatTimesSec: number[], options: AttackOptions = {}): number[] {
  const n = beatTimesSec.length;
  if (n === 0) return [];
  const attacks = beatTimesSec.map((t) => findAttack(mono, sampleRate, t, options));
  const reach = options.neighbours ?? 8;
  const share = options.minShare ?? 0.3;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - reach);
    const hi = Math.min(n - 1, i + reach);
    let strongest = 0;
    for (let j = lo; j <= hi; j++) strongest = Math.max(strongest, attacks[j].strength);
    const offsets: number[] = [];
    if (strongest > 0) for (let j = lo; j <= hi; j++) if (attacks[j].strength >= share * strongest) offsets.push(attacks[j].timeSec - beatTimesSec[j]);
    out[i] = beatTimesSec[i] + (offsets.length ? median(offsets) : 0);
  }
  return out;
}
