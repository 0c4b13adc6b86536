/**
 * STFT and ISTFT of two channels at once (left and right), on the real FFT plans of
 * shared/dsp/realFft.ts (PFFFT in WebAssembly with SIMD).
 *
 * Conventions are exactly those of shared/dsp/stft.ts (centred frames, periodic Hann window,
 * frame-major `re[t * numBins + k]`, weighted overlap-add normalised by Σ window²), so the
 * results match `stft`/`istft` to single precision and can be passed to anything that takes an
 * `Stft`. Used by the separator, where the transforms dominate the run time: one pass over the
 * frames serves both channels, and the masks are applied on the fly, so masked resynthesis needs
 * no masked copy of the spectra.
 *
 * Degenerate input: an empty signal gives 0 frames; `istftPair` of 0 frames gives zeros.
 */
import { hann } from '../dsp/window.js';
import { stftFrameCount, windowInto, type Stft } from '../dsp/stft.js';
import { packOrdered, realFftPlan, unpackOrdered, type RealFftPlan } from '../dsp/realFft.js';

export interface PairStftOptions {
  /** FFT size in samples (2^a·3^b·5^c, a ≥ 5; the separator uses powers of two). Default 2048. */
  nFft?: number;
  /** Hop in samples. Default nFft / 4. */
  hopLength?: number;
}

/** Transform the plan's input and unpack the ordered spectrum into frame `o` (offset) of `spec`. */
function forwardInto(plan: RealFftPlan, dst: Float32Array, spec: Stft, o: number): void {
  plan.forward();
  unpackOrdered(dst, spec.re, spec.im, o);
}

/**
 * STFTs of two equally long real signals (e.g. left and right). Pass the same array twice for a
 * mono signal if needed (both results are then equal).
 */
export function stftPair(a: Float32Array, b: Float32Array, options: PairStftOptions = {}): [Stft, Stft] {
  if (a.length !== b.length) throw new RangeError(`stftPair needs equal lengths, got ${a.length} and ${b.length}`);
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? nFft >> 2;
  const plan = realFftPlan(nFft);
  const numBins = (nFft >> 1) + 1;
  const numFrames = stftFrameCount(a.length, hopLength);
  const specA: Stft = { nFft, hopLength, numFrames, numBins, re: new Float32Array(numFrames * numBins), im: new Float32Array(numFrames * numBins) };
  const specB: Stft = { nFft, hopLength, numFrames, numBins, re: new Float32Array(numFrames * numBins), im: new Float32Array(numFrames * numBins) };
  const win = hann(nFft);
  const { src, dst } = plan;
  for (let t = 0; t < numFrames; t++) {
    const start = t * hopLength - (nFft >> 1);
    windowInto(a, start, win, src);
    forwardInto(plan, dst, specA, t * numBins);
    windowInto(b, start, win, src);
    forwardInto(plan, dst, specB, t * numBins);
  }
  return [specA, specB];
}

/** A plan with its buffers' views, fetched once per call. */
interface PlanViews {
  plan: RealFftPlan;
  src: Float32Array;
  dst: Float32Array;
}

/**
 * Pack frame `o` (offset) of `spec`, times `mask` if given, into the plan's input, inverse
 * transform, and overlap-add the result times `synthesis` at `start` into `out`.
 */
function overlapAddFrame({ plan, src, dst }: PlanViews, spec: Stft, o: number, mask: Float32Array | undefined, synthesis: Float32Array, out: Float32Array, start: number): void {
  const half = plan.size >> 1;
  const re = spec.re, im = spec.im;
  if (mask === undefined) {
    packOrdered(re, im, src, o);
  } else {
    // Real signals have a real DC and Nyquist bin: any imaginary part there is dropped, as irfft does.
    src[0] = re[o] * mask[o];
    src[1] = re[o + half] * mask[o + half];
    for (let k = 1; k < half; k++) {
      const g = mask[o + k];
      src[2 * k] = re[o + k] * g;
      src[2 * k + 1] = im[o + k] * g;
    }
  }
  plan.inverse();
  const n0 = Math.max(0, -start);
  const n1 = Math.min(plan.size, out.length - start);
  for (let n = n0; n < n1; n++) out[start + n] += dst[n] * synthesis[n];
}

/**
 * Inverse of {@link stftPair}: two real signals of `length` samples from two STFTs with the
 * same geometry. Equal to `istft` of each. Optional real masks (same layout as the spectra,
 * `maskB` defaulting to `maskA`) are applied on the fly.
 */
export function istftPair(specA: Stft, specB: Stft, length: number, maskA?: Float32Array, maskB: Float32Array | undefined = maskA): [Float32Array, Float32Array] {
  const { nFft, hopLength, numFrames, numBins } = specA;
  if (specB.nFft !== nFft || specB.hopLength !== hopLength || specB.numFrames !== numFrames) {
    throw new RangeError(`istftPair needs equal STFT geometry, got nFft ${nFft}/${specB.nFft}, hop ${hopLength}/${specB.hopLength}, frames ${numFrames}/${specB.numFrames}`);
  }
  const plan = realFftPlan(nFft);
  const views: PlanViews = { plan, src: plan.src, dst: plan.dst };
  // The synthesis window with the inverse transform's 1/N folded in.
  const win = hann(nFft);
  const synthesis = new Float32Array(nFft);
  for (let n = 0; n < nFft; n++) synthesis[n] = win[n] / nFft;
  const outA = new Float32Array(length);
  const outB = new Float32Array(length);
  for (let t = 0; t < numFrames; t++) {
    const start = t * hopLength - (nFft >> 1);
    overlapAddFrame(views, specA, t * numBins, maskA, synthesis, outA, start);
    overlapAddFrame(views, specB, t * numBins, maskB, synthesis, outB, start);
  }
  const inverseNorm = inverseOverlapNorm(nFft, hopLength, numFrames, length);
  for (let i = 0; i < length; i++) {
    outA[i] *= inverseNorm[i];
    outB[i] *= inverseNorm[i];
  }
  return [outA, outB];
}

let normCache: { key: string; value: Float32Array } | null = null;

/** 1 / Σ window² over the frames covering each sample (the ISTFT normaliser); 0 where uncovered. */
function inverseOverlapNorm(nFft: number, hopLength: number, numFrames: number, length: number): Float32Array {
  const key = `${nFft}:${hopLength}:${numFrames}:${length}`;
  if (normCache?.key === key) return normCache.value;
  const win = hann(nFft);
  const half = nFft >> 1;
  const norm = new Float64Array(length);
  for (let t = 0; t < numFrames; t++) {
    const start = t * hopLength - half;
    const n0 = Math.max(0, -start);
    const n1 = Math.min(nFft, length - start);
    for (let n = n0; n < n1; n++) norm[start + n] += win[n] * win[n];
  }
  const value = new Float32Array(length);
  for (let i = 0; i < length; i++) value[i] = norm[i] > 1e-10 ? 1 / norm[i] : 0;
  normCache = { key, value };
  return value;
}
