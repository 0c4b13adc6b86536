import { describe, expect, it } from 'vitest';
import { JAMS_VERSION, validateJams, type JamsDocument } from '../../shared/jams/index.js';
import { notesToJamsAnnotation, notesToMidiFile, suppressHarmonicNotes, type NoteEvent } from '../../shared/transcription/index.js';

const note = (startSec: number, endSec: number, midi: number, amplitude = 0.6, confidence = 0.8): NoteEvent => ({
  startSec,
  endSec,
  midi,
  amplitude,
  velocity: Math.round(amplitude * 127),
  confidence,
});

const NOTES: NoteEvent[] = [note(0.5, 1, 64), note(0, 0.5, 60, 0.9), note(1, 1.75, 67, 0.3), note(1, 2, 48, 0.5, 0.4)];

/** Minimal Standard MIDI File reader: header fields, tempo and absolute-tick note on/off events. */
function readMidi(bytes: Uint8Array) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  expect(tag(0)).toBe('MThd');
  expect(dv.getUint32(4)).toBe(6);
  const format = dv.getUint16(8);
  const tracks = dv.getUint16(10);
  const ppq = dv.getUint16(12);
  expect(tag(14)).toBe('MTrk');
  const len = dv.getUint32(18);
  expect(22 + len).toBe(bytes.length);
  let p = 22;
  const end = 22 + len;
  let tick = 0;
  let usPerQuarter = 500000;
  let endOfTrack = false;
  const events: Array<{ tick: number; on: boolean; key: number; velocity: number; channel: number }> = [];
  const readVar = () => {
    let v = 0;
    for (;;) {
      const b = bytes[p++];
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) return v;
    }
  };
  while (p < end) {
    tick += readVar();
    const status = bytes[p++];
    if (status === 0xff) {
      const type = bytes[p++];
      const l = readVar();
      if (type === 0x51) usPerQuarter = (bytes[p] << 16) | (bytes[p + 1] << 8) | bytes[p + 2];
      if (type === 0x2f) endOfTrack = true;
      p += l;
    } else if ((status & 0xf0) === 0x90 || (status & 0xf0) === 0x80) {
      const key = bytes[p++];
      const velocity = bytes[p++];
      events.push({ tick, on: (status & 0xf0) === 0x90 && velocity > 0, key, velocity, channel: status & 0x0f });
    } else {
      throw new Error(`unexpected status byte 0x${status.toString(16)} at ${p - 1}`);
    }
  }
  return { format, tracks, ppq, usPerQuarter, endOfTrack, events };
}

describe('notesToJamsAnnotation', () => {
  it('gives a note_midi annotation that validates, sorted, with value = MIDI and duration = length', () => {
    const ann = notesToJamsAnnotation(NOTES, { durationSec: 2.5, stem: 'other', toolVersion: '0.1.0' });
    expect(ann.namespace).toBe('note_midi');
    expect(ann.duration).toBe(2.5);
    expect(ann.data.map((d) => d.value)).toEqual([60, 64, 48, 67]);
    expect(ann.data[3]).toMatchObject({ time: 1, duration: 0.75, value: 67 });
    expect(ann.sandbox?.stem).toBe('other');
    const doc: JamsDocument = { file_metadata: { duration: 2.5, jams_version: JAMS_VERSION, title: 't' }, annotations: [ann], sandbox: {} };
    const result = validateJams(JSON.parse(JSON.stringify(doc)));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('no notes → empty data, still valid; duration defaults to the last note end', () => {
    const empty = notesToJamsAnnotation([]);
    expect(empty.data).toEqual([]);
    const doc: JamsDocument = { file_metadata: { duration: 1, jams_version: JAMS_VERSION }, annotations: [empty, notesToJamsAnnotation(NOTES)], sandbox: {} };
    expect(validateJams(doc).valid).toBe(true);
    expect(notesToJamsAnnotation(NOTES).duration).toBe(2);
  });

  it('a broken value is caught by the validator', () => {
    const ann = notesToJamsAnnotation(NOTES, { durationSec: 2 });
    (ann.data[0] as { value: unknown }).value = 'C4';
    const doc = { file_metadata: { duration: 2, jams_version: JAMS_VERSION }, annotations: [ann], sandbox: {} };
    expect(validateJams(doc).valid).toBe(false);
  });
});

describe('notesToMidiFile', () => {
  it('writes a format-0 file that parses back to the same notes at 120 BPM', () => {
    const bytes = notesToMidiFile(NOTES, { trackName: 'bass' });
    const midi = readMidi(bytes);
    expect(midi).toMatchObject({ format: 0, tracks: 1, ppq: 480, usPerQuarter: 500000, endOfTrack: true });
    const secPerTick = midi.usPerQuarter / 1e6 / midi.ppq;
    const ons = midi.events.filter((e) => e.on);
    const offs = midi.events.filter((e) => !e.on);
    expect(ons).toHaveLength(NOTES.length);
    expect(offs).toHaveLength(NOTES.length);
    for (const n of NOTES) {
      const on = ons.find((e) => e.key === n.midi)!;
      const off = offs.find((e) => e.key === n.midi)!;
      expect(on.tick * secPerTick).toBeCloseTo(n.startSec, 3);
      expect(off.tick * secPerTick).toBeCloseTo(n.endSec, 3);
      expect(on.velocity).toBe(n.velocity);
      expect(on.channel).toBe(0);
    }
    // Events are in time order; at equal ticks the note-off comes before the next note-on.
    const ticks = midi.events.map((e) => e.tick);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    const at1s = midi.events.filter((e) => e.tick === 960);
    expect(at1s[0].on).toBe(false);
  });

  it('honours another tempo: times are kept, the tick grid changes', () => {
    const midi = readMidi(notesToMidiFile(NOTES, { bpm: 90, ticksPerQuarter: 96, channel: 3 }));
    expect(midi.usPerQuarter).toBe(Math.round(60e6 / 90));
    expect(midi.ppq).toBe(96);
    const secPerTick = midi.usPerQuarter / 1e6 / midi.ppq;
    const on67 = midi.events.find((e) => e.on && e.key === 67)!;
    expect(on67.tick * secPerTick).toBeCloseTo(1, 2);
    expect(on67.channel).toBe(3);
  });

  it('no notes → a valid, empty track; bad options throw with the value', () => {
    const midi = readMidi(notesToMidiFile([]));
    expect(midi.events).toEqual([]);
    expect(midi.endOfTrack).toBe(true);
    expect(() => notesToMidiFile(NOTES, { bpm: 0 })).toThrow(/bpm.*got 0/);
    expect(() => notesToMidiFile(NOTES, { channel: 16 })).toThrow(/got 16/);
  });
});

describe('suppressHarmonicNotes', () => {
  it('drops weaker simultaneous notes an octave / twelfth above, keeps real ones', () => {
    const bass = note(0, 0.5, 40, 0.7);
    const octave = note(0.01, 0.45, 52, 0.35);
    const twelfth = note(0.02, 0.4, 59, 0.3);
    const loudOctave = note(1, 1.5, 64, 0.9);
    const under = note(1, 1.5, 52, 0.5);
    const later = note(0.6, 1, 52, 0.35); // octave above nothing at that time
    const kept = suppressHarmonicNotes([bass, octave, twelfth, loudOctave, under, later]);
    expect(kept).toEqual([bass, loudOctave, under, later]);
    expect(suppressHarmonicNotes([])).toEqual([]);
  });
});
