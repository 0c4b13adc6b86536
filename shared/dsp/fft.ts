/**
 * Real FFT of any power-of-two size ≥ 4: PFFFT in WebAssembly (realFft.ts, single precision, about
 * 4× faster) from 32 points up, fft.js (radix-4, double precision) below that. Instances and
 * scratch buffers are cached per size.
 */
import FFTImport from 'fft.js';
import { isRealFftSize, packOrdered, realFftPlan, unpackOrdered } from './realFft.js';

interface FftJs {
  size: number;
  createComplexArray(): number[];
  realTransform(out: ArrayLike<number>, data: ArrayLike<number>): void;
  completeSpectrum(spectrum: ArrayLike<number>): void;
  inverseTransform(out: ArrayLike<number>, data: ArrayLike<number>): void;
}
const FFT = FFTImport as unknown as new (size: number) => FftJs;

interface Plan {
  fft: FftJs;
  out: Float64Array;
  full: Float64Array;
  time: Float64Array;
}
const plans = new Map<number, Plan>();

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 4 && (n & (n - 1)) === 0;
}

function plan(size: number): Plan {
  let p = plans.get(size);
  if (!p) {
    if (!isPowerOfTwo(size)) throw new RangeError(`FFT size must be a power of two ≥ 4, got ${size}`);
    p = { fft: new FFT(size), out: new Float64Array(2 * size), full: new Float64Array(2 * size), time: new Float64Array(2 * size) };
    plans.set(size, p);
  }
  return p;
}

/**
 * Forward real FFT of `input` (length = size). Writes bins 0..size/2 into `re` and `im`
 * (length size/2 + 1), unnormalised: X[k] = Σ x[n]·e^{-2πikn/N}.
 */
export function rfft(input: ArrayLike<number>, re: Float32Array | Float64Array, im: Float32Array | Float64Array): void {
  const size = input.length;
  if (isRealFftSize(size)) {
    const pf = realFftPlan(size);
    const { src, dst } = pf;
    for (let n = 0; n < size; n++) src[n] = input[n];
    pf.forward();
    unpackOrdered(dst, re, im);
    return;
  }
  const p = plan(size);
  p.fft.realTransform(p.out, input);
  const half = size >> 1;
  const out = p.out;
  for (let k = 0; k <= half; k++) {
    re[k] = out[2 * k];
    im[k] = out[2 * k + 1];
  }
}

/**
 * Inverse of {@link rfft}: from bins 0..size/2 to `size` real samples, normalised so that
 * irfft(rfft(x)) = x.
 */
export function irfft(re: ArrayLike<number>, im: ArrayLike<number>, output: Float32Array | Float64Array): void {
  const size = output.length;
  const half = size >> 1;
  if (isRealFftSize(size)) {
    const pf = realFftPlan(size);
    packOrdered(re, im, pf.src);
    pf.inverse();
    const dst = pf.dst;
    const scale = 1 / size;
    for (let n = 0; n < size; n++) output[n] = dst[n] * scale;
    return;
  }
  const p = plan(size);
  const full = p.full;
  for (let k = 0; k <= half; k++) {
    full[2 * k] = re[k];
    full[2 * k + 1] = im[k];
  }
  for (let k = half + 1; k < size; k++) {
    full[2 * k] = re[size - k];
    full[2 * k + 1] = -im[size - k];
  }
  p.fft.inverseTransform(p.time, full);
  const t = p.time;
  for (let n = 0; n < size; n++) output[n] = t[2 * n];
}
