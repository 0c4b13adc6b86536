/**
 * Global key and mode by correlating a tuned, bass-weighted chroma summary with rotated key
 * profiles (Krumhansl & Schmuckler's key-finding algorithm; Krumhansl 1990, Temperley 1999).
 *
 * Method: the treble and bass chromagrams ({@link computeChroma}) are summed over the non-silent
 * frames, each frame weighted by the square root of its level, the bass with weight `bassWeight`
 * (the bass names the tonic more often than any other register). The 12-bin summary is correlated
 * (Pearson) with the 24 rotations of a major and a minor profile; the best correlation wins.
 * Profiles: 'krumhansl' (Krumhansl & Kessler 1982 probe-tone ratings), 'temperley' (Temperley's
 * Kostka–Payne corpus profile, 2007), 'diatonic' (flat scale membership with a tonic triad
 * accent), and the default 'combined' (the mean of the z-scored krumhansl and temperley
 * correlations, which is more robust than either across styles).
 *
 * Confidence (0..1) grows with the margin between the best and the second-best key that is not
 * the best key's relative (major ↔ minor), and with the best correlation itself.
 * Degenerate input (silence, no frames, a flat chroma) returns null.
 */
import type { ChordEvent, KeyEstimate } from '../contracts/music.js';
import { parseHarte } from '../music/harte.js';
import type { Chromagram } from './chroma.js';

export type KeyProfileName = 'krumhansl' | 'temperley' | 'diatonic' | 'combined';

export interface KeyOptions {
  /** Key profile. Default 'combined'. */
  profile?: KeyProfileName;
  /** Weight of the bass chroma in the summary, relative to the treble. Default 0.6. */
  bassWeight?: number;
  /**
   * Estimated chords of the same audio. When given, each key's score also rewards the share of
   * time its tonic chord sounds and a tonic chord at the start or end (`chordWeight`).
   */
  chords?: ChordEvent[];
  /** Weight of the chord evidence against the profile correlation. Default 0.3. */
  chordWeight?: number;
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
export function scoreKeys(summary: ArrayLike<number>, profile: KeyProfileName = 'combined'): Float64Array {
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
export function summarizeChroma(chroma: Chromagram, bassWeight = 0.6, startFrame = 0, endFrame = chroma.numFrames): Float64Array | null {
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
  const summary = summarizeChroma(chroma, options.bassWeight ?? 0.6, options.startFrame, options.endFrame);
  if (!summary) return null;
  let max = 0;
  let min = Infinity;
  for (let i = 0; i < 12; i++) {
    max = Math.max(max, summary[i]);
    min = Math.min(min, summary[i]);
  }
  // A flat summary (noise) names no key.
  if (!(max > 0) || (max - min) / max < 0.05) return null;
  const scores = scoreKeys(summary, options.profile ?? 'combined');
  if (options.chords && options.chords.length > 0) {
    const evidence = tonicChordEvidence(options.chords);
    const w = options.chordWeight ?? 0.3;
    for (let i = 0; i < 24; i++) scores[i] += w * evidence[i];
  }
  return keyFromScores(scores);
}

/**
 * Tonic-chord evidence for the 24 keys (index tonic = major, 12 + tonic = minor), 0..1: the share
 * of the sounding time on the key's tonic chord (a major-third chord for major keys, a minor-third
 * chord for minor keys), plus a bonus when the first or the last chord is that tonic chord.
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
  for (const s of sounding) out[s.index] += (0.6 * s.dur) / total;
  out[sounding[0].index] += 0.25;
  out[sounding[sounding.length - 1].index] += 0.15;
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
