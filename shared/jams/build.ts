/**
 * Build a JAMS document (Humphrey et al., "JAMS: a JSON annotated music specification for
 * reproducible MIR research", ISMIR 2014) from a {@link MusicDescription}. The same writer serves
 * analysis estimates and the generator's exact truth (`annotationType: 'truth'`).
 *
 * Layout (one annotation per task, each spanning the whole file, time 0 and duration = file):
 * - `tempo`: one observation over the file, value = BPM, confidence 0..1; empty when tempo is null.
 * - `beat`: one observation per beat, duration 0, value = position in the bar (1 on downbeats),
 *   confidence = the beat's confidence or null. `sandbox.beats_per_bar` holds the meter.
 * - `key_mode`: one observation over the file, value e.g. "A:minor"; empty when the key is null.
 * - `chord`: one observation per chord span, Harte labels ("N" for no chord).
 * - `segment_open` twice, with identical intervals: `sandbox.label_type = 'function'` carries the
 *   functional names (intro, verse, chorus…), `sandbox.label_type = 'repetition'` the repetition
 *   letters (A, B…). Each one is exactly the (intervals, labels) pair that
 *   mir_eval.segment.detection / pairwise consume, so either labelling can be scored without
 *   parsing compound strings; boundaries are the same in both.
 * - `vector` (descriptors): one observation over the file whose value is the MFCC mean vector;
 *   the full descriptor set (MFCC mean and std, spectral centroid/rolloff/flatness, RMS, LUFS,
 *   dynamic range) is in that annotation's `sandbox.descriptors`, in snake_case with units.
 *   Omitted when the description has no descriptors.
 * - Extra annotations (e.g. `note_midi`) are appended as given.
 * JAMS has no tuning namespace: the top-level `sandbox.tuning_hz` holds A4 in Hz, and
 * `sandbox.wall_time_s` the analysis wall time when known.
 *
 * Each annotation's `annotation_metadata` names the tool and version (annotator, annotation_tools)
 * and whether it is an estimate or truth (`data_source`); the algorithm name and its parameters
 * go in the annotation's `sandbox.algorithm`. Confidences are clamped to [0, 1].
 */
import type { MusicDescription } from '../contracts/music.js';
import { formatKey } from '../music/key.js';
import { JAMS_VERSION, type JamsAnnotation, type JamsAnnotationMetadata, type JamsDocument, type JamsObservation } from './types.js';

export type JamsTask = 'tempo' | 'beat' | 'key' | 'chord' | 'segment' | 'descriptors' | 'tuning';

export interface JamsAlgorithm {
  name: string;
  parameters?: Record<string, unknown>;
}

export interface JamsBuildOptions {
  title?: string;
  artist?: string;
  release?: string;
  /** 'estimate' (default) for analysis output, 'truth' for the generator's reference. */
  annotationType?: 'estimate' | 'truth';
  /** Default 'stemflow'. */
  toolName?: string;
  /** Tool version string, e.g. the package version. Default 'unknown'. */
  toolVersion?: string;
  /** JAMS `annotation_metadata.corpus`, e.g. a corpus name. Default ''. */
  corpus?: string;
  /** Algorithm name and parameters per task, written into each annotation's sandbox. */
  algorithms?: Partial<Record<JamsTask, JamsAlgorithm>>;
  /** Analysis wall time, seconds (top-level `sandbox.wall_time_s`). */
  wallTimeSec?: number;
  /** Annotations appended after the standard ones (e.g. `note_midi` from transcription). */
  extraAnnotations?: JamsAnnotation[];
  /** Extra top-level sandbox entries (never overwrite tuning_hz / wall_time_s). */
  sandbox?: Record<string, unknown>;
}

/** `sandbox.label_type` of the two segment_open annotations. */
export const SEGMENT_LABEL_TYPE = { function: 'function', repetition: 'repetition' } as const;

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : x;
}

function byTime(a: JamsObservation, b: JamsObservation): number {
  return a.time - b.time;
}

/**
 * Turn a music description into a JAMS document. Pure: no I/O, no validation (call
 * {@link assertValidJams} before writing). Degenerate descriptions (null tempo, no beats, null key,
 * no chords or sections) still give every standard annotation, with empty data arrays.
 */
export function buildJams(desc: MusicDescription, options: JamsBuildOptions = {}): JamsDocument {
  const toolName = options.toolName ?? 'stemflow';
  const toolVersion = options.toolVersion ?? 'unknown';
  const annotationType = options.annotationType ?? 'estimate';
  const durationSec = desc.durationSec;

  const metadata = (rules?: string): JamsAnnotationMetadata => ({
    corpus: options.corpus ?? '',
    version: toolVersion,
    annotator: { name: toolName, version: toolVersion, type: annotationType },
    annotation_tools: `${toolName} ${toolVersion}`,
    annotation_rules: rules ?? '',
    validation: '',
    data_source: annotationType === 'truth' ? `${toolName} generator (exact truth)` : `${toolName} analysis (estimate)`,
  });

  const annotation = (
    namespace: string,
    task: JamsTask,
    data: JamsObservation[],
    extraSandbox: Record<string, unknown> = {},
    rules?: string,
  ): JamsAnnotation => {
    const algorithm = options.algorithms?.[task];
    const sandbox: Record<string, unknown> = { annotation_type: annotationType, ...extraSandbox };
    if (algorithm) sandbox.algorithm = { name: algorithm.name, parameters: algorithm.parameters ?? {} };
    return { namespace, annotation_metadata: metadata(rules), data, sandbox, time: 0, duration: durationSec };
  };

  const annotations: JamsAnnotation[] = [];

  annotations.push(
    annotation(
      'tempo',
      'tempo',
      desc.tempo ? [{ time: 0, duration: durationSec, value: desc.tempo.bpm, confidence: clamp01(desc.tempo.confidence) }] : [],
    ),
  );

  annotations.push(
    annotation(
      'beat',
      'beat',
      desc.beats
        .map((b) => ({
          time: b.timeSec,
          duration: 0,
          value: b.positionInBar,
          confidence: b.confidence === undefined ? null : clamp01(b.confidence),
        }))
        .sort(byTime),
      { beats_per_bar: desc.beatsPerBar },
      'value = position in the bar, 1 on downbeats',
    ),
  );

  annotations.push(
    annotation(
      'key_mode',
      'key',
      desc.key ? [{ time: 0, duration: durationSec, value: formatKey(desc.key), confidence: clamp01(desc.key.confidence) }] : [],
    ),
  );

  annotations.push(
    annotation(
      'chord',
      'chord',
      desc.chords
        .map((c) => ({ time: c.startSec, duration: c.endSec - c.startSec, value: c.label, confidence: clamp01(c.confidence) }))
        .sort(byTime),
      {},
      'Harte syntax; N = no chord',
    ),
  );

  const sections = [...desc.sections].sort((a, b) => a.startSec - b.startSec);
  const sectionData = (pick: (s: (typeof sections)[number]) => string): JamsObservation[] =>
    sections.map((s) => ({ time: s.startSec, duration: s.endSec - s.startSec, value: pick(s), confidence: clamp01(s.confidence) }));
  annotations.push(
    annotation(
      'segment_open',
      'segment',
      sectionData((s) => s.label),
      { label_type: SEGMENT_LABEL_TYPE.function },
      'functional section names (intro, verse, chorus, bridge, outro, instrumental, silence)',
    ),
  );
  annotations.push(
    annotation(
      'segment_open',
      'segment',
      sectionData((s) => s.letter),
      { label_type: SEGMENT_LABEL_TYPE.repetition },
      'repetition letters: sections with the same material share a letter',
    ),
  );

  const d = desc.descriptors;
  if (d) {
    annotations.push(
      annotation(
        'vector',
        'descriptors',
        d.mfccMean.length > 0 ? [{ time: 0, duration: durationSec, value: [...d.mfccMean], confidence: null }] : [],
        {
          vector_content: 'mfcc_mean',
          descriptors: {
            mfcc_mean: [...d.mfccMean],
            mfcc_std: [...d.mfccStd],
            spectral_centroid_hz: { ...d.spectralCentroidHz },
            spectral_rolloff_hz: { ...d.spectralRolloffHz },
            spectral_flatness: { ...d.spectralFlatness },
            rms: { ...d.rms },
            integrated_loudness_lufs: d.integratedLoudnessLufs,
            dynamic_range_db: d.dynamicRangeDb,
          },
        },
        'value = MFCC mean over the track; all descriptors in sandbox.descriptors',
      ),
    );
  }

  if (options.extraAnnotations) annotations.push(...options.extraAnnotations);

  const sandbox: Record<string, unknown> = { ...(options.sandbox ?? {}) };
  sandbox.tuning_hz = desc.tuningHz;
  if (options.wallTimeSec !== undefined) sandbox.wall_time_s = options.wallTimeSec;
  sandbox.annotation_type = annotationType;
  sandbox.tool = { name: toolName, version: toolVersion };
  const tuningAlgorithm = options.algorithms?.tuning;
  if (tuningAlgorithm) sandbox.tuning_algorithm = { name: tuningAlgorithm.name, parameters: tuningAlgorithm.parameters ?? {} };

  const fileMetadata: JamsDocument['file_metadata'] = { duration: durationSec, jams_version: JAMS_VERSION, identifiers: {} };
  if (options.title !== undefined && options.title !== '') fileMetadata.title = options.title;
  if (options.artist !== undefined && options.artist !== '') fileMetadata.artist = options.artist;
  if (options.release !== undefined && options.release !== '') fileMetadata.release = options.release;

  return { file_metadata: fileMetadata, annotations, sandbox };
}
