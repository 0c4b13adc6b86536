import { PITCH_CLASS_NAMES, parsePitchClass } from './pitch.js';

export type Mode = 'major' | 'minor';

export interface Key {
  /** Tonic pitch class 0..11. */
  tonic: number;
  mode: Mode;
}

/** Semitone offsets of the scale degrees. Natural minor for 'minor'. */
export const SCALE_INTERVALS: Readonly<Record<Mode, readonly number[]>> = {
  major: [0, 2, 4, 5, 7, 9, 11],
  minor: [0, 2, 3, 5, 7, 8, 10],
};

/** JAMS key_mode value, e.g. "A:minor". */
export function formatKey(key: Key): string {
  return `${PITCH_CLASS_NAMES[key.tonic]}:${key.mode}`;
}

/**
 * Parse "A:minor", "A minor", "Am", "F#:major", "Bb", "c#m" into a key. Throws an Error naming the
 * text when it is not a key.
 */
export function parseKey(text: string): Key {
  const t = text.trim();
  const m = /^([A-Ga-g][#b]?)\s*(?::|\s)?\s*(major|minor|maj|min|m|M)?$/.exec(t);
  if (!m) throw new Error(`not a key: "${text}" (expected e.g. "A:minor", "C major", "F#m")`);
  const tonic = parsePitchClass(m[1][0].toUpperCase() + m[1].slice(1));
  if (tonic === undefined) throw new Error(`not a key: "${text}"`);
  const q = m[2];
  const mode: Mode = q === 'minor' || q === 'min' || q === 'm' ? 'minor' : 'major';
  return { tonic, mode };
}

/** Absolute pitch classes of the key's scale. */
export function scalePitchClasses(key: Key): number[] {
  return SCALE_INTERVALS[key.mode].map((i) => (key.tonic + i) % 12);
}
