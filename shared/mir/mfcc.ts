/**
 * Mel-frequency cepstral coefficients (Davis & Mermelstein 1980), computed on a shared magnitude
 * spectrogram: power spectrum → triangular mel filterbank (Slaney's mel scale, area-normalised
 * filters, as in the Auditory Toolbox and librosa's default) → 10·log10 power (dB, floored at
 * −100 dB) → orthonormal DCT-II. Coefficient 0 carries overall log energy.
 *
 * Frame-major output: mfcc[t * numCoefficients + c]. A spectrogram with no frames gives an empty
 * array; silent frames give the floor's cepstrum (c0 = −100·√numBands, the others 0).
 */
import type { AnalysisSignal, MagnitudeSpectrogram } from './signal.js';

export interface MfccOptions {
  /** Number of cepstral coefficients kept. Default 13. */
  numCoefficients?: number;
  /** Number of mel bands. Default 40. */
  numMelBands?: number;
  /** Lowest filter edge, Hz. Default 0. */
  fminHz?: number;
  /** Highest filter edge, Hz. Default the Nyquist frequency. */
  fmaxHz?: number;
  /**
   * Amplitude gain on the spectrum before the power and its −100 dB floor. Default 1. With the
   * signal's level.ts `levelGain`, the coefficients are those of the signal at the reference
   * level: the floor then sits as far under the music whatever the input's gain.
   */
  gain?: number;
}

export interface Mfcc {
  numFrames: number;
  numCoefficients: number;
  /** Frame-major, numFrames × numCoefficients. */
  coefficients: Float32Array;
}

/** Slaney mel scale: linear below 1 kHz (3 bands per 200 Hz), logarithmic above. */
export function hzToMel(hz: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return hz < minLogHz ? hz / fSp : minLogMel + Math.log(hz / minLogHz) / logStep;
}

/** Inverse of {@link hzToMel}. */
export function melToHz(mel: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return mel < minLogMel ? mel * fSp : minLogHz * Math.exp(logStep * (mel - minLogMel));
}

/** A sparse mel filterbank: band b covers bins [start[b], start[b] + weights[b].length). */
export interface MelFilterbank {
  numBands: number;
  start: Int32Array;
  weights: Float32Array[];
}

const filterbankCache = new Map<string, MelFilterbank>();

/** Triangular, area-normalised (Slaney) mel filterbank for an nFft-point spectrum at sampleRate Hz. */
export function melFilterbank(sampleRate: number, nFft: number, numBands: number, fminHz: number, fmaxHz: number): MelFilterbank {
  const key = `${sampleRate}/${nFft}/${numBands}/${fminHz}/${fmaxHz}`;
  const cached = filterbankCache.get(key);
  if (cached) return cached;
  const numBins = (nFft >> 1) + 1;
  const melMin = hzToMel(fminHz);
  const melMax = hzToMel(fmaxHz);
  const edges = new Float64Array(numBands + 2);
  for (let i = 0; i < numBands + 2; i++) edges[i] = melToHz(melMin + ((melMax - melMin) * i) / (numBands + 1));
  const start = new Int32Array(numBands);
  const weights: Float32Array[] = [];
  for (let b = 0; b < numBands; b++) {
    const lo = edges[b];
    const mid = edges[b + 1];
    const hi = edges[b + 2];
    const norm = 2 / (hi - lo);
    const w: number[] = [];
    let first = -1;
    for (let k = 0; k < numBins; k++) {
      const f = (k * sampleRate) / nFft;
      const v = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      if (v > 0) {
        if (first < 0) first = k;
        // Keep zeros that fall between the first and last non-zero weight.
        while (w.length < k - first) w.push(0);
        w.push(v * norm);
      }
    }
    start[b] = Math.max(0, first);
    weights.push(Float32Array.from(w));
  }
  const fb = { numBands, start, weights };
  filterbankCache.set(key, fb);
  return fb;
}

/** Orthonormal DCT-II basis, numCoefficients × numBands, row-major. */
function dctBasis(numCoefficients: number, numBands: number): Float64Array {
  const basis = new Float64Array(numCoefficients * numBands);
  for (let c = 0; c < numCoefficients; c++) {
    const scale = c === 0 ? Math.sqrt(1 / numBands) : Math.sqrt(2 / numBands);
    for (let b = 0; b < numBands; b++) basis[c * numBands + b] = scale * Math.cos((Math.PI * c * (2 * b + 1)) / (2 * numBands));
  }
  return basis;
}

const DB_FLOOR = -100;

/** Memo per spectrogram and options, so descriptors and segmentation share one computation. */
const mfccCache = new WeakMap<MagnitudeSpectrogram, Map<string, Mfcc>>();

/** MFCCs of every frame of `spec` (see the module comment); memoised per spectrogram object. */
export function computeMfcc(spec: MagnitudeSpectrogram, options: MfccOptions = {}): Mfcc {
  const key = `${options.numCoefficients ?? 13}/${options.numMelBands ?? 40}/${options.fminHz ?? 0}/${options.fmaxHz ?? ''}/${options.gain ?? 1}`;
  let perSpec = mfccCache.get(spec);
  if (!perSpec) {
    perSpec = new Map();
    mfccCache.set(spec, perSpec);
  }
  let m = perSpec.get(key);
  if (!m) {
    m = mfccUncached(spec, options);
    perSpec.set(key, m);
  }
  return m;
}

function mfccUncached(spec: MagnitudeSpectrogram, options: MfccOptions): Mfcc {
  const numCoefficients = options.numCoefficients ?? 13;
  const numBands = options.numMelBands ?? 40;
  const fmin = options.fminHz ?? 0;
  const fmax = options.fmaxHz ?? spec.sampleRate / 2;
  const fb = melFilterbank(spec.sampleRate, spec.nFft, numBands, fmin, fmax);
  const basis = dctBasis(numCoefficients, numBands);
  const { numFrames, numBins, mag } = spec;
  const out = new Float32Array(numFrames * numCoefficients);
  const logMel = new Float64Array(numBands);
  const power = (options.gain ?? 1) ** 2;
  for (let t = 0; t < numFrames; t++) {
    const o = t * numBins;
    for (let b = 0; b < numBands; b++) {
      const w = fb.weights[b];
      const s = o + fb.start[b];
      let p = 0;
      for (let j = 0; j < w.length; j++) {
        const m = mag[s + j];
        p += w[j] * m * m;
      }
      p *= power;
      logMel[b] = p > 1e-10 ? Math.max(DB_FLOOR, 10 * Math.log10(p)) : DB_FLOOR;
    }
    for (let c = 0; c < numCoefficients; c++) {
      let acc = 0;
      const r = c * numBands;
      for (let b = 0; b < numBands; b++) acc += basis[r + b] * logMel[b];
      out[t * numCoefficients + c] = acc;
    }
  }
  return { numFrames, numCoefficients, coefficients: out };
}

/**
 * MFCCs of every frame of a signal's (nFft, hop) magnitude spectrogram (default options otherwise),
 * memoised on the signal and computed a block of frames at a time when the signal is long
 * ({@link AnalysisSignal.frameFeatures}).
 */
export function signalMfcc(signal: AnalysisSignal, nFft: number, hopLength: number, numCoefficients = 13, gain = 1): Mfcc {
  const key = gain === 1 ? `mfcc${numCoefficients}` : `mfcc${numCoefficients}/${gain}`;
  const coefficients = signal.frameFeatures(key, nFft, hopLength, numCoefficients, (spec) => computeMfcc(spec, { numCoefficients, gain }).coefficients);
  return { numFrames: coefficients.length / numCoefficients, numCoefficients, coefficients };
}
