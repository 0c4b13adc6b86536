/** Pitch-class names used in human-readable summaries (sharps, as in JAMS key_mode). */
export const PITCH_CLASS_NAMES_FOR_SUMMARY = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;
