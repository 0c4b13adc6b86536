/**
 * The whole tonal analysis of a song: tuning, tuned treble/bass chroma, key and chords, sharing
 * one tonal spectrogram (see {@link computeTonalSpectrogram}).
 *
 * Steps: {@link estimateTuning} (spectral-peak deviations from the 12-TET grid) →
 * {@link computeChroma} at that tuning (approximate-transcription chroma, Mauch & Dixon 2010) →
 * {@link estimateChords} (beat-synchronous templates + Viterbi) and {@link estimateKey}
 * (bass-weighted chroma vs key profiles, with the chords' tonic evidence). Silence gives 440 Hz, a null key and a single 'N' (or no
 * chord events for an empty signal), never an exception.
 */
import type { ChordEvent, KeyEstimate } from '../contracts/music.js';
import { computeChroma, type Chromagram, type ChromaOptions } from './chroma.js';
import { estimateChords, type ChordOptions } from './chords.js';
import { estimateKey, type KeyOptions } from './key.js';
import type { AnalysisSignal } from './signal.js';
import { estimateTuning, type TuningOptions } from './tuning.js';

export interface TonalOptions {
  tuning?: TuningOptions;
  chroma?: Omit<ChromaOptions, 'tuningHz'>;
  key?: KeyOptions;
  chords?: ChordOptions;
}

export interface TonalAnalysis {
  /** A4 in Hz. */
  tuningHz: number;
  /** 0..1. */
  tuningConfidence: number;
  key: KeyEstimate | null;
  chords: ChordEvent[];
  chroma: Chromagram;
}

/** The beat-independent part of the tonal analysis: tuning, and the chroma at that tuning. */
export interface TonalFeatures {
  tuningHz: number;
  tuningConfidence: number;
  chroma: Chromagram;
}

/** Tuning and chroma of a signal (no beats needed: it can run beside the rhythm analysis). */
export function computeTonalFeatures(signal: AnalysisSignal, options: TonalOptions = {}): TonalFeatures {
  const tuning = estimateTuning(signal, options.tuning);
  const chroma = computeChroma(signal, { ...options.chroma, tuningHz: tuning.tuningHz });
  return { tuningHz: tuning.tuningHz, tuningConfidence: tuning.confidence, chroma };
}

/**
 * Analyse tuning, key and chords of a signal; `beatTimesSec` drives the chord segmentation.
 * `features`, when given, are the signal's {@link computeTonalFeatures} with the same options
 * (computed elsewhere, another thread say).
 */
export function analyzeTonal(signal: AnalysisSignal, beatTimesSec: number[], options: TonalOptions = {}, features?: TonalFeatures): TonalAnalysis {
  const { tuningHz, tuningConfidence, chroma } = features ?? computeTonalFeatures(signal, options);
  const chords = estimateChords(chroma, beatTimesSec, options.chords);
  const key = estimateKey(chroma, { chords, ...options.key });
  return { tuningHz, tuningConfidence, key, chords, chroma };
}
