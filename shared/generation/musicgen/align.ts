/**
 * Fit generated audio to a requested tempo and length (the last step of the MusicGen path):
 *  1. estimate the audio's tempo and beats with the project's rhythm analysis (analyzeRhythm on a
 *     22 050 Hz AnalysisSignal; tempo = least-squares beat period, tempoFromBeats);
 *  2. fold tempo octaves (×½, ×1, ×2: a half-time feel is not a different tempo) and time-stretch
 *     by ratio = estimated / requested BPM with WSOLA (pitch unchanged);
 *  3. move the first downbeat (first beat with position 1 in the bar; else the first beat) to
 *     time 0, snapped to the sharpest energy rise within ±25 ms (the beat tracker's frames are
 *     11.6 ms apart);
 *  4. trim or zero-pad to exactly round(durationSec × sampleRate) samples, with a short fade-in
 *     and a fade-out at the end of the audio.
 * Pure. Degenerate input (silence, no detectable beat) is only trimmed/padded and faded; without
 * a requested BPM nothing is stretched (the downbeat is still moved to 0).
 */
import { resampleMono } from '../../audio/resample.js';
import type { AudioBuffer } from '../../audio/types.js';
import { InvalidRequestError } from '../../errors.js';
import { analyzeRhythm, tempoFromBeats } from '../../mir/rhythm.js';
import { ANALYSIS_SAMPLE_RATE, AnalysisSignal } from '../../mir/signal.js';
import { stretchWsola, type WsolaOptions } from './wsola.js';

export interface AlignToTempoOptions {
  /** Requested tempo, BPM; omit to keep the generated tempo. */
  bpm?: number;
  /** Requested length, seconds (> 0). */
  durationSec: number;
  /** Fade-in at the new start, seconds. Default 0.002. */
  fadeInSec?: number;
  /** Fade-out at the end of the audio, seconds. Default 0.05. */
  fadeOutSec?: number;
  /** Window of the onset snap around the tracked downbeat, seconds. Default 0.025. */
  snapSec?: number;
  wsola?: WsolaOptions;
}

export interface TempoAlignment {
  audio: AudioBuffer;
  /** Tempo found in the input, BPM (null: no beat found). */
  estimatedBpm: number | null;
  /** Applied time-stretch ratio (output/input duration); 1 = untouched. */
  stretchRatio: number;
  /** Where the first downbeat was in the stretched audio (cut there), seconds. */
  downbeatSec: number;
  /** Samples of zero padding added at the end (the input was too short). */
  paddedSamples: number;
}

function mixMono(channels: readonly Float32Array[]): Float32Array {
  const n = channels[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const c of channels) for (let i = 0; i < n; i++) out[i] += c[i] / channels.length;
  return out;
}

/** Sample index of the sharpest energy rise (1 ms windows) within ±window of `centre`. */
export function snapToOnset(mono: Float32Array, sampleRate: number, centre: number, windowSamples: number): number {
  const w = Math.max(4, Math.round(0.001 * sampleRate));
  const lo = Math.max(w, centre - windowSamples);
  const hi = Math.min(mono.length - w, centre + windowSamples);
  if (hi <= lo) return Math.max(0, Math.min(mono.length, centre));
  const prefix = new Float64Array(hi - lo + 2 * w + 1);
  const base = lo - w;
  for (let i = 0; i < prefix.length - 1; i++) prefix[i + 1] = prefix[i] + mono[base + i] ** 2;
  const energy = (from: number, to: number) => prefix[to - base] - prefix[from - base];
  let bestRise = 0;
  const rises = new Float64Array(hi - lo + 1);
  for (let i = lo; i <= hi; i++) {
    const r = energy(i, i + w) - energy(i - w, i);
    rises[i - lo] = r;
    if (r > bestRise) bestRise = r;
  }
  if (!(bestRise > 0)) return centre;
  for (let i = lo; i <= hi; i++) if (rises[i - lo] >= 0.9 * bestRise) return i;
  return centre;
}

/** Stretch, downbeat-align and trim audio to the requested tempo and length (see module doc). */
export function alignToTempo(audio: AudioBuffer, options: AlignToTempoOptions): TempoAlignment {
  const sr = audio.sampleRate;
  const { bpm, durationSec } = options;
  if (!(durationSec > 0)) throw new InvalidRequestError(`durationSec must be > 0 (got ${durationSec})`);
  if (bpm !== undefined && !(bpm >= 20 && bpm <= 300)) throw new InvalidRequestError(`bpm must be in [20, 300] (got ${bpm})`);
  const target = Math.round(durationSec * sr);
  let channels = audio.channels.length > 0 ? audio.channels.map((c) => c) : [new Float32Array(0)];

  const mono22 = resampleMono(mixMono(channels), sr, ANALYSIS_SAMPLE_RATE);
  const rhythm = mono22.length > 0 ? analyzeRhythm(new AnalysisSignal(mono22, ANALYSIS_SAMPLE_RATE)) : null;
  const beats = rhythm?.beats ?? [];
  const estimatedBpm = beats.length >= 2 ? tempoFromBeats(beats.map((b) => b.timeSec)) ?? rhythm?.tempo?.bpm ?? null : rhythm?.tempo?.bpm ?? null;

  let ratio = 1;
  if (bpm !== undefined && estimatedBpm !== null && estimatedBpm > 0) {
    let bestFold = 1;
    for (const fold of [0.5, 1, 2]) {
      if (Math.abs(Math.log((estimatedBpm * fold) / bpm)) < Math.abs(Math.log((estimatedBpm * bestFold) / bpm))) bestFold = fold;
    }
    ratio = (estimatedBpm * bestFold) / bpm;
    if (Math.abs(ratio - 1) < 1e-4) ratio = 1;
  }
  if (ratio !== 1) channels = stretchWsola(channels, sr, ratio, options.wsola);

  let cut = 0;
  if (beats.length > 0) {
    const first = beats.find((b) => b.positionInBar === 1) ?? beats[0];
    const centre = Math.round(first.timeSec * ratio * sr);
    cut = snapToOnset(mixMono(channels), sr, centre, Math.round((options.snapSec ?? 0.025) * sr));
  }

  const available = Math.max(0, (channels[0]?.length ?? 0) - cut);
  const kept = Math.min(available, target);
  const fadeIn = Math.min(kept, Math.round((options.fadeInSec ?? 0.002) * sr));
  const fadeOut = Math.min(kept, Math.round((options.fadeOutSec ?? 0.05) * sr));
  const out = channels.map((c) => {
    const y = new Float32Array(target);
    y.set(c.subarray(cut, cut + kept));
    if (cut > 0) for (let i = 0; i < fadeIn; i++) y[i] *= i / fadeIn;
    for (let i = 0; i < fadeOut; i++) y[kept - 1 - i] *= i / fadeOut;
    return y;
  });
  return {
    audio: { sampleRate: sr, channels: out },
    estimatedBpm,
    stretchRatio: ratio,
    downbeatSec: cut / sr,
    paddedSamples: target - kept,
  };
}
