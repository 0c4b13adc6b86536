/**
 * Notes → a Standard MIDI File (MIDI 1.0 "Standard MIDI Files" spec, MMA 1996): format 0, one
 * track, 480 ticks per quarter note, a tempo meta event (default 120 BPM, so ticks map to seconds
 * exactly as the notes say), 4/4 time signature, then note-on/note-off pairs on one channel,
 * ending with End of Track. Pure; returns the file's bytes. No notes → a valid file with an empty
 * track.
 */
import { InvalidRequestError } from '../errors.js';
import type { NoteEvent } from './types.js';

export interface NotesToMidiOptions {
  /** Tempo written to the file, BPM (only changes the tick grid, not the note times). Default 120. */
  bpm?: number;
  /** Ticks per quarter note. Default 480. */
  ticksPerQuarter?: number;
  /** MIDI channel 0–15. Default 0 (9 is drums). */
  channel?: number;
  /** Track name meta event; default none. */
  trackName?: string;
}

function varLen(value: number): number[] {
  let v = Math.max(0, Math.floor(value));
  const bytes = [v & 0x7f];
  v = Math.floor(v / 128);
  while (v > 0) {
    bytes.unshift((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  return bytes;
}

const u32 = (x: number): number[] => [(x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff];
const u16 = (x: number): number[] => [(x >>> 8) & 0xff, x & 0xff];

/** Encode notes as a format-0 Standard MIDI File. Pitches are rounded to the nearest MIDI number. */
export function notesToMidiFile(notes: readonly NoteEvent[], options: NotesToMidiOptions = {}): Uint8Array {
  const bpm = options.bpm ?? 120;
  const ppq = options.ticksPerQuarter ?? 480;
  const channel = options.channel ?? 0;
  if (!(bpm > 0 && bpm <= 1000)) throw new InvalidRequestError(`bpm must be in (0, 1000] (got ${bpm})`);
  if (!Number.isInteger(ppq) || ppq < 24 || ppq > 0x7fff) throw new InvalidRequestError(`ticksPerQuarter must be an integer in [24, 32767] (got ${ppq})`);
  if (!Number.isInteger(channel) || channel < 0 || channel > 15) throw new InvalidRequestError(`channel must be an integer 0–15 (got ${channel})`);
  const ticksPerSec = (ppq * bpm) / 60;
  const usPerQuarter = Math.round(60_000_000 / bpm);

  // [tick, order (0 = off first at equal ticks), bytes]
  const events: Array<[number, number, number[]]> = [];
  for (const n of notes) {
    const key = Math.round(n.midi);
    if (!(key >= 0 && key <= 127)) continue;
    const on = Math.max(0, Math.round(n.startSec * ticksPerSec));
    const off = Math.max(on + 1, Math.round(n.endSec * ticksPerSec));
    const vel = Math.max(1, Math.min(127, Math.round(n.velocity)));
    events.push([on, 1, [0x90 | channel, key, vel]]);
    events.push([off, 0, [0x80 | channel, key, 0]]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);

  const track: number[] = [];
  if (options.trackName) {
    const name = Array.from(new TextEncoder().encode(options.trackName));
    track.push(0, 0xff, 0x03, ...varLen(name.length), ...name);
  }
  track.push(0, 0xff, 0x51, 0x03, (usPerQuarter >> 16) & 0xff, (usPerQuarter >> 8) & 0xff, usPerQuarter & 0xff);
  track.push(0, 0xff, 0x58, 0x04, 4, 2, 24, 8);
  let last = 0;
  for (const [tick, , bytes] of events) {
    track.push(...varLen(tick - last), ...bytes);
    last = tick;
  }
  track.push(0, 0xff, 0x2f, 0x00);

  const header = [0x4d, 0x54, 0x68, 0x64, ...u32(6), ...u16(0), ...u16(1), ...u16(ppq)];
  const chunk = [0x4d, 0x54, 0x72, 0x6b, ...u32(track.length)];
  const out = new Uint8Array(header.length + chunk.length + track.length);
  out.set(header, 0);
  out.set(chunk, header.length);
  out.set(track, header.length + chunk.length);
  return out;
}
