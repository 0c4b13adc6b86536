/**
 * Tuning frequency estimation (A4 in Hz) from the deviation of spectral peaks from the 12-tone
 * equal-tempered grid, as in the tuning stage of Chordino (Mauch & Dixon 2010) and of
 * Harte & Sandler's chromagram (2005), refined to sub-cent precision.
 *
 * Method: on the tonal spectrogram ({@link computeTonalSpectrogram}, 2.69 Hz bins), every local
 * spectral maximum between `minHz` and `maxHz` that stands out from its frame is located by
 * parabolic interpolation of the log magnitude (Smith & Serra 1987). Its deviation from the
 * nearest 440 Hz equal-tempered pitch, in cents in [−50, 50), is accumulated in a circular
 * 1-cent histogram weighted by the peak's magnitude, smoothed with a circular Gaussian. The mode is
 * refined by a weighted circular mean of the deviations within ±`refineCents` of it (narrow, so
 * that the 5th and 7th harmonics, −14 and −31 cents off the grid, cannot pull it).
 *
 * Units: Hz for the result; confidence is 0..1, the excess of the histogram mass near the mode over
 * what a uniform spread would give. Silence, or a clip without tonal peaks, gives 440 Hz with
 * confidence 0. A tuning more than 50 cents off 440 Hz is folded into [−50, 50) cents: equal
 * temperament cannot tell it from a transposition.
 */
import type { AnalysisSignal } from './signal.js';
import { computeTonalSpectrogram, type TonalSpectrogram } from './tonal-spectrum.js';

export interface TuningOptions {
  /** Lowest peak frequency considered, Hz. Default 90. */
  minHz?: number;
  /** Highest peak frequency considered, Hz. Default 2000 (capped at the tonal passband). */
  maxHz?: number;
  /** Peaks more than this far below the frame's strongest are ignored, dB. Default 50. */
  dynamicRangeDb?: number;
  /** At most this many frames are scanned (evenly strided). Default 1500. */
  maxFrames?: number;
  /** Half-width of the window around the histogram mode used for the refinement, cents. Default 6. */
  refineCents?: number;
}

export interface TuningEstimate {
  /** A4 in Hz. */
  tuningHz: number;
  /** 0..1. */
  confidence: number;
}

/** Estimate the tuning frequency of a signal. See the module comment for the method. */
export function estimateTuning(signal: AnalysisSignal, options: TuningOptions = {}): TuningEstimate {
  return estimateTuningFromSpectrogram(computeTonalSpectrogram(signal), options);
}

/** {@link estimateTuning} on an already computed tonal spectrogram. */
export function estimateTuningFromSpectrogram(spec: TonalSpectrogram, options: TuningOptions = {}): TuningEstimate {
  const minHz = options.minHz ?? 90;
  const maxHz = Math.min(options.maxHz ?? 2000, spec.passbandHz);
  const floorRatio = Math.pow(10, -(options.dynamicRangeDb ?? 50) / 20);
  const maxFrames = options.maxFrames ?? 1500;
  const refineCents = options.refineCents ?? 6;
  const { numFrames, numBins, mag, nFft, sampleRate } = spec;
  const binHz = sampleRate / nFft;
  const kLo = Math.max(2, Math.floor(minHz / binHz));
  const kHi = Math.min(numBins - 3, Math.ceil(maxHz / binHz));
  const hist = new Float64Array(100);
  // Keep the peaks for the refinement pass.
  const devs: number[] = [];
  const weights: number[] = [];
  if (numFrames === 0 || kHi <= kLo) return { tuningHz: 440, confidence: 0 };
  const stride = Math.max(1, Math.ceil(numFrames / maxFrames));
  // Global level, so that near-silent frames contribute nothing.
  let globalMax = 0;
  for (let t = 0; t < numFrames; t += stride) {
    const o = t * numBins;
    for (let k = kLo; k <= kHi; k++) if (mag[o + k] > globalMax) globalMax = mag[o + k];
  }
  if (!(globalMax > 1e-6)) return { tuningHz: 440, confidence: 0 };
  const silentFloor = globalMax * 1e-3;
  const log2of440 = Math.log2(440);
  for (let t = 0; t < numFrames; t += stride) {
    const o = t * numBins;
    let frameMax = 0;
    for (let k = kLo; k <= kHi; k++) if (mag[o + k] > frameMax) frameMax = mag[o + k];
    if (frameMax < silentFloor) continue;
    const floor = Math.max(frameMax * floorRatio, silentFloor * 0.1);
    for (let k = kLo; k <= kHi; k++) {
      const b = mag[o + k];
      if (b < floor) continue;
      const a = mag[o + k - 1];
      const c = mag[o + k + 1];
      if (!(b > a && b >= c)) continue;
      // A sinusoid's Hann main lobe is 4 bins wide: require the peak to dominate 2 bins out too,
      // which rejects noise ripples and side lobes.
      if (!(b > 1.5 * mag[o + k - 2] && b > 1.5 * mag[o + k + 2])) continue;
      const la = Math.log(a + 1e-12);
      const lb = Math.log(b);
      const lc = Math.log(c + 1e-12);
      const den = la - 2 * lb + lc;
      const delta = den < 0 ? (0.5 * (la - lc)) / den : 0;
      const hz = (k + delta) * binHz;
      const cents = 1200 * (Math.log2(hz) - log2of440);
      let dev = cents - 100 * Math.round(cents / 100);
      if (dev >= 50) dev -= 100;
      const w = b;
      devs.push(dev);
      weights.push(w);
      // Linear split between the two nearest 1-cent bins (bin i covers dev ≈ i − 50).
      const pos = dev + 50;
      const i0 = Math.floor(pos);
      const frac = pos - i0;
      hist[((i0 % 100) + 100) % 100] += w * (1 - frac);
      hist[(((i0 + 1) % 100) + 100) % 100] += w * frac;
    }
  }
  let total = 0;
  for (let i = 0; i < 100; i++) total += hist[i];
  if (!(total > 0) || devs.length < 3) return { tuningHz: 440, confidence: 0 };
  // Circular Gaussian smoothing, σ = 2 cents.
  const smooth = new Float64Array(100);
  const sigma = 2;
  for (let i = 0; i < 100; i++) {
    let acc = 0;
    for (let d = -6; d <= 6; d++) acc += hist[(i + d + 100) % 100] * Math.exp((-0.5 * d * d) / (sigma * sigma));
    smooth[i] = acc;
  }
  let mode = 0;
  for (let i = 1; i < 100; i++) if (smooth[i] > smooth[mode]) mode = i;
  const modeCents = mode - 50;
  // Refinement: weighted mean of the deviations near the mode (circular difference).
  let sw = 0;
  let swd = 0;
  for (let i = 0; i < devs.length; i++) {
    let d = devs[i] - modeCents;
    if (d >= 50) d -= 100;
    if (d < -50) d += 100;
    if (Math.abs(d) > refineCents) continue;
    sw += weights[i];
    swd += weights[i] * d;
  }
  let cents = modeCents + (sw > 0 ? swd / sw : 0);
  if (cents >= 50) cents -= 100;
  if (cents < -50) cents += 100;
  const near = sw / total;
  const uniform = (2 * refineCents) / 100;
  const confidence = Math.max(0, Math.min(1, (near - uniform) / (1 - uniform)));
  return { tuningHz: 440 * Math.pow(2, cents / 1200), confidence };
}
