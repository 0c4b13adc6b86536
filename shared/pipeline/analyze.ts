/**
 * The analysis pipeline: the same steps the CLI runs on a file and the Functions activities run on
 * blobs. Decode once, separate, analyse, annotate. Pure apart from the work it is given: no I/O.
 */
import { decodeAudio } from '../audio/decode.js';
import { mixToAnalysisMono } from '../audio/resample.js';
import { type AudioBuffer, type AudioInfo, durationOf } from '../audio/types.js';
import type { MusicDescription } from '../contracts/music.js';
import { buildJams } from '../jams/build.js';
import type { JamsAnnotation, JamsDocument } from '../jams/types.js';
import { assertValidJams } from '../jams/validate.js';
import { computeDescriptors } from '../mir/descriptors.js';
import type { LoudnessMeasure } from '../mir/loudness.js';
import { analyzeRhythm } from '../mir/rhythm.js';
import { estimateSections } from '../mir/segments.js';
import { dropBeatsInGaps } from '../mir/silence.js';
import { ANALYSIS_SAMPLE_RATE, AnalysisSignal } from '../mir/signal.js';
import { analyzeTonal } from '../mir/tonal.js';
import { startTonalThread, type TonalThread } from '../mir/tonalThread.js';
import { encodeWav, type WavBitDepth } from '../audio/wav.js';
import { createParallelDspSeparator, feedSeparationToWav, startSeparationCrew } from '../separation/parallel.js';
import type { Separator } from '../separation/types.js';
import { VERSION } from '../version.js';

/** Progress: a named stage and the fraction of the whole job done, 0..1. */
export type ProgressFn = (stage: string, fraction: number) => void;

export interface AnalyzeMixOptions {
  onProgress?: ProgressFn;
  /** Largest spectrogram kept whole, bytes (default: AnalysisSignal's); longer ones are visited in blocks. */
  spectrogramCacheBytes?: number;
  /** A thread for the tonal features beside the rhythm analysis (when a core is free); released when done. */
  tonalThread?: TonalThread;
}

/** Wall time of each MIR step, seconds. */
export type StepTimes = Record<string, number>;

/** Run `fn`, recording its wall time in seconds as `timings[name]`. */
function timed<T>(timings: StepTimes, name: string, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  timings[name] = (performance.now() - t0) / 1000;
  return out;
}

/** {@link timed} for an asynchronous step: the wall time until `fn`'s promise settles. */
async function timedAsync<T>(timings: StepTimes, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  timings[name] = (performance.now() - t0) / 1000;
  return out;
}

/**
 * Estimate tempo, beats and meter, tuning, key, chords, sections and descriptors of a mix.
 * Works on any sample rate and channel count; silence and very short clips give an honest empty
 * description (no tempo, no beats, key null, a single N chord) rather than an error.
 */
export async function analyzeMix(mix: AudioBuffer, options: AnalyzeMixOptions = {}): Promise<MusicDescription & { timings: StepTimes }> {
  const timings: StepTimes = {};
  const thread = options.tonalThread;
  const mono = await timedAsync(timings, 'resample', async () => (thread ? thread.analysisMono(mix, ANALYSIS_SAMPLE_RATE) : mixToAnalysisMono(mix, ANALYSIS_SAMPLE_RATE)));
  return describeAnalysisSignal(mono, durationOf(mix), mix, options, timings);
}

/**
 * {@link analyzeMix} from the analysis signal (the mix's {@link mixToAnalysisMono} at
 * {@link ANALYSIS_SAMPLE_RATE}), the mix's duration (s), and the mix itself or its loudness
 * measured while it streamed. `timings` gets each step's wall time.
 */
export async function describeAnalysisSignal(
  mono: Float32Array,
  durationSec: number,
  loudnessOf: AudioBuffer | LoudnessMeasure,
  options: AnalyzeMixOptions = {},
  timings: StepTimes = {},
): Promise<MusicDescription & { timings: StepTimes }> {
  const progress = options.onProgress ?? (() => {});
  const time = <T>(name: string, fn: () => T): T => timed(timings, name, fn);
  const signal = new AnalysisSignal(mono, ANALYSIS_SAMPLE_RATE, options.spectrogramCacheBytes);
  options.tonalThread?.compute(signal);
  progress('rhythm', 0.1);
  const rhythm = time('rhythm', () => {
    const r = analyzeRhythm(signal);
    return { ...r, beats: dropBeatsInGaps(r.beats, r.gaps) };
  });
  progress('tonal', 0.4);
  const beatTimes = rhythm.beats.map((b) => b.timeSec);
  const features = options.tonalThread ? await options.tonalThread.features(signal) : undefined;
  const tonal = time('tonal', () => analyzeTonal(signal, beatTimes, {}, features));
  progress('structure', 0.7);
  const sections = time('structure', () => estimateSections(signal, rhythm.beats, rhythm.beatsPerBar, tonal.chroma));
  progress('descriptors', 0.85);
  const descriptors = time('descriptors', () => computeDescriptors(loudnessOf, signal));
  progress('done', 1);
  return {
    durationSec,
    tempo: rhythm.tempo,
    beatsPerBar: rhythm.beatsPerBar,
    beats: rhythm.beats,
    key: tonal.key,
    tuningHz: tonal.tuningHz,
    chords: tonal.chords,
    sections,
    descriptors,
    timings,
  };
}

let defaultSeparator: Separator | undefined;

/**
 * Separate a mix into vocals, drums, bass and other with the given separator (default: the DSP
 * separator on every core). The DSP separator works on worker threads, so the caller may run
 * other work (the MIR) before awaiting the promise; the two then overlap.
 */
export async function separateMix(
  mix: AudioBuffer,
  options: { separator?: Separator; onProgress?: (fraction: number) => void } = {},
): Promise<Record<string, AudioBuffer>> {
  const separator = options.separator ?? (defaultSeparator ??= createParallelDspSeparator());
  return separator.separate(mix, { onProgress: options.onProgress });
}

/** Algorithms and parameters recorded in each annotation's sandbox. */
const ALGORITHMS = {
  tempo: { name: 'stemflow.rhythm', parameters: { method: 'log-mel spectral flux + autocorrelation with log-normal prior' } },
  beat: { name: 'stemflow.beats', parameters: { method: 'dynamic programming (Ellis 2007) + bar-phase downbeats' } },
  key: { name: 'stemflow.key', parameters: { method: 'bass-weighted tuned chroma × diatonic key profile + tonic-chord share + final chord' } },
  chord: { name: 'stemflow.chords', parameters: { method: 'beat-synchronous chroma templates + Viterbi' } },
  segment: { name: 'stemflow.sections', parameters: { method: 'beat-synchronous self-similarity, novelty, repetition clustering' } },
  tuning: { name: 'stemflow.tuning', parameters: { method: 'spectral peak deviation histogram' } },
} as const;

/** Build the JAMS annotation for a description and validate it; throws if it is invalid. */
export function buildAnnotation(
  desc: MusicDescription,
  info: AudioInfo,
  extras: { wallTimeSec: number; extraAnnotations?: object[] },
): JamsDocument {
  const doc = buildJams(desc, {
    title: info.tags.title,
    artist: info.tags.artist,
    annotationType: 'estimate',
    toolName: 'stemflow',
    toolVersion: VERSION,
    algorithms: ALGORITHMS,
    wallTimeSec: extras.wallTimeSec,
    extraAnnotations: extras.extraAnnotations as JamsAnnotation[] | undefined,
  });
  assertValidJams(doc);
  return doc;
}

export interface FileAnalysis {
  info: AudioInfo;
  description: MusicDescription & { timings: StepTimes };
  jams: JamsDocument;
  /** The stems as WAV files (see {@link AnalyzeFileOptions.stemBitDepth}); null when separation was not asked for. */
  stems: Record<string, Uint8Array> | null;
  wallTimeSec: number;
}

export interface AnalyzeFileOptions {
  /** Separate stems too (default true). */
  separate?: boolean;
  /** Sample format of the stem WAVs: 16 (default) or 24-bit PCM, 32 = float. */
  stemBitDepth?: WavBitDepth;
  maxDurationSec?: number;
  separator?: Separator;
  onProgress?: ProgressFn;
}

/** Separate a mix with another separator than the default, then encode its stems as WAV files. */
async function separateToWav(mix: AudioBuffer, bitDepth: WavBitDepth, separator: Separator, onProgress: (f: number) => void): Promise<Record<string, Uint8Array>> {
  const stems = await separateMix(mix, { separator, onProgress });
  return Object.fromEntries(Object.entries(stems).map(([name, audio]) => [name, encodeWav(audio, { bitDepth })]));
}

/** Decode an encoded audio file and run the whole analysis on it. */
export async function analyzeEncoded(bytes: Uint8Array, options: AnalyzeFileOptions = {}): Promise<FileAnalysis> {
  const t0 = performance.now();
  const progress = options.onProgress ?? (() => {});
  progress('decode', 0);
  const doSeparate = options.separate ?? true;
  const bitDepth = options.stemBitDepth ?? 16;
  // Separation progress shows once the MIR is done, so that the reported fraction only grows.
  let mirDone = false;
  const onSeparation = (f: number): void => {
    if (mirDone) progress('separate', 0.5 + 0.45 * f);
  };
  // The default separator's threads load at once and start on the mix while this thread is
  // still decoding it (when the header gives its length).
  const feed = doSeparate && !options.separator ? feedSeparationToWav(bitDepth, { crew: startSeparationCrew(), run: { onProgress: onSeparation } }) : undefined;
  // Without separation the second core would idle: half the MP3 decode and the tonal features run there.
  const tonalThread = doSeparate ? undefined : startTonalThread();
  let decoded: Awaited<ReturnType<typeof decodeAudio>>;
  try {
    decoded = await decodeAudio(bytes, { maxDurationSec: options.maxDurationSec, observer: feed, mp3Helper: tonalThread?.mp3Tail });
  } catch (err) {
    feed?.cancel();
    tonalThread?.release();
    throw err;
  }
  const { audio, info } = decoded;
  // The separation runs on worker threads while this thread runs the MIR.
  const separating = !doSeparate
    ? null
    : options.separator
      ? separateToWav(audio, bitDepth, options.separator, onSeparation)
      : feed!.separation(audio).result();
  // A failure is awaited below; until then it must not count as unhandled.
  separating?.catch(() => {});
  const description = await analyzeMix(audio, { tonalThread, onProgress: (stage, f) => progress(stage, 0.05 + 0.45 * f) }).finally(() => tonalThread?.release());
  mirDone = true;
  let stems: Record<string, Uint8Array> | null = null;
  if (separating) {
    progress('separate', 0.5);
    stems = await separating;
  }
  const wallTimeSec = (performance.now() - t0) / 1000;
  const jams = buildAnnotation(description, info, { wallTimeSec });
  progress('done', 1);
  return { info, description, jams, stems, wallTimeSec };
}
