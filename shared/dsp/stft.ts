/**
 * Short-time Fourier transform and its inverse (weighted overlap-add, Griffin & Lim 1984 window
 * normalisation). Frames are centred: frame t covers samples [t·hop − nFft/2, t·hop + nFft/2),
 * with the signal zero-padded at both ends, so frame t is centred on time t·hop/sampleRate.
 *
 * Layout: frame-major, `re[t * numBins + k]`, numBins = nFft/2 + 1. Compute it once and pass it
 * to every algorithm that needs it.
 */
import { irfft, rfft } from './fft.js';
import { isRealFftSize, realFftPlan, unpackOrdered } from './realFft.js';
import { hann } from './window.js';
import { multiplyInto } from './vector.js';

export interface StftOptions {
  /** FFT size in samples (power of two). Default 2048. */
  nFft?: number;
  /** Hop in samples. Default nFft / 4. */
  hopLength?: number;
}

/** Which centred frames to compute: [firstFrame, firstFrame + frameCount), clipped to the signal's frames. */
export interface FrameRange {
  firstFrame: number;
  frameCount: number;
}

export interface Stft {
  nFft: number;
  hopLength: number;
  numFrames: number;
  numBins: number;
  re: Float32Array;
  im: Float32Array;
}

/** Number of centred frames for a signal of `length` samples. */
export function stftFrameCount(length: number, hopLength: number): number {
  return length === 0 ? 0 : Math.floor(length / hopLength) + 1;
}

/**
 * The centred, Hann-windowed frames of `signal`, each transformed: calls `emit(t, re, im)` with
 * frame t's spectrum (numBins values each, reused between calls). Returns the geometry.
 */
function eachSpectrum(
  signal: Float32Array,
  options: StftOptions,
  emit: (t: number, re: Float64Array, im: Float64Array, numBins: number) => void,
  range?: FrameRange,
): { nFft: number; hopLength: number; numFrames: number; numBins: number } {
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? nFft >> 2;
  const numBins = (nFft >> 1) + 1;
  const [first, numFrames] = clipRange(stftFrameCount(signal.length, hopLength), range);
  const win = hann(nFft);
  const fr = new Float64Array(numBins);
  const fi = new Float64Array(numBins);
  const half = nFft >> 1;
  // PFFFT's plan for the sizes it takes: the window is written straight into its input.
  const plan = isRealFftSize(nFft) ? realFftPlan(nFft) : null;
  const frame = plan ? plan.src : new Float64Array(nFft);
  for (let t = 0; t < numFrames; t++) {
    windowInto(signal, (first + t) * hopLength - half, win, frame);
    if (plan) {
      plan.forward();
      unpackOrdered(plan.dst, fr, fi);
    } else {
      rfft(frame, fr, fi);
    }
    emit(t, fr, fi, numBins);
  }
  return { nFft, hopLength, numFrames, numBins };
}

/** frame[n] = signal[start + n] · win[n] (a centred frame starts at t·hop − nFft/2), zero outside the signal. */
export function windowInto(signal: Float32Array, start: number, win: Float32Array, frame: Float32Array | Float64Array): void {
  const nFft = win.length;
  if (start >= 0 && start + nFft <= signal.length) {
    multiplyInto(signal, start, win, 0, frame, 0, nFft);
    return;
  }
  for (let n = 0; n < nFft; n++) {
    const i = start + n;
    frame[n] = i >= 0 && i < signal.length ? signal[i] * win[n] : 0;
  }
}

/** [first frame, frame count] of `range` within a signal's `total` frames (all of them without a range). */
function clipRange(total: number, range?: FrameRange): [number, number] {
  if (!range) return [0, total];
  const first = Math.max(0, Math.min(total, Math.floor(range.firstFrame)));
  return [first, Math.max(0, Math.min(total - first, Math.floor(range.frameCount)))];
}

/** Complex STFT of one channel with a periodic Hann window. An empty signal gives 0 frames. */
export function stft(signal: Float32Array, options: StftOptions = {}): Stft {
  const nFft = options.nFft ?? 2048;
  const numBins = (nFft >> 1) + 1;
  const numFrames = stftFrameCount(signal.length, options.hopLength ?? nFft >> 2);
  const re = new Float32Array(numFrames * numBins);
  const im = new Float32Array(numFrames * numBins);
  const geometry = eachSpectrum(signal, options, (t, fr, fi) => {
    re.set(fr, t * numBins);
    im.set(fi, t * numBins);
  });
  return { ...geometry, re, im };
}

/**
 * |STFT| of one channel, exactly `magnitude(stft(signal, options))` (the same float32 values),
 * without the complex spectrogram: half the memory at its peak, for analyses that need only the
 * magnitude. With `range`, only those frames (row 0 = frame `range.firstFrame`), with the same
 * values as the whole spectrogram's rows: a long signal can be visited a block at a time.
 */
export function stftMagnitude(signal: Float32Array, options: StftOptions = {}, range?: FrameRange): { numFrames: number; numBins: number; mag: Float32Array } {
  const nFft = options.nFft ?? 2048;
  const numBins = (nFft >> 1) + 1;
  const mag = new Float32Array(clipRange(stftFrameCount(signal.length, options.hopLength ?? nFft >> 2), range)[1] * numBins);
  const { numFrames } = eachSpectrum(signal, options, (t, fr, fi) => {
    const o = t * numBins;
    for (let k = 0; k < numBins; k++) {
      // float32 parts first, as the complex STFT stores them
      const re = Math.fround(fr[k]);
      const im = Math.fround(fi[k]);
      mag[o + k] = Math.sqrt(re * re + im * im);
    }
  }, range);
  return { numFrames, numBins, mag };
}

/**
 * Inverse STFT by weighted overlap-add with the same Hann window, normalised by the summed
 * squared window, so istft(stft(x)) = x (to float precision) for hop ≤ nFft/2.
 * `length` is the output length in samples.
 */
export function istft(spec: Stft, length: number): Float32Array {
  const { nFft, hopLength, numFrames, numBins } = spec;
  const out = new Float64Array(length);
  const norm = new Float64Array(length);
  const win = hann(nFft);
  const frame = new Float64Array(nFft);
  const half = nFft >> 1;
  for (let t = 0; t < numFrames; t++) {
    const o = t * numBins;
    irfft(spec.re.subarray(o, o + numBins), spec.im.subarray(o, o + numBins), frame);
    const start = t * hopLength - half;
    for (let n = 0; n < nFft; n++) {
      const i = start + n;
      if (i < 0 || i >= length) continue;
      out[i] += frame[n] * win[n];
      norm[i] += win[n] * win[n];
    }
  }
  const result = new Float32Array(length);
  for (let i = 0; i < length; i++) result[i] = norm[i] > 1e-10 ? out[i] / norm[i] : 0;
  return result;
}

/** Magnitude |X| of every bin, same layout as the STFT. */
export function magnitude(spec: Stft): Float32Array {
  const mag = new Float32Array(spec.re.length);
  for (let i = 0; i < mag.length; i++) {
    const re = spec.re[i];
    const im = spec.im[i];
    mag[i] = Math.sqrt(re * re + im * im);
  }
  return mag;
}

/** Centre frequency in Hz of FFT bin k. */
export function binToHz(k: number, nFft: number, sampleRate: number): number {
  return (k * sampleRate) / nFft;
}

/** Centre time in seconds of frame t. */
export function frameToTime(t: number, hopLength: number, sampleRate: number): number {
  return (t * hopLength) / sampleRate;
}
