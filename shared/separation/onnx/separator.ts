/**
 * Source separation with ONNX models through onnxruntime-node, behind the {@link Separator}
 * interface. The model and its tensor contract come from the manifest (models/manifest.json):
 *
 * - `waveform` (htdemucs exports with the STFT inside the graph): input [1,2,T] → output
 *   [1,S,2,T], T = 343980 (7.8 s at 44.1 kHz), stems in manifest order (drums, bass, other,
 *   vocals, + guitar, piano for 6 stems).
 * - `demucs-ext-stft` (sevagh/demucs.onnx): inputs waveform [1,2,T] and complex-as-channels
 *   spectrogram [1,4,2048,336] (HTDemucs._spec: reflect pad 1536/1620, n_fft 4096, hop 1024,
 *   normalized, Nyquist bin dropped, frames 2..338 kept); outputs frequency branch
 *   [1,S,4,2048,336] and time branch [1,S,2,T]; stem = ISTFT(frequency) + time.
 * - `mdx` (UVR MDX-Net): input [1,4,dimF,dimT] → output [1,4,dimF,dimT], the spectrogram of one
 *   (primary) stem; segment = hop·(dimT − 1) samples so the centred STFT has exactly dimT frames;
 *   bins ≥ dimF are zero on the way back; the primary stem's waveform is × compensation, and the
 *   residual stem (if any) is mix − primary at the input's own rate, so the two stems add back to
 *   the mix exactly. A 2-stem vocal model therefore gives {vocals, other = accompaniment}.
 *
 * Around every contract: mono input is duplicated to stereo and the stems folded back to mono;
 * the input is resampled to the model's rate and the stems back to the input's rate and length;
 * Demucs contracts use whole-track mean/std normalisation (see chunking.ts), MDX does not (UVR
 * feeds MDX models the raw waveform); segments overlap by 25 % with triangular weights.
 * Degenerate input: zero length → zero-length stems; digital silence → silent stems, no model call.
 */
import { readFileSync, statSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { resample } from '../../audio/resample.js';
import type { AudioBuffer } from '../../audio/types.js';
import { InvalidAudioParametersError, StemflowError } from '../../errors.js';
import {
  defaultManifestPath,
  fetchCommand,
  findModel,
  modelFilePath,
  ModelMissingError,
  parseModelManifest,
  type DemucsExtStftContract,
  type MdxContract,
  type ModelEntry,
  type ModelManifest,
  type WaveformContract,
} from '../../models/manifest.js';
import type { SeparateOptions, Separator, StemName } from '../types.js';
import { denormalizeInPlace, measureTrackNormalization, normalizeChannels, overlapAddSegments, type SegmentRunner } from './chunking.js';
import { getOnnxSession, type ExecutionProvider, type OnnxSessionHandle } from './session.js';
import { demucsIspec, demucsSpec, demucsSpecGeometry, istftCentred, packComplexAsChannels, stftReflect, unpackComplexAsChannels } from './spectral.js';

export interface OnnxSeparatorOptions {
  /** Weights root: files are looked up at `<modelDir>/<model id>/<file name>`. */
  modelDir: string;
  /** A manifest model id, or the entry itself. */
  model: string | ModelEntry;
  /** Manifest to look `model` up in; default models/manifest.json. */
  manifest?: ModelManifest;
  /** Default 'cpu'. 'cuda' falls back to CPU with one log line when CUDA is not available. */
  executionProvider?: ExecutionProvider;
  /** Segment overlap fraction. Default 0.25. */
  overlap?: number;
  /** Exponent of the triangular segment weights. Default 1. */
  transitionPower?: number;
  /** Log sink for the CUDA fallback line. Default console.warn. */
  log?: (line: string) => void;
}

export interface OnnxSeparator extends Separator {
  readonly model: ModelEntry;
  readonly requestedProvider: ExecutionProvider;
  /** Create (or reuse) the session now; resolves to the provider actually in use. */
  load(): Promise<ExecutionProvider>;
  /** The provider in use, or null before the session exists. */
  activeProvider(): ExecutionProvider | null;
}

/** The model's tensors or outputs do not match its manifest contract. */
export class ModelContractError extends StemflowError {
  constructor(message: string) {
    super('model_contract', message, false);
  }
}

/** Files of `entry` missing under `modelDir` (absolute paths); empty when the model is installed. */
export function findMissingModelFiles(modelDir: string, entry: ModelEntry): string[] {
  const missing: string[] = [];
  for (const f of entry.files) {
    const p = modelFilePath(modelDir, entry, f.name);
    try {
      if (!statSync(p).isFile()) missing.push(p);
    } catch {
      missing.push(p);
    }
  }
  return missing;
}

/** Throw {@link ModelMissingError} naming the first missing file, where it was looked for, and the fetch command. */
export function assertModelInstalled(modelDir: string, entry: ModelEntry): void {
  const missing = findMissingModelFiles(modelDir, entry);
  if (missing.length === 0) return;
  const file = entry.files.find((f) => modelFilePath(modelDir, entry, f.name) === missing[0])!;
  const how = file.url
    ? `Fetch it with: ${fetchCommand(entry.id)}`
    : `It has no download URL; obtain it by hand (${entry.source.howTo ?? entry.source.page}) and place it there. ${fetchCommand(entry.id)} explains the same`;
  throw new ModelMissingError(
    entry.id,
    missing[0],
    `model '${entry.id}' is not installed: file ${file.name} is missing; looked for ${missing[0]} (model dir ${modelDir}, set by STEMFLOW_MODEL_DIR). ${how}.`,
  );
}

/** Installation state of every model in `manifest` under `modelDir` (for /api/health and the CLI). */
export function describeInstalledModels(modelDir: string, manifest: ModelManifest): { id: string; task: string; contract: string; installed: boolean; missing: string[] }[] {
  return manifest.models.map((m) => {
    const missing = findMissingModelFiles(modelDir, m);
    return { id: m.id, task: m.task, contract: m.contract.type, installed: missing.length === 0, missing };
  });
}

function loadManifestSync(): ModelManifest {
  return parseModelManifest(JSON.parse(readFileSync(defaultManifestPath(), 'utf8')));
}

interface PreparedContract {
  segmentSamples: number;
  /** Number of stems the network produces per segment. */
  networkStems: StemName[];
  normalize: boolean;
  run: SegmentRunner;
}

type Dims = readonly (number | string)[];

function metadataOf(session: ort.InferenceSession, kind: 'input' | 'output'): Map<string, Dims | undefined> {
  const names = kind === 'input' ? session.inputNames : session.outputNames;
  const meta = (kind === 'input' ? (session as { inputMetadata?: unknown }).inputMetadata : (session as { outputMetadata?: unknown }).outputMetadata) as
    | readonly { name: string; isTensor?: boolean; shape?: Dims }[]
    | undefined;
  const m = new Map<string, Dims | undefined>();
  for (const n of names) m.set(n, meta?.find((x) => x.name === n)?.shape);
  return m;
}

function checkStaticShape(what: string, name: string, actual: Dims | undefined, expected: number[], modelId: string): void {
  if (!actual) return;
  const ok = actual.length === expected.length && actual.every((d, i) => typeof d !== 'number' || d <= 0 || d === expected[i]);
  if (!ok) {
    throw new ModelContractError(`model '${modelId}' ${what} '${name}' has shape [${actual.join(',')}], the manifest contract expects [${expected.join(',')}]`);
  }
}

function pickNames(session: ort.InferenceSession, kind: 'input' | 'output', explicit: readonly string[] | undefined, count: number, modelId: string): string[] {
  const available = kind === 'input' ? session.inputNames : session.outputNames;
  if (explicit) {
    for (const n of explicit) {
      if (!available.includes(n)) throw new ModelContractError(`model '${modelId}' has no ${kind} named '${n}'; its ${kind}s are ${available.join(', ')}`);
    }
    return explicit.slice(0, count);
  }
  if (available.length < count) throw new ModelContractError(`model '${modelId}' has ${available.length} ${kind}(s) (${available.join(', ')}), the contract needs ${count}`);
  return available.slice(0, count);
}

function checkOutput(t: ort.Tensor | undefined, name: string, expected: number[], modelId: string): Float32Array {
  if (!t) throw new ModelContractError(`model '${modelId}' returned no output '${name}'`);
  const dims = t.dims;
  if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
    throw new ModelContractError(`model '${modelId}' output '${name}' has shape [${dims.join(',')}], expected [${expected.join(',')}]`);
  }
  return t.data as Float32Array;
}

function prepareWaveform(h: OnnxSessionHandle, entry: ModelEntry, c: WaveformContract): PreparedContract {
  const T = c.segmentSamples;
  const S = entry.stems.length;
  const [inName] = pickNames(h.session, 'input', c.io?.inputs, 1, entry.id);
  const [outName] = pickNames(h.session, 'output', c.io?.outputs, 1, entry.id);
  checkStaticShape('input', inName, metadataOf(h.session, 'input').get(inName), [1, 2, T], entry.id);
  checkStaticShape('output', outName, metadataOf(h.session, 'output').get(outName), [1, S, 2, T], entry.id);
  const input = new Float32Array(2 * T);
  return {
    segmentSamples: T,
    networkStems: [...entry.stems],
    normalize: true,
    run: async (seg) => {
      input.set(seg[0], 0);
      input.set(seg[1], T);
      const r = await h.session.run({ [inName]: new ort.Tensor('float32', input, [1, 2, T]) });
      const y = checkOutput(r[outName], outName, [1, S, 2, T], entry.id);
      return Array.from({ length: S }, (_, s) => [y.subarray(2 * s * T, (2 * s + 1) * T), y.subarray((2 * s + 1) * T, (2 * s + 2) * T)]);
    },
  };
}

function prepareDemucsExtStft(h: OnnxSessionHandle, entry: ModelEntry, c: DemucsExtStftContract): PreparedContract {
  const T = c.segmentSamples;
  const S = entry.stems.length;
  const g = demucsSpecGeometry(T, c.nFft, c.hopLength);
  let waveIn: string;
  let specIn: string;
  let freqOut: string;
  let timeOut: string;
  if (c.io) {
    [waveIn, specIn] = pickNames(h.session, 'input', c.io.inputs, 2, entry.id);
    [freqOut, timeOut] = pickNames(h.session, 'output', c.io.outputs, 2, entry.id);
  } else {
    // Bind by rank when the model carries shapes (waveform rank 3, spectrogram rank 4; frequency
    // output rank 5, time output rank 4), else by position as sevagh/demucs.onnx does
    // (inputs: time, spectrogram; outputs: frequency, time).
    const ins = pickNames(h.session, 'input', undefined, 2, entry.id);
    const outs = pickNames(h.session, 'output', undefined, 2, entry.id);
    const im = metadataOf(h.session, 'input');
    const om = metadataOf(h.session, 'output');
    waveIn = ins.find((n) => im.get(n)?.length === 3) ?? ins[0];
    specIn = ins.find((n) => n !== waveIn && im.get(n)?.length === 4) ?? ins.find((n) => n !== waveIn)!;
    freqOut = outs.find((n) => om.get(n)?.length === 5) ?? outs[0];
    timeOut = outs.find((n) => n !== freqOut && om.get(n)?.length === 4) ?? outs.find((n) => n !== freqOut)!;
  }
  const im = metadataOf(h.session, 'input');
  const om = metadataOf(h.session, 'output');
  checkStaticShape('input', waveIn, im.get(waveIn), [1, 2, T], entry.id);
  checkStaticShape('input', specIn, im.get(specIn), [1, 4, g.bins, g.frames], entry.id);
  checkStaticShape('output', freqOut, om.get(freqOut), [1, S, 4, g.bins, g.frames], entry.id);
  checkStaticShape('output', timeOut, om.get(timeOut), [1, S, 2, T], entry.id);
  const wave = new Float32Array(2 * T);
  const specData = new Float32Array(4 * g.bins * g.frames);
  const plane = g.bins * g.frames;
  return {
    segmentSamples: T,
    networkStems: [...entry.stems],
    normalize: true,
    run: async (seg) => {
      wave.set(seg[0], 0);
      wave.set(seg[1], T);
      packComplexAsChannels([demucsSpec(seg[0], g), demucsSpec(seg[1], g)], specData);
      const r = await h.session.run({
        [waveIn]: new ort.Tensor('float32', wave, [1, 2, T]),
        [specIn]: new ort.Tensor('float32', specData, [1, 4, g.bins, g.frames]),
      });
      const freq = checkOutput(r[freqOut], freqOut, [1, S, 4, g.bins, g.frames], entry.id);
      const time = checkOutput(r[timeOut], timeOut, [1, S, 2, T], entry.id);
      return Array.from({ length: S }, (_, s) => {
        const specs = unpackComplexAsChannels(freq, s * 4 * plane, 2, g.bins, g.frames);
        return specs.map((spec, ch) => {
          const y = demucsIspec(spec, g, T);
          const t0 = (2 * s + ch) * T;
          for (let i = 0; i < T; i++) y[i] += time[t0 + i];
          return y;
        });
      });
    },
  };
}

function prepareMdx(h: OnnxSessionHandle, entry: ModelEntry, c: MdxContract): PreparedContract {
  const L = c.hopLength * (c.dimT - 1);
  const [inName] = pickNames(h.session, 'input', c.io?.inputs, 1, entry.id);
  const [outName] = pickNames(h.session, 'output', c.io?.outputs, 1, entry.id);
  const shape = [1, 4, c.dimF, c.dimT];
  checkStaticShape('input', inName, metadataOf(h.session, 'input').get(inName), shape, entry.id);
  checkStaticShape('output', outName, metadataOf(h.session, 'output').get(outName), shape, entry.id);
  const specData = new Float32Array(4 * c.dimF * c.dimT);
  return {
    segmentSamples: L,
    networkStems: [c.primaryStem],
    normalize: false,
    run: async (seg) => {
      const specs = seg.map((ch) => stftReflect(ch, c.nFft, c.hopLength, c.dimF));
      packComplexAsChannels(specs, specData);
      const r = await h.session.run({ [inName]: new ort.Tensor('float32', specData, shape) });
      const y = checkOutput(r[outName], outName, shape, entry.id);
      const outSpecs = unpackComplexAsChannels(y, 0, 2, c.dimF, c.dimT);
      const chans = outSpecs.map((spec) => {
        const wave = istftCentred(spec, c.nFft, c.hopLength, L);
        for (let i = 0; i < L; i++) wave[i] *= c.compensation;
        return wave;
      });
      return [chans];
    },
  };
}

function fitLength(x: Float32Array, length: number): Float32Array {
  if (x.length === length) return x;
  const y = new Float32Array(length);
  y.set(x.subarray(0, Math.min(length, x.length)));
  return y;
}

/**
 * Create a separator for one manifest model. Nothing is loaded until the first `separate()` or
 * `load()`; the session is then cached per process (see session.ts). A missing model file throws
 * {@link ModelMissingError} at that point, naming the file, where it was looked for, and the
 * `npm run models:fetch <id>` command.
 */
export function createOnnxSeparator(options: OnnxSeparatorOptions): OnnxSeparator {
  const entry = typeof options.model === 'string' ? findModel(options.manifest ?? loadManifestSync(), options.model) : options.model;
  if (entry.task !== 'separation') throw new ModelContractError(`model '${entry.id}' is a ${entry.task} model, not a separation model`);
  const requestedProvider = options.executionProvider ?? 'cpu';
  const log = options.log ?? ((l: string) => console.warn(l));
  const contract = entry.contract;
  const stemNames: StemName[] = [...entry.stems];
  let prepared: Promise<{ handle: OnnxSessionHandle; prep: PreparedContract }> | null = null;
  let active: ExecutionProvider | null = null;

  function prepare(): Promise<{ handle: OnnxSessionHandle; prep: PreparedContract }> {
    if (!prepared) {
      prepared = (async () => {
        assertModelInstalled(options.modelDir, entry);
        const handle = await getOnnxSession(modelFilePath(options.modelDir, entry, entry.files[0].name), requestedProvider, log);
        active = handle.activeProvider;
        const prep =
          contract.type === 'waveform'
            ? prepareWaveform(handle, entry, contract)
            : contract.type === 'demucs-ext-stft'
              ? prepareDemucsExtStft(handle, entry, contract)
              : prepareMdx(handle, entry, contract);
        return { handle, prep };
      })();
      prepared.catch(() => {
        prepared = null;
      });
    }
    return prepared;
  }

  async function separate(mix: AudioBuffer, sepOptions: SeparateOptions = {}): Promise<Record<string, AudioBuffer>> {
    const numChannels = mix.channels.length;
    if (numChannels < 1 || numChannels > 2) {
      throw new InvalidAudioParametersError(`ONNX separation takes mono or stereo audio, got ${numChannels} channels`);
    }
    const length = mix.channels[0].length;
    const zeros = (): Record<string, AudioBuffer> =>
      Object.fromEntries(stemNames.map((n) => [n, { sampleRate: mix.sampleRate, channels: mix.channels.map(() => new Float32Array(length)) }]));
    if (length === 0 || mix.channels.every((ch) => ch.every((v) => v === 0))) {
      sepOptions.onProgress?.(1);
      return zeros();
    }
    const { prep } = await prepare();

    const stereo: AudioBuffer = { sampleRate: mix.sampleRate, channels: numChannels === 1 ? [mix.channels[0], mix.channels[0]] : mix.channels };
    const atModelRate = resample(stereo, entry.sampleRate);
    const norm = prep.normalize ? measureTrackNormalization(atModelRate.channels) : null;
    const input = norm ? normalizeChannels(atModelRate.channels, norm) : atModelRate.channels;
    const stems = await overlapAddSegments(input, prep.networkStems.length, prep.run, {
      segmentSamples: prep.segmentSamples,
      overlap: options.overlap,
      transitionPower: options.transitionPower,
      onProgress: sepOptions.onProgress,
      signal: sepOptions.signal,
    });

    const result: Record<string, AudioBuffer> = {};
    prep.networkStems.forEach((name, s) => {
      const chans = stems[s];
      if (norm) for (const ch of chans) denormalizeInPlace(ch, norm);
      const back = resample({ sampleRate: entry.sampleRate, channels: chans }, mix.sampleRate);
      const fitted = back.channels.map((ch) => fitLength(ch, length));
      const folded = numChannels === 1 ? [fold(fitted[0], fitted[1])] : fitted;
      result[name] = { sampleRate: mix.sampleRate, channels: folded };
    });
    if (contract.type === 'mdx' && contract.residualStem) {
      const primary = result[contract.primaryStem];
      result[contract.residualStem] = {
        sampleRate: mix.sampleRate,
        channels: mix.channels.map((ch, c) => {
          const r = new Float32Array(length);
          const p = primary.channels[c];
          for (let i = 0; i < length; i++) r[i] = ch[i] - p[i];
          return r;
        }),
      };
    }
    return result;
  }

  return {
    id: `onnx:${entry.id}`,
    stemNames,
    model: entry,
    requestedProvider,
    separate,
    async load() {
      return (await prepare()).handle.activeProvider;
    },
    activeProvider: () => active,
  };
}

function fold(l: Float32Array, r: Float32Array): Float32Array {
  const y = new Float32Array(l.length);
  for (let i = 0; i < l.length; i++) y[i] = 0.5 * (l[i] + r[i]);
  return y;
}
