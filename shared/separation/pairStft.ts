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
import { multiplyInto } from '../dsp/vector.js';

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

/**
 * Inverse of {@link stftPair}: two real signals of `length` samples from two STFTs with the
 * same geometry. Equal to `istft` of each. Optional real masks (same layout as the spectra,
 * `maskB` defaulting to `maskA`) are applied on the fly.
 */
export function istftPair(specA: Stft, specB: Stft, length: number, maskA?: Float32Array, maskB: Float32Array | undefined = maskA): [Float32Array, Float32Array] {
  const outA = new Float32Array(length);
  const outB = new Float32Array(length);
  istftPairInto(specA, specB, { length, from: 0, count: length, outA, outB, at: 0 }, maskA, maskB);
  return [outA, outB];
}

/** Which samples of the resynthesised signals {@link istftPairInto} writes, and where. */
export interface SynthesisRange {
  /** Length of the whole signal, samples (the STFTs' input length). */
  length: number;
  /** First sample wanted, and how many (within [0, length)). */
  from: number;
  count: number;
  /** Samples [from, from + count) go to outA/outB from index `at`; outB null skips the second signal. */
  outA: Float32Array;
  outB: Float32Array | null;
  at: number;
}

/**
 * Samples [from, from + count) of {@link istftPair}'s signals, written straight into the caller's
 * arrays. Only the frames that reach the range are synthesised, and the overlap-add carries the
 * unfinished samples in a frame-sized buffer per channel (kept in cache): once frame t is added,
 * its first `hop` samples receive no more frames, so they are normalised and written out in the
 * same pass. The normaliser 1 / (N·Σ w²) over the frames covering a sample depends only on its
 * position within the hop, away from the signal's ends, where it is summed over the frames that
 * exist (as `istft` does).
 */
export function istftPairInto(specA: Stft, specB: Stft, range: SynthesisRange, maskA?: Float32Array, maskB: Float32Array | undefined = maskA): void {
  const { nFft, hopLength: hop, numFrames, numBins } = specA;
  if (specB.nFft !== nFft || specB.hopLength !== hop || specB.numFrames !== numFrames) {
    throw new RangeError(`istftPair needs equal STFT geometry, got nFft ${nFft}/${specB.nFft}, hop ${hop}/${specB.hopLength}, frames ${numFrames}/${specB.numFrames}`);
  }
  if (hop > nFft) throw new RangeError(`istftPair needs frames that overlap or touch, got hop ${hop} > nFft ${nFft}`);
  const { length, outA, outB, at } = range;
  const from = Math.max(0, range.from);
  const end = Math.min(length, range.from + range.count);
  if (end <= from) return;
  const outShift = at - range.from;
  const half = nFft >> 1;
  // Samples past the last frame's reach are silent (all of them when there are no frames).
  const coveredEnd = (numFrames - 1) * hop + half;
  if (end > coveredEnd) {
    outA.fill(0, outShift + Math.max(from, coveredEnd), outShift + end);
    outB?.fill(0, outShift + Math.max(from, coveredEnd), outShift + end);
  }
  const plan = realFftPlan(nFft);
  const ctx: SynthesisContext = {
    plan,
    src: plan.src,
    dst: plan.dst,
    win: hann(nFft),
    norm: synthesisNorm(nFft, hop),
    numFrames,
    from,
    end,
    outShift,
    // Samples in [interiorFrom, interiorEnd) are covered by every frame that can reach them.
    interiorFrom: half - hop,
    interiorEnd: numFrames * hop - half,
  };
  // Frame t covers samples [t·hop − N/2, t·hop + N/2): the frames reaching [from, end).
  const tFirst = Math.max(0, Math.floor((from - half) / hop) + 1);
  const tLast = Math.min(numFrames - 1, Math.ceil((end + half) / hop) - 1);
  // Carried sums of the samples [start, start + N − hop) of the next frame (the tail stays 0).
  const carryA = new Float32Array(nFft);
  const carryB = new Float32Array(nFft);
  for (let t = tFirst; t <= tLast; t++) {
    const start = t * hop - half;
    synthesiseFrame(ctx, specA, t * numBins, maskA, carryA, outA, start, t === tLast);
    if (outB) synthesiseFrame(ctx, specB, t * numBins, maskB, carryB, outB, start, t === tLast);
  }
}

/** What every frame of one {@link istftPairInto} call shares. */
interface SynthesisContext {
  plan: RealFftPlan;
  src: Float32Array;
  dst: Float32Array;
  win: Float32Array;
  /** Interior normaliser by position within the hop ({@link synthesisNorm}); its length is the hop. */
  norm: Float32Array;
  numFrames: number;
  /** Samples wanted, [from, end), and the output index of sample i: i + outShift. */
  from: number;
  end: number;
  outShift: number;
  interiorFrom: number;
  interiorEnd: number;
}

/**
 * Inverse-transform frame `o` (offset) of `spec`, times `mask` if given, into the plan's output,
 * and overlap-add it (times the window) to the carried sums `carry` of the samples from `start`:
 * the first hop samples, now complete, are normalised and written to `out`, the rest carried on
 * to the next frame. After the last frame the carried samples are written too.
 */
function synthesiseFrame(ctx: SynthesisContext, spec: Stft, o: number, mask: Float32Array | undefined, carry: Float32Array, out: Float32Array, start: number, last: boolean): void {
  const { src, dst, win, norm } = ctx;
  const nFft = win.length;
  const hop = norm.length;
  if (mask === undefined) packOrdered(spec.re, spec.im, src, o);
  else packMasked(spec.re, spec.im, mask, src, o);
  ctx.plan.inverse();
  const shift = ctx.outShift + start;
  if (start >= ctx.from && start + hop <= ctx.end && start >= ctx.interiorFrom && start + hop <= ctx.interiorEnd) {
    let n = 0;
    for (; n + 3 < hop; n += 4) {
      const y0 = (carry[n] + dst[n] * win[n]) * norm[n];
      const y1 = (carry[n + 1] + dst[n + 1] * win[n + 1]) * norm[n + 1];
      const y2 = (carry[n + 2] + dst[n + 2] * win[n + 2]) * norm[n + 2];
      const y3 = (carry[n + 3] + dst[n + 3] * win[n + 3]) * norm[n + 3];
      out[shift + n] = y0;
      out[shift + n + 1] = y1;
      out[shift + n + 2] = y2;
      out[shift + n + 3] = y3;
    }
    for (; n < hop; n++) out[shift + n] = (carry[n] + dst[n] * win[n]) * norm[n];
  } else {
    for (let n = 0; n < hop; n++) {
      const i = start + n;
      if (i >= ctx.from && i < ctx.end) out[shift + n] = (carry[n] + dst[n] * win[n]) * normAt(ctx, i, n);
    }
  }
  // The carried samples move on by one hop: [start + hop, start + N).
  const overlap = nFft - hop;
  for (let m = 0; m < overlap - hop; m++) carry[m] = carry[m + hop] + dst[m + hop] * win[m + hop];
  const fresh = Math.max(0, overlap - hop);
  multiplyInto(dst, fresh + hop, win, fresh + hop, carry, fresh, overlap - fresh);
  if (!last) return;
  for (let m = 0; m < overlap; m++) {
    const i = start + hop + m;
    if (i >= ctx.from && i < ctx.end) out[shift + hop + m] = carry[m] * normAt(ctx, i, m % hop);
  }
}

/**
 * {@link packOrdered} of frame `o` times a real mask. Real signals have a real DC and Nyquist
 * bin: any imaginary part there is dropped, as irfft does.
 */
function packMasked(re: Float32Array, im: Float32Array, mask: Float32Array, src: Float32Array, o: number): void {
  const half = src.length >> 1;
  src[0] = re[o] * mask[o];
  src[1] = re[o + half] * mask[o + half];
  let k = 1;
  for (; k + 3 < half; k += 4) {
    const g0 = mask[o + k], g1 = mask[o + k + 1], g2 = mask[o + k + 2], g3 = mask[o + k + 3];
    const a0 = re[o + k] * g0, a1 = re[o + k + 1] * g1, a2 = re[o + k + 2] * g2, a3 = re[o + k + 3] * g3;
    const b0 = im[o + k] * g0, b1 = im[o + k + 1] * g1, b2 = im[o + k + 2] * g2, b3 = im[o + k + 3] * g3;
    const j = 2 * k;
    src[j] = a0;
    src[j + 1] = b0;
    src[j + 2] = a1;
    src[j + 3] = b1;
    src[j + 4] = a2;
    src[j + 5] = b2;
    src[j + 6] = a3;
    src[j + 7] = b3;
  }
  for (; k < half; k++) {
    const g = mask[o + k];
    src[2 * k] = re[o + k] * g;
    src[2 * k + 1] = im[o + k] * g;
  }
}

/** The normaliser of sample i, at position r within its hop. */
function normAt(ctx: SynthesisContext, i: number, r: number): number {
  return i >= ctx.interiorFrom && i < ctx.interiorEnd ? ctx.norm[r] : edgeNorm(ctx.win, ctx.norm.length, ctx.numFrames, i);
}

let normCache: { key: string; value: Float32Array } | null = null;

/**
 * 1 / (N · Σ_j w[r + j·hop]²) for r in [0, hop): the overlap-add normaliser of a sample covered
 * by every frame that can reach it (N folds in the unscaled inverse FFT).
 */
function synthesisNorm(nFft: number, hop: number): Float32Array {
  const key = `${nFft}:${hop}`;
  if (normCache?.key === key) return normCache.value;
  const win = hann(nFft);
  const value = new Float32Array(hop);
  for (let r = 0; r < hop; r++) {
    let sum = 0;
    for (let n = r; n < nFft; n += hop) sum += win[n] * win[n];
    value[r] = sum > 1e-10 ? 1 / (nFft * sum) : 0;
  }
  normCache = { key, value };
  return value;
}

/** The normaliser of sample i near a signal end: Σ w² over the frames t ∈ [0, numFrames) covering it. */
function edgeNorm(win: Float32Array, hop: number, numFrames: number, i: number): number {
  const nFft = win.length;
  const half = nFft >> 1;
  let sum = 0;
  const t0 = Math.max(0, Math.floor((i - half) / hop) + 1);
  const t1 = Math.min(numFrames - 1, Math.floor((i + half) / hop));
  for (let t = t0; t <= t1; t++) {
    const n = i - t * hop + half;
    sum += win[n] * win[n];
  }
  return sum > 1e-10 ? 1 / (nFft * sum) : 0;
}
