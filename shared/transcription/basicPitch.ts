/**
 * Polyphonic note transcription with Basic Pitch (Bittner, Bosch, Rubinstein, Meseguer-Brocal &
 * Ewert, "A Lightweight Instrument-Agnostic Model for Polyphonic Note Transcription and
 * Multipitch Estimation", ICASSP 2022), through the `@spotify/basic-pitch` npm package
 * (Apache-2.0), which ships the trained TensorFlow.js graph model (≈0.9 MB) inside the package.
 *
 * This module is an adapter: it reads the model files from the installed package with node:fs
 * (never a URL) and runs them on `@tensorflow/tfjs` with the WebAssembly backend
 * (`@tensorflow/tfjs-backend-wasm`, whose .wasm binaries are also read from node_modules) or the
 * pure-JavaScript 'cpu' backend. The model is loaded once per process and backend, then reused.
 *
 * Method, as the reference implementation: mono audio at 22 050 Hz is cut into 2 s windows
 * (43 844 samples) overlapping by 30 model frames (hop 256 samples), after 15 frames of leading
 * zeros; each window gives frame, onset and contour posteriorgrams (88 semitones, A0–C8, 86 frames
 * per second); 15 frames are dropped at each window edge and the rest concatenated. Notes are
 * then extracted with the package's own `outputToNotesPoly` (peak-picked onsets above
 * `onsetThreshold`, extended while frame activation stays above `frameThreshold`, plus the
 * "melodia trick" for notes without a clear onset) and timed with `noteFramesToTime`.
 *
 * The tfjs backend is process-global: do not run 'wasm' and 'cpu' transcriptions concurrently in
 * one process (the benchmark runs them one after the other).
 *
 * Units: seconds, MIDI note numbers, activations 0–1. Degenerate input: empty audio returns []
 * without loading the model; silence returns [] (the model finds no notes).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resampleMono } from '../audio/resample.js';
import type { AudioBuffer } from '../audio/types.js';
import { InvalidAudioParametersError, StemflowError } from '../errors.js';
import { suppressHarmonicNotes, type SuppressHarmonicsOptions } from './harmonics.js';
import type { NoteEvent } from './types.js';

type Tf = typeof import('@tensorflow/tfjs');
type BasicPitchLib = typeof import('@spotify/basic-pitch');
type GraphModel = Awaited<ReturnType<Tf['loadGraphModel']>>;
type LibNoteEvent = ReturnType<BasicPitchLib['outputToNotesPoly']>[number];

const require = createRequire(import.meta.url);

/** The model's input sample rate, Hz. */
export const BASIC_PITCH_SAMPLE_RATE = 22050;
/** Model frame hop, samples at 22 050 Hz. */
export const BASIC_PITCH_HOP_LENGTH = 256;
/** Frames per second as the reference code counts them: floor(22050 / 256) = 86. */
export const BASIC_PITCH_FRAMES_PER_SECOND = Math.floor(BASIC_PITCH_SAMPLE_RATE / BASIC_PITCH_HOP_LENGTH);
/** MIDI number of the first of the 88 output bins (A0). */
export const BASIC_PITCH_MIDI_OFFSET = 21;
const N_PITCHES = 88;
const WINDOW_SAMPLES = BASIC_PITCH_SAMPLE_RATE * 2 - BASIC_PITCH_HOP_LENGTH; // 43 844
const WINDOW_FRAMES = 172;
const OVERLAP_FRAMES = 30;
const HALF_OVERLAP_FRAMES = OVERLAP_FRAMES / 2;
const OVERLAP_SAMPLES = OVERLAP_FRAMES * BASIC_PITCH_HOP_LENGTH; // 7 680
const WINDOW_HOP_SAMPLES = WINDOW_SAMPLES - OVERLAP_SAMPLES; // 36 164
const KEPT_FRAMES = WINDOW_FRAMES - OVERLAP_FRAMES; // 142
const OUTPUT_FRAMES = 'Identity_1';
const OUTPUT_ONSETS = 'Identity_2';

/** TensorFlow.js backend: 'wasm' (default, ≈10× faster) or the pure-JavaScript 'cpu'. */
export type TfBackendName = 'wasm' | 'cpu';

export interface TranscribeNotesOptions {
  /** Default 'wasm'. */
  backend?: TfBackendName;
  /** Onset peak threshold, 0–1. Default 0.5 (the reference default). */
  onsetThreshold?: number;
  /** Frame activation threshold that keeps a note sounding, 0–1. Default 0.3 (the reference default). */
  frameThreshold?: number;
  /** Shortest note kept, seconds. Default 0.1277 (the reference's 127.70 ms = 11 frames). */
  minNoteLengthSec?: number;
  /** Drop notes below this fundamental, Hz. Default null (no limit). */
  minFrequencyHz?: number | null;
  /** Drop notes above this fundamental, Hz. Default null (no limit). */
  maxFrequencyHz?: number | null;
  /** Add onsets inferred from frame-activation rises. Default true. */
  inferOnsets?: boolean;
  /** Also pick notes without a clear onset from strong frame activations. Default true. */
  melodiaTrick?: boolean;
  /** Frames a note may dip below the frame threshold before it ends. Default 11. */
  energyToleranceFrames?: number;
  /** Windows per model call (memory/speed trade-off). Default 4. */
  batchWindows?: number;
  /**
   * Drop weaker notes 12/19/24 semitones above a louder simultaneous note (partials reported as
   * notes; see suppressHarmonicNotes). For monophonic stems such as bass and lead vocals.
   * Default false; true or options enable it.
   */
  suppressHarmonics?: boolean | SuppressHarmonicsOptions;
}

/** Frame and onset posteriorgrams, frame-major: x[t * 88 + (midi − 21)]. */
export interface BasicPitchPosteriors {
  numFrames: number;
  frames: Float32Array;
  onsets: Float32Array;
}

/** Basic Pitch could not be loaded (package or backend missing/broken). Not retryable. */
export class TranscriptionModelError extends StemflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('transcription_model_unavailable', message, false, options);
  }
}

interface LoadedRuntime {
  tf: Tf;
  lib: BasicPitchLib;
}

let runtimePromise: Promise<LoadedRuntime> | null = null;
const modelPromises = new Map<TfBackendName, Promise<GraphModel>>();

/** Paths of the model files shipped inside `@spotify/basic-pitch` (model.json + weight shards). */
export function basicPitchModelPaths(): { modelJson: string; directory: string } {
  let modelJson: string;
  try {
    modelJson = require.resolve('@spotify/basic-pitch/model/model.json');
  } catch (err) {
    throw new TranscriptionModelError('@spotify/basic-pitch is not installed: run `npm install @spotify/basic-pitch`', { cause: err });
  }
  return { modelJson, directory: dirname(modelJson) };
}

function loadRuntime(): Promise<LoadedRuntime> {
  runtimePromise ??= (async () => {
    try {
      const tf = require('@tensorflow/tfjs') as Tf;
      // Production mode: no debug checks, and no "install tfjs-node" console banner.
      tf.env().set('PROD', true);
      const lib = require('@spotify/basic-pitch') as BasicPitchLib;
      return { tf, lib };
    } catch (err) {
      runtimePromise = null;
      throw new TranscriptionModelError(`cannot load @tensorflow/tfjs / @spotify/basic-pitch: ${(err as Error).message}`, { cause: err });
    }
  })();
  return runtimePromise;
}

/** Select (and initialise once) a tfjs backend; wasm binaries are read from node_modules. */
async function useBackend(tf: Tf, backend: TfBackendName): Promise<void> {
  if (tf.getBackend() === backend && tf.engine().backendNames().includes(backend)) return;
  if (backend === 'wasm' && !tf.engine().registryFactory.wasm) {
    try {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // A directory path (not a URL): emscripten reads the .wasm with fs in Node.
      wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
    } catch (err) {
      throw new TranscriptionModelError(`tfjs wasm backend unavailable (npm install @tensorflow/tfjs-backend-wasm@3): ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new TranscriptionModelError(`tfjs backend '${backend}' failed to initialise`);
  await tf.ready();
}

/** Read the packaged graph model with node:fs into a tfjs IOHandler (no fetch, no URL). */
function packagedModelHandler(): import('@tensorflow/tfjs').io.IOHandler {
  const { modelJson, directory } = basicPitchModelPaths();
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(modelJson, 'utf8')) as {
        modelTopology: unknown;
        format?: string;
        generatedBy?: string;
        convertedBy?: string;
        signature?: unknown;
        userDefinedMetadata?: Record<string, object>;
        weightsManifest: Array<{ paths: string[]; weights: Array<import('@tensorflow/tfjs').io.WeightsManifestEntry> }>;
      };
      const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(directory, p))));
      const total = shards.reduce((n, s) => n + s.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const s of shards) {
        weightData.set(s, offset);
        offset += s.byteLength;
      }
      return {
        modelTopology: json.modelTopology as object,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature as object | undefined,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: weightData.buffer,
      };
    },
  };
}

/**
 * Load the Basic Pitch graph model on a backend (once per process and backend; later calls
 * return the same promise). Also selects that backend.
 */
export async function loadBasicPitchModel(backend: TfBackendName = 'wasm'): Promise<GraphModel> {
  const { tf } = await loadRuntime();
  await useBackend(tf, backend);
  let p = modelPromises.get(backend);
  if (!p) {
    p = tf.loadGraphModel(packagedModelHandler()).catch((err: unknown) => {
      modelPromises.delete(backend);
      throw new TranscriptionModelError(`cannot load the Basic Pitch model: ${(err as Error).message}`, { cause: err });
    });
    modelPromises.set(backend, p);
  }
  return p;
}

/** Number of 2 s model windows for a signal of `length` samples at 22 050 Hz (after the lead-in pad). */
function windowCount(length: number): number {
  if (length === 0) return 0;
  return Math.ceil((length + OVERLAP_SAMPLES / 2) / WINDOW_HOP_SAMPLES);
}

/**
 * Run the network over mono 22 050 Hz audio: frame and onset posteriorgrams,
 * floor(length × 86 / 22050) frames (the reference's frame count). Empty input → 0 frames.
 */
export async function computeBasicPitchPosteriors(
  mono22050: Float32Array,
  options: Pick<TranscribeNotesOptions, 'backend' | 'batchWindows'> = {},
): Promise<BasicPitchPosteriors> {
  const numFrames = Math.floor((mono22050.length * BASIC_PITCH_FRAMES_PER_SECOND) / BASIC_PITCH_SAMPLE_RATE);
  const frames = new Float32Array(numFrames * N_PITCHES);
  const onsets = new Float32Array(numFrames * N_PITCHES);
  if (numFrames === 0) return { numFrames, frames, onsets };
  const backend = options.backend ?? 'wasm';
  const batch = Math.max(1, Math.floor(options.batchWindows ?? 4));
  const model = await loadBasicPitchModel(backend);
  const { tf } = await loadRuntime();
  await useBackend(tf, backend);

  const lead = OVERLAP_SAMPLES / 2;
  const nWindows = windowCount(mono22050.length);
  let written = 0;
  for (let w0 = 0; w0 < nWindows && written < numFrames; w0 += batch) {
    const b = Math.min(batch, nWindows - w0);
    const input = new Float32Array(b * WINDOW_SAMPLES);
    for (let k = 0; k < b; k++) {
      const start = (w0 + k) * WINDOW_HOP_SAMPLES - lead; // in signal samples (negative = lead-in zeros)
      const from = Math.max(0, start);
      const to = Math.min(mono22050.length, start + WINDOW_SAMPLES);
      if (to > from) input.set(mono22050.subarray(from, to), k * WINDOW_SAMPLES + (from - start));
    }
    const x = tf.tensor3d(input, [b, WINDOW_SAMPLES, 1]);
    const [fT, oT] = model.execute(x, [OUTPUT_FRAMES, OUTPUT_ONSETS]) as import('@tensorflow/tfjs').Tensor[];
    x.dispose();
    const [f, o] = await Promise.all([fT.data() as Promise<Float32Array>, oT.data() as Promise<Float32Array>]);
    fT.dispose();
    oT.dispose();
    for (let k = 0; k < b && written < numFrames; k++) {
      const n = Math.min(KEPT_FRAMES, numFrames - written);
      const src = (k * WINDOW_FRAMES + HALF_OVERLAP_FRAMES) * N_PITCHES;
      frames.set(f.subarray(src, src + n * N_PITCHES), written * N_PITCHES);
      onsets.set(o.subarray(src, src + n * N_PITCHES), written * N_PITCHES);
      written += n;
    }
  }
  return { numFrames, frames, onsets };
}

function toRows(x: Float32Array, numFrames: number): number[][] {
  const rows: number[][] = new Array(numFrames);
  for (let t = 0; t < numFrames; t++) rows[t] = Array.from(x.subarray(t * N_PITCHES, (t + 1) * N_PITCHES));
  return rows;
}

/** Down-mix planar audio to mono (mean of the channels). */
function mixToMono(audio: AudioBuffer): Float32Array {
  const chans = audio.channels;
  if (chans.length === 1) return chans[0];
  const n = chans[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const ch of chans) for (let i = 0; i < n; i++) out[i] += ch[i];
  for (let i = 0; i < n; i++) out[i] /= chans.length;
  return out;
}

/**
 * Convert posteriorgrams to notes with the package's own note extraction
 * (`outputToNotesPoly` + `noteFramesToTime`). Pure apart from the lazily loaded package.
 */
export async function extractNotes(post: BasicPitchPosteriors, options: TranscribeNotesOptions = {}): Promise<NoteEvent[]> {
  if (post.numFrames === 0) return [];
  const { lib } = await loadRuntime();
  const minNoteFrames = Math.max(1, Math.round((options.minNoteLengthSec ?? 0.1277) * (BASIC_PITCH_SAMPLE_RATE / BASIC_PITCH_HOP_LENGTH)));
  // outputToNotesPoly mutates its inputs: hand it fresh row arrays.
  const events: LibNoteEvent[] = lib.outputToNotesPoly(
    toRows(post.frames, post.numFrames),
    toRows(post.onsets, post.numFrames),
    options.onsetThreshold ?? 0.5,
    options.frameThreshold ?? 0.3,
    minNoteFrames,
    options.inferOnsets ?? true,
    options.maxFrequencyHz ?? null,
    options.minFrequencyHz ?? null,
    options.melodiaTrick ?? true,
    options.energyToleranceFrames ?? 11,
  );
  const timed = lib.noteFramesToTime(events);
  const notes = timed.map((e, i): NoteEvent => {
    const ev = events[i];
    const bin = ev.pitchMidi - BASIC_PITCH_MIDI_OFFSET;
    const frame = Math.min(post.numFrames - 1, Math.max(0, ev.startFrame));
    const confidence = bin >= 0 && bin < N_PITCHES ? post.onsets[frame * N_PITCHES + bin] : 0;
    const amplitude = Math.min(1, Math.max(0, e.amplitude));
    const startSec = Math.max(0, e.startTimeSeconds);
    return {
      startSec,
      endSec: Math.max(startSec + 1e-6, e.startTimeSeconds + e.durationSeconds),
      midi: e.pitchMidi,
      amplitude,
      velocity: Math.max(1, Math.min(127, Math.round(amplitude * 127))),
      confidence: Math.min(1, Math.max(0, confidence)),
    };
  });
  notes.sort((a, b) => a.startSec - b.startSec || a.midi - b.midi);
  const suppress = options.suppressHarmonics ?? false;
  if (suppress === false) return notes;
  return suppressHarmonicNotes(notes, suppress === true ? {} : suppress);
}

/**
 * Transcribe audio (any sample rate, any channel count; channels are averaged) to notes with
 * Basic Pitch. Resamples to 22 050 Hz with resampleMono. Empty audio → [] (model not loaded);
 * silence → []. Throws InvalidAudioParametersError for a non-positive sample rate, and
 * TranscriptionModelError when the package or backend cannot be loaded.
 */
export async function transcribeNotes(audio: AudioBuffer, options: TranscribeNotesOptions = {}): Promise<NoteEvent[]> {
  if (!(audio.sampleRate > 0)) throw new InvalidAudioParametersError(`sampleRate must be > 0 Hz (got ${audio.sampleRate})`);
  if (audio.channels.length === 0 || audio.channels[0].length === 0) return [];
  const mono = resampleMono(mixToMono(audio), audio.sampleRate, BASIC_PITCH_SAMPLE_RATE);
  const post = await computeBasicPitchPosteriors(mono, options);
  return extractNotes(post, options);
}
