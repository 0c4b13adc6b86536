/**
 * Chord recognition in Harte syntax from beat-synchronous treble and bass chroma, with template
 * matching and Viterbi smoothing, after Chordino (Mauch & Dixon 2010) and Cho & Bello's
 * template/HMM baseline (2014).
 *
 * Method:
 * 1. Segments: the spans between consecutive beats (plus the spans before the first and after the
 *    last beat). Without beats, fixed spans of `fallbackSegmentSec`.
 * 2. Per segment, the per-bin median of the treble and bass chroma frames inside it (the median
 *    ignores the frames smeared across a chord change by the long analysis window), and the mean
 *    frame level.
 * 3. Emission score of each chord (12 roots × qualities maj, min, 7, maj7, min7, dim, sus4, sus2,
 *    hdim7): cosine similarity of the treble chroma with the chord's binary template (for 7th
 *    chords, the better of that and a jazz voicing with the 9th over a light root), plus
 *    `bassWeight` × the bass chroma on the root (or `bassToneWeight` × on another chord tone, so
 *    that inversions, alternating fifths and walking lines still support the chord; the bass
 *    tells C:maj7 from E:min and A:min7 from C:maj), minus a small per-quality prior penalty.
 *    'N' scores `noChordScore`, and wins outright where the segment is silent.
 * 4. Viterbi decoding of an HMM whose log-emissions are `sharpness` × score, with a switch
 *    penalty `switchPenalty` (self-transition bias) between different chords.
 * 5. Consecutive equal labels merge into one event; its confidence is the mean, over its segments,
 *    of the chosen chord's softmax posterior among all chords.
 *
 * Units: seconds. Degenerate input (no frames) returns []; silence returns one 'N' event.
 */
import type { ChordEvent } from '../contracts/music.js';
import { formatHarte, SHORTHAND_INTERVALS } from '../music/harte.js';
import type { Chromagram } from './chroma.js';

export interface ChordOptions {
  /**
   * Segments per beat: 2 splits every beat in halves, so that a chord change that falls between
   * the given beats (a beat tracker's phase error, an anticipation) is still placed within half a
   * beat. Default 1.
   */
  subdivisions?: number;
  /** Segment length when no beats are given, s. Default 0.5. */
  fallbackSegmentSec?: number;
  /** Weight of the bass term (bass chroma on the chord's root or, less, its other tones). Default 0.2. */
  bassWeight?: number;
  /**
   * Bass support for a chord tone other than the root (inversions, alternating fifths, walking
   * lines), relative to the root's 1. Default 0.7.
   */
  bassToneWeight?: number;
  /** Score of 'N' (no chord) in a sounding segment. Default 0.35. */
  noChordScore?: number;
  /** Mean frame level (0..1 of the loudest) below which a segment is silent. Default 0.01. */
  silenceLevel?: number;
  /** Log-emission scale. Default 12. */
  sharpness?: number;
  /** Log-probability cost of changing chord between segments. Default 2. */
  switchPenalty?: number;
  /** Prior penalty per quality (score units), overriding the defaults (7ths 0.02, dim/sus4/hdim7 0.06, sus2 0.08). */
  qualityPenalty?: Record<string, number>;
  /** Also match 7th chords voiced with the 9th over a light root (jazz voicings). Default true. */
  ninthVoicings?: boolean;
  /** Extra penalty of the 9th voicing templates (score units). Default 0. */
  ninthVoicingPenalty?: number;
  /** Qualities to consider (Harte shorthands). Default maj, min, 7, maj7, min7, dim, sus4, sus2, hdim7. */
  qualities?: string[];
}

/** Prior penalties per quality (score units): triads are the most common chords. */
const QUALITY_PENALTY: Readonly<Record<string, number>> = {
  maj: 0,
  min: 0,
  '7': 0.02,
  maj7: 0.02,
  min7: 0.02,
  dim: 0.06,
  sus4: 0.06,
  sus2: 0.08,
  hdim7: 0.06,
  aug: 0.1,
  dim7: 0.08,
  maj6: 0.06,
  min6: 0.06,
};

const DEFAULT_QUALITIES = ['maj', 'min', '7', 'maj7', 'min7', 'dim', 'sus4', 'sus2', 'hdim7'];

interface ChordState {
  label: string;
  root: number;
  /** Unit-norm templates: the chord's tones, and for 7th chords optionally a voicing with the 9th. */
  templates: Float64Array[];
  /** Extra penalty of each template (0 for the plain chord). */
  templatePenalties: number[];
  /** Bass weights: 1 on the root, `bassToneWeight` on the other chord tones, 0 elsewhere. */
  bassTemplate: Float64Array;
  penalty: number;
}

/** Unit-norm 12-bin template with weight `weights[i]` on (root + intervals[i]) mod 12. */
function makeTemplate(root: number, intervals: readonly number[], weights: readonly number[]): Float64Array {
  const template = new Float64Array(12);
  intervals.forEach((iv, i) => (template[(root + iv) % 12] = Math.max(template[(root + iv) % 12], weights[i])));
  let norm = 0;
  for (let i = 0; i < 12; i++) norm += template[i] * template[i];
  norm = Math.sqrt(norm);
  for (let i = 0; i < 12; i++) template[i] /= norm;
  return template;
}

function buildStates(qualities: string[], bassToneWeight: number, penaltyOverrides: Record<string, number> = {}, ninthVoicings = false, ninthPenalty = 0): ChordState[] {
  const states: ChordState[] = [];
  for (const q of qualities) {
    const intervals = SHORTHAND_INTERVALS[q];
    if (!intervals) throw new RangeError(`unknown chord quality "${q}"`);
    for (let root = 0; root < 12; root++) {
      const templates = [makeTemplate(root, intervals, intervals.map(() => 1))];
      const templatePenalties = [0];
      if (ninthVoicings && intervals.length === 4 && (q === '7' || q === 'maj7' || q === 'min7')) {
        // Jazz voicing: 3rd, 5th, 7th and 9th over a lighter (often absent) root.
        templates.push(makeTemplate(root, [...intervals, 14], [0.5, 1, 1, 1, 1]));
        templatePenalties.push(ninthPenalty);
      }
      const bassTemplate = new Float64Array(12);
      for (const iv of intervals) bassTemplate[(root + iv) % 12] = iv === 0 ? 1 : bassToneWeight;
      states.push({ label: formatHarte(root, q), root, templates, templatePenalties, bassTemplate, penalty: penaltyOverrides[q] ?? QUALITY_PENALTY[q] ?? 0.05 });
    }
  }
  return states;
}

/** Segment boundaries in seconds covering [0, durationSec]. */
function segmentBoundaries(beatTimesSec: number[], durationSec: number, fallbackSegmentSec: number, subdivisions = 1): number[] {
  let beats = beatTimesSec.filter((t) => Number.isFinite(t) && t > 0.05 && t < durationSec - 0.05).sort((a, b) => a - b);
  if (subdivisions > 1 && beats.length > 1) {
    const fine: number[] = [];
    for (let i = 0; i < beats.length; i++) {
      const period = i + 1 < beats.length ? beats[i + 1] - beats[i] : beats[i] - beats[i - 1];
      for (let k = 0; k < subdivisions; k++) {
        const t = beats[i] + (k * period) / subdivisions;
        if (t < durationSec - 0.05) fine.push(t);
      }
    }
    beats = fine;
  }
  const bounds = [0];
  if (beats.length > 0) {
    for (const b of beats) if (b - bounds[bounds.length - 1] > 0.05) bounds.push(b);
  } else {
    const n = Math.max(1, Math.round(durationSec / fallbackSegmentSec));
    for (let i = 1; i < n; i++) bounds.push((i * durationSec) / n);
  }
  bounds.push(durationSec);
  return bounds;
}

/** Median of the first n values of buf (buf is reordered). */
function median(buf: Float64Array, n: number): number {
  const a = buf.subarray(0, n).sort();
  return n % 2 === 1 ? a[(n - 1) >> 1] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

export interface BeatChroma {
  /** Segment boundaries, s (numSegments + 1 values). */
  boundsSec: number[];
  treble: Float64Array;
  bass: Float64Array;
  /** Mean frame level per segment. */
  level: Float64Array;
}

/** Beat-synchronous chroma: per-bin medians of the frames inside each segment. */
export function syncChromaToBeats(chroma: Chromagram, beatTimesSec: number[], fallbackSegmentSec = 0.5, subdivisions = 1): BeatChroma {
  const durationSec = chroma.durationSec ?? chroma.numFrames / chroma.frameRateHz;
  const boundsSec = segmentBoundaries(beatTimesSec, durationSec, fallbackSegmentSec, subdivisions);
  const numSegments = boundsSec.length - 1;
  const treble = new Float64Array(numSegments * 12);
  const bass = new Float64Array(numSegments * 12);
  const level = new Float64Array(numSegments);
  const buf = new Float64Array(Math.max(16, Math.ceil(chroma.frameRateHz * 8)));
  for (let s = 0; s < numSegments; s++) {
    let f0 = Math.round(boundsSec[s] * chroma.frameRateHz);
    let f1 = Math.round(boundsSec[s + 1] * chroma.frameRateHz);
    f0 = Math.min(Math.max(0, f0), chroma.numFrames - 1);
    f1 = Math.min(Math.max(f0 + 1, f1), chroma.numFrames);
    let n = f1 - f0;
    if (n > buf.length) {
      // Very long segment: stride through it.
      n = buf.length;
    }
    const step = (f1 - f0) / n;
    let e = 0;
    for (let k = 0; k < n; k++) e += chroma.energy[f0 + Math.floor(k * step)];
    level[s] = e / n;
    for (let i = 0; i < 12; i++) {
      for (let k = 0; k < n; k++) buf[k] = chroma.treble[(f0 + Math.floor(k * step)) * 12 + i];
      treble[s * 12 + i] = median(buf, n);
      for (let k = 0; k < n; k++) buf[k] = chroma.bass[(f0 + Math.floor(k * step)) * 12 + i];
      bass[s * 12 + i] = median(buf, n);
    }
  }
  return { boundsSec, treble, bass, level };
}

/** Estimate chords from a chromagram and beat times. See the module comment for the method. */
export function estimateChords(chroma: Chromagram, beatTimesSec: number[], options: ChordOptions = {}): ChordEvent[] {
  if (chroma.numFrames === 0) return [];
  const bassWeight = options.bassWeight ?? 0.2;
  const noChordScore = options.noChordScore ?? 0.35;
  const silenceLevel = options.silenceLevel ?? 0.01;
  // The emission weight is per beat, spread over the beat's segments.
  const sharpness = (options.sharpness ?? 12) / Math.max(1, Math.round(options.subdivisions ?? 1));
  const switchPenalty = options.switchPenalty ?? 2;
  const states = buildStates(
    options.qualities ?? DEFAULT_QUALITIES,
    options.bassToneWeight ?? 0.7,
    options.qualityPenalty,
    options.ninthVoicings ?? true,
    options.ninthVoicingPenalty ?? 0,
  );
  const numStates = states.length + 1; // last = N
  const subdivisions = Math.max(1, Math.round(options.subdivisions ?? 1));
  const sync = syncChromaToBeats(chroma, beatTimesSec, options.fallbackSegmentSec ?? 0.5, subdivisions);
  const numSegments = sync.level.length;
  const logEmit = new Float64Array(numSegments * numStates);
  const x = new Float64Array(12);
  const b = new Float64Array(12);
  for (let s = 0; s < numSegments; s++) {
    const o = s * numStates;
    let xNorm = 0;
    let bMax = 0;
    for (let i = 0; i < 12; i++) {
      x[i] = sync.treble[s * 12 + i];
      b[i] = sync.bass[s * 12 + i];
      xNorm += x[i] * x[i];
      bMax = Math.max(bMax, b[i]);
    }
    xNorm = Math.sqrt(xNorm);
    const silent = sync.level[s] < silenceLevel || xNorm === 0;
    for (let c = 0; c < states.length; c++) {
      const st = states[c];
      let score: number;
      if (silent) {
        score = -1;
      } else {
        let best = -Infinity;
        for (let v = 0; v < st.templates.length; v++) {
          const template = st.templates[v];
          let d = 0;
          for (let i = 0; i < 12; i++) d += x[i] * template[i];
          best = Math.max(best, d / xNorm - st.templatePenalties[v]);
        }
        score = best - st.penalty;
        if (bMax > 0) {
          let bassFit = 0;
          for (let i = 0; i < 12; i++) bassFit = Math.max(bassFit, b[i] * st.bassTemplate[i]);
          score += (bassWeight * bassFit) / bMax;
        }
      }
      logEmit[o + c] = sharpness * score;
    }
    logEmit[o + states.length] = sharpness * (silent ? 2 : noChordScore + (bMax > 0 ? bassWeight * 0.5 : 0));
  }
  // Viterbi with a uniform switch cost.
  const delta = new Float64Array(numStates);
  const next = new Float64Array(numStates);
  const back = new Int32Array(numSegments * numStates);
  for (let j = 0; j < numStates; j++) delta[j] = logEmit[j];
  for (let s = 1; s < numSegments; s++) {
    let bestPrev = 0;
    for (let j = 1; j < numStates; j++) if (delta[j] > delta[bestPrev]) bestPrev = j;
    const switchScore = delta[bestPrev] - switchPenalty;
    const o = s * numStates;
    for (let j = 0; j < numStates; j++) {
      if (delta[j] >= switchScore) {
        next[j] = delta[j] + logEmit[o + j];
        back[o + j] = j;
      } else {
        next[j] = switchScore + logEmit[o + j];
        back[o + j] = bestPrev;
      }
    }
    delta.set(next);
  }
  const path = new Int32Array(numSegments);
  let last = 0;
  for (let j = 1; j < numStates; j++) if (delta[j] > delta[last]) last = j;
  path[numSegments - 1] = last;
  for (let s = numSegments - 1; s > 0; s--) path[s - 1] = back[s * numStates + path[s]];
  // Posterior of the chosen state per segment (softmax of the emissions).
  const events: ChordEvent[] = [];
  let runStart = 0;
  let confSum = 0;
  for (let s = 0; s < numSegments; s++) {
    const o = s * numStates;
    let m = -Infinity;
    for (let j = 0; j < numStates; j++) m = Math.max(m, logEmit[o + j]);
    let z = 0;
    for (let j = 0; j < numStates; j++) z += Math.exp(logEmit[o + j] - m);
    confSum += Math.exp(logEmit[o + path[s]] - m) / z;
    if (s === numSegments - 1 || path[s + 1] !== path[s]) {
      const label = path[s] === states.length ? 'N' : states[path[s]].label;
      events.push({
        startSec: sync.boundsSec[runStart],
        endSec: sync.boundsSec[s + 1],
        label,
        confidence: Math.max(0, Math.min(1, confSum / (s - runStart + 1))),
      });
      runStart = s + 1;
      confSum = 0;
    }
  }
  return events;
}
