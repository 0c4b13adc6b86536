import type { MusicDescription, SectionFunction } from '../contracts/music.js';
import type { Key } from '../music/key.js';
import type { BeatGrid } from './grid.js';
import type { InstrumentPrograms, Mood, Style } from './styles.js';

export const GENERATED_STEMS = ['drums', 'bass', 'guitar', 'piano', 'synth', 'vocals', 'other'] as const;
export type GeneratedStem = (typeof GENERATED_STEMS)[number];

/** What a caller asks for. All optional fields have defaults (see planGeneration). */
export interface GenerationParams {
  /** Tempo in BPM (20–300). Default: the style's tempo, adjusted by mood. */
  bpm?: number;
  /** Length of every stem in seconds (0 < d ≤ 900). */
  durationSec: number;
  /** Key such as "A:minor", "C major", "F#m". Default: inferred from the chords, or chosen by mood/style/seed. */
  key?: string;
  /**
   * Chords in Harte ("A:min F:maj") or plain names ("Am F C G7"), one chord per bar, cycled over
   * the duration. With bar lines, every "|…|" group is one bar and its chords share it equally:
   * "|Am F|C G|" gives two chords per bar.
   */
  chordProgression?: string;
  /** One of STYLES. Default: read from the prompt, else pop. */
  style?: string;
  /** Free text read for style, mood, tempo ("90 bpm") and key ("in D minor") words. */
  prompt?: string;
  /** 0 = the plainest pattern; 1 = most fills and variation. Default 0.3. */
  temperature?: number;
  /** Unsigned 32-bit integer. Same seed and parameters give identical samples. Default 0. */
  seed?: number;
  /** Output sample rate in Hz (8000–192000). Default 44100. */
  sampleRate?: number;
  /** A4 in Hz (400–480). Default 440, or the fitted song's tuning. */
  tuningHz?: number;
  /** Number of beats per bar (2–7). Default 4, or the fitted song's meter. */
  beatsPerBar?: number;
  /**
   * A song to fit: its beat grid (beat times and bar positions; drifting tempo is fine), key,
   * tuning and chords. Overrides bpm, key, chordProgression, beatsPerBar and tuningHz.
   */
  fit?: MusicDescription;
}

/** One chord on the timeline, on beat positions of the grid. */
export interface PlannedChord {
  startBeat: number;
  endBeat: number;
  startSec: number;
  endSec: number;
  /** Harte label. */
  label: string;
  /** Root pitch class (null never appears: 'N' stretches are left out of the timeline). */
  root: number;
  /** Semitones above the root (0 first), sorted. */
  intervals: number[];
  /** Slash bass ("C:maj/3") as semitones above the root; 0 or absent = root position. */
  bassInterval?: number;
}

/** A section of the arrangement; bars are indices into grid.barStartBeats. */
export interface PlannedSection {
  label: SectionFunction;
  letter: string;
  startBar: number;
  /** Exclusive. */
  endBar: number;
  /** 0 (sparse) … 1 (full). Shapes density and dynamics. */
  energy: number;
  /** Which instruments play in this section. */
  active: Record<GeneratedStem, boolean>;
  /** Seed of the section's material: repeats of a section share it and sound the same. */
  materialSeed: number;
}

/** A resolved, validated generation request. Everything the instrument renderers need. */
export interface GenerationPlan {
  durationSec: number;
  sampleRate: number;
  /** round(durationSec × sampleRate): the length of every stem. */
  totalSamples: number;
  bpm: number;
  beatsPerBar: number;
  key: Key;
  /** e.g. "A:minor". */
  keyLabel: string;
  /** A4 in Hz used by every pitched instrument. */
  tuningHz: number;
  style: Style;
  mood: Mood;
  temperature: number;
  seed: number;
  grid: BeatGrid;
  /** Bars that start before the end of the audio. */
  barCount: number;
  chords: PlannedChord[];
  sections: PlannedSection[];
  /** The progression as Harte labels, per bar of one cycle (for metadata). */
  progression: string[][];
  programs: InstrumentPrograms;
  swing8: number;
  swing16: number;
  /** Reverb send, 0..1. */
  room: number;
  /** Whether the plan follows a fitted song. */
  fitted: boolean;
}
