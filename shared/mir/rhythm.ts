/**
 * The rhythm path in one call: SuperFlux onset envelope (band-weighted: kick and bass count as
 * much as hats) → global tempo (windowed autocorrelation comb with a log-normal prior; the
 * metrical level settled by the bands below 2 kHz) → beats (Ellis dynamic programming with a
 * local tempo curve; sections that slipped off the song's majority beat grid are moved back onto
 * it) → beat-phase check by harmonic change (rhythm-phase.ts: syncopated music whose loudest
 * onsets are off-beat) → beats moved onto their attacks (beat-attack.ts) → beats without an
 * onset of their own settled onto the grid of those with one, along the tempo curve
 * (beat-settle.ts) → meter and downbeats (harmonic change and bass energy at bar starts).
 * The reported tempo is refined from the tracked beats (least-squares beat period), far more
 * precise than the lag grid.
 *
 * Spectrogram used: nFft 2048, hop 512 at 22050 Hz (43.07 frames/s), the one the descriptor and
 * structure modules read too, shared through {@link AnalysisSignal}; sub-frame beat times come
 * from the peaks of a smoothed onset envelope of the bands above 250 Hz, and beats without an
 * onset are placed on the grid of their neighbours ({@link placeBeats}), so that the MP3 and the
 * WAV of a song give the same beats within a few milliseconds.
 * Degenerate input (silence, a clip shorter than 2 s, no periodicity) → tempo null, beatsPerBar
 * null, no beats; never an exception.
 */
import type { BeatEvent, TempoEstimate } from '../contracts/music.js';
import { NEIGHBOUR_GRID_BEATS, mapRunsBetweenGaps, onsetGate, placeBeats, trackBeats, type BeatOptions } from './beats.js';
import { gapsOfFrames } from './silence.js';
import { LEVEL_FRAME_SEC, frameSamples } from './level.js';
import { estimateDownbeats, type DownbeatOptions } from './downbeats.js';
import { computeOnsetEnvelope, type OnsetBandGroup, type OnsetEnvelope, type OnsetOptions } from './onset.js';
import { alignBeatsToAttacks, type AttackOptions } from './beat-attack.js';
import { settleBeatsBetweenGaps, type SettleOptions } from './beat-settle.js';
import type { AnalysisSignal } from './signal.js';
import { estimateTempo, type TempoOptions } from './tempo.js';
import { correctBeatPhase, type PhaseOptions } from './rhythm-phase.js';

/**
 * Band groups of the envelope on which beats are placed at sub-frame precision
 * ({@link placeBeats}): the bands above 250 Hz only. Below 250 Hz a long-block MP3 encoding
 * smears a kick drum's attack over ~25 ms and moves its flux peak by a quarter frame; the click
 * of the same drum and the other attacks above it keep their timing (high-frequency content
 * marks percussive onsets most precisely: Masri 1996; Bello et al. 2005, "A tutorial on onset
 * detection in music signals", IEEE TSAP 13(5)).
 */
export const PLACEMENT_BAND_GROUPS: readonly OnsetBandGroup[] = [
  { maxHz: 250, weight: 0 },
  { maxHz: 2000, weight: 1 },
  { maxHz: Infinity, weight: 0.5 },
];

/**
 * Band groups of the envelope that settles the metrical level of the tempo (estimateTempo's
 * `octaveEnvelope`): the bands below 2 kHz only. The tactus is carried by kick, snare, bass and
 * chords; the hats above them mark the subdivision, and a slow ballad's straight eighth-note hats
 * otherwise pull its tempo to the double (on the dev songs: four ballads at 66–73 BPM read at
 * twice their tempo with the hats in, none without; the 3:2 choice stays with the full envelope,
 * which a metal song's sixteenth-note kicks would otherwise mislead).
 */
export const TACTUS_BAND_GROUPS: readonly OnsetBandGroup[] = [
  { maxHz: 250, weight: 2 },
  { maxHz: 2000, weight: 1 },
  { maxHz: Infinity, weight: 0 },
];

export interface RhythmOptions {
  /** FFT size of the shared spectrogram. Default {@link RHYTHM_N_FFT}. */
  nFft?: number;
  /** Hop of the shared spectrogram, samples. Default {@link RHYTHM_HOP_LENGTH}. */
  hopLength?: number;
  onset?: OnsetOptions;
  /** Options of the envelope that places the beats, over `onset` (default band groups {@link PLACEMENT_BAND_GROUPS}). */
  placement?: OnsetOptions;
  tempo?: TempoOptions;
  beats?: BeatOptions;
  downbeats?: DownbeatOptions;
  /** Harmonic beat-phase check (false disables it). */
  phase?: PhaseOptions | false;
  /**
   * Beats moved onto their attacks (beat-attack.ts); false keeps the tracker's placement, which
   * sits 10 to 20 ms after the attacks (bench/rhythm-dev.ts prints the mean lag).
   */
  attacks?: AttackOptions | false;
  /** Beats without an onset of their own settled onto the grid of those with one (beat-settle.ts); false leaves them where they are. */
  settle?: SettleOptions | false;
  /** Fewest beats for a rhythm to be reported. Default 4. */
  minBeats?: number;
}

export interface RhythmAnalysis {
  tempo: TempoEstimate | null;
  beatsPerBar: number | null;
  beats: BeatEvent[];
  onset: OnsetEnvelope;
  /** Silent stretches [start, end) in seconds (silence.ts findSilentGaps); no beat is tracked across them. */
  gaps: Array<[number, number]>;
}

/** FFT size of the spectrogram the rhythm path reads (shared with the other MIR modules). */
export const RHYTHM_N_FFT = 2048;
/** Hop of the spectrogram the rhythm path reads, samples at 22050 Hz. */
export const RHYTHM_HOP_LENGTH = 512;

/**
 * Tempo (BPM) from beat times: each beat is numbered by the rounded count of median inter-beat
 * intervals since the previous one (so a missed beat does not halve the tempo), and the beat
 * period is the least-squares slope of time against beat number. Null for fewer than 2 beats.
 */
export function tempoFromBeats(beatTimesSec: number[]): number | null {
  const n = beatTimesSec.length;
  if (n < 2) return null;
  const ibi: number[] = [];
  for (let i = 1; i < n; i++) ibi.push(beatTimesSec[i] - beatTimesSec[i - 1]);
  const sorted = [...ibi].sort((a, b) => a - b);
  const med = sorted[sorted.length >> 1];
  if (!(med > 0)) return null;
  let k = 0;
  let sk = 0;
  let st = 0;
  let skk = 0;
  let skt = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) k += Math.max(1, Math.round(ibi[i - 1] / med));
    const t = beatTimesSec[i];
    sk += k;
    st += t;
    skk += k * k;
    skt += k * t;
  }
  const den = n * skk - sk * sk;
  const period = den > 0 ? (n * skt - sk * st) / den : med;
  return period > 0 ? 60 / period : null;
}

/**
 * The half-period shift of the phase check adds a beat before the first tracked beat and one
 * after the last; each stays only where `hasOnset` finds the onset the tracker's own end beats
 * need ({@link onsetGate}). Otherwise the added last beat sits in the release of the last note,
 * where the only onsets are a codec's noise (generator seed 89 at 60 s: a beat after the music,
 * 6 ms apart between its WAV and its VBR MP3).
 */
function keepAddedEdgesOnOnsets(shifted: number[], tracked: number[], hasOnset: (t: number) => boolean): number[] {
  let a = 0;
  let b = shifted.length;
  if (b > 0 && tracked.length > 0 && shifted[0] < tracked[0] && !hasOnset(shifted[0])) a++;
  if (b > a && tracked.length > 0 && shifted[b - 1] > tracked[tracked.length - 1] && !hasOnset(shifted[b - 1])) b--;
  return shifted.slice(a, b);
}

/**
 * The harmonic phase check (`check`) on each run of beats between silent `gaps` (seconds), as
 * the tracker aligns each run on its own grid: after a silence the music, and the path, may
 * resume on either phase, and one check over the whole song reads a run on the beat and one on
 * the off-beats as a draw (generator seed 44 with 6 s of silence at 24 s: every beat after the
 * gap half a beat early). The caller's check measures whether off-beats are plausible beats
 * over the whole song (`onsetPhaseBeats`). Beats inside a gap stay as they are. Returns the
 * beats with every shifted run in place (its added edge beats kept only on an onset,
 * {@link keepAddedEdgesOnOnsets}), or null when no run moved.
 */
function correctPhaseBetweenGaps(beats: number[], gaps: Array<[number, number]>, check: (run: number[]) => { beats: number[]; shifted: boolean }, hasOnset: (t: number) => boolean): number[] | null {
  let moved = false;
  const out = mapRunsBetweenGaps(beats, gaps, (run) => {
    const r = check(run);
    if (!r.shifted) return run;
    moved = true;
    return keepAddedEdgesOnOnsets(r.beats, run, hasOnset);
  });
  return moved ? out : null;
}

/** Analyse tempo, beats, meter and downbeats of the signal. */
export function analyzeRhythm(signal: AnalysisSignal, options: RhythmOptions = {}): RhythmAnalysis {
  const nFft = options.nFft ?? RHYTHM_N_FFT;
  const hopLength = options.hopLength ?? RHYTHM_HOP_LENGTH;
  const onset = computeOnsetEnvelope(signal, { nFft, hopLength, ...options.onset });
  const gaps = gapsOfFrames(signal.frameRms(), frameSamples(LEVEL_FRAME_SEC, signal.sampleRate), signal.sampleRate);
  const empty: RhythmAnalysis = { tempo: null, beatsPerBar: null, beats: [], onset, gaps };
  const tactus = computeOnsetEnvelope(signal, { nFft, hopLength, ...options.onset, bandGroups: TACTUS_BAND_GROUPS });
  const tempo = estimateTempo(onset, { octaveEnvelope: tactus, ...options.tempo });
  if (!tempo) return empty;
  const placement = computeOnsetEnvelope(signal, { nFft, hopLength, ...options.onset, bandGroups: PLACEMENT_BAND_GROUPS, ...options.placement });
  const tracked = trackBeats(onset, tempo, { placement, gaps, ...options.beats });
  const shifted = options.phase === false ? null : correctPhaseBetweenGaps(tracked, gaps, (run) => correctBeatPhase(signal, onset, run, { nFft, hopLength, onsetPhaseBeats: tracked, ...(options.phase || {}) }), onsetGate(onset, gaps, options.beats?.trimRatio));
  const placed = shifted ? placeBeats(placement, shifted, { neighbourGridBeats: options.beats?.neighbourGridBeats ?? NEIGHBOUR_GRID_BEATS }) : tracked;
  const attacked = options.attacks === false ? placed : alignBeatsToAttacks(signal.mono, signal.sampleRate, placed, { level: signal.loudLevel(), ...options.attacks });
  const beatTimes = options.settle === false ? attacked : settleBeatsBetweenGaps(onset, placement, attacked, gaps, tempoFromBeats(attacked) ?? tempo.bpm, options.settle, options.beats);
  if (beatTimes.length < (options.minBeats ?? 4)) return empty;
  const bpm = tempoFromBeats(beatTimes) ?? tempo.bpm;
  const { beatsPerBar, beats } = estimateDownbeats(signal, beatTimes, { nFft, hopLength, ...options.downbeats, onset, gaps });
  return { tempo: { bpm, confidence: tempo.confidence }, beatsPerBar, beats, onset, gaps };
}
