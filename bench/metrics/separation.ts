/**
 * Source separation quality: the plain energy-ratio signal-to-distortion ratio used by the
 * Music Demixing Challenge 2021 (Mitsufuji et al., "Music Demixing Challenge 2021", Frontiers in
 * Signal Processing 2022) and SiSEC/museval's "new SDR" simplification:
 *
 *   SDR = 10·log10( (Σ s² + ε) / (Σ (s − ŝ)² + ε) )   [dB],  ε = 1e-7,
 *
 * with the sums over all channels and samples of one stem (channel-joint). It is NOT BSS Eval's
 * projection-based SDR (no distortion filter is allowed, so a gain or delay error counts fully).
 * Optionally (`windowSamples`) the ratio is taken per window and the median reported, museval's
 * aggregation; windows where the reference is silent are skipped.
 * A silent reference (mean square below `silenceThreshold`) has no meaningful SDR: {@link sdrPerStem}
 * reports null for it, and {@link signalToDistortionRatio} returns NaN.
 */

export interface SdrOptions {
  /** Regulariser in numerator and denominator; default 1e-7 (MDX 2021). */
  epsilon?: number;
  /** Mean-square energy under which the reference counts as silent; default 1e-10 (−100 dBFS). */
  silenceThreshold?: number;
  /** Per-window SDR with median aggregation (e.g. 44100 for museval's 1 s windows); default off. */
  windowSamples?: number;
}

function asChannels(x: Float32Array | readonly Float32Array[]): readonly Float32Array[] {
  return x instanceof Float32Array ? [x] : x;
}

function sdrOver(ref: readonly Float32Array[], est: readonly Float32Array[], from: number, to: number, eps: number, silence: number): number {
  let signal = 0;
  let error = 0;
  for (let c = 0; c < ref.length; c++) {
    const r = ref[c];
    const e = est[c];
    for (let i = from; i < to; i++) {
      signal += r[i] * r[i];
      const d = r[i] - e[i];
      error += d * d;
    }
  }
  const count = ref.length * (to - from);
  if (count === 0 || signal / count < silence) return Number.NaN;
  return 10 * Math.log10((signal + eps) / (error + eps));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * SDR in dB of one stem (mono Float32Array or planar channels). Reference and estimate must have
 * the same channel count and length; otherwise an Error names both shapes.
 */
export function signalToDistortionRatio(
  reference: Float32Array | readonly Float32Array[],
  estimate: Float32Array | readonly Float32Array[],
  options: SdrOptions = {},
): number {
  const ref = asChannels(reference);
  const est = asChannels(estimate);
  const shape = (x: readonly Float32Array[]): string => `${x.length}×${x[0]?.length ?? 0}`;
  if (ref.length !== est.length || ref.some((ch, c) => ch.length !== est[c].length)) {
    throw new Error(`SDR needs equal shapes: reference ${shape(ref)}, estimate ${shape(est)} (channels×samples)`);
  }
  const eps = options.epsilon ?? 1e-7;
  const silence = options.silenceThreshold ?? 1e-10;
  const n = ref[0]?.length ?? 0;
  if (!options.windowSamples) return sdrOver(ref, est, 0, n, eps, silence);
  const values: number[] = [];
  for (let from = 0; from < n; from += options.windowSamples) {
    const v = sdrOver(ref, est, from, Math.min(n, from + options.windowSamples), eps, silence);
    if (!Number.isNaN(v)) values.push(v);
  }
  return values.length > 0 ? median(values) : Number.NaN;
}

/** SDR per stem name; null where the reference stem is silent or the estimate is missing. */
export function sdrPerStem(
  references: Readonly<Record<string, readonly Float32Array[]>>,
  estimates: Readonly<Record<string, readonly Float32Array[] | undefined>>,
  options: SdrOptions = {},
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [stem, ref] of Object.entries(references)) {
    const est = estimates[stem];
    if (!est) {
      out[stem] = null;
      continue;
    }
    const v = signalToDistortionRatio(ref, est, options);
    out[stem] = Number.isNaN(v) ? null : v;
  }
  return out;
}
