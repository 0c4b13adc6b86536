import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MusicDescription } from '../../shared/contracts/music.js';
import { StemflowError } from '../../shared/errors.js';
import {
  assertValidJams,
  buildJams,
  JAMS_NAMESPACES,
  JamsValidationError,
  normaliseSectionFunction,
  parseJams,
  readJamsDescription,
  stringifyJams,
  validateJams,
  type JamsDocument,
} from '../../shared/jams/index.js';

const SCHEMA_COPY = fileURLToPath(new URL('../../shared/jams/schema', import.meta.url));
const SCHEMA_UPSTREAM = fileURLToPath(new URL('../../../shared/jams-schema', import.meta.url));

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

function fullDescription(): MusicDescription {
  const beats = Array.from({ length: 16 }, (_, i) => ({ timeSec: 0.5 + i * 0.5, positionInBar: (i % 4) + 1, confidence: 0.9 }));
  return {
    durationSec: 9,
    tempo: { bpm: 120, confidence: 0.8 },
    beatsPerBar: 4,
    beats,
    key: { tonic: 9, mode: 'minor', confidence: 0.7 },
    tuningHz: 441.5,
    chords: [
      { startSec: 0, endSec: 0.5, label: 'N', confidence: 1 },
      { startSec: 0.5, endSec: 2.5, label: 'A:min', confidence: 0.9 },
      { startSec: 2.5, endSec: 4.5, label: 'F:maj7', confidence: 0.6 },
      { startSec: 4.5, endSec: 6.5, label: 'C:maj/3', confidence: 0.5 },
      { startSec: 6.5, endSec: 9, label: 'G:7', confidence: 0.4 },
    ],
    sections: [
      { startSec: 0, endSec: 2.5, label: 'intro', letter: 'A', confidence: 0.5 },
      { startSec: 2.5, endSec: 6.5, label: 'verse', letter: 'B', confidence: 0.6 },
      { startSec: 6.5, endSec: 9, label: 'chorus', letter: 'C', confidence: 0.7 },
    ],
    descriptors: {
      mfccMean: [-300.5, 20.25, 3, -1, 0.5],
      mfccStd: [10, 5, 2, 1, 0.25],
      spectralCentroidHz: { mean: 1500, std: 300 },
      spectralRolloffHz: { mean: 4000, std: 800 },
      spectralFlatness: { mean: 0.1, std: 0.05 },
      rms: { mean: 0.2, std: 0.05 },
      integratedLoudnessLufs: -14.2,
      dynamicRangeDb: 9.5,
    },
  };
}

const EMPTY: MusicDescription = { durationSec: 0.5, tempo: null, beatsPerBar: null, beats: [], key: null, tuningHz: 440, chords: [], sections: [] };

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

describe('JAMS schema copy', () => {
  it('ships the official schema, all namespaces and the ISC license inside the repository', () => {
    const files = listFiles(SCHEMA_COPY);
    expect(files).toContain('jams_schema.json');
    expect(files).toContain('LICENSE');
    expect(readFileSync(join(SCHEMA_COPY, 'LICENSE'), 'utf8')).toContain('ISC');
    for (const ns of ['tempo', 'beat', 'key_mode', 'chord', 'segment_open', 'note_midi', 'vector', 'tag_open']) {
      expect(JAMS_NAMESPACES.has(ns), ns).toBe(true);
    }
    // When the upstream folder sits beside the repository, the copy must equal it byte for byte.
    if (existsSync(SCHEMA_UPSTREAM)) {
      const upstream = listFiles(SCHEMA_UPSTREAM);
      expect(files).toEqual(upstream);
      for (const f of upstream) {
        expect(readFileSync(join(SCHEMA_COPY, f)).equals(readFileSync(join(SCHEMA_UPSTREAM, f))), f).toBe(true);
      }
    }
  });
});

describe('buildJams', () => {
  it('writes one valid annotation per task with confidences, metadata and the sandbox', () => {
    const doc = buildJams(fullDescription(), {
      title: 'Song',
      artist: 'Band',
      toolVersion: '1.2.3',
      wallTimeSec: 3.25,
      algorithms: { tempo: { name: 'autocorrelation', parameters: { hopLength: 512 } }, tuning: { name: 'peak-histogram' } },
    });
    expect(validateJams(doc)).toEqual({ valid: true, errors: [] });
    const namespaces = doc.annotations.map((a) => a.namespace);
    expect(namespaces).toEqual(['tempo', 'beat', 'key_mode', 'chord', 'segment_open', 'segment_open', 'vector']);
    expect(doc.file_metadata).toMatchObject({ duration: 9, title: 'Song', artist: 'Band' });
    expect(doc.sandbox).toMatchObject({ tuning_hz: 441.5, wall_time_s: 3.25, tuning_algorithm: { name: 'peak-histogram' } });

    const [tempo, beat, key, chord, segFn, segRep, vector] = doc.annotations;
    expect(tempo.data).toEqual([{ time: 0, duration: 9, value: 120, confidence: 0.8 }]);
    expect(tempo.sandbox?.algorithm).toEqual({ name: 'autocorrelation', parameters: { hopLength: 512 } });
    expect(tempo.annotation_metadata.annotator).toEqual({ name: 'stemflow', version: '1.2.3', type: 'estimate' });
    expect(tempo.annotation_metadata.annotation_tools).toBe('stemflow 1.2.3');
    expect(beat.data).toHaveLength(16);
    expect(beat.data.every((o) => o.duration === 0)).toBe(true);
    expect(beat.data.filter((o) => o.value === 1).map((o) => o.time)).toEqual([0.5, 2.5, 4.5, 6.5]);
    expect(beat.sandbox?.beats_per_bar).toBe(4);
    expect(key.data[0].value).toBe('A:minor');
    expect(chord.data.map((o) => o.value)).toEqual(['N', 'A:min', 'F:maj7', 'C:maj/3', 'G:7']);
    expect(chord.data[1]).toMatchObject({ time: 0.5, duration: 2 });
    expect(segFn.sandbox?.label_type).toBe('function');
    expect(segFn.data.map((o) => o.value)).toEqual(['intro', 'verse', 'chorus']);
    expect(segRep.sandbox?.label_type).toBe('repetition');
    expect(segRep.data.map((o) => [o.time, o.duration, o.value])).toEqual([
      [0, 2.5, 'A'],
      [2.5, 4, 'B'],
      [6.5, 2.5, 'C'],
    ]);
    expect(vector.data[0].value).toEqual([-300.5, 20.25, 3, -1, 0.5]);
  });

  it('gives a valid JAMS with empty annotations for silence (null tempo, no beats, null key)', () => {
    const doc = buildJams(EMPTY);
    expect(validateJams(doc).errors).toEqual([]);
    expect(doc.annotations.map((a) => a.namespace)).toEqual(['tempo', 'beat', 'key_mode', 'chord', 'segment_open', 'segment_open']);
    for (const a of doc.annotations) expect(a.data).toEqual([]);
    expect(doc.file_metadata.title).toBeUndefined();
    expect(doc.sandbox.tuning_hz).toBe(440);
  });

  it('marks truth and appends extra annotations such as note_midi', () => {
    const notes = buildJams(EMPTY).annotations[0];
    const doc = buildJams(fullDescription(), {
      annotationType: 'truth',
      extraAnnotations: [{ ...notes, namespace: 'note_midi', data: [{ time: 1, duration: 0.5, value: 60, confidence: null }] }],
    });
    expect(validateJams(doc).valid).toBe(true);
    expect(doc.annotations.at(-1)?.namespace).toBe('note_midi');
    expect(doc.annotations[0].sandbox?.annotation_type).toBe('truth');
  });
});

describe('validateJams', () => {
  it('is stricter than the schema for key_mode and chords', () => {
    const doc = clone(buildJams(fullDescription()));
    doc.annotations[2].data[0].value = 'junk C:major'; // passes the official, half-anchored pattern
    doc.annotations[3].data[1].value = 'C:maj13'; // passes the chord namespace pattern, not Harte
    const { valid, errors } = validateJams(doc);
    expect(valid).toBe(false);
    expect(errors.some((e) => e.startsWith('/annotations/2/data/0/value') && e.includes('junk C:major'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/annotations/3/data/1/value') && e.includes('maj13'))).toBe(true);
  });

  it('checks every observation against its namespace value and confidence schemas', () => {
    const doc = clone(buildJams(fullDescription()));
    doc.annotations[0].data[0].confidence = 1.5;
    doc.annotations[0].data[0].value = -1;
    doc.annotations[3].data[2].value = 'H:maj';
    doc.annotations[6].data[0].value = ['a'];
    const { errors } = validateJams(doc);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/annotations/0/data/0/confidence'),
        expect.stringContaining('/annotations/0/data/0/value'),
        expect.stringContaining('/annotations/3/data/2/value'),
        expect.stringContaining('/annotations/6/data/0/value/0'),
      ]),
    );
  });

  it('reports top-level problems, unknown namespaces, non-finite numbers and a missing duration', () => {
    const doc = clone(buildJams(fullDescription())) as unknown as Record<string, unknown> & JamsDocument;
    doc.annotations[0].data[0].time = -2;
    doc.annotations[1].namespace = 'beats_per_second';
    delete doc.file_metadata.duration;
    const inMemory = { ...doc, sandbox: { tuning_hz: Number.NaN } };
    const { errors } = validateJams(inMemory);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/annotations/0/data/0/time'),
        expect.stringContaining('unknown JAMS namespace "beats_per_second"'),
        expect.stringContaining('/sandbox/tuning_hz: number must be finite'),
        expect.stringContaining('/file_metadata/duration'),
      ]),
    );
    expect(validateJams('not json').valid).toBe(false);
    expect(validateJams([]).valid).toBe(false);
  });

  it('knows and compiles every official namespace', () => {
    const doc = clone(buildJams(EMPTY));
    const template = doc.annotations[0];
    doc.annotations = [...JAMS_NAMESPACES.keys()].map((namespace) => ({ ...template, namespace, data: [] }));
    expect(doc.annotations.length).toBeGreaterThanOrEqual(40);
    expect(validateJams(doc)).toEqual({ valid: true, errors: [] });
  });

  it('validates column-form (dense) data element by element', () => {
    const doc = clone(buildJams(EMPTY)) as unknown as { annotations: Array<Record<string, unknown>> };
    const meta = (doc.annotations[0] as { annotation_metadata: unknown }).annotation_metadata;
    doc.annotations.push({
      namespace: 'note_midi',
      annotation_metadata: meta,
      data: { time: [0, 0.5, 1], duration: [0.5, 0.5, 0.5], value: [60, 'C4', 62], confidence: [1, 1] },
    });
    const { errors } = validateJams(doc);
    expect(errors).toEqual(
      expect.arrayContaining([expect.stringContaining('/annotations/6/data/value/1: must be number'), expect.stringContaining('dense columns differ in length')]),
    );
    expect(errors.some((e) => e.includes('/data/value/0') || e.includes('/data/value/2'))).toBe(false);
  });

  it('assertValidJams throws a non-retryable invalid_jams error listing every problem', () => {
    const doc = clone(buildJams(fullDescription()));
    doc.annotations[2].data[0].value = 'Z:major';
    doc.annotations[0].data[0].confidence = 7;
    let caught: unknown;
    try {
      assertValidJams(doc);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(JamsValidationError);
    expect(caught).toBeInstanceOf(StemflowError);
    const e = caught as JamsValidationError;
    expect(e.code).toBe('invalid_jams');
    expect(e.retryable).toBe(false);
    expect(e.errors.length).toBeGreaterThanOrEqual(2);
    expect(e.message).toContain('Z:major');
    expect(() => assertValidJams(buildJams(fullDescription()))).not.toThrow();
  });
});

describe('readJamsDescription', () => {
  it('round-trips a full description through JSON text', () => {
    const desc = fullDescription();
    const text = JSON.stringify(buildJams(desc, { title: 't' }));
    expect(readJamsDescription(JSON.parse(text))).toEqual(desc);
  });

  it('round-trips the degenerate description', () => {
    expect(readJamsDescription(clone(buildJams(EMPTY)))).toEqual(EMPTY);
  });

  it('reads JAMS written by other tools: untagged segments, null beat positions, Greek modes', () => {
    const doc = clone(buildJams(EMPTY));
    doc.file_metadata.duration = 30;
    doc.annotations = doc.annotations.filter((a) => a.namespace !== 'segment_open');
    const base = doc.annotations[0];
    doc.annotations.push({
      ...base,
      namespace: 'segment_open',
      sandbox: {},
      data: [
        { time: 0, duration: 10, value: 'Verse 1', confidence: null },
        { time: 10, duration: 10, value: 'Refrain', confidence: null },
        { time: 20, duration: 10, value: 'Verse 1', confidence: null },
      ],
    });
    doc.annotations[1].data = [0.5, 1, 1.5].map((t) => ({ time: t, duration: 0, value: null, confidence: null }));
    delete doc.annotations[1].sandbox;
    doc.annotations[2].data = [{ time: 0, duration: 30, value: 'D:dorian', confidence: null }];
    const desc = readJamsDescription(doc);
    expect(desc.sections.map((s) => [s.label, s.letter])).toEqual([
      ['verse', 'A'],
      ['chorus', 'B'],
      ['verse', 'A'],
    ]);
    expect(desc.beats.map((b) => b.positionInBar)).toEqual([0, 0, 0]);
    expect(desc.beatsPerBar).toBeNull();
    expect(desc.key).toEqual({ tonic: 2, mode: 'minor', confidence: 0 });
  });

  it('reads a file as the Python JAMS library writes it (empty curator, null durations)', () => {
    const meta = { curator: { name: '', email: '' }, annotator: {}, version: '', corpus: '', annotation_tools: '', annotation_rules: '', validation: '', data_source: '' };
    const doc = {
      annotations: [
        { annotation_metadata: meta, namespace: 'tempo', data: [{ time: 0, duration: 10, value: 96, confidence: 1 }], sandbox: {}, time: 0, duration: null },
        {
          annotation_metadata: meta,
          namespace: 'beat',
          data: [0.5, 1.125, 1.75].map((t, i) => ({ time: t, duration: 0, value: i + 1, confidence: null })),
          sandbox: {},
          time: 0,
          duration: null,
        },
        { annotation_metadata: meta, namespace: 'key_mode', data: [{ time: 0, duration: 10, value: 'Eb:major', confidence: null }], sandbox: {}, time: 0, duration: null },
        { annotation_metadata: meta, namespace: 'chord', data: [{ time: 0, duration: 10, value: 'Eb:maj7', confidence: null }], sandbox: {}, time: 0, duration: null },
      ],
      file_metadata: { title: '', artist: '', release: '', duration: 10, identifiers: {}, jams_version: '0.3.4' },
      sandbox: {},
    };
    expect(validateJams(doc).errors).toEqual([]);
    const desc = readJamsDescription(doc);
    expect(desc.tempo).toEqual({ bpm: 96, confidence: 1 });
    expect(desc.beatsPerBar).toBe(3);
    expect(desc.key).toEqual({ tonic: 3, mode: 'major', confidence: 0 });
    expect(desc.chords).toEqual([{ startSec: 0, endSec: 10, label: 'Eb:maj7', confidence: 0 }]);
    expect(desc.tuningHz).toBe(440);
    expect(desc.sections).toEqual([]);
  });

  it('refuses an invalid document with JamsValidationError', () => {
    expect(() => readJamsDescription({ annotations: 'nope' })).toThrow(JamsValidationError);
  });

  it('normalises free-form section names', () => {
    expect(['Verse 2', 'chorus_b', 'Intro', 'Solo', 'middle_eight', 'xyz'].map(normaliseSectionFunction)).toEqual([
      'verse',
      'chorus',
      'intro',
      'instrumental',
      'bridge',
      'instrumental',
    ]);
  });
});

describe('stringifyJams / parseJams', () => {
  it('writes validated text that parses back to the same document', () => {
    const doc = buildJams(fullDescription(), { title: 'x' });
    const text = stringifyJams(doc);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseJams(text)).toEqual(clone(doc));
    expect(readJamsDescription(parseJams(text))).toEqual(fullDescription());
  });
  it('refuses to write an invalid document and to read text that is not JAMS', () => {
    const bad = clone(buildJams(fullDescription()));
    bad.annotations[0].data[0].value = Number.POSITIVE_INFINITY;
    expect(() => stringifyJams(bad)).toThrow(JamsValidationError);
    expect(() => parseJams('{"annotations": [')).toThrow(/not JSON/);
    expect(() => parseJams('{"annotations": 3}')).toThrow(JamsValidationError);
  });
});
