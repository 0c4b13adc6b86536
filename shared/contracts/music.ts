/**
 * The musical description of a song. Both the analysis estimates and the generator's exact truth
 * use this one shape, so that one JAMS writer serves both and benchmarks compare like with like.
 * All times are in seconds from the start of the audio.
 */

export interface TempoEstimate {
  /** Beats per minute. */
  bpm: number;
  /** 0..1. */
  confidence: number;
}

export interface BeatEvent {
  timeSec: number;
  /** Position in the bar, 1-based: 1 on downbeats. */
  positionInBar: number;
  confidence?: number;
}

export interface KeyEstimate {
  /** Tonic pitch class 0..11 (C = 0). */
  tonic: number;
  mode: 'major' | 'minor';
  confidence: number;
}

export interface ChordEvent {
  startSec: number;
  endSec: number;
  /** Harte label, e.g. "A:min7", or "N" for no chord. */
  label: string;
  confidence: number;
}

export type SectionFunction = 'intro' | 'verse' | 'chorus' | 'bridge' | 'outro' | 'instrumental' | 'silence';

export interface SectionEvent {
  startSec: number;
  endSec: number;
  /** Functional name. */
  label: SectionFunction;
  /** Repetition letter: sections with the same material share a letter (A, B, C…). */
  letter: string;
  confidence: number;
}

/** Seed 004's descriptors, summarised over the whole track. */
export interface Descriptors {
  mfccMean: number[];
  mfccStd: number[];
  spectralCentroidHz: { mean: number; std: number };
  spectralRolloffHz: { mean: number; std: number };
  spectralFlatness: { mean: number; std: number };
  rms: { mean: number; std: number };
  /** ITU-R BS.1770-4 integrated loudness, LUFS; -Infinity is reported as null. */
  integratedLoudnessLufs: number | null;
  /** Loudness range or crest-based dynamic range, dB (see the descriptor module). */
  dynamicRangeDb: number;
}

export interface MusicDescription {
  durationSec: number;
  /** Global tempo; null when nothing rhythmic can be said (silence, a very short clip). */
  tempo: TempoEstimate | null;
  /** Beats in the bar (3 for 3/4, 4 for 4/4); null when unknown. */
  beatsPerBar: number | null;
  beats: BeatEvent[];
  key: KeyEstimate | null;
  /** A4 in Hz. */
  tuningHz: number;
  chords: ChordEvent[];
  sections: SectionEvent[];
  descriptors?: Descriptors;
}
