/** Pitch-class names with sharps, index = pitch class (C = 0). */
export const PITCH_CLASS_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;
export type PitchClassName = (typeof PITCH_CLASS_NAMES)[number];

const NATURAL: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/**
 * Parse a note name such as "C", "F#", "Bb", "Cb", "E##" into a pitch class 0..11.
 * Returns undefined when the text is not a note name.
 */
export function parsePitchClass(name: string): number | undefined {
  const m = /^([A-Ga-g])([#b]*)$/.exec(name.trim());
  if (!m) return undefined;
  let pc = NATURAL[m[1].toUpperCase()];
  for (const acc of m[2]) pc += acc === '#' ? 1 : -1;
  return ((pc % 12) + 12) % 12;
}

/** Frequency in Hz of a (fractional) MIDI note number, with A4 = `tuningHz` (default 440). */
export function midiToHz(midi: number, tuningHz = 440): number {
  return tuningHz * Math.pow(2, (midi - 69) / 12);
}

/** Fractional MIDI note number of a frequency in Hz, with A4 = `tuningHz` (default 440). */
export function hzToMidi(hz: number, tuningHz = 440): number {
  return 69 + 12 * Math.log2(hz / tuningHz);
}

/** Deviation in cents of a tuning frequency from 440 Hz. */
export function tuningToCents(tuningHz: number): number {
  return 1200 * Math.log2(tuningHz / 440);
}

/** Tuning frequency (A4, Hz) for a deviation in cents from 440 Hz. */
export function centsToTuning(cents: number): number {
  return 440 * Math.pow(2, cents / 1200);
}
