/**
 * Chord labels in Harte syntax (Harte et al., ISMIR 2005), as used by JAMS `chord` and mir_eval.
 *
 *   C:maj   A:min7   G:7/3   F#:hdim7   Bb:(1,3,5,b7)   N (no chord)   X (unknown)
 *
 * Also accepts the plain names people type ("Am", "F#m7", "Cmaj7", "Bb7", "Gsus4", "C/E", "Bdim")
 * and normalises them to Harte.
 */
import { PITCH_CLASS_NAMES, parsePitchClass } from './pitch.js';

/** Semitone offsets of each Harte shorthand, root included. */
export const SHORTHAND_INTERVALS: Readonly<Record<string, readonly number[]>> = {
  maj: [0, 4, 7],
  min: [0, 3, 7],
  dim: [0, 3, 6],
  aug: [0, 4, 8],
  maj7: [0, 4, 7, 11],
  min7: [0, 3, 7, 10],
  '7': [0, 4, 7, 10],
  dim7: [0, 3, 6, 9],
  hdim7: [0, 3, 6, 10],
  minmaj7: [0, 3, 7, 11],
  maj6: [0, 4, 7, 9],
  min6: [0, 3, 7, 9],
  '9': [0, 4, 7, 10, 14],
  maj9: [0, 4, 7, 11, 14],
  min9: [0, 3, 7, 10, 14],
  '11': [0, 4, 7, 10, 14, 17],
  '13': [0, 4, 7, 10, 14, 17, 21],
  sus2: [0, 2, 7],
  sus4: [0, 5, 7],
  '1': [0],
  '5': [0, 7],
};

export interface Chord {
  /** Root pitch class 0..11. */
  root: number;
  /** Harte shorthand when the chord has one (e.g. 'min7'), otherwise undefined. */
  quality?: string;
  /** Semitone offsets above the root (0 included), sorted, unique, possibly > 11 for extensions. */
  intervals: number[];
  /** Bass as semitones above the root (0 = root position). */
  bassInterval: number;
}

export interface ParsedChordLabel {
  /** The chord, or null for N (no chord) and X (unknown). */
  chord: Chord | null;
  /** 'N' or 'X' when the label names no chord. */
  special?: 'N' | 'X';
}

const DEGREE_SEMITONES = [0, 0, 2, 4, 5, 7, 9, 11, 12, 14, 16, 17, 19, 21];

/** Semitones of a Harte degree such as "b7", "#11", "3". Throws on a malformed degree. */
export function degreeToSemitones(degree: string): number {
  const m = /^(b*|#*)(\d{1,2})$/.exec(degree.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 13) throw new Error(`bad chord degree "${degree}"`);
  const base = DEGREE_SEMITONES[Number(m[2])];
  const shift = m[1].startsWith('#') ? m[1].length : -m[1].length;
  return base + shift;
}

function uniqueSorted(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/**
 * Parse a strict Harte label. Throws an Error naming the label when it is malformed.
 * Omitted degrees ("C:maj7(*5)") are removed; added ones ("C:min(9)") are added.
 */
export function parseHarte(label: string): ParsedChordLabel {
  const text = label.trim();
  if (text === 'N') return { chord: null, special: 'N' };
  if (text === 'X') return { chord: null, special: 'X' };
  const m = /^([A-G][#b]*)(?::([^/(]*)?(?:\(([^)]*)\))?)?(?:\/(.+))?$/.exec(text);
  if (!m) throw new Error(`not a Harte chord label: "${label}"`);
  const root = parsePitchClass(m[1]);
  if (root === undefined) throw new Error(`bad chord root in "${label}"`);
  const hasColon = text.includes(':');
  let shorthand = m[2] ?? '';
  const degreeList = m[3];
  if (!hasColon) shorthand = 'maj';
  if (hasColon && shorthand === '' && degreeList === undefined) throw new Error(`empty chord quality in "${label}"`);
  let intervals: number[] = [];
  if (shorthand !== '') {
    const base = SHORTHAND_INTERVALS[shorthand];
    if (!base) throw new Error(`unknown chord quality "${shorthand}" in "${label}"`);
    intervals = [...base];
  } else {
    intervals = [0];
  }
  if (degreeList !== undefined && degreeList.trim() !== '') {
    for (const raw of degreeList.split(',')) {
      const d = raw.trim();
      if (d.startsWith('*')) {
        const s = degreeToSemitones(d.slice(1));
        intervals = intervals.filter((x) => x % 12 !== s % 12);
      } else {
        intervals.push(degreeToSemitones(d));
      }
    }
  }
  const bassInterval = m[4] !== undefined ? degreeToSemitones(m[4]) % 12 : 0;
  const quality = shorthand !== '' && (degreeList === undefined || degreeList.trim() === '') ? shorthand : undefined;
  return { chord: { root, quality, intervals: uniqueSorted(intervals), bassInterval }, special: undefined };
}

/** Plain-name suffixes (after the root) and the Harte shorthand each means. Longest first. */
const PLAIN_SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['maj13', '13'], ['maj11', '11'], ['min7b5', 'hdim7'], ['m7b5', 'hdim7'], ['mmaj7', 'minmaj7'],
  ['minmaj7', 'minmaj7'], ['maj9', 'maj9'], ['maj7', 'maj7'], ['min9', 'min9'], ['min7', 'min7'],
  ['min6', 'min6'], ['dim7', 'dim7'], ['sus2', 'sus2'], ['sus4', 'sus4'], ['add9', 'maj(9)'],
  ['maj6', 'maj6'], ['aug', 'aug'], ['dim', 'dim'], ['min', 'min'], ['maj', 'maj'], ['sus', 'sus4'],
  ['m9', 'min9'], ['m7', 'min7'], ['m6', 'min6'], ['M7', 'maj7'], ['M9', 'maj9'], ['ø7', 'hdim7'], ['ø', 'hdim7'],
  ['°7', 'dim7'], ['°', 'dim'], ['o7', 'dim7'], ['13', '13'], ['11', '11'], ['9', '9'], ['7', '7'],
  ['6', 'maj6'], ['5', '5'], ['+', 'aug'], ['-', 'min'], ['m', 'min'], ['', 'maj'],
];

/**
 * Normalise a chord name in Harte or plain syntax ("Am7", "C/E", "F#:min", "N") to a Harte label.
 * A slash bass given as a note name is turned into a degree. Throws an Error naming the text
 * when it is not a chord.
 */
export function toHarte(name: string): string {
  const text = name.trim();
  if (text === 'N' || text === 'X' || text.includes(':') || text.includes('(')) {
    parseHarte(text);
    return text;
  }
  const m = /^([A-G][#b]?)([^/]*)(?:\/([A-G][#b]?|[b#]*\d{1,2}))?$/.exec(text);
  if (!m) throw new Error(`not a chord name: "${name}"`);
  const suffix = PLAIN_SUFFIXES.find(([s]) => s === m[2]);
  if (!suffix) throw new Error(`unknown chord quality "${m[2]}" in "${name}"`);
  let label = `${m[1]}:${suffix[1]}`;
  if (m[3] !== undefined) {
    const bassPc = parsePitchClass(m[3]);
    if (bassPc === undefined) {
      label += `/${m[3]}`;
    } else {
      const root = parsePitchClass(m[1])!;
      const semis = (bassPc - root + 12) % 12;
      if (semis !== 0) label += `/${semitonesToDegree(semis)}`;
    }
  }
  parseHarte(label);
  return label;
}

/** Harte degree for a semitone offset within an octave, preferring chord-tone spellings. */
export function semitonesToDegree(semis: number): string {
  return ['1', 'b2', '2', 'b3', '3', '4', 'b5', '5', '#5', '6', 'b7', '7'][((semis % 12) + 12) % 12];
}

/** Parse any chord name (Harte or plain). */
export function parseChordName(name: string): ParsedChordLabel {
  return parseHarte(toHarte(name));
}

/** 12-bin pitch-class set of a chord (absolute pitch classes). */
export function chordPitchClasses(chord: Chord): number[] {
  return uniqueSorted(chord.intervals.map((i) => (chord.root + i) % 12));
}

/** Absolute pitch class of the chord's bass note. */
export function chordBassPitchClass(chord: Chord): number {
  return (chord.root + chord.bassInterval) % 12;
}

/** Format root and shorthand as a Harte label, e.g. (9, 'min7') → "A:min7". */
export function formatHarte(root: number, quality: string, bassInterval = 0): string {
  const base = `${PITCH_CLASS_NAMES[((root % 12) + 12) % 12]}:${quality}`;
  return bassInterval % 12 === 0 ? base : `${base}/${semitonesToDegree(bassInterval)}`;
}

/**
 * Split a progression string into chord names: whitespace, commas, bars ("|") and dashes
 * between chords all separate. "Am F C G" → ["Am","F","C","G"].
 */
export function splitProgression(text: string): string[] {
  return text.split(/[\s,|]+/).map((s) => s.trim()).filter((s) => s.length > 0 && s !== '-');
}
