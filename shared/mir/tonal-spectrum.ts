/**
 * The tonal spectrogram: a narrow-band magnitude spectrogram of the band that carries pitch
 * (below ≈ 2.15 kHz), shared by tuning, chroma, key and chords.
 *
 * Method: the analysis signal is low-pass filtered (Hamming-windowed sinc FIR) and decimated by
 * an integer factor to ≈ 5.5 kHz, then analysed with a long periodic-Hann STFT (2048 samples at
 * 5512.5 Hz = 371 ms, 2.69 Hz per bin; hop 256 = 46 ms). This gives the same frequency resolution
 * as Chordino's 16384-point STFT at 44.1 kHz (Mauch & Dixon 2010), enough to separate semitones
 * down to ≈ 50 Hz, at a fraction of the cost of an 8192-point STFT at 22050 Hz. Frames are
 * centred: frame t is centred on t·hopLength/sampleRate seconds (in the decimated rate).
 *
 * Memoised per {@link AnalysisSignal} (WeakMap), so tuning, chroma and other callers share it.
 * An empty signal gives 0 frames.
 */
import { rfft } from '../dsp/fft.js';
import { hann } from '../dsp/window.js';
import type { AnalysisSignal } from './signal.js';

export interface TonalSpectrogram {
  /** Sample rate of the decimated signal the STFT was taken on, Hz. */
  sampleRate: number;
  /** Decimation factor from the analysis signal's rate. */
  decimation: number;
  nFft: number;
  hopLength: number;
  numFrames: number;
  /** Bins kept per frame: 0 .. numBins−1 (up to a little above the passband, not nFft/2). */
  numBins: number;
  /** Frames per second. */
  frameRateHz: number;
  /** Highest frequency the decimation filter passes untouched, Hz. */
  passbandHz: number;
  /** Length of the analysed (undecimated) signal in samples. */
  signalLength: number;
  /** |X|, frame-major: mag[t * numBins + k]. */
  mag: Float32Array;
}

const cache = new WeakMap<AnalysisSignal, TonalSpectrogram>();

/** Target rate after decimation, Hz. */
const TARGET_RATE_HZ = 5512.5;
/** Upper edge of the band whose content must survive decimation unaliased, Hz. */
const PASSBAND_HZ = 2150;

/**
 * Low-pass FIR (Hamming-windowed sinc, ≈ 53 dB stop band) and integer decimation. The filter passes ≤ passbandHz
 * and rejects what would alias into it (≥ outRate − passbandHz). Returns the input when
 * factor = 1.
 */
export function decimateSignal(x: Float32Array, sampleRate: number, factor: number, passbandHz: number): Float32Array {
  if (factor <= 1) return x;
  const outRate = sampleRate / factor;
  const stopHz = outRate - passbandHz;
  const cutoffHz = (passbandHz + stopHz) / 2;
  const transition = Math.max(stopHz - passbandHz, 50) / sampleRate;
  // Hamming: transition width ≈ 3.3 / N (normalised).
  let numTaps = Math.ceil(3.3 / transition) | 1;
  if (numTaps < 9) numTaps = 9;
  const half = (numTaps - 1) >> 1;
  const h = new Float32Array(numTaps);
  const fc = cutoffHz / sampleRate;
  let sum = 0;
  for (let i = 0; i < numTaps; i++) {
    const n = i - half;
    const sinc = n === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
    const w = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (numTaps - 1));
    h[i] = sinc * w;
    sum += h[i];
  }
  for (let i = 0; i < numTaps; i++) h[i] /= sum;
  const outLength = Math.ceil(x.length / factor);
  const y = new Float32Array(outLength);
  const n = x.length;
  for (let m = 0; m < outLength; m++) {
    const c = m * factor;
    let acc = 0;
    if (c - half >= 0 && c + half < n) {
      // Symmetric taps: fold the pairs.
      for (let i = 0; i < half; i++) acc += h[i] * (x[c - half + i] + x[c + half - i]);
      acc += h[half] * x[c];
    } else {
      for (let i = 0; i < numTaps; i++) {
        const j = c - half + i;
        if (j >= 0 && j < n) acc += h[i] * x[j];
      }
    }
    y[m] = acc;
  }
  return y;
}

/** The memoised tonal spectrogram of a signal (see the module comment). */
export function computeTonalSpectrogram(signal: AnalysisSignal): TonalSpectrogram {
  let spec = cache.get(signal);
  if (spec) return spec;
  const factor = Math.max(1, Math.round(signal.sampleRate / TARGET_RATE_HZ));
  const sampleRate = signal.sampleRate / factor;
  const passbandHz = Math.min(PASSBAND_HZ, sampleRate * 0.42);
  const x = decimateSignal(signal.mono, signal.sampleRate, factor, passbandHz);
  // ≈ 2.7 Hz per bin.
  let nFft = 256;
  while (sampleRate / nFft > 2.8) nFft *= 2;
  const hopLength = nFft >> 3;
  // Only the bins up to a little above the passband are kept (the rest is filtered out anyway).
  const numBins = Math.min((nFft >> 1) + 1, Math.ceil((passbandHz * 1.1 * nFft) / sampleRate) + 4);
  const numFrames = x.length === 0 ? 0 : Math.floor(x.length / hopLength) + 1;
  const mag = new Float32Array(numFrames * numBins);
  const win = hann(nFft);
  const frame = new Float64Array(nFft);
  const re = new Float64Array((nFft >> 1) + 1);
  const im = new Float64Array((nFft >> 1) + 1);
  const halfN = nFft >> 1;
  for (let t = 0; t < numFrames; t++) {
    const start = t * hopLength - halfN;
    if (start >= 0 && start + nFft <= x.length) {
      for (let i = 0; i < nFft; i++) frame[i] = x[start + i] * win[i];
    } else {
      for (let i = 0; i < nFft; i++) {
        const j = start + i;
        frame[i] = j >= 0 && j < x.length ? x[j] * win[i] : 0;
      }
    }
    rfft(frame, re, im);
    const o = t * numBins;
    for (let k = 0; k < numBins; k++) mag[o + k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
  }
  spec = { sampleRate, decimation: factor, signalLength: signal.mono.length, nFft, hopLength, numFrames, numBins, frameRateHz: sampleRate / hopLength, passbandHz, mag };
  cache.set(signal, spec);
  return spec;
}
