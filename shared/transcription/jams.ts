/**
 * Notes → a JAMS `note_midi` annotation (Humphrey et al., "JAMS: A JSON Annotated Music
 * Specification", ISMIR 2014): one observation per note, time = onset (s), duration = note
 * length (s), value = MIDI note number, confidence = the note's onset confidence (0–1).
 * Pass the result to buildJams's `extraAnnotations`. Pure. No notes → an annotation with empty data.
 */
import type { JamsAnnotation } from '../jams/types.js';
import type { NoteEvent } from './types.js';

export interface NotesToJamsOptions {
  /** Length of the annotated audio, s (the annotation's `duration`); default: the last note's end. */
  durationSec?: number;
  /** Stem the notes come from (written to `sandbox.stem`), e.g. 'bass'. */
  stem?: string;
  /** Default 'stemflow'. */
  toolName?: string;
  /** Default 'unknown'. */
  toolVersion?: string;
  /** Algorithm written to `sandbox.algorithm`; default Basic Pitch. */
  algorithm?: { name: string; parameters?: Record<string, unknown> };
  /** 'estimate' (default) or 'truth'. */
  annotationType?: 'estimate' | 'truth';
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Build the `note_midi` annotation for a list of notes (sorted by onset, then pitch). */
export function notesToJamsAnnotation(notes: readonly NoteEvent[], options: NotesToJamsOptions = {}): JamsAnnotation {
  const toolName = options.toolName ?? 'stemflow';
  const toolVersion = options.toolVersion ?? 'unknown';
  const annotationType = options.annotationType ?? 'estimate';
  const lastEnd = notes.reduce((m, n) => Math.max(m, n.endSec), 0);
  const durationSec = options.durationSec ?? lastEnd;
  const algorithm = options.algorithm ?? { name: 'basic-pitch', parameters: { package: '@spotify/basic-pitch' } };
  const data = [...notes]
    .sort((a, b) => a.startSec - b.startSec || a.midi - b.midi)
    .map((n) => ({
      time: r6(Math.max(0, n.startSec)),
      duration: r6(Math.max(0, n.endSec - n.startSec)),
      value: n.midi,
      confidence: Number.isFinite(n.confidence) ? Math.min(1, Math.max(0, n.confidence)) : null,
    }));
  const sandbox: Record<string, unknown> = {
    annotation_type: annotationType,
    algorithm: { name: algorithm.name, parameters: algorithm.parameters ?? {} },
  };
  if (options.stem !== undefined) sandbox.stem = options.stem;
  return {
    namespace: 'note_midi',
    annotation_metadata: {
      corpus: '',
      version: toolVersion,
      annotator: { name: toolName, version: toolVersion, type: annotationType },
      annotation_tools: `${toolName} ${toolVersion}`,
      annotation_rules: 'value = MIDI note number; time = onset, duration = note length, seconds; confidence = onset activation',
      validation: '',
      data_source: annotationType === 'truth' ? `${toolName} generator (exact truth)` : `${toolName} transcription (estimate)`,
    },
    data,
    sandbox,
    time: 0,
    duration: r6(durationSec),
  };
}
