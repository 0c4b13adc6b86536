/**
 * Two-channel STFT and ISTFT with one complex FFT per frame for two real signals (the classic
 * "two real FFTs for the price of one complex FFT" packing: z = a + i·b, then
 * A[k] = (Z[k] + conj Z[N−k]) / 2 and B[k] = (Z[k] − conj Z[N−k]) / 2i; the inverse packs
 * C = A + i·B and reads a = Re c, b = Im c).
 *
 * Conventions are exactly those of shared/dsp/stft.ts (centred frames, periodic Hann window,
 * frame-major `re[t * numBins + k]`, weighted overlap-add normalised by Σ window²), so the
 * results match `stft`/`istft` to float precision and can be passed to anything that takes an
 * `Stft`. Used by the separator, where the inverse transforms dominate the run time.
 *
 * Degenerate input: an empty signal gives 0 frames; `istftPair` of 0 frames gives zeros.
 */
import FFTImport from 'fft.js';
import { hann } from '../dsp/window.js';
import { stftFrameCount, type Stft } from '../dsp/stft.js';
import { isPowerOfTwo } from '../dsp/fft.js';

interface ComplexFft {
  transform(out: ArrayLike<number>, data: ArrayLike<number>): void;
  inverseTransform(out: ArrayLike<number>, data: ArrayLike<number>): void;
}
const FFT = FFTImport as unknown as new (size: number) => ComplexFft;
const ffts = new Map<number, ComplexFft>();

function complexFft(size: number): ComplexFft {
  let f = ffts.get(size);
  if (!f) {
    if (!isPowerOfTwo(size)) throw new RangeError(`FFT size must be a power of two ≥ 4, got ${size}`);
    f = new FFT(size);
    ffts.set(size, f);
  }
  return f;
}

export interface PairStftOptions {
  /** FFT size in samples (power of two). Default 2048. */
  nFft?: number;
  /** Hop in samples. Default nFft / 4. */
  hopLength?: number;
}

/**
 * STFTs of two equally long real signals (e.g. left and right), one complex FFT per frame.
 * Pass the same array twice for a mono signal if needed (both results are then equal).
 */
export function stftPair(a: Float32Array, b: Float32Array, options: PairStftOptions = {}): [Stft, Stft] {
  if (a.length !== b.length) throw new RangeError(`stftPair needs equal lengths, got ${a.length} and ${b.length}`);
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? nFft >> 2;
  const fft = complexFft(nFft);
  const numBins = (nFft >> 1) + 1;
  const numFrames = stftFrameCount(a.length, hopLength);
  const length = a.length;
  const specA: Stft = { nFft, hopLength, numFrames, numBins, re: new Float32Array(numFrames * numBins), im: new Float32Array(numFrames * numBins) };
  const specB: Stft = { nFft, hopLength, numFrames, numBins, re: new Float32Array(numFrames * numBins), im: new Float32Array(numFrames * numBins) };
  const win = hann(nFft);
  const z = new Float64Array(2 * nFft);
  const Z = new Float64Array(2 * nFft);
  const half = nFft >> 1;
  for (let t = 0; t < numFrames; t++) {
    const start = t * hopLength - half;
    if (start >= 0 && start + nFft <= length) {
      for (let n = 0, i = start; n < nFft; n++, i++) {
        const w = win[n];
        z[2 * n] = a[i] * w;
        z[2 * n + 1] = b[i] * w;
      }
    } else {
      for (let n = 0; n < nFft; n++) {
        const i = start + n;
        const inside = i >= 0 && i < length;
        const w = win[n];
        z[2 * n] = inside ? a[i] * w : 0;
        z[2 * n + 1] = inside ? b[i] * w : 0;
      }
    }
    fft.transform(Z, z);
    const o = t * numBins;
    const ar = specA.re, ai = specA.im, br = specB.re, bi = specB.im;
    for (let k = 0; k < numBins; k++) {
      const m = k === 0 ? 0 : nFft - k;
      const zr = Z[2 * k], zi = Z[2 * k + 1];
      const cr = Z[2 * m], ci = -Z[2 * m + 1]; // conj Z[N-k]
      ar[o + k] = 0.5 * (zr + cr);
      ai[o + k] = 0.5 * (zi + ci);
      // (Z − conj Z[N−k]) / 2i
      br[o + k] = 0.5 * (zi - ci);
      bi[o + k] = -0.5 * (zr - cr);
    }
  }
  return [specA, specB];
}

/**
 * Inverse of {@link stftPair}: two real signals of `length` samples from two STFTs with the
 * same geometry, one complex inverse FFT per frame. Equal to `istft` of each. Optional real
 * masks (same layout as the spectra, `maskB` defaulting to `maskA`) are applied on the fly, so
 * masked resynthesis needs no masked copy of the spectra.
 */
export function istftPair(specA: Stft, specB: Stft, length: number, maskA?: Float32Array, maskB: Float32Array | undefined = maskA): [Float32Array, Float32Array] {
  const { nFft, hopLength, numFrames, numBins } = specA;
  if (specB.nFft !== nFft || specB.hopLength !== hopLength || specB.numFrames !== numFrames) {
    throw new RangeError(`istftPair needs equal STFT geometry, got nFft ${nFft}/${specB.nFft}, hop ${hopLength}/${specB.hopLength}, frames ${numFrames}/${specB.numFrames}`);
  }
  const fft = complexFft(nFft);
  const win = hann(nFft);
  const half = nFft >> 1;
  const outA = new Float32Array(length);
  const outB = new Float32Array(length);
  const C = new Float64Array(2 * nFft);
  const c = new Float64Array(2 * nFft);
  const sar = specA.re, sai = specA.im, sbr = specB.re, sbi = specB.im;
  for (let t = 0; t < numFrames; t++) {
    const o = t * numBins;
    for (let k = 0; k <= half; k++) {
      const ga = maskA === undefined ? 1 : maskA[o + k];
      const gb = maskB === undefined ? 1 : maskB[o + k];
      const ar = sar[o + k] * ga, ai = sai[o + k] * ga, br = sbr[o + k] * gb, bi = sbi[o + k] * gb;
      // C[k] = A[k] + i B[k];  C[N−k] = conj A[k] + i conj B[k]
      C[2 * k] = ar - bi;
      C[2 * k + 1] = ai + br;
      const m = (nFft - k) & (nFft - 1);
      C[2 * m] = ar + bi;
      C[2 * m + 1] = br - ai;
    }
    // Real signals have a real DC and Nyquist bin: drop any imaginary part there, as irfft does.
    const g0a = maskA === undefined ? 1 : maskA[o], g0b = maskB === undefined ? 1 : maskB[o];
    const gNa = maskA === undefined ? 1 : maskA[o + half], gNb = maskB === undefined ? 1 : maskB[o + half];
    C[0] = sar[o] * g0a;
    C[1] = sbr[o] * g0b;
    C[2 * half] = sar[o + half] * gNa;
    C[2 * half + 1] = sbr[o + half] * gNb;
    fft.inverseTransform(c, C);
    const start = t * hopLength - half;
    const n0 = Math.max(0, -start);
    const n1 = Math.min(nFft, length - start);
    for (let n = n0; n < n1; n++) {
      const w = win[n];
      outA[start + n] += c[2 * n] * w;
      outB[start + n] += c[2 * n + 1] * w;
    }
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
