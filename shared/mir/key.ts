/**
 * Global key and mode from three cues: a bass-weighted chroma summary correlated with rotated key
 * profiles (Krumhansl & Schmuckler's key-finding algorithm; Krumhansl 1990, Temperley 1999), the
 * share of time the key's tonic chord sounds in the chord estimates, and the chord the piece
 * closes on ({@link finalChordEvidence}: pieces end on the tonic).
 *
 * Method: the treble and bass chromagrams ({@link computeChroma}) are summed over the non-silent
 * frames, each frame weighted by the square root of its level, the bass with weight `bassWeight`
 * (the bass names the tonic more often than any other register). The 12-bin summary is correlated
 * (Pearson) with the 24 rotations of a major and a minor profile. Profiles: 'krumhansl'
 * (Krumhansl & Kessler 1982 probe-tone ratings), 'temperley' (Temperley's Kostka–Payne corpus
 * profile, 2007), 'combined' (the mean of those two correlations), and the default 'diatonic'
 * (flat scale membership with a tonic-triad accent, cf. the binary 'diatonic' and 'tonictriad'
 * profiles of Essentia's Key, after Gómez 2006): pop harmony cycles through the diatonic chords
 * with nearly equal weight, where the classical profiles' graded degrees pull towards the
 * relative or the dominant key; on the development songs (seeds 1–40) it beat the krumhansl,
 * temperley and combined profiles at each bass weight tried.
 * Each key's score is that correlation plus `chordWeight` × its tonic-chord time share
 * ({@link tonicChordEvidence}, when chords are given) plus `endingWeight` × the final-chord
 * evidence. The profile alone cannot tell a minor key from its relative major (one scale); the
 * tonic chord's time and the closing chord can.
 *
 * Confidence (0..1) grows with the margin between the best and the second-best key that is not
 * the best key's relative (major ↔ minor), and with the best score itself.
 * Degenerate input (silence, no frames, a flat chroma) returns null.
 */
import type { ChordEvent, KeyEstimate } from '../contracts/music.js';
import { parseHarte } from '../music/harte.js';
import type { Chromagram } from './chroma.js';
import { finalChordEvidence, type EndingOptions } from './key-ending.js';

export type KeyProfileName = 'krumhansl' | 'temperley' | 'diatonic' | 'combined';

export interface KeyOptions {
  /** Key profile. Default 'diatonic'. */
  profile?: KeyProfileName;
  /** Weight of the bass chroma in the summary, relative to the treble. Default 1. */
  bassWeight?: number;
  /**
   * Estimated chords of the same audio. When given, each key's score also rewards the share of
   * time its tonic chord sounds (`chordWeight`).
   */
  chords?: ChordEvent[];
  /** Weight of the tonic-chord time share (0..1) against the profile correlation. Default 0.15. */
  chordWeight?: number;
  /** Weight of the final-chord evidence (0..1, {@link finalChordEvidence}); 0 disables it. Default 0.2. */
  endingWeight?: number;
  /** Options of the final-chord evidence (its excerpt is always this estimate's frame range). */
  ending?: Omit<EndingOptions, 'startFrame' | 'endFrame'>;
  /** First and last frame (exclusive) to summarise; default the whole chromagram. */
  startFrame?: number;
  endFrame?: number;
}

/** Major and minor profiles, index 0 = tonic. */
export const KEY_PROFILES: Readonly<Record<Exclude<KeyProfileName, 'combined'>, { major: readonly number[]; minor: readonly number[] }>> = {
  krumhansl: {
    major: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
    minor: [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
  },
  temperley: {
    major: [0.748, 0.06, 0.488, 0.082, 0.67, 0.46, 0.096, 0.715, 0.104, 0.366, 0.057, 0.4],
    minor: [0.712, 0.084, 0.474, 0.618, 0.049, 0.46, 0.105, 0.747, 0.404, 0.067, 0.133, 0.33],
  },
  diatonic: {
    major: [1.5, 0, 1, 0, 1.25, 1, 0, 1.25, 0, 1, 0, 1],
    minor: [1.5, 0, 1, 1.25, 0, 1, 0, 1.25, 1, 0, 1, 0],
  },
};

/** Pearson correlation of x with profile p rotated to tonic `tonic`. */
function correlate(x: ArrayLike<number>, p: readonly number[], tonic: number): number {
  let mx = 0;
  let mp = 0;
  for (let i = 0; i < 12; i++) {
    mx += x[i];
    mp += p[i];
  }
  mx /= 12;
  mp /= 12;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < 12; i++) {
    const a = x[(i + tonic) % 12] - mx;
    const b = p[i] - mp;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * Correlations of a 12-bin pitch-class summary with all 24 keys: index tonic (major) and
 * 12 + tonic (minor).
 */
export function scoreKeys(summary: ArrayLike<number>, profile: KeyProfileName = 'diatonic'): Float64Array {
  const out = new Float64Array(24);
  const names: Array<Exclude<KeyProfileName, 'combined'>> = profile === 'combined' ? ['krumhansl', 'temperley'] : [profile];
  for (const name of names) {
    const prof = KEY_PROFILES[name];
    for (let tonic = 0; tonic < 12; tonic++) {
      out[tonic] += correlate(summary, prof.major, tonic) / names.length;
      out[12 + tonic] += correlate(summary, prof.minor, tonic) / names.length;
    }
  }
  return out;
}

/** Sum the chromagram into one bass-weighted 12-bin summary; null when every frame is silent. */
export function summarizeChroma(chroma: Chromagram, bassWeight = 1, startFrame = 0, endFrame = chroma.numFrames): Float64Array | null {
  const sum = new Float64Array(12);
  let total = 0;
  const t0 = Math.max(0, startFrame);
  const t1 = Math.min(chroma.numFrames, endFrame);
  for (let t = t0; t < t1; t++) {
    const e = chroma.energy ? chroma.energy[t] : 1;
    if (!(e > 0)) continue;
    const w = Math.sqrt(e);
    for (let i = 0; i < 12; i++) sum[i] += w * (chroma.treble[t * 12 + i] + bassWeight * chroma.bass[t * 12 + i]);
    total += w;
  }
  if (!(total > 0)) return null;
  for (let i = 0; i < 12; i++) sum[i] /= total;
  return sum;
}

/** Estimate the global key of a chromagram. See the module comment for the method. */
export function estimateKey(chroma: Chromagram, options: KeyOptions = {}): KeyEstimate | null {
  const summary = summarizeChroma(chroma, options.bassWeight ?? 1, options.startFrame, options.endFrame);
  if (!summary) return null;
  let max = 0;
  let min = Infinity;
  for (let i = 0; i < 12; i++) {
    max = Math.max(max, summary[i]);
    min = Math.min(min, summary[i]);
  }
  // A flat summary (noise) names no key.
  if (!(max > 0) || (max - min) / max < 0.05) return null;
  const scores = scoreKeys(summary, options.profile ?? 'diatonic');
  if (options.chords && options.chords.length > 0) {
    const evidence = tonicChordEvidence(options.chords);
    const w = options.chordWeight ?? 0.15;
    for (let i = 0; i < 24; i++) scores[i] += w * evidence[i];
  }
  const endingWeight = options.endingWeight ?? 0.2;
  if (endingWeight > 0) {
    const ending = finalChordEvidence(chroma, { ...options.ending, startFrame: options.startFrame, endFrame: options.endFrame });
    for (let i = 0; i < 24; i++) scores[i] += endingWeight * ending[i];
  }
  return keyFromScores(scores);
}

/**
 * Tonic-chord evidence for the 24 keys (index tonic = major, 12 + tonic = minor), 0..1: the share
 * of the sounding time (chords with a major or a minor third) on the key's tonic chord (a
 * major-third chord for major keys, a minor-third chord for minor keys). The first chord earns no
 * bonus: songs often open on a pickup, a ii–V or the relative chord. The last chord is read from
 * the chroma instead ({@link finalChordEvidence}), since the last chord event often misses it.
 */
export function tonicChordEvidence(chords: ChordEvent[]): Float64Array {
  const out = new Float64Array(24);
  const sounding: { index: number; dur: number }[] = [];
  let total = 0;
  for (const c of chords) {
    if (c.label === 'N' || c.label === 'X') continue;
    let index: number;
    try {
      const chord = parseHarte(c.label).chord;
      if (!chord) continue;
      const hasMinorThird = chord.intervals.includes(3);
      const hasMajorThird = chord.intervals.includes(4);
      if (hasMajorThird === hasMinorThird) continue;
      index = hasMinorThird ? 12 + chord.root : chord.root;
    } catch {
      continue;
    }
    const dur = Math.max(0, c.endSec - c.startSec);
    sounding.push({ index, dur });
    total += dur;
  }
  if (!(total > 0) || sounding.length === 0) return out;
  for (const s of sounding) out[s.index] += s.dur / total;
  return out;
}

/** The best key of 24 scores (index tonic = major, 12 + tonic = minor), with a margin confidence. */
export function keyFromScores(scores: ArrayLike<number>): KeyEstimate | null {
  let best = 0;
  for (let i = 1; i < 24; i++) if (scores[i] > scores[best]) best = i;
  if (!(scores[best] > 0)) return null;
  const isMinor = best >= 12;
  const tonic = best % 12;
  // Second best among the keys that are neither the best nor its relative.
  const relative = isMinor ? (tonic + 3) % 12 : 12 + ((tonic + 9) % 12);
  let second = -Infinity;
  for (let i = 0; i < 24; i++) if (i !== best && i !== relative && scores[i] > second) second = scores[i];
  const margin = scores[best] - Math.max(second, 0);
  const relMargin = scores[best] - scores[relative];
  const confidence = Math.max(0, Math.min(1, Math.min(margin * 4, 0.5 + relMargin * 4) * Math.min(1, scores[best] / 0.6)));
  return { tonic, mode: isMinor ? 'minor' : 'major', confidence };
}
