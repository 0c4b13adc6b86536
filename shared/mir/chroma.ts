/**
 * Tuned treble and bass chromagrams from an approximate note transcription, after Chordino's
 * NNLS chroma (Mauch & Dixon, "Approximate note transcription for the improved identification of
 * difficult chords", ISMIR 2010).
 *
 * Method, per frame of the tonal spectrogram ({@link computeTonalSpectrogram}: 2.69 Hz bins,
 * 46 ms hop):
 * 1. Log-frequency spectrum with 3 bins per semitone, centred on the equal-tempered pitches of
 *    the estimated tuning (A4 = tuningHz). Each bin takes the largest FFT magnitude within its
 *    1/3 semitone (or the linear interpolation at its centre where FFT bins are coarser).
 * 2. Spectral whitening as in Chordino: the running mean over one octave is subtracted and
 *    negative values dropped, which removes broadband noise and drums. In the bass, where
 *    semitones are closer than the Hann main lobe, what each neighbouring semitone leaks into a
 *    note's bin (computed from the window's transform) is removed too.
 * 3. Approximate transcription: the semitone spectrum (centre bins) is explained greedily from the
 *    lowest note up, each note taking its own level and removing the expected levels of its
 *    harmonics 2–8 (geometric decay `harmonicDecay`) from the notes above. This removes the
 *    false fifths (3rd harmonic) and thirds (5th harmonic) that plain folding adds, which is what
 *    makes maj vs maj7 and 7 separable.
 * 4. Note levels are compressed (square root) and folded into two chromas with smooth pitch
 *    windows: bass (full E1–E3, 41–165 Hz, fading out by C1 and B3: ≈ 30–250 Hz) and treble
 *    (full G3–D6, fading in from A2 and out by D#7); see `bassRangeMidi`, `trebleRangeMidi`.
 * 5. Each frame is scaled to a maximum of 1. Frames below `silenceDb` of the loudest frame (or
 *    absolutely silent) are all zeros.
 *
 * Units: frame t is centred on t·hopLength/22050 s, hopLength in samples at the analysis rate.
 * Layout: frame-major, pitch class 0 = C. Degenerate input (silence, empty) gives all-zero frames
 * (or 0 frames), never an exception. Results are memoised per (signal, tuning).
 */
import type { AnalysisSignal } from './signal.js';
import { computeTonalSpectrogram, type TonalSpectrogram } from './tonal-spectrum.js';
import { estimateTuningFromSpectrogram } from './tuning.js';

export interface Chromagram {
  numFrames: number;
  /** Frames per second. */
  frameRateHz: number;
  /** Hop between frames in samples at the analysis signal's sample rate. */
  hopLength: number;
  /** numFrames × 12, frame-major, pc 0 = C; each frame max-normalised to 1 (or all zero). */
  treble: Float32Array;
  /** numFrames × 12, bass register (≈ 30–250 Hz), same layout and normalisation. */
  bass: Float32Array;
  /** Per-frame level of the tonal band (linear, max over the song = 1); 0 for silent frames. */
  energy: Float32Array;
  /** The tuning the chroma was computed at, A4 Hz. */
  tuningHz: number;
  /** Duration of the analysed signal, s. */
  durationSec: number;
}

export interface ChromaOptions {
  /** A4 in Hz; estimated with {@link estimateTuning} when omitted. */
  tuningHz?: number;
  /** Amplitude ratio between successive harmonics of the transcription's note model. Default 0.6. */
  harmonicDecay?: number;
  /** Frames this far below the loudest frame are silent (all-zero chroma), dB. Default 45. */
  silenceDb?: number;
  /** Treble pitch window, MIDI [fade-in start, full, full end, fade-out end]. Default [45, 55, 86, 99]. */
  trebleRangeMidi?: readonly [number, number, number, number];
  /** Bass pitch window, MIDI. Default [24, 28, 52, 59] (≈ 30–250 Hz). */
  bassRangeMidi?: readonly [number, number, number, number];
}

const BINS_PER_SEMITONE = 3;
const MIN_MIDI = 24; // C1, 32.7 Hz
/** Semitone offsets of harmonics 2..8. */
const HARMONIC_OFFSETS = [12, 19, 24, 28, 31, 34, 36];

interface LogMap {
  tuningHz: number;
  numNotes: number;
  numLogBins: number;
  /** Per log bin: first and last FFT bin of the max-pool range (kHi < kLo when empty). */
  kLo: Int32Array;
  kHi: Int32Array;
  /** Per log bin: interpolation at the centre, bin index and fraction. */
  k0: Int32Array;
  frac: Float32Array;
  /** Per note: fraction of the note below / above that leaks into its centre bin (Hann main lobe). */
  leakFromBelow: Float32Array;
  leakFromAbove: Float32Array;
}

/** Magnitude of the Hann window's transform at `d` bins from the peak, relative to the peak. */
function hannKernel(d: number): number {
  const x = Math.abs(d);
  if (x < 1e-9) return 1;
  if (Math.abs(x - 1) < 1e-9) return 0.5;
  return Math.abs(Math.sin(Math.PI * x) / (Math.PI * x) / (1 - x * x));
}

/** Value the log bin j reads from a pure sinusoid at `hz` of unit peak magnitude. */
function readLogBin(j: number, hz: number, binHz: number, kLo: Int32Array, kHi: Int32Array, k0: Int32Array, frac: Float32Array): number {
  const pos = hz / binHz;
  const k = k0[j];
  let v = hannKernel(k - pos) + frac[j] * (hannKernel(k + 1 - pos) - hannKernel(k - pos));
  for (let kk = kLo[j]; kk <= kHi[j]; kk++) v = Math.max(v, hannKernel(kk - pos));
  return v;
}

const mapCache = new Map<string, LogMap>();

function buildLogMap(spec: TonalSpectrogram, tuningHz: number): LogMap {
  const key = `${spec.sampleRate}/${spec.nFft}/${tuningHz.toFixed(4)}`;
  let m = mapCache.get(key);
  if (m) return m;
  const binHz = spec.sampleRate / spec.nFft;
  const maxMidi = Math.floor(69 + 12 * Math.log2(spec.passbandHz / tuningHz) - 0.5);
  const numNotes = Math.max(0, maxMidi - MIN_MIDI + 1);
  const numLogBins = numNotes * BINS_PER_SEMITONE;
  const kLo = new Int32Array(numLogBins);
  const kHi = new Int32Array(numLogBins);
  const k0 = new Int32Array(numLogBins);
  const frac = new Float32Array(numLogBins);
  for (let j = 0; j < numLogBins; j++) {
    const pitch = MIN_MIDI + (j - 1) / BINS_PER_SEMITONE;
    const hz = tuningHz * Math.pow(2, (pitch - 69) / 12);
    const loHz = tuningHz * Math.pow(2, (pitch - 1 / (2 * BINS_PER_SEMITONE) - 69) / 12);
    const hiHz = tuningHz * Math.pow(2, (pitch + 1 / (2 * BINS_PER_SEMITONE) - 69) / 12);
    kLo[j] = Math.ceil(loHz / binHz);
    kHi[j] = Math.min(spec.numBins - 1, Math.ceil(hiHz / binHz) - 1);
    const pos = hz / binHz;
    k0[j] = Math.min(spec.numBins - 2, Math.floor(pos));
    frac[j] = pos - k0[j];
  }
  const leakFromBelow = new Float32Array(numNotes);
  const leakFromAbove = new Float32Array(numNotes);
  const noteHz = (p: number): number => tuningHz * Math.pow(2, (MIN_MIDI + p - 69) / 12);
  for (let p = 0; p < numNotes; p++) {
    const j = p * BINS_PER_SEMITONE + 1;
    const read = (bin: number, hz: number): number => readLogBin(bin, hz, binHz, kLo, kHi, k0, frac);
    if (p > 0) leakFromBelow[p] = read(j, noteHz(p - 1)) / read(j - 3, noteHz(p - 1));
    if (p < numNotes - 1) leakFromAbove[p] = read(j, noteHz(p + 1)) / read(j + 3, noteHz(p + 1));
  }
  m = { tuningHz, numNotes, numLogBins, kLo, kHi, k0, frac, leakFromBelow, leakFromAbove };
  if (mapCache.size > 64) mapCache.clear();
  mapCache.set(key, m);
  return m;
}

/** Smooth pitch windows (weights per MIDI note) for bass and treble chroma. */
function registerWeight(midi: number, lo0: number, lo1: number, hi1: number, hi0: number): number {
  if (midi <= lo0 || midi >= hi0) return 0;
  if (midi < lo1) return 0.5 - 0.5 * Math.cos((Math.PI * (midi - lo0)) / (lo1 - lo0));
  if (midi > hi1) return 0.5 + 0.5 * Math.cos((Math.PI * (midi - hi1)) / (hi0 - hi1));
  return 1;
}

const chromaCache = new WeakMap<AnalysisSignal, Map<string, Chromagram>>();

/** Compute the treble and bass chromagrams of a signal. See the module comment for the method. */
export function computeChroma(signal: AnalysisSignal, options: ChromaOptions = {}): Chromagram {
  const spec = computeTonalSpectrogram(signal);
  const tuningHz = options.tuningHz ?? estimateTuningFromSpectrogram(spec).tuningHz;
  const harmonicDecay = options.harmonicDecay ?? 0.6;
  const silenceDb = options.silenceDb ?? 45;
  const trebleRange = options.trebleRangeMidi ?? [45, 55, 86, 99];
  const bassRange = options.bassRangeMidi ?? [24, 28, 52, 59];
  const cacheKey = `${tuningHz.toFixed(4)}/${harmonicDecay}/${silenceDb}/${trebleRange.join(',')}/${bassRange.join(',')}`;
  let perSignal = chromaCache.get(signal);
  const hit = perSignal?.get(cacheKey);
  if (hit) return hit;
  const chroma = computeChromaFromSpectrogram(spec, signal.sampleRate, tuningHz, harmonicDecay, silenceDb, trebleRange, bassRange);
  if (!perSignal) {
    perSignal = new Map();
    chromaCache.set(signal, perSignal);
  }
  perSignal.set(cacheKey, chroma);
  return chroma;
}

function computeChromaFromSpectrogram(
  spec: TonalSpectrogram,
  signalRate: number,
  tuningHz: number,
  harmonicDecay: number,
  silenceDb: number,
  trebleRange: readonly [number, number, number, number],
  bassRange: readonly [number, number, number, number],
): Chromagram {
  const { numFrames, numBins, mag } = spec;
  const durationSec = spec.signalLength / signalRate;
  const hopLength = spec.hopLength * spec.decimation;
  const frameRateHz = signalRate / hopLength;
  const treble = new Float32Array(numFrames * 12);
  const bass = new Float32Array(numFrames * 12);
  const energy = new Float32Array(numFrames);
  const map = buildLogMap(spec, tuningHz);
  const { numNotes, numLogBins, kLo, kHi, k0, frac, leakFromBelow, leakFromAbove } = map;
  if (numFrames === 0 || numNotes === 0) return { numFrames, frameRateHz, hopLength, treble, bass, energy, tuningHz, durationSec };

  // Per-note register weights and pitch classes.
  const bassW = new Float32Array(numNotes);
  const trebleW = new Float32Array(numNotes);
  const pcOf = new Int32Array(numNotes);
  for (let p = 0; p < numNotes; p++) {
    const midi = MIN_MIDI + p;
    bassW[p] = registerWeight(midi, bassRange[0], bassRange[1], bassRange[2], bassRange[3]);
    trebleW[p] = registerWeight(midi, trebleRange[0], trebleRange[1], trebleRange[2], trebleRange[3]);
    pcOf[p] = midi % 12;
  }
  const decay = new Float32Array(HARMONIC_OFFSETS.length);
  for (let h = 0; h < decay.length; h++) decay[h] = Math.pow(harmonicDecay, h + 1);

  const logSpec = new Float64Array(numLogBins);
  const prefix = new Float64Array(numLogBins + 1);
  const notes = new Float64Array(numNotes);
  const halfWin = 18; // ± half an octave of log bins: a one-octave running mean
  let maxEnergy = 0;
  // Frame level: RMS magnitude of the tonal band (from the lowest note's bin up).
  const kFirst = Math.max(1, k0[0]);
  const kLast = numBins - 1;
  for (let t = 0; t < numFrames; t++) {
    const o = t * numBins;
    let e = 0;
    for (let k = kFirst; k <= kLast; k++) e += mag[o + k] * mag[o + k];
    energy[t] = Math.sqrt(e / (kLast - kFirst + 1));
    if (energy[t] > maxEnergy) maxEnergy = energy[t];
  }
  const silentBelow = Math.max(maxEnergy * Math.pow(10, -silenceDb / 20), 1e-7);
  for (let t = 0; t < numFrames; t++) {
    if (energy[t] < silentBelow) {
      energy[t] = 0;
      continue;
    }
    energy[t] /= maxEnergy;
    const o = t * numBins;
    prefix[0] = 0;
    for (let j = 0; j < numLogBins; j++) {
      const k = k0[j];
      let v = mag[o + k] + frac[j] * (mag[o + k + 1] - mag[o + k]);
      for (let kk = kLo[j]; kk <= kHi[j]; kk++) if (mag[o + kk] > v) v = mag[o + kk];
      logSpec[j] = v;
      prefix[j + 1] = prefix[j] + v;
    }
    // Whitening: subtract the one-octave running mean; keep what stands above it. Where
    // semitones are closer than the Hann main lobe (the bass), also remove what the neighbouring
    // notes leak into this one.
    for (let p = 0; p < numNotes; p++) {
      const j = p * BINS_PER_SEMITONE + 1;
      const a = Math.max(0, j - halfWin);
      const b = Math.min(numLogBins, j + halfWin + 1);
      const mean = (prefix[b] - prefix[a]) / (b - a);
      let v = logSpec[j];
      if (p > 0) v -= leakFromBelow[p] * logSpec[j - 3];
      if (p < numNotes - 1) v -= leakFromAbove[p] * logSpec[j + 3];
      notes[p] = Math.max(0, v - mean);
    }
    // Greedy approximate transcription: low notes explain their harmonics.
    for (let p = 0; p < numNotes; p++) {
      const a = notes[p];
      if (a <= 0) continue;
      for (let h = 0; h < HARMONIC_OFFSETS.length; h++) {
        const q = p + HARMONIC_OFFSETS[h];
        if (q >= numNotes) break;
        const r = notes[q] - a * decay[h];
        notes[q] = r > 0 ? r : 0;
      }
    }
    const c = t * 12;
    let tMax = 0;
    let bMax = 0;
    for (let p = 0; p < numNotes; p++) {
      const v = notes[p];
      if (v <= 0) continue;
      const s = Math.sqrt(v);
      const pc = pcOf[p];
      if (trebleW[p] > 0) treble[c + pc] += s * trebleW[p];
      if (bassW[p] > 0) bass[c + pc] += s * bassW[p];
    }
    for (let i = 0; i < 12; i++) {
      if (treble[c + i] > tMax) tMax = treble[c + i];
      if (bass[c + i] > bMax) bMax = bass[c + i];
    }
    if (tMax > 0) for (let i = 0; i < 12; i++) treble[c + i] /= tMax;
    if (bMax > 0) for (let i = 0; i < 12; i++) bass[c + i] /= bMax;
  }
  return { numFrames, frameRateHz, hopLength, treble, bass, energy, tuningHz, durationSec };
}
