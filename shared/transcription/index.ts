/** Note transcription (Basic Pitch) and its outputs: JAMS note_midi annotations and MIDI files. */
export type { NoteEvent } from './types.js';
export {
  BASIC_PITCH_SAMPLE_RATE,
  basicPitchModelPaths,
  computeBasicPitchPosteriors,
  extractNotes,
  loadBasicPitchModel,
  transcribeNotes,
  TranscriptionModelError,
  type BasicPitchPosteriors,
  type TfBackendName,
  type TranscribeNotesOptions,
} from './basicPitch.js';
export { suppressHarmonicNotes, type SuppressHarmonicsOptions } from './harmonics.js';
export { notesToJamsAnnotation, type NotesToJamsOptions } from './jams.js';
export { notesToMidiFile, type NotesToMidiOptions } from './midiFile.js';
