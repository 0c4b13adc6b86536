/**
 * The loud level of a signal, and the gain that brings it to a reference level.
 *
 * Log compression, log(1 + γ·|X|), is not scale-invariant: γ sets where the curve turns from
 * linear to logarithmic, so the same song at another level has its quiet detail (a soft
 * hi-hat, a reverb tail, a codec's noise) weighed differently. Before this module, songs 1–10 of
 * the generator corpus re-analysed 20 dB quieter had beats moved by up to 11.6 ms, and chord
 * labels changed over up to 2 % of the time (bench/level.ts, BENCHMARKS.md). The features that
 * log-compress therefore take their gain as the gain at {@link REFERENCE_LEVEL}, scaled by
 * {@link levelGain}: γ·(REFERENCE_LEVEL / level) applied to |X| of a signal at `level` gives the
 * same values as γ applied at the reference level, so their output does not depend on the
 * input's gain.
 *
 * Loud level: the 95th percentile of the RMS of 50 ms frames (linear amplitude of a [-1, 1]
 * signal), over the frames within 40 dB of the loudest one: the level of the song's loud parts
 * whatever its silences, fades and quiet intros, even when the music is a small part of the file.
 */

/**
 * The level at which the log-compression gains of the analysis were tuned: −14 dBFS, near the
 * median loud level of the generator corpus (−14.4 dBFS over songs 1–120; −17.9 to −11.7).
 */
export const REFERENCE_LEVEL = 10 ** (-14 / 20);

/** Frame length of the loud level, s. */
export const LEVEL_FRAME_SEC = 0.05;

/** Samples in a frame of `frameSec` seconds (at least 1). */
export function frameSamples(frameSec: number, sampleRate: number): number {
  return Math.max(1, Math.round(frameSec * sampleRate));
}

/** RMS of consecutive frames of `frameSec` seconds (a trailing partial frame is dropped). */
export function frameRms(mono: Float32Array, sampleRate: number, frameSec = LEVEL_FRAME_SEC): Float64Array {
  const frame = frameSamples(frameSec, sampleRate);
  const count = Math.floor(mono.length / frame);
  const rms = new Float64Array(count);
  for (let f = 0; f < count; f++) {
    let ss = 0;
    for (let i = f * frame, end = i + frame; i < end; i++) ss += mono[i] * mono[i];
    rms[f] = Math.sqrt(ss / frame);
  }
  return rms;
}

/**
 * The 95th percentile of the frame RMS values within 40 dB of the loudest frame (0 for none).
 * Frames further down are silence or hiss as far as the loud parts go; leaving them out, a song
 * after minutes of hiss (a hidden track) reads its own level rather than the hiss's. (With 60 dB,
 * a song after 7 minutes of −71 dBFS hiss took the hiss's level, and its beats ran through the
 * hiss: 1033 beats for a 20 s song.)
 */
export function loudOf(rms: Float64Array): number {
  let max = 0;
  for (const v of rms) if (v > max) max = v;
  const sorted = Float64Array.from(rms.filter((v) => v >= max * 1e-2)).sort();
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))];
}

/** Loud level of a mono signal ({@link loudOf} its {@link LEVEL_FRAME_SEC} frame RMS). Silence or empty → 0. */
export function loudLevel(mono: Float32Array, sampleRate: number): number {
  return loudOf(frameRms(mono, sampleRate));
}

/** Below this level (−90 dBFS, linear amplitude) a frame is silence whatever the rest of the signal. */
export const SILENCE_FLOOR = 10 ** (-90 / 20);

/**
 * Factor by which a log-compression gain tuned at {@link REFERENCE_LEVEL} is scaled for a signal
 * whose loud level is `level`. A signal whose loud level is under {@link SILENCE_FLOOR} is silence
 * → 1: there is nothing to compress, and a huge gain would only amplify its noise floor.
 */
export function levelGain(level: number): number {
  return level > SILENCE_FLOOR ? REFERENCE_LEVEL / level : 1;
}
