/**
 * Wiener-style refinement of stem masks by kernel additive modelling (Liutkus, Fitzgerald, Rafii,
 * Pardo & Daudet 2014): each stem's magnitude estimate M_j·|X| is re-smoothed with the kernel
 * that describes that stem (drums: the percussive enhancement of hpss.ts, a median across
 * frequency plus the low-band transient rule; bass: the long low-band median along time; vocals
 * and other: a median along time), and the masks are recomputed as V_j / Σ V_i with V_j the smoothed power.
 * Iterating lets each stem's model pull back energy the first masks gave to the wrong stem.
 *
 * Units: kernel lengths as in hpss.ts (seconds, Hz). Degenerate input: silence stays
 * vocals = drums = bass = 0, other = 1; zero iterations return the masks unchanged.
 */
import { medianFilterTime } from './medianFilter.js';
import { enhanceHarmonicPercussive, hpssKernel, type HpssOptions } from './hpss.js';
import type { SpectrogramGeometry } from './geometry.js';
import type { StemMaskOptions, StemMasks } from './masks.js';

export interface WienerOptions {
  /** Refinement passes. Default 0 (off). */
  iterations?: number;
  /** Time median for the vocal estimate, in seconds (short: voices glide). Default 0.1 s. */
  vocalLengthSec?: number;
}

export interface WienerContext {
  geometry: SpectrogramGeometry;
  centre: Float32Array | null;
}

/** Refined masks (new arrays) that still lie in [0, 1] and sum to one. */
export function refineMasksWiener(
  mag: Float32Array,
  masks: StemMasks,
  context: WienerContext,
  options: WienerOptions = {},
  hpss: HpssOptions = {},
  maskOptions: StemMaskOptions = {},
): StemMasks {
  const iterations = Math.max(0, Math.round(options.iterations ?? 0));
  const { geometry } = context;
  const { numFrames, numBins } = geometry;
  const { lengthFrames, lowFrames } = hpssKernel(geometry, hpss);
  const vocalFrames = Math.max(1, Math.round(((options.vocalLengthSec ?? 0.1) * geometry.sampleRate) / geometry.hopLength));
  const size = numFrames * numBins;
  const gains = { vocals: maskOptions.vocalGain ?? 1, drums: maskOptions.drumGain ?? 2, bass: maskOptions.bassGain ?? 1.5, other: 1 };
  let current = masks;
  const estimate = new Float32Array(size);
  for (let it = 0; it < iterations; it++) {
    const smoothed = {} as Record<keyof StemMasks, Float32Array>;
    for (const stem of ['vocals', 'drums', 'bass', 'other'] as const) {
      const m = current[stem];
      for (let i = 0; i < size; i++) estimate[i] = m[i] * mag[i];
      smoothed[stem] =
        stem === 'drums'
          ? enhanceHarmonicPercussive(estimate, geometry, hpss).percussive
          : medianFilterTime(estimate, numFrames, numBins, stem === 'vocals' ? vocalFrames : stem === 'bass' ? lowFrames : lengthFrames);
    }
    const next: StemMasks = { vocals: new Float32Array(size), drums: new Float32Array(size), bass: new Float32Array(size), other: new Float32Array(size) };
    for (let i = 0; i < size; i++) {
      const v = gains.vocals * smoothed.vocals[i] ** 2;
      const d = gains.drums * smoothed.drums[i] ** 2;
      const b = gains.bass * smoothed.bass[i] ** 2;
      const o = smoothed.other[i] ** 2;
      const total = v + d + b + o;
      if (total <= 1e-30) {
        // Keep the previous split where the smoothed models say nothing.
        next.vocals[i] = current.vocals[i];
        next.drums[i] = current.drums[i];
        next.bass[i] = current.bass[i];
        next.other[i] = current.other[i];
        continue;
      }
      const g = 1 / total;
      next.vocals[i] = v * g;
      next.drums[i] = d * g;
      next.bass[i] = b * g;
      next.other[i] = Math.max(0, 1 - next.vocals[i] - next.drums[i] - next.bass[i]);
    }
    current = next;
  }
  return current;
}
