/**
 * Harmonic (octave/twelfth) error suppression for note transcriptions of monophonic or
 * mostly-monophonic stems (bass, lead vocal). Frame-based multi-pitch models such as Basic Pitch
 * often report a bright tone's 2nd–4th partials as weaker notes 12, 19 or 24 semitones above the
 * real one (the classic "octave error" of multiple-F0 estimation; Klapuri, "Multiple fundamental
 * frequency estimation based on harmonicity and spectral smoothness", IEEE TSAP 2003). A note is
 * dropped when a louder note sounds at the same time at one of those intervals below it: the
 * notes overlap for at least `minOverlapRatio` of the upper note's length and the upper note's
 * amplitude is at most `maxAmplitudeRatio` × the lower one's.
 *
 * Pure. Keep it off for polyphonic stems (piano, guitar), where real octaves are common.
 * Empty input → [].
 */
import type { NoteEvent } from './types.js';

export interface SuppressHarmonicsOptions {
  /** Semitone distances treated as partials of a lower note. Default [12, 19, 24] (2nd, 3rd, 4th partial). */
  intervalsSemitones?: readonly number[];
  /** Pitch tolerance, semitones. Default 0.5. */
  toleranceSemitones?: number;
  /** Required time overlap, fraction of the upper note's length. Default 0.5. */
  minOverlapRatio?: number;
  /** The upper note must be at most this fraction of the lower note's amplitude. Default 0.9. */
  maxAmplitudeRatio?: number;
}

/** Notes minus those explained as partials of a louder simultaneous lower note (order kept). */
export function suppressHarmonicNotes(notes: readonly NoteEvent[], options: SuppressHarmonicsOptions = {}): NoteEvent[] {
  const intervals = options.intervalsSemitones ?? [12, 19, 24];
  const tol = options.toleranceSemitones ?? 0.5;
  const minOverlap = options.minOverlapRatio ?? 0.5;
  const maxRatio = options.maxAmplitudeRatio ?? 0.9;
  return notes.filter((upper) => {
    const length = upper.endSec - upper.startSec;
    if (!(length > 0)) return true;
    return !notes.some((lower) => {
      if (lower === upper) return false;
      const d = upper.midi - lower.midi;
      if (!intervals.some((iv) => Math.abs(d - iv) <= tol)) return false;
      if (upper.amplitude > maxRatio * lower.amplitude) return false;
      const overlap = Math.min(upper.endSec, lower.endSec) - Math.max(upper.startSec, lower.startSec);
      return overlap >= minOverlap * length;
    });
  });
}
