/**
 * Final-chord tonic evidence for key estimation: most tonal pieces close on the tonic triad
 * (the final cadence; Temperley, "The Cognition of Basic Musical Structures", 2001, ch. 7;
 * the "last chord" cue of symbolic key finders), which separates a key from its relative
 * (B minor vs D major share one scale) where a global pitch-class profile cannot.
 *
 * Method: find the last sounding frame (level above `soundingLevel` of the loudest frame, so a
 * trailing silence or reverb tail is skipped), sum the treble chroma plus `bassWeight` × the bass
 * chroma over the preceding `spanSec` seconds, and score each of the 24 tonic triads (major: root,
 * major 3rd, 5th; minor: root, minor 3rd, 5th) by the cosine between the summed chroma and the
 * triad's binary template. The output is indexed like the key scores: tonic (major) and
 * 12 + tonic (minor), values 0..1.
 *
 * The chroma is read directly rather than taken from the chord estimates, because the chord
 * path's last segment often spans the trailing silence (its median is then 'N').
 * Songs that fade out on a vamp still give the chord under the fade, which is usually the tonic
 * too; a piece ending off the tonic (a half cadence, a fade on IV) is left to the other cues,
 * which is why this evidence only carries a modest weight in {@link estimateKey}.
 *
 * Units: seconds; levels relative to the loudest frame. Degenerate input (no frames, silence)
 * returns all zeros.
 */
import type { Chromagram } from './chroma.js';

export interface EndingOptions {
  /** Length of the closing span summarised, s. Default 1.5 (about a bar at 160 BPM, half a bar at 80). */
  spanSec?: number;
  /** Frame level, relative to the loudest frame, above which a frame counts as sounding. Default 0.1. */
  soundingLevel?: number;
  /** Weight of the bass chroma against the treble. Default 1. */
  bassWeight?: number;
  /** First and last frame (exclusive) of the excerpt; default the whole chromagram. */
  startFrame?: number;
  endFrame?: number;
}

/** Cosine of the closing span's chroma with each of the 24 tonic triads (index tonic / 12 + tonic). */
export function finalChordEvidence(chroma: Chromagram, options: EndingOptions = {}): Float64Array {
  const out = new Float64Array(24);
  const t0 = Math.max(0, options.startFrame ?? 0);
  const t1 = Math.min(chroma.numFrames, options.endFrame ?? chroma.numFrames);
  if (t1 <= t0) return out;
  const soundingLevel = options.soundingLevel ?? 0.1;
  const bassWeight = options.bassWeight ?? 1;
  const spanFrames = Math.max(1, Math.round((options.spanSec ?? 1.5) * chroma.frameRateHz));
  let maxLevel = 0;
  for (let t = t0; t < t1; t++) maxLevel = Math.max(maxLevel, chroma.energy[t]);
  if (!(maxLevel > 0)) return out;
  let last = t1 - 1;
  while (last >= t0 && !(chroma.energy[last] > soundingLevel * maxLevel)) last--;
  if (last < t0) return out;
  const first = Math.max(t0, last - spanFrames + 1);
  const x = new Float64Array(12);
  for (let t = first; t <= last; t++) {
    for (let i = 0; i < 12; i++) x[i] += chroma.treble[t * 12 + i] + bassWeight * chroma.bass[t * 12 + i];
  }
  let norm = 0;
  for (let i = 0; i < 12; i++) norm += x[i] * x[i];
  norm = Math.sqrt(norm);
  if (!(norm > 0)) return out;
  const templateNorm = Math.sqrt(3);
  for (let root = 0; root < 12; root++) {
    const common = x[root] + x[(root + 7) % 12];
    out[root] = (common + x[(root + 4) % 12]) / (templateNorm * norm);
    out[12 + root] = (common + x[(root + 3) % 12]) / (templateNorm * norm);
  }
  return out;
}
