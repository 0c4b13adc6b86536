/**
 * Read a JAMS document back into a {@link MusicDescription}: the inverse of {@link buildJams}.
 * Used by `generate --fit` (fit new stems to an analysed song) and by the benchmarks (load truth).
 * Also reads JAMS files written by other tools, as far as the namespaces allow:
 * - tempo: the `tempo` observation with the highest confidence;
 * - beats: the first `beat` annotation; a null value (no metrical position) reads as
 *   positionInBar 0 (unknown). `beatsPerBar` comes from `sandbox.beats_per_bar`, or else the
 *   largest whole position seen;
 * - key: the first `key_mode` annotation; "N" reads as null; Greek modes map to the mode with the
 *   same third (dorian, phrygian, aeolian, locrian → minor; ionian, lydian, mixolydian → major);
 * - chords: the first `chord` (else `chord_harte`) annotation;
 * - sections: the `segment_open` annotations tagged `sandbox.label_type` 'function' and
 *   'repetition' (see buildJams). An untagged `segment_open` is read as functional labels, and its
 *   repetition letters are derived from its distinct raw labels (same label → same letter);
 * - tuning: top-level `sandbox.tuning_hz` (440 when absent);
 * - descriptors: the `vector` annotation's `sandbox.descriptors`, when present.
 * Throws {@link JamsValidationError} when the document is not a valid JAMS.
 */
import type { BeatEvent, ChordEvent, Descriptors, KeyEstimate, MusicDescription, SectionEvent, SectionFunction, TempoEstimate } from '../contracts/music.js';
import { parsePitchClass } from '../music/pitch.js';
import { SEGMENT_LABEL_TYPE } from './build.js';
import type { JamsAnnotation, JamsObservation } from './types.js';
import { assertValidJams } from './validate.js';

const SECTION_FUNCTIONS: ReadonlySet<string> = new Set<SectionFunction>(['intro', 'verse', 'chorus', 'bridge', 'outro', 'instrumental', 'silence']);
const SECTION_ALIASES: Readonly<Record<string, SectionFunction>> = {
  refrain: 'chorus',
  head: 'intro',
  start: 'intro',
  end: 'outro',
  coda: 'outro',
  fade: 'outro',
  fadeout: 'outro',
  solo: 'instrumental',
  break: 'instrumental',
  interlude: 'instrumental',
  inst: 'instrumental',
  'middle eight': 'bridge',
  silent: 'silence',
};
const MINOR_MODES = new Set(['minor', 'dorian', 'phrygian', 'aeolian', 'locrian']);

function num(x: unknown, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

function bestObservation(data: JamsObservation[]): JamsObservation | undefined {
  let best: JamsObservation | undefined;
  for (const o of data) if (!best || num(o.confidence, 0) > num(best.confidence, 0)) best = o;
  return best;
}

/** Map a free-form section name ("Verse 2", "chorus_b", "Refrain") to a functional label. */
export function normaliseSectionFunction(raw: string): SectionFunction {
  const t = raw
    .toLowerCase()
    .replace(/[_-]+/g, ' ')
    .replace(/(\s+(\d+|[a-z]))+$/, '')
    .replace(/\d+$/, '')
    .trim();
  if (SECTION_FUNCTIONS.has(t)) return t as SectionFunction;
  const alias = SECTION_ALIASES[t];
  if (alias) return alias;
  for (const name of SECTION_FUNCTIONS) if (t.startsWith(name)) return name as SectionFunction;
  return 'instrumental';
}

function letterFor(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : `Z${index - 25}`;
}

function readKey(value: unknown, confidence: unknown): KeyEstimate | null {
  if (typeof value !== 'string' || value === 'N') return null;
  const [tonicName, modeName = 'major'] = value.split(':');
  const tonic = parsePitchClass(tonicName);
  if (tonic === undefined) return null;
  return { tonic, mode: MINOR_MODES.has(modeName) ? 'minor' : 'major', confidence: num(confidence, 0) };
}

function readSections(annotations: JamsAnnotation[]): SectionEvent[] {
  const segs = annotations.filter((a) => a.namespace === 'segment_open');
  if (segs.length === 0) return [];
  const fn = segs.find((a) => a.sandbox?.label_type === SEGMENT_LABEL_TYPE.function);
  const rep = segs.find((a) => a.sandbox?.label_type === SEGMENT_LABEL_TYPE.repetition);
  const base = fn ?? (rep ? undefined : segs[0]);
  const sortData = (a: JamsAnnotation): JamsObservation[] => [...a.data].sort((x, y) => x.time - y.time);

  if (!base) {
    // Only repetition letters: functional names are unknown.
    return sortData(rep!).map((o) => ({
      startSec: o.time,
      endSec: o.time + o.duration,
      label: 'instrumental',
      letter: String(o.value),
      confidence: num(o.confidence, 0),
    }));
  }
  const baseData = sortData(base);
  const repData = rep ? sortData(rep) : [];
  const derived = new Map<string, string>();
  return baseData.map((o) => {
    const raw = String(o.value);
    let letter: string | undefined;
    const match = repData.find((r) => Math.abs(r.time - o.time) < 1e-6);
    if (match) letter = String(match.value);
    if (letter === undefined) {
      if (!derived.has(raw)) derived.set(raw, letterFor(derived.size));
      letter = derived.get(raw)!;
    }
    return { startSec: o.time, endSec: o.time + o.duration, label: normaliseSectionFunction(raw), letter, confidence: num(o.confidence, 0) };
  });
}

function meanStd(x: unknown): { mean: number; std: number } {
  const o = (x ?? {}) as { mean?: unknown; std?: unknown };
  return { mean: num(o.mean, 0), std: num(o.std, 0) };
}

function readDescriptors(annotations: JamsAnnotation[]): Descriptors | undefined {
  const ann = annotations.find((a) => a.namespace === 'vector' && a.sandbox && typeof a.sandbox.descriptors === 'object' && a.sandbox.descriptors !== null);
  if (!ann) return undefined;
  const d = ann.sandbox!.descriptors as Record<string, unknown>;
  const numbers = (x: unknown): number[] => (Array.isArray(x) ? x.filter((v): v is number => typeof v === 'number') : []);
  const lufs = d.integrated_loudness_lufs;
  return {
    mfccMean: numbers(d.mfcc_mean),
    mfccStd: numbers(d.mfcc_std),
    spectralCentroidHz: meanStd(d.spectral_centroid_hz),
    spectralRolloffHz: meanStd(d.spectral_rolloff_hz),
    spectralFlatness: meanStd(d.spectral_flatness),
    rms: meanStd(d.rms),
    integratedLoudnessLufs: typeof lufs === 'number' ? lufs : null,
    dynamicRangeDb: num(d.dynamic_range_db, 0),
  };
}

/**
 * Parse a JAMS document (already JSON-parsed) into a music description. Validates first and
 * throws {@link JamsValidationError} listing every problem when the document is invalid.
 */
export function readJamsDescription(doc: unknown): MusicDescription {
  assertValidJams(doc);
  const annotations = doc.annotations ?? [];
  const first = (ns: string): JamsAnnotation | undefined => annotations.find((a) => a.namespace === ns);

  let tempo: TempoEstimate | null = null;
  const tempoAnn = first('tempo');
  const tempoObs = tempoAnn ? bestObservation(tempoAnn.data) : undefined;
  if (tempoObs && typeof tempoObs.value === 'number') tempo = { bpm: tempoObs.value, confidence: num(tempoObs.confidence, 0) };

  const beatAnn = first('beat');
  const beats: BeatEvent[] = (beatAnn?.data ?? [])
    .map((o) => {
      const b: BeatEvent = { timeSec: o.time, positionInBar: typeof o.value === 'number' ? o.value : 0 };
      if (typeof o.confidence === 'number') b.confidence = o.confidence;
      return b;
    })
    .sort((a, b) => a.timeSec - b.timeSec);
  let beatsPerBar: number | null = null;
  const sandboxMeter = beatAnn?.sandbox?.beats_per_bar;
  if (typeof sandboxMeter === 'number' && sandboxMeter >= 1) beatsPerBar = sandboxMeter;
  else if (sandboxMeter === undefined) {
    const whole = beats.map((b) => b.positionInBar).filter((p) => Number.isInteger(p) && p >= 1);
    if (whole.length > 0) beatsPerBar = Math.max(...whole);
  }

  const keyAnn = first('key_mode');
  const keyObs = keyAnn ? bestObservation(keyAnn.data) : undefined;
  const key = keyObs ? readKey(keyObs.value, keyObs.confidence) : null;

  const chordAnn = first('chord') ?? first('chord_harte');
  const chords: ChordEvent[] = (chordAnn?.data ?? [])
    .map((o) => ({ startSec: o.time, endSec: o.time + o.duration, label: String(o.value), confidence: num(o.confidence, 0) }))
    .sort((a, b) => a.startSec - b.startSec);

  const tuning = doc.sandbox?.tuning_hz;
  const desc: MusicDescription = {
    durationSec: num(doc.file_metadata.duration, 0),
    tempo,
    beatsPerBar,
    beats,
    key,
    tuningHz: typeof tuning === 'number' && tuning > 0 ? tuning : 440,
    chords,
    sections: readSections(annotations),
  };
  const descriptors = readDescriptors(annotations);
  if (descriptors) desc.descriptors = descriptors;
  return desc;
}
