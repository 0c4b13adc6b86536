/**
 * Beats without an onset of their own settled onto the grid of the beats that have one.
 *
 * Where a song's beats carry no onset (a drumless intro or outro, a break of sustained chords),
 * the tracker's beats follow whatever the envelope offers: the frames its path happened to take,
 * or a syncopated figure it slid onto over a few slightly short intervals. Such beats are neither
 * where the music's pulse is nor stable: a lossy encoding of the same audio moves the envelope's
 * weak bumps and the path with them, by tens of milliseconds. The beats with clear onsets around
 * them do define where the pulse is, and the tempo curve the tracker followed says how its period
 * changes on the way.
 *
 * Method: each beat gets an onset weight w ∈ [0, 1], the soft threshold (s/s₀)⁴ / (1 + (s/s₀)⁴)
 * of the prominence s of the smoothed onset peak within ±2 frames of it (s₀ = `anchorRatio` × the
 * reference level of the envelope over the run; placeBeats weighs onsets the same way). A grid g
 * through all beats is fitted by a weighted Whittaker smoother (Whittaker 1923; Eilers 2003, "A
 * perfect smoother", Anal. Chem. 75): it minimises Σ (wᵢ² + ε)(gᵢ − bᵢ)² + λ Σ (Δ²gᵢ − Δ²qᵢ)²,
 * where b are the beats, ε = `weakWeight` and λ = `smoothness`. The reference sequence q steps by
 * the tempo curve, qᵢ − qᵢ₋₁ = mᵢ·τ(midpoint) with mᵢ the interval's rounded number of periods, so
 * the grid bends as the curve does (a ritardando in a drumless outro is followed) and is straight
 * where the curve is flat; it is solved as g = q + smooth(b − q). Between strong beats the grid
 * interpolates them; past the last one it carries their phase and period on along the curve. Each
 * beat then moves by (1 − wᵢ) of its distance to the grid: a beat on a clear onset stays where it
 * is, a beat without one takes the grid's position, and a beat in between moves in proportion, so
 * that no threshold decides. ε keeps a trace of the weak beats' own timing, which holds the grid
 * to a drift that the curve follows late (its 8 s windows lag a steady change of tempo by about
 * 1 %: generator seed 295's outro, 5 % faster over ten beats).
 *
 * A slide and a drift differ in how the second differences are spread: a path that slides a fifth
 * of a beat over three short intervals bends the sequence sharply twice, which λ makes dear; a
 * ritardando bends it a little at every beat, which the curve (or, where it lags, ε) allows.
 * Measured on generator songs at full length (`npx tsx bench/rhythm-dev.ts 41 120`, and 121–240,
 * 241–400) and on their MP3s (`npx tsx bench/mp3-wav.ts`): see BENCHMARKS.md.
 *
 * Units: seconds in and out. A run of fewer than 8 beats, or with fewer than 2 beats of onset
 * weight ≥ ½ to anchor the grid, is returned unchanged, and so is a result whose order or spacing
 * the move would break (an interval under a third of the median interval).
 */
import type { OnsetEnvelope } from './onset.js';
import { PEAK_SMOOTH_FRAMES, beatPeriodCurve, gaussianSmooth, mapRunsBetweenGaps, onsetPeak, referenceLevel, whittakerSmooth, type BeatOptions } from './beats.js';

export interface SettleOptions {
  /** Onset prominence (fraction of the run's reference level) at which a beat's onset weight is ½. Default 0.3. */
  anchorRatio?: number;
  /** λ of the grid's second-difference term. Default 300 (a strong beat has weight 1). */
  smoothness?: number;
  /** ε: the weight of a beat's own position in the grid beyond its onset weight squared. Default 0.003. */
  weakWeight?: number;
  /** The tempo curve the beats were tracked against: time (s) → beat period (s). Default: the run's median interval. */
  expectedPeriod?: (timeSec: number) => number;
  /** The envelope smoothed by gaussianSmooth with PEAK_SMOOTH_FRAMES, if already computed. */
  smooth?: Float32Array;
}

/** Fewest beats in a run for the grid to be fitted. */
const MIN_BEATS = 8;
/** Fewest beats of onset weight ≥ ½ that anchor the grid. */
const MIN_ANCHORS = 2;

/** Onset weight of each beat: the soft threshold of its onset's prominence against s₀ (see the module comment). */
function beatOnsetWeights(smooth: Float32Array, frameRateHz: number, beatTimesSec: readonly number[], s0: number): number[] {
  const last = smooth.length - 1;
  return beatTimesSec.map((t) => {
    const f = Math.max(0, Math.min(last, Math.round(t * frameRateHz)));
    const q = (onsetPeak(smooth, f, 2).strength / s0) ** 4;
    return q / (1 + q);
  });
}

/**
 * Beats of one run (seconds, ascending, no silent gap inside) with those without an onset moved
 * onto the grid of those with one. See the module comment.
 */
export function settleWeakBeats(env: OnsetEnvelope, beatTimesSec: readonly number[], options: SettleOptions = {}): number[] {
  const beats = beatTimesSec.slice();
  const n = beats.length;
  if (n < MIN_BEATS) return beats;
  const smooth = options.smooth ?? gaussianSmooth(env.values, PEAK_SMOOTH_FRAMES);
  const fr = env.frameRateHz;
  // The run's own reference level: a long silence or hiss elsewhere in the file would lower the
  // song's, and with it the bar for an onset.
  const span = smooth.subarray(Math.max(0, Math.floor(beats[0] * fr)), Math.min(smooth.length, Math.ceil(beats[n - 1] * fr) + 1));
  const s0 = (options.anchorRatio ?? 0.3) * referenceLevel(span);
  if (!(s0 > 0)) return beats;
  const weight = beatOnsetWeights(smooth, fr, beats, s0);
  if (weight.filter((w) => w >= 0.5).length < MIN_ANCHORS) return beats;

  const intervals = beats.slice(1).map((t, i) => t - beats[i]);
  const median = [...intervals].sort((a, b) => a - b)[intervals.length >> 1];
  const period = options.expectedPeriod ?? (() => median);
  // Reference sequence stepping by the tempo curve, one step per period the interval spans.
  const q = [0];
  for (let i = 1; i < n; i++) {
    const tau = period(0.5 * (beats[i] + beats[i - 1]));
    q.push(q[i - 1] + Math.max(1, Math.round(intervals[i - 1] / tau)) * tau);
  }
  const eps = options.weakWeight ?? 0.003;
  const h = whittakerSmooth(beats.map((b, i) => b - q[i]), weight.map((w) => w * w + eps), options.smoothness ?? 300);
  const out = beats.map((b, i) => b + (1 - weight[i]) * (h[i] + q[i] - b));
  for (let i = 1; i < n; i++) if (!(out[i] - out[i - 1] > median / 3)) return beats;
  return out;
}

/**
 * The tempo curve of one run of beats (time s → period s): {@link beatPeriodCurve} of the
 * tracking envelope from half a tempo window before the run's first beat to half a window after
 * its last, with the frames outside the signal or inside a silent gap set to zero. What lies
 * beyond the gaps around the run (a long silence, or hiss before a hidden track) then does not
 * bend the curve, and the windows fall on the same frames relative to the run wherever it sits in
 * the file. The curve is centred on `bpm`, the tempo measured from the tracked beats, which is far
 * more precise than the tempo estimate's lag grid: a curve centred 3 % off (the lag grid's choice
 * flipped between a WAV and its MP3, generator seed 199) bends differently where the windows see
 * little periodicity.
 */
export function runPeriodCurve(onset: OnsetEnvelope, run: readonly number[], gaps: ReadonlyArray<readonly [number, number]>, bpm: number, options: BeatOptions = {}): ((timeSec: number) => number) | undefined {
  if (run.length === 0) return undefined;
  const fr = onset.frameRateHz;
  const pad = Math.round(((options.tempoWindowSec ?? 8) / 2) * fr);
  const first = Math.round(run[0] * fr) - pad;
  const values = new Float32Array(Math.round(run[run.length - 1] * fr) + pad + 1 - first);
  const from = Math.max(0, first);
  values.set(onset.values.subarray(from, Math.min(onset.values.length, first + values.length)), from - first);
  for (const [a, b] of gaps) {
    const lo = Math.max(0, Math.ceil(a * fr) - first);
    const hi = Math.min(values.length, Math.ceil(b * fr) - first);
    if (hi > lo) values.fill(0, lo, hi);
  }
  const curve = beatPeriodCurve({ ...onset, values }, { bpm, confidence: 1 }, options);
  const last = curve.length - 1;
  if (last < 0) return undefined;
  return (t) => curve[Math.max(0, Math.min(last, Math.round(t * fr) - first))] / fr;
}

/**
 * {@link settleWeakBeats} on each run of beats between silent `gaps` (seconds), on the placement
 * envelope, each against its own tempo curve ({@link runPeriodCurve}, from the tracking envelope
 * `onset`): after a silence the music may resume on another phase, so no grid is carried across
 * one. `bpm` is the tempo of the tracked beats; `beatOptions` those the beats were tracked with.
 */
export function settleBeatsBetweenGaps(onset: OnsetEnvelope, placement: OnsetEnvelope, beats: number[], gaps: Array<[number, number]>, bpm: number, options: SettleOptions = {}, beatOptions: BeatOptions = {}): number[] {
  const smooth = options.smooth ?? gaussianSmooth(placement.values, PEAK_SMOOTH_FRAMES);
  return mapRunsBetweenGaps(beats, gaps, (run) =>
    settleWeakBeats(placement, run, { smooth, expectedPeriod: runPeriodCurve(onset, run, gaps, bpm, beatOptions), ...options }),
  );
}
