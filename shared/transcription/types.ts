/** Note events: the one shape every transcription path returns (times in seconds). */
export interface NoteEvent {
  /** Onset, seconds from the start of the audio. */
  startSec: number;
  /** Offset, seconds (> startSec). */
  endSec: number;
  /** MIDI note number (integer for Basic Pitch; fractional values mean cents off the grid). */
  midi: number;
  /** Mean frame activation over the note, 0–1 (Basic Pitch's "amplitude"). */
  amplitude: number;
  /** MIDI velocity 1–127 derived from the amplitude (round(amplitude × 127), at least 1). */
  velocity: number;
  /** Onset activation at the note's first frame, 0–1 (how sure the model is that a note starts here). */
  confidence: number;
}
