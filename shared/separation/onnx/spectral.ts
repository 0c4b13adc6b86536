/**
 * Spectrogram front- and back-ends for the ONNX separation contracts whose STFT lives outside
 * the graph: Demucs (sevagh/demucs.onnx layout) and MDX-Net (UVR layout). Both use the
 * complex-as-channels layout [L.re, L.im, R.re, R.im] × bins × frames, bin-major per channel
 * (element (c, k, t) at c·bins·frames + k·frames + t), which is how torch lays out
 * `view_as_real(z).permute(0, 1, 4, 2, 3).reshape(B, 2C, F, T)`.
 *
 * MDX-Net FFT sizes are not powers of two (UVR uses 5120, 6144, 7680), so the real DFT here
 * accepts any even size: powers of two go to the rfft of shared/dsp/fft.ts (PFFFT), other
 * sizes N = 2^p·r with a small odd r (≤ 64) use one mixed-radix Cooley–Tukey step, and any
 * other even size uses Bluestein's chirp-z algorithm (Bluestein 1970; Rabiner, Schafer & Rader
 * 1969) on a power-of-two complex FFT of size ≥ 2N − 1.
 *
 * Windows are periodic Hann (torch.hann_window), frames are centred (torch `center=True`), and the
 * inverse normalises by the summed squared window (torch.istft), so istft(stft(x)) = x.
 */
import FFTImport from 'fft.js';
import { irfft, isPowerOfTwo, rfft } from '../../dsp/fft.js';
import { hann } from '../../dsp/window.js';

interface FftJs {
  transform(out: ArrayLike<number>, data: ArrayLike<number>): void;
  inverseTransform(out: ArrayLike<number>, data: ArrayLike<number>): void;
  createComplexArray(): number[];
}
const FFT = FFTImport as unknown as new (size: number) => FftJs;

/** A real DFT of one fixed size: bins 0..N/2 in, N samples out, irfft(rfft(x)) = x. */
export interface RealDft {
  size: number;
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void;
  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void;
}

class Pow2Dft implements RealDft {
  constructor(readonly size: number) {}
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    rfft(input, re, im);
  }
  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    irfft(re, im, output);
  }
}

/** Bluestein (chirp-z) DFT for any size N: X[k] = w[k]·Σ_n (x[n]w[n])·conj(w[k−n]), w[n] = e^{−iπn²/N}. */
class BluesteinDft implements RealDft {
  private readonly m: number;
  private readonly fft: FftJs;
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;
  private readonly bHat: Float64Array;
  private readonly a: Float64Array;
  private readonly aHat: Float64Array;
  private readonly conv: Float64Array;

  constructor(readonly size: number) {
    const n = size;
    let m = 4;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.fft = new FFT(m);
    this.wRe = new Float64Array(n);
    this.wIm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // n² mod 2N keeps the angle exact for large n.
      const q = (i * i) % (2 * n);
      const ang = (-Math.PI * q) / n;
      this.wRe[i] = Math.cos(ang);
      this.wIm[i] = Math.sin(ang);
    }
    const b = new Float64Array(2 * m);
    for (let i = 0; i < n; i++) {
      b[2 * i] = this.wRe[i];
      b[2 * i + 1] = -this.wIm[i];
      if (i > 0) {
        b[2 * (m - i)] = this.wRe[i];
        b[2 * (m - i) + 1] = -this.wIm[i];
      }
    }
    this.bHat = new Float64Array(2 * m);
    this.fft.transform(this.bHat, b);
    this.a = new Float64Array(2 * m);
    this.aHat = new Float64Array(2 * m);
    this.conv = new Float64Array(2 * m);
  }

  /** Complex DFT of (xRe, xIm) (length N) into (outRe, outIm) (length N). */
  private complexDft(xRe: Float64Array, xIm: Float64Array | null, outRe: Float64Array, outIm: Float64Array): void {
    const { m, a, aHat, bHat, conv, wRe, wIm } = this;
    const n = this.size;
    a.fill(0);
    for (let i = 0; i < n; i++) {
      const xr = xRe[i];
      const xi = xIm ? xIm[i] : 0;
      a[2 * i] = xr * wRe[i] - xi * wIm[i];
      a[2 * i + 1] = xr * wIm[i] + xi * wRe[i];
    }
    this.fft.transform(aHat, a);
    for (let i = 0; i < m; i++) {
      const ar = aHat[2 * i];
      const ai = aHat[2 * i + 1];
      const br = bHat[2 * i];
      const bi = bHat[2 * i + 1];
      aHat[2 * i] = ar * br - ai * bi;
      aHat[2 * i + 1] = ar * bi + ai * br;
    }
    this.fft.inverseTransform(conv, aHat);
    for (let k = 0; k < n; k++) {
      const cr = conv[2 * k];
      const ci = conv[2 * k + 1];
      outRe[k] = cr * wRe[k] - ci * wIm[k];
      outIm[k] = cr * wIm[k] + ci * wRe[k];
    }
  }

  private scratch: { re: Float64Array; im: Float64Array; re2: Float64Array; im2: Float64Array } | null = null;
  private buffers() {
    if (!this.scratch) {
      const n = this.size;
      this.scratch = { re: new Float64Array(n), im: new Float64Array(n), re2: new Float64Array(n), im2: new Float64Array(n) };
    }
    return this.scratch;
  }

  forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    const s = this.buffers();
    this.complexDft(input, null, s.re, s.im);
    const half = this.size >> 1;
    for (let k = 0; k <= half; k++) {
      re[k] = s.re[k];
      im[k] = s.im[k];
    }
  }

  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    // x = conj(DFT(conj(X))) / N over the full Hermitian spectrum.
    const n = this.size;
    const half = n >> 1;
    const s = this.buffers();
    for (let k = 0; k <= half; k++) {
      s.re[k] = re[k];
      s.im[k] = -im[k];
    }
    for (let k = half + 1; k < n; k++) {
      s.re[k] = re[n - k];
      s.im[k] = im[n - k];
    }
    this.complexDft(s.re, s.im, s.re2, s.im2);
    for (let i = 0; i < n; i++) output[i] = s.re2[i] / n;
  }
}

/**
 * Mixed-radix DFT for N = N1·N2 with N1 a power of two and N2 small and odd (UVR's 5120 = 1024·5,
 * 6144 = 2048·3, 7680 = 512·15): one Cooley–Tukey step (Cooley & Tukey 1965) with n = N2·n1 + n2,
 * k = k1 + N1·k2: N2 power-of-two FFTs of length N1, twiddles W_N^{n2·k1}, then direct length-N2
 * DFTs. About N·N2 extra multiply-adds, far fewer than Bluestein's three FFTs of size ≥ 2N.
 */
class MixedRadixDft implements RealDft {
  private readonly n1: number;
  private readonly n2: number;
  private readonly fft: FftJs;
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private readonly w2Re: Float64Array;
  private readonly w2Im: Float64Array;
  private readonly sub: Float64Array;
  private readonly subOut: Float64Array;
  private readonly yRe: Float64Array;
  private readonly yIm: Float64Array;
  private readonly fullRe: Float64Array;
  private readonly fullIm: Float64Array;
  private readonly outRe: Float64Array;
  private readonly outIm: Float64Array;

  constructor(readonly size: number, n1: number) {
    this.n1 = n1;
    this.n2 = size / n1;
    this.fft = new FFT(n1);
    const { n2 } = this;
    this.twRe = new Float64Array(n2 * n1);
    this.twIm = new Float64Array(n2 * n1);
    for (let a = 0; a < n2; a++) {
      for (let k1 = 0; k1 < n1; k1++) {
        const ang = (-2 * Math.PI * ((a * k1) % size)) / size;
        this.twRe[a * n1 + k1] = Math.cos(ang);
        this.twIm[a * n1 + k1] = Math.sin(ang);
      }
    }
    this.w2Re = new Float64Array(n2);
    this.w2Im = new Float64Array(n2);
    for (let m = 0; m < n2; m++) {
      this.w2Re[m] = Math.cos((-2 * Math.PI * m) / n2);
      this.w2Im[m] = Math.sin((-2 * Math.PI * m) / n2);
    }
    this.sub = new Float64Array(2 * n1);
    this.subOut = new Float64Array(2 * n1);
    this.yRe = new Float64Array(size);
    this.yIm = new Float64Array(size);
    this.fullRe = new Float64Array(size);
    this.fullIm = new Float64Array(size);
    this.outRe = new Float64Array(size);
    this.outIm = new Float64Array(size);
  }

  /** Complex DFT of (xRe, xIm) into (outRe, outIm), bins 0..kMax. */
  private complexDft(xRe: Float64Array, xIm: Float64Array | null, outRe: Float64Array, outIm: Float64Array, kMax: number): void {
    const { n1, n2, sub, subOut, yRe, yIm, twRe, twIm, w2Re, w2Im } = this;
    for (let b = 0; b < n2; b++) {
      for (let i = 0; i < n1; i++) {
        sub[2 * i] = xRe[n2 * i + b];
        sub[2 * i + 1] = xIm ? xIm[n2 * i + b] : 0;
      }
      this.fft.transform(subOut, sub);
      const o = b * n1;
      for (let k1 = 0; k1 < n1; k1++) {
        const r = subOut[2 * k1];
        const q = subOut[2 * k1 + 1];
        const tr = twRe[o + k1];
        const ti = twIm[o + k1];
        yRe[o + k1] = r * tr - q * ti;
        yIm[o + k1] = r * ti + q * tr;
      }
    }
    for (let k1 = 0; k1 < n1; k1++) {
      for (let k2 = 0; k2 < n2; k2++) {
        const k = k1 + n1 * k2;
        if (k > kMax) continue;
        let sr = 0;
        let si = 0;
        for (let b = 0; b < n2; b++) {
          const m = (b * k2) % n2;
          const vr = yRe[b * n1 + k1];
          const vi = yIm[b * n1 + k1];
          sr += vr * w2Re[m] - vi * w2Im[m];
          si += vr * w2Im[m] + vi * w2Re[m];
        }
        outRe[k] = sr;
        outIm[k] = si;
      }
    }
  }

  forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    const half = this.size >> 1;
    this.complexDft(input, null, this.outRe, this.outIm, half);
    for (let k = 0; k <= half; k++) {
      re[k] = this.outRe[k];
      im[k] = this.outIm[k];
    }
  }

  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    // x = Re(DFT(conj(X))) / N over the full Hermitian spectrum.
    const n = this.size;
    const half = n >> 1;
    const { fullRe, fullIm } = this;
    for (let k = 0; k <= half; k++) {
      fullRe[k] = re[k];
      fullIm[k] = -im[k];
    }
    for (let k = half + 1; k < n; k++) {
      fullRe[k] = re[n - k];
      fullIm[k] = im[n - k];
    }
    this.complexDft(fullRe, fullIm, this.outRe, this.outIm, n - 1);
    for (let i = 0; i < n; i++) output[i] = this.outRe[i] / n;
  }
}

const dfts = new Map<number, RealDft>();

/** A cached real DFT of `size` samples (even, ≥ 4). */
export function realDft(size: number): RealDft {
  let d = dfts.get(size);
  if (!d) {
    if (!Number.isInteger(size) || size < 4 || size % 2 !== 0) throw new RangeError(`DFT size must be an even integer ≥ 4, got ${size}`);
    let pow2 = 1;
    while (size % (pow2 * 2) === 0) pow2 *= 2;
    d = isPowerOfTwo(size) ? new Pow2Dft(size) : pow2 >= 4 && size / pow2 <= 64 ? new MixedRadixDft(size, pow2) : new BluesteinDft(size);
    dfts.set(size, d);
  }
  return d;
}

/** Index into a signal of length n with torch/numpy 'reflect' padding (edge sample not repeated). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** A complex spectrogram, bin-major: re[k * numFrames + t]. */
export interface BinMajorSpec {
  numBins: number;
  numFrames: number;
  re: Float32Array;
  im: Float32Array;
}

/**
 * Centred STFT with reflect padding (torch.stft center=True, pad_mode='reflect'), periodic Hann,
 * any even nFft. Frames: floor(length / hop) + 1. `scale` multiplies every bin (1/√nFft for
 * torch `normalized=True`). Only bins 0..keepBins−1 are returned, bin-major.
 */
export function stftReflect(signal: Float32Array, nFft: number, hopLength: number, keepBins: number, scale = 1): BinMajorSpec {
  const dft = realDft(nFft);
  const win = hann(nFft);
  const half = nFft >> 1;
  const n = signal.length;
  const numFrames = n === 0 ? 0 : Math.floor(n / hopLength) + 1;
  const re = new Float32Array(keepBins * numFrames);
  const im = new Float32Array(keepBins * numFrames);
  const frame = new Float64Array(nFft);
  const fr = new Float64Array(half + 1);
  const fi = new Float64Array(half + 1);
  for (let t = 0; t < numFrames; t++) {
    const start = t * hopLength - half;
    for (let i = 0; i < nFft; i++) {
      const j = start + i;
      frame[i] = (j >= 0 && j < n ? signal[j] : signal[reflectIndex(j, n)]) * win[i];
    }
    dft.forward(frame, fr, fi);
    for (let k = 0; k < keepBins; k++) {
      re[k * numFrames + t] = fr[k] * scale;
      im[k * numFrames + t] = fi[k] * scale;
    }
  }
  return { numBins: keepBins, numFrames, re, im };
}

/**
 * Inverse of {@link stftReflect}: weighted overlap-add of centred frames, normalised by the summed
 * squared window (torch.istft center=True). Bins ≥ spec.numBins are zero. `scale` multiplies
 * every bin first (√nFft undoes torch `normalized=True`). Returns `length` samples.
 */
export function istftCentred(spec: BinMajorSpec, nFft: number, hopLength: number, length: number, scale = 1): Float32Array {
  const dft = realDft(nFft);
  const win = hann(nFft);
  const half = nFft >> 1;
  const { numBins, numFrames } = spec;
  const out = new Float64Array(length);
  const norm = new Float64Array(length);
  const fr = new Float64Array(half + 1);
  const fi = new Float64Array(half + 1);
  const frame = new Float64Array(nFft);
  const kMax = Math.min(numBins, half + 1);
  for (let t = 0; t < numFrames; t++) {
    fr.fill(0);
    fi.fill(0);
    for (let k = 0; k < kMax; k++) {
      fr[k] = spec.re[k * numFrames + t] * scale;
      fi[k] = spec.im[k * numFrames + t] * scale;
    }
    dft.inverse(fr, fi, frame);
    const start = t * hopLength - half;
    for (let i = 0; i < nFft; i++) {
      const j = start + i;
      if (j < 0 || j >= length) continue;
      out[j] += frame[i] * win[i];
      norm[j] += win[i] * win[i];
    }
  }
  const y = new Float32Array(length);
  for (let i = 0; i < length; i++) y[i] = norm[i] > 1e-10 ? out[i] / norm[i] : 0;
  return y;
}

// ───────────────────────────── Demucs (STFT outside the graph) ─────────────────────────────

/** Geometry of the Demucs spectrogram for a segment of `segmentSamples` (HTDemucs._spec). */
export interface DemucsSpecGeometry {
  nFft: number;
  hopLength: number;
  /** Frames fed to the network: ceil(segment / hop) (336 for 343980 / 1024). */
  frames: number;
  /** Bins fed to the network: nFft / 2 (the Nyquist bin is dropped; 2048). */
  bins: number;
  /** Left reflect padding: 3·hop/2 (1536). */
  padLeft: number;
  /** Right reflect padding: padLeft + frames·hop − segment (1620). */
  padRight: number;
}

export function demucsSpecGeometry(segmentSamples: number, nFft: number, hopLength: number): DemucsSpecGeometry {
  const frames = Math.ceil(segmentSamples / hopLength);
  const padLeft = Math.floor(hopLength / 2) * 3;
  return { nFft, hopLength, frames, bins: nFft >> 1, padLeft, padRight: padLeft + frames * hopLength - segmentSamples };
}

/**
 * HTDemucs._spec for one channel: reflect-pad by (padLeft, padRight), centred STFT with
 * `normalized=True` (× 1/√nFft), drop the Nyquist bin, keep frames 2 .. 2 + frames.
 */
export function demucsSpec(x: Float32Array, g: DemucsSpecGeometry): BinMajorSpec {
  const n = x.length;
  const padded = new Float32Array(n + g.padLeft + g.padRight);
  for (let i = 0; i < padded.length; i++) {
    const j = i - g.padLeft;
    padded[i] = j >= 0 && j < n ? x[j] : x[reflectIndex(j, n)];
  }
  const full = stftReflect(padded, g.nFft, g.hopLength, g.bins, 1 / Math.sqrt(g.nFft));
  const re = new Float32Array(g.bins * g.frames);
  const im = new Float32Array(g.bins * g.frames);
  for (let k = 0; k < g.bins; k++) {
    const src = k * full.numFrames + 2;
    re.set(full.re.subarray(src, src + g.frames), k * g.frames);
    im.set(full.im.subarray(src, src + g.frames), k * g.frames);
  }
  return { numBins: g.bins, numFrames: g.frames, re, im };
}

/**
 * HTDemucs._ispec for one channel: restore the Nyquist bin and 2 zero frames on each side,
 * inverse STFT (× √nFft for `normalized=True`) of length frames·hop + 2·padLeft, then crop
 * [padLeft, padLeft + length).
 */
export function demucsIspec(spec: BinMajorSpec, g: DemucsSpecGeometry, length: number): Float32Array {
  const framesFull = g.frames + 4;
  const re = new Float32Array(g.bins * framesFull);
  const im = new Float32Array(g.bins * framesFull);
  for (let k = 0; k < g.bins; k++) {
    re.set(spec.re.subarray(k * g.frames, (k + 1) * g.frames), k * framesFull + 2);
    im.set(spec.im.subarray(k * g.frames, (k + 1) * g.frames), k * framesFull + 2);
  }
  const total = g.frames * g.hopLength + 2 * g.padLeft;
  const y = istftCentred({ numBins: g.bins, numFrames: framesFull, re, im }, g.nFft, g.hopLength, total, Math.sqrt(g.nFft));
  return y.slice(g.padLeft, g.padLeft + length);
}

/** Pack per-channel spectrograms into complex-as-channels [2C, bins, frames] (L.re, L.im, R.re, R.im). */
export function packComplexAsChannels(specs: BinMajorSpec[], out?: Float32Array): Float32Array {
  const plane = specs[0].numBins * specs[0].numFrames;
  const data = out ?? new Float32Array(2 * specs.length * plane);
  specs.forEach((s, c) => {
    data.set(s.re, 2 * c * plane);
    data.set(s.im, (2 * c + 1) * plane);
  });
  return data;
}

/** Unpack channel pairs of a complex-as-channels block starting at `offset` into per-channel spectrograms. */
export function unpackComplexAsChannels(data: Float32Array, offset: number, channels: number, numBins: number, numFrames: number): BinMajorSpec[] {
  const plane = numBins * numFrames;
  const specs: BinMajorSpec[] = [];
  for (let c = 0; c < channels; c++) {
    const r0 = offset + 2 * c * plane;
    const i0 = offset + (2 * c + 1) * plane;
    specs.push({ numBins, numFrames, re: data.subarray(r0, r0 + plane), im: data.subarray(i0, i0 + plane) });
  }
  return specs;
}
