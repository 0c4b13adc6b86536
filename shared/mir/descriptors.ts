/**
 * Seed 004's track-level descriptors: MFCC statistics, spectral centroid, roll-off and flatness,
 * RMS energy, integrated loudness and dynamic range.
 *
 * - Frame features use the shared 2048/512 magnitude spectrogram of the 22 050 Hz mono analysis
 *   signal (Hann window, centred frames), so they cost no extra STFT.
 * - Spectral centroid (Hz): magnitude-weighted mean frequency.
 * - Spectral roll-off (Hz): the lowest bin frequency below which 85 % of the magnitude lies.
 * - Spectral flatness (0..1): geometric over arithmetic mean of the power spectrum, power
 *   floored at 1e-10 (Gray & Markel 1974; Dubnov 2004).
 * - MFCC: {@link computeMfcc} (13 coefficients, 40 Slaney mel bands, dB, orthonormal DCT-II).
 * - RMS: per-frame root mean square of the time signal over 2048-sample centred frames, hop 512
 *   (linear amplitude, full scale = 1).
 * - Integrated loudness: ITU-R BS.1770-4 on the native-rate multichannel mix (LUFS).
 * - Dynamic range: EBU Tech 3342 loudness range (LU = dB) on the native-rate mix.
 *
 * Means and standard deviations (population) are taken over the non-silent frames (frame energy
 * above −100 dBFS), so leading and trailing digital silence does not drag the statistics; RMS is
 * averaged over all frames. Silence or an empty signal gives zeros everywhere, a null loudness
 * and a dynamic range of 0.
 */
import type { AudioBuffer } from '../audio/types.js';
import type { Descriptors } from '../contracts/music.js';
import { type LoudnessMeasure, measureLoudness } from './loudness.js';
import { signalMfcc } from './mfcc.js';
import type { AnalysisSignal, MagnitudeSpectrogram } from './signal.js';

export interface DescriptorOptions {
  /** FFT size for the frame features, samples at the analysis rate. Default 2048. */
  nFft?: number;
  /** Hop between frames, samples. Default 512. */
  hopLength?: number;
  /** Number of MFCC coefficients. Default 13. */
  numMfcc?: number;
  /** Fraction of spectral magnitude below the roll-off frequency. Default 0.85. */
  rolloffFraction?: number;
}

/** Per-frame spectral centroid in Hz (0 for an all-zero frame). */
export function computeSpectralCentroid(spec: MagnitudeSpectrogram): Float32Array {
  const { numFrames, numBins, mag, nFft, sampleRate } = spec;
  const out = new Float32Array(numFrames);
  const binHz = sampleRate / nFft;
  for (let t = 0; t < numFrames; t++) {
    const o = t * numBins;
    let num = 0;
    let den = 0;
    for (let k = 0; k < numBins; k++) {
      const m = mag[o + k];
      num += k * m;
      den += m;
    }
    out[t] = den > 0 ? (num / den) * binHz : 0;
  }
  return out;
}

/** Per-frame spectral roll-off in Hz: the lowest bin with `fraction` of the magnitude at or below it. */
export function computeSpectralRolloff(spec: MagnitudeSpectrogram, fraction = 0.85): Float32Array {
  const { numFrames, numBins, mag, nFft, sampleRate } = spec;
  const out = new Float32Array(numFrames);
  const binHz = sampleRate / nFft;
  for (let t = 0; t < numFrames; t++) {
    const o = t * numBins;
    let total = 0;
    for (let k = 0; k < numBins; k++) total += mag[o + k];
    if (total <= 0) continue;
    const target = fraction * total;
    let acc = 0;
    let k = 0;
    for (; k < numBins; k++) {
      acc += mag[o + k];
      if (acc >= target) break;
    }
    out[t] = Math.min(k, numBins - 1) * binHz;
  }
  return out;
}

/** Per-frame spectral flatness of the power spectrum, 0..1 (1 for white noise and for an all-zero frame's floor). */
export function computeSpectralFlatness(spec: MagnitudeSpectrogram): Float32Array {
  const { numFrames, numBins, mag } = spec;
  const out = new Float32Array(numFrames);
  const floor = 1e-10;
  for (let t = 0; t < numFrames; t++) {
    const o = t * numBins;
    let logSum = 0;
    let sum = 0;
    // log of products of 16 floored powers (≥ 1e-160, ≤ ~1e110) instead of one log per bin.
    let prod = 1;
    for (let k = 0; k < numBins; k++) {
      const m = mag[o + k];
      const p = Math.max(floor, m * m);
      sum += p;
      prod *= p;
      if ((k & 15) === 15) {
        logSum += Math.log(prod);
        prod = 1;
      }
    }
    logSum += Math.log(prod);
    out[t] = Math.exp(logSum / numBins) / (sum / numBins);
  }
  return out;
}

/** Per-frame RMS of `x` over centred frames of `frameLength` samples every `hopLength` (zero-padded edges). */
export function computeFrameRms(x: Float32Array, frameLength: number, hopLength: number): Float32Array {
  const numFrames = x.length === 0 ? 0 : Math.floor(x.length / hopLength) + 1;
  const out = new Float32Array(numFrames);
  const half = frameLength >> 1;
  // Sliding sum of squares over [a, b); recomputed exactly every 256 frames against drift.
  let a = 0;
  let b = 0;
  let acc = 0;
  for (let t = 0; t < numFrames; t++) {
    const na = Math.max(0, t * hopLength - half);
    const nb = Math.min(x.length, t * hopLength + half);
    if ((t & 255) === 0 || na >= b) {
      acc = 0;
      for (let i = na; i < nb; i++) acc += x[i] * x[i];
    } else {
      for (let i = b; i < nb; i++) acc += x[i] * x[i];
      for (let i = a; i < na; i++) acc -= x[i] * x[i];
    }
    a = na;
    b = nb;
    out[t] = Math.sqrt(Math.max(0, acc) / frameLength);
  }
  return out;
}

interface Stat {
  mean: number;
  std: number;
}

function statOver(values: Float32Array, mask: Uint8Array | null, stride = 1, offset = 0): Stat {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  const numFrames = Math.floor(values.length / stride);
  for (let t = 0; t < numFrames; t++) {
    if (mask && !mask[t]) continue;
    const v = values[t * stride + offset];
    sum += v;
    sumSq += v * v;
    n++;
  }
  if (n === 0) return { mean: 0, std: 0 };
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

/**
 * Track-level descriptors of `mix` (native rate, every channel: loudness and dynamic range) and
 * of `signal` (mono 22 050 Hz analysis signal: everything else). See the module comment. A long
 * input that was never held whole passes its loudness, measured while it streamed
 * (`LoudnessMeter`), instead of the mix.
 */
export function computeDescriptors(mix: AudioBuffer | LoudnessMeasure, signal: AnalysisSignal, options: DescriptorOptions = {}): Descriptors {
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? 512;
  const numMfcc = options.numMfcc ?? 13;
  const rms = computeFrameRms(signal.mono, nFft, hopLength);
  const numFrames = Math.min(signal.frameCount(hopLength), rms.length);
  // Non-silent frames: RMS above -100 dBFS.
  const active = new Uint8Array(numFrames);
  let anyActive = false;
  for (let t = 0; t < numFrames; t++) {
    if (rms[t] > 1e-5) {
      active[t] = 1;
      anyActive = true;
    }
  }
  const { integratedLufs: lufs, rangeLu: dynamicRangeDb } = 'channels' in mix ? measureLoudness(mix) : mix;
  if (!anyActive) {
    return {
      mfccMean: new Array<number>(numMfcc).fill(0),
      mfccStd: new Array<number>(numMfcc).fill(0),
      spectralCentroidHz: { mean: 0, std: 0 },
      spectralRolloffHz: { mean: 0, std: 0 },
      spectralFlatness: { mean: 0, std: 0 },
      rms: { mean: 0, std: 0 },
      integratedLoudnessLufs: Number.isFinite(lufs) ? lufs : null,
      dynamicRangeDb,
    };
  }
  const mfcc = signalMfcc(signal, nFft, hopLength, numMfcc);
  const rolloff = options.rolloffFraction ?? 0.85;
  // centroid, roll-off, flatness of each frame
  const shape = signal.frameFeatures(`shape${rolloff}`, nFft, hopLength, 3, (spec) => {
    const columns = [computeSpectralCentroid(spec), computeSpectralRolloff(spec, rolloff), computeSpectralFlatness(spec)];
    const out = new Float32Array(spec.numFrames * 3);
    for (let t = 0; t < spec.numFrames; t++) for (let c = 0; c < 3; c++) out[t * 3 + c] = columns[c][t];
    return out;
  });
  const shapeStat = (c: number) => statOver(shape.subarray(0, numFrames * 3), active, 3, c);
  const mfccMean: number[] = [];
  const mfccStd: number[] = [];
  for (let c = 0; c < numMfcc; c++) {
    const s = statOver(mfcc.coefficients.subarray(0, numFrames * numMfcc), active, numMfcc, c);
    mfccMean.push(s.mean);
    mfccStd.push(s.std);
  }
  return {
    mfccMean,
    mfccStd,
    spectralCentroidHz: shapeStat(0),
    spectralRolloffHz: shapeStat(1),
    spectralFlatness: shapeStat(2),
    rms: statOver(rms, null),
    integratedLoudnessLufs: Number.isFinite(lufs) ? lufs : null,
    dynamicRangeDb,
  };
}
