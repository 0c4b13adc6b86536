/**
 * Onset strength envelope by SuperFlux (Böck & Widmer 2013, "Maximum filter vibrato suppression
 * for onset detection", DAFx): log-magnitude spectral flux on a logarithmic (mel) frequency scale,
 * where the reference frame is first maximum-filtered across frequency so that vibrato and slow
 * glides do not count as onsets.
 *
 * Input: the shared magnitude spectrogram of an {@link AnalysisSignal} (default nFft 2048,
 * hop 512 at 22050 Hz: 43.07 frames per second). Output: one non-negative value per STFT frame;
 * value t describes time t·hopLength/sampleRate seconds (the long window's early response is
 * compensated by a fixed frame shift measured on clicks). Silence gives an all-zero envelope;
 * an empty signal gives an empty one.
 */
import type { AnalysisSignal, MagnitudeSpectrogram } from './signal.js';
import { percussiveMel } from './rhythm-hpss.js';
import { levelGain } from './level.js';


export interface OnsetEnvelope {
  /** Onset strength per frame, ≥ 0, arbitrary units (summed log-magnitude increase). */
  values: Float32Array;
  /** Frames per second (sampleRate / hopLength). */
  frameRateHz: number;
  /** STFT hop in samples at the signal's sample rate. */
  hopLength: number;
}

export interface OnsetOptions {
  /** FFT size of the shared spectrogram. Default 2048. */
  nFft?: number;
  /** Hop in samples. Default 512 (23.2 ms at 22050 Hz), shared with the other MIR modules. */
  hopLength?: number;
  /** Number of mel bands between minHz and maxHz. Default 96. */
  numBands?: number;
  /** Lowest band edge in Hz. Default 30. */
  minHz?: number;
  /** Highest band edge in Hz. Default 11000 (clipped to Nyquist). */
  maxHz?: number;
  /** Frequency width (in bands) of the maximum filter on the reference frame. Default 3. */
  maxFilterBands?: number;
  /** Distance in frames to the reference frame; default from the window overlap (nFft/4 / hop). */
  diffFrames?: number;
  /**
   * Gain inside log(1 + gain·|X|) for a signal at the reference level (level.ts), scaled by the
   * signal's {@link levelGain} so that the envelope does not depend on the input's gain. Default
   * 1000 (|X| of an unnormalised STFT of a [-1,1] signal).
   */
  logGain?: number;
  /** Use the percussive part only (median-filter HPSS on the mel spectrogram). Default false: on the dev songs it gained nothing and costs ~0.5 s for 3 min. */
  percussive?: boolean;
  /** Band groups and their weights; default {@link DEFAULT_BAND_GROUPS}. */
  bandGroups?: readonly OnsetBandGroup[];
  /**
   * Frames by which the flux is moved later so that its peaks sit on the onset time; the log of
   * a long Hann window responds before the onset reaches the frame centre. Default
   * {@link defaultLagFrames} (measured on clicks).
   */
  lagFrames?: number;
}

export interface Filterbank {
  numBands: number;
  /** First FFT bin of band b. */
  start: Int32Array;
  /** Number of bins of band b. */
  length: Int32Array;
  /** Offset of band b's weights in `weights`. */
  offset: Int32Array;
  weights: Float32Array;
}

const filterbanks = new Map<string, Filterbank>();
/** Log-mel spectrograms memoised per signal (the onset envelope and the downbeat cues share them). */
const logMelCache = new WeakMap<AnalysisSignal, Map<string, Float32Array>>();

function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/**
 * Triangular mel filterbank (HTK mel scale), stored sparsely and built once per configuration.
 * A band narrower than one FFT bin takes its nearest bin with weight 1, so no band is empty.
 */
export function melFilterbank(nFft: number, sampleRate: number, numBands: number, minHz: number, maxHz: number): Filterbank {
  const key = `${nFft}/${sampleRate}/${numBands}/${minHz}/${maxHz}`;
  const cached = filterbanks.get(key);
  if (cached) return cached;
  const numBins = (nFft >> 1) + 1;
  const binHz = sampleRate / nFft;
  const top = Math.min(maxHz, sampleRate / 2);
  const melLo = hzToMel(minHz);
  const melHi = hzToMel(top);
  const edges = new Float64Array(numBands + 2);
  for (let i = 0; i < numBands + 2; i++) edges[i] = melToHz(melLo + ((melHi - melLo) * i) / (numBands + 1));
  const start = new Int32Array(numBands);
  const length = new Int32Array(numBands);
  const offset = new Int32Array(numBands);
  const w: number[] = [];
  for (let b = 0; b < numBands; b++) {
    const lo = edges[b];
    const mid = edges[b + 1];
    const hi = edges[b + 2];
    let k0 = Math.ceil(lo / binHz);
    let k1 = Math.floor(hi / binHz);
    k0 = Math.max(0, k0);
    k1 = Math.min(numBins - 1, k1);
    offset[b] = w.length;
    const local: number[] = [];
    for (let k = k0; k <= k1; k++) {
      const f = k * binHz;
      const v = f <= mid ? (f - lo) / Math.max(mid - lo, 1e-9) : (hi - f) / Math.max(hi - mid, 1e-9);
      local.push(Math.max(0, v));
    }
    if (local.length === 0 || local.every((v) => v === 0)) {
      k0 = Math.min(numBins - 1, Math.round(mid / binHz));
      local.length = 0;
      local.push(1);
    }
    start[b] = k0;
    length[b] = local.length;
    for (const v of local) w.push(v);
  }
  const fb: Filterbank = { numBands, start, length, offset, weights: Float32Array.from(w) };
  filterbanks.set(key, fb);
  return fb;
}

/** Frame shift that puts flux peaks of clicks on the click time for the default spectrogram. */
export function defaultLagFrames(nFft: number, hopLength: number): number {
  // The log-compressed Hann-windowed spectrum of an impulse rises when the impulse is about
  // nFft/4 samples before the frame centre; the flux against frame t − diff peaks then.
  return Math.round(nFft / 4 / hopLength);
}

/** Linear mel magnitude spectrogram M·|X|, frame-major [t * numBands + b]. */
export function computeMel(spec: MagnitudeSpectrogram, fb: Filterbank): Float32Array {
  const { numFrames, numBins, mag } = spec;
  const nb = fb.numBands;
  const out = new Float32Array(numFrames * nb);
  const { start, length, offset, weights } = fb;
  for (let t = 0; t < numFrames; t++) {
    const row = t * numBins;
    const o = t * nb;
    for (let b = 0; b < nb; b++) {
      let s = 0;
      const k0 = row + start[b];
      const w0 = offset[b];
      const len = length[b];
      for (let j = 0; j < len; j++) s += mag[k0 + j] * weights[w0 + j];
      out[o + b] = s;
    }
  }
  return out;
}

/** log(1 + gain·x) of every entry, into a new array. */
export function logCompress(x: Float32Array, logGain: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.log1p(logGain * x[i]);
  return out;
}

/** Log-mel spectrogram log(1 + gain·M·|X|), frame-major [t * numBands + b]. */
export function computeLogMel(spec: MagnitudeSpectrogram, fb: Filterbank, logGain: number): Float32Array {
  return logCompress(computeMel(spec, fb), logGain);
}

function cached(signal: AnalysisSignal, key: string, make: () => Float32Array): Float32Array {
  let perSignal = logMelCache.get(signal);
  if (!perSignal) {
    perSignal = new Map();
    logMelCache.set(signal, perSignal);
  }
  let v = perSignal.get(key);
  if (!v) {
    v = make();
    perSignal.set(key, v);
  }
  return v;
}

/** The memoised linear mel spectrogram of a signal. */
export function signalMel(signal: AnalysisSignal, nFft: number, hopLength: number, fb: Filterbank): Float32Array {
  const key = `mel/${nFft}/${hopLength}/${fb.numBands}/${fb.start[0]}/${fb.start[fb.numBands - 1]}`;
  return signal.frameFeatures(key, nFft, hopLength, fb.numBands, (spec) => computeMel(spec, fb));
}

/**
 * The memoised log-mel spectrogram of a signal for one (nFft, hop, filterbank, gain); with
 * `percussive`, of the percussive part only (median-filter HPSS on the mel spectrogram).
 */
export function signalLogMel(signal: AnalysisSignal, nFft: number, hopLength: number, fb: Filterbank, logGain: number, percussive = false): Float32Array {
  const key = `log/${percussive ? 'p' : 'a'}/${nFft}/${hopLength}/${fb.numBands}/${fb.start[0]}/${fb.start[fb.numBands - 1]}/${logGain}`;
  return cached(signal, key, () => {
    const mel = signalMel(signal, nFft, hopLength, fb);
    if (!percussive) return logCompress(mel, logGain);
    const frames = mel.length / fb.numBands;
    // Kernels: ~0.2 s along time, 9 bands along frequency (both odd).
    const timeFrames = 2 * Math.round((0.1 * signal.sampleRate) / hopLength) + 1;
    return logCompress(percussiveMel(mel, fb.numBands, frames, timeFrames, 9), logGain);
  });
}

/**
 * SuperFlux onset strength from a log-mel spectrogram: for each frame t, the sum over bands of
 * max(0, S[t,b] − max(S[t−diff, b−r..b+r])). Optional band range [bandLo, bandHi).
 */
export function superFlux(logMel: Float32Array, numBands: number, numFrames: number, diffFrames: number, maxFilterBands: number, lagFrames: number, bandLo = 0, bandHi = numBands): Float32Array {
  const values = new Float32Array(numFrames);
  const r = Math.max(0, (maxFilterBands - 1) >> 1);
  for (let t = diffFrames; t < numFrames; t++) {
    const cur = t * numBands;
    const ref = (t - diffFrames) * numBands;
    let sum = 0;
    for (let b = bandLo; b < bandHi; b++) {
      const lo = Math.max(0, b - r);
      const hi = Math.min(numBands - 1, b + r);
      let m = logMel[ref + lo];
      for (let j = lo + 1; j <= hi; j++) if (logMel[ref + j] > m) m = logMel[ref + j];
      const d = logMel[cur + b] - m;
      if (d > 0) sum += d;
    }
    const dst = t + lagFrames;
    if (dst >= 0 && dst < numFrames) values[dst] = sum;
  }
  return values;
}

/** A frequency range of mel bands whose mean flux enters the envelope with a weight. */
export interface OnsetBandGroup {
  /** Upper edge of the group in Hz (the previous group's edge, or minHz, is the lower one). */
  maxHz: number;
  weight: number;
}

/**
 * Default band groups: below 250 Hz (kick, bass) ×2, 250–2000 Hz (snare body, chords, voice) ×1,
 * above 2 kHz (hats, cymbals) ×0.5. Each group contributes its mean flux per band, so the many
 * high mel bands of a hi-hat do not outvote the few bands of a kick drum or a bass note, which
 * carry the beat in most popular music.
 */
export const DEFAULT_BAND_GROUPS: readonly OnsetBandGroup[] = [
  { maxHz: 250, weight: 2 },
  { maxHz: 2000, weight: 1 },
  { maxHz: Infinity, weight: 0.5 },
];

/** First mel band whose lowest bin lies at or above `hz`. */
export function bandIndexAtHz(fb: Filterbank, hz: number, nFft: number, sampleRate: number): number {
  const binHz = sampleRate / nFft;
  let b = 0;
  while (b < fb.numBands && fb.start[b] * binHz < hz) b++;
  return b;
}

/**
 * SuperFlux of the mel bands between loHz and hiHz only, as mean flux per band (for sub-band
 * cues: bass onsets, snare backbeats). Same frames and lag compensation as the envelope.
 */
export function computeBandFlux(signal: AnalysisSignal, loHz: number, hiHz: number, options: OnsetOptions = {}): Float32Array {
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? 512;
  if (signal.mono.length === 0) return new Float32Array(0);
  const numBands = options.numBands ?? 96;
  const fb = melFilterbank(nFft, signal.sampleRate, numBands, options.minHz ?? 30, options.maxHz ?? 11000);
  const lo = bandIndexAtHz(fb, loHz, nFft, signal.sampleRate);
  const hi = Math.max(lo + 1, Math.min(numBands, bandIndexAtHz(fb, hiHz, nFft, signal.sampleRate)));
  const v = bandRangeFlux(signal, fb, lo, hi, options);
  const out = new Float32Array(v.length);
  const g = 1 / (hi - lo);
  for (let i = 0; i < v.length; i++) out[i] = g * v[i];
  return out;
}

/**
 * The memoised SuperFlux of mel bands [lo, hi) of a signal (shared, read-only): the onset
 * envelopes of the rhythm path (main, tactus and placement band weightings) and the sub-band
 * cues read the same band ranges, so each range's flux is computed once per signal.
 */
function bandRangeFlux(signal: AnalysisSignal, fb: Filterbank, lo: number, hi: number, options: OnsetOptions): Float32Array {
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? 512;
  const logGain = (options.logGain ?? 1000) * levelGain(signal.loudLevel());
  const percussive = options.percussive ?? false;
  const diffFrames = options.diffFrames ?? Math.max(1, Math.round(nFft / 4 / hopLength));
  const lag = options.lagFrames ?? defaultLagFrames(nFft, hopLength);
  const maxFilterBands = options.maxFilterBands ?? 3;
  const key = `flux/${percussive ? 'p' : 'a'}/${nFft}/${hopLength}/${fb.numBands}/${fb.start[0]}/${fb.start[fb.numBands - 1]}/${logGain}/${diffFrames}/${maxFilterBands}/${lag}/${lo}/${hi}`;
  return cached(signal, key, () => {
    const logMel = signalLogMel(signal, nFft, hopLength, fb, logGain, percussive);
    return superFlux(logMel, fb.numBands, signal.frameCount(hopLength), diffFrames, maxFilterBands, lag, lo, hi);
  });
}

/**
 * Onset strength envelope (SuperFlux) of the signal: the weighted sum over band groups of the
 * mean flux per band (see {@link DEFAULT_BAND_GROUPS}). Silence → all zeros; empty → length 0.
 * Units: frames at `frameRateHz`; values are log-magnitude increases per band.
 */
export function computeOnsetEnvelope(signal: AnalysisSignal, options: OnsetOptions = {}): OnsetEnvelope {
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? 512;
  const frameRateHz = signal.sampleRate / hopLength;
  if (signal.mono.length === 0) return { values: new Float32Array(0), frameRateHz, hopLength };
  const numBands = options.numBands ?? 96;
  const fb = melFilterbank(nFft, signal.sampleRate, numBands, options.minHz ?? 30, options.maxHz ?? 11000);
  const values = new Float32Array(signal.frameCount(hopLength));
  let lo = 0;
  for (const group of options.bandGroups ?? DEFAULT_BAND_GROUPS) {
    const hi = Math.min(numBands, bandIndexAtHz(fb, group.maxHz, nFft, signal.sampleRate));
    if (hi <= lo) continue;
    if (group.weight !== 0) {
      const v = bandRangeFlux(signal, fb, lo, hi, options);
      const g = group.weight / (hi - lo);
      for (let i = 0; i < v.length; i++) values[i] += g * v[i];
    }
    lo = hi;
  }
  return { values, frameRateHz, hopLength };
}
