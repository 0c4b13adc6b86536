/**
 * Harmony helpers: diatonic progressions by scale degree, chord voicings with voice leading, and
 * key inference from a chord list.
 */
import { parseHarte, toHarte, formatHarte, SHORTHAND_INTERVALS } from '../music/harte.js';
import { SCALE_INTERVALS, type Key } from '../music/key.js';
import type { Rng } from './rng.js';
import type { ChordFlavor, Style } from './styles.js';

/** A chord resolved to pitch content. */
export interface ChordTones {
  /** Harte label. */
  label: string;
  /** Root pitch class, or null for N. */
  root: number | null;
  /** Semitones above the root (0 first), sorted; may exceed 11 for extensions. */
  intervals: number[];
  /** Harte shorthand when there is one (maj, min7, …). */
  quality?: string;
  /** Slash bass as semitones above the root (0 or absent = root position). */
  bassInterval?: number;
}

/** Resolve a chord name (Harte or plain) to its label and tones. Throws an Error naming bad text. */
export function chordTonesOf(name: string): ChordTones {
  const label = toHarte(name);
  const parsed = parseHarte(label);
  if (parsed.chord === null) return { label: 'N', root: null, intervals: [] };
  return { label, root: parsed.chord.root, intervals: parsed.chord.intervals, quality: parsed.chord.quality, bassInterval: parsed.chord.bassInterval };
}

const TRIADS: Record<'major' | 'minor', string[]> = {
  major: ['maj', 'min', 'min', 'maj', 'maj', 'min', 'dim'],
  minor: ['min', 'dim', 'maj', 'min', 'min', 'maj', 'maj'],
};
const SEVENTHS: Record<'major' | 'minor', string[]> = {
  major: ['maj7', 'min7', 'min7', 'maj7', '7', 'min7', 'hdim7'],
  minor: ['min7', 'hdim7', 'maj7', 'min7', 'min7', 'maj7', '7'],
};

/** Degree progressions (1-based scale degrees; suffix M = major/dominant chord, d = dominant 7th). */
export const MAJOR_PROGRESSIONS: readonly (readonly string[])[] = [
  ['1', '5', '6', '4'], ['1', '6', '4', '5'], ['1', '4', '5', '4'], ['6', '4', '1', '5'], ['1', '4', '6', '5'],
  ['4', '1', '5', '6'], ['1', '3', '4', '5'], ['2', '5', '1', '6'], ['1', '6', '2', '5'], ['4', '5', '3', '6'],
  ['1', '5', '4', '1'], ['4', '5', '1', '1'], ['6', '5', '4', '5'], ['1', '2', '4', '5'],
];
export const MINOR_PROGRESSIONS: readonly (readonly string[])[] = [
  ['1', '6', '3', '7'], ['1', '4', '7', '3'], ['1', '7', '6', '7'], ['1', '4', '5M', '1'], ['6', '7', '1', '1'],
  ['1', '6', '4', '5M'], ['1', '3', '7', '6'], ['4', '5M', '1', '1'], ['1', '7', '6', '5M'], ['6', '3', '7', '1'],
  ['2', '5M', '1', '6'], ['1', '4', '1', '5M'],
];
/** Two-chord vamps (funk, hip-hop, electronic). */
export const VAMPS: Record<'major' | 'minor', readonly (readonly string[])[]> = {
  major: [['1d', '4d'], ['1', '4'], ['2', '5d']],
  minor: [['1', '4'], ['1', '7'], ['1', '6']],
};

/**
 * Chord label for a scale degree token in a key. `seventh` chooses the diatonic seventh chord.
 */
export function degreeChord(key: Key, token: string, seventh: boolean): string {
  const m = /^([1-7])([Md]?)$/.exec(token);
  if (!m) throw new Error(`bad degree token "${token}"`);
  const deg = Number(m[1]) - 1;
  const root = (key.tonic + SCALE_INTERVALS[key.mode][deg]) % 12;
  let quality: string;
  if (m[2] === 'd') quality = '7';
  else if (m[2] === 'M') quality = seventh ? '7' : 'maj';
  else quality = seventh ? SEVENTHS[key.mode][deg] : TRIADS[key.mode][deg];
  return formatHarte(root, quality);
}

/** Choose a degree progression for a style and mode. */
export function pickProgression(rng: Rng, style: Style, mode: 'major' | 'minor', allowVamp = true): readonly string[] {
  const vampy = style === 'funk' || style === 'hip-hop' || style === 'electronic' || style === 'reggae';
  if (allowVamp && vampy && rng.chance(0.35)) return rng.pick(VAMPS[mode]);
  if (style === 'jazz' && mode === 'major' && rng.chance(0.6)) return rng.pick([['2', '5', '1', '6'], ['1', '6', '2', '5'], ['3', '6', '2', '5']]);
  if (style === 'jazz' && mode === 'minor' && rng.chance(0.6)) return ['2', '5M', '1', '1'];
  return rng.pick(mode === 'major' ? MAJOR_PROGRESSIONS : MINOR_PROGRESSIONS);
}

/** Resolve degree tokens to Harte labels with the style's chord flavour. */
export function realiseProgression(rng: Rng, key: Key, degrees: readonly string[], flavor: ChordFlavor): string[] {
  return degrees.map((d) => {
    const seventh = flavor === 'sevenths' || (flavor === 'mixed' && rng.chance(0.35));
    // Diminished triads are awkward in pop styles: turn a plain vii°/ii° into hdim7 only for sevenths.
    return degreeChord(key, d, seventh);
  });
}

/**
 * Most likely key of a chord list: each of the 24 keys scores the chord tones that fall in its
 * scale, plus a bonus when the first or last chord is its tonic triad.
 */
export function inferKey(chords: readonly ChordTones[]): Key {
  let best: Key = { tonic: 0, mode: 'major' };
  let bestScore = -Infinity;
  const real = chords.filter((c) => c.root !== null);
  if (real.length === 0) return best;
  for (const mode of ['major', 'minor'] as const) {
    for (let tonic = 0; tonic < 12; tonic++) {
      const scale = new Set(SCALE_INTERVALS[mode].map((i) => (tonic + i) % 12));
      let score = 0;
      for (const c of real) for (const i of c.intervals) score += scale.has((c.root! + i) % 12) ? 1 : -1;
      const isTonic = (c: ChordTones) => c.root === tonic && (mode === 'minor' ? c.intervals.includes(3) : c.intervals.includes(4));
      if (isTonic(real[0])) score += 3;
      if (isTonic(real[real.length - 1])) score += 1.5;
      if (score > bestScore) {
        bestScore = score;
        best = { tonic, mode };
      }
    }
  }
  return best;
}

/** MIDI notes of a chord's tones (pitch classes) voiced in close position with the lowest note ≥ `lowMidi`. */
export function closeVoicing(chord: ChordTones, lowMidi: number, maxNotes = 4): number[] {
  if (chord.root === null) return [];
  const pcs = chord.intervals.slice(0, maxNotes);
  const base = lowMidi + ((((chord.root - lowMidi) % 12) + 12) % 12);
  return pcs.map((i) => base + i);
}

/**
 * Voice a chord with voice leading: among the inversions of the chord's tones (up to `maxNotes`,
 * 7ths kept, fifth dropped first), choose the one whose notes lie within [lowMidi, highMidi] and
 * whose mean is closest to `previousCentre` (or the range middle).
 */
export function leadVoicing(chord: ChordTones, lowMidi: number, highMidi: number, previousCentre: number | null, maxNotes = 4): number[] {
  if (chord.root === null) return [];
  let tones = chord.intervals.map((i) => i % 12);
  tones = [...new Set(tones)];
  if (tones.length > maxNotes) tones = tones.filter((t) => t !== 7).slice(0, maxNotes);
  const centreTarget = previousCentre ?? (lowMidi + highMidi) / 2;
  let best: number[] = [];
  let bestCost = Infinity;
  for (let inv = 0; inv < tones.length; inv++) {
    const order = tones.slice(inv).concat(tones.slice(0, inv));
    for (let base = lowMidi; base < lowMidi + 12; base++) {
      if ((base - chord.root - order[0] + 1200) % 12 !== 0) continue;
      const notes: number[] = [base];
      for (let k = 1; k < order.length; k++) {
        let n = notes[k - 1] + 1;
        while ((n - chord.root + 1200) % 12 !== order[k]) n++;
        notes.push(n);
      }
      if (notes[notes.length - 1] > highMidi) continue;
      const centre = notes.reduce((a, b) => a + b, 0) / notes.length;
      const cost = Math.abs(centre - centreTarget);
      if (cost < bestCost) {
        bestCost = cost;
        best = notes;
      }
    }
  }
  return best.length > 0 ? best : closeVoicing(chord, lowMidi, maxNotes);
}

/** Place a pitch class in [lowMidi, lowMidi + 12). */
export function placePitch(pc: number, lowMidi: number): number {
  return lowMidi + ((((pc - lowMidi) % 12) + 12) % 12);
}

/** True when the shorthand is known to Harte (used to validate generated labels). */
export function isKnownQuality(q: string): boolean {
  return q in SHORTHAND_INTERVALS;
}
