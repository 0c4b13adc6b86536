/**
 * Model-based stem/track generation with MusicGen (Copet et al., "Simple and Controllable Music
 * Generation", NeurIPS 2023) through transformers.js (`@huggingface/transformers`), run from a
 * LOCAL model folder only: `env.allowRemoteModels = false`, `env.localModelPath = <modelDir>`,
 * model id 'musicgen-small' (the Xenova/musicgen-small ONNX layout: text_encoder,
 * decoder_model_merged, encodec_decode; see modelFiles.ts). Nothing is ever downloaded.
 *
 * LICENCE: the MusicGen weights are CC-BY-NC 4.0 (non-commercial use only).
 *
 * generate(params):
 *   prompt  = buildMusicGenPrompt(style, mood, key, BPM, chords, free text)
 *   tokens  = musicGenTokenCount(durationSec + headroomSec)  (50 tokens per second)
 *   audio   = model.generate({ ...tokenizer(prompt), max_new_tokens, guidance_scale, temperature,
 *             top_k, do_sample }) → 32 kHz mono
 *   → resample to 44.1 kHz (or params.sampleRate) → alignToTempo (WSOLA stretch to the requested
 *     BPM, first downbeat at 0, exactly round(durationSec × sampleRate) samples, short fades).
 * The headroom (default one bar at the requested tempo + 10 % of the duration, within the 30 s
 * limit) leaves material to cut the pickup before the first downbeat and to absorb a stretch.
 *
 * The transformers module is imported lazily (it loads onnxruntime-node and sharp); tests inject
 * a stand-in with the same names (AutoTokenizer.from_pretrained, MusicgenForConditionalGeneration
 * .from_pretrained, model.generate, env, random.seed). The model is loaded once per engine.
 */
import { resample } from '../../audio/resample.js';
import type { AudioBuffer } from '../../audio/types.js';
import { StemflowError } from '../../errors.js';
import { resolveModelDir } from '../../models/manifest.js';
import { alignToTempo, type TempoAlignment } from './align.js';
import { assertMusicGenFiles, musicGenRequiredFiles, MUSICGEN_MODEL_ID, type MusicGenDtype, type MusicGenOnnxPart } from './modelFiles.js';
import {
  buildMusicGenPrompt,
  musicGenTokenCount,
  MUSICGEN_MAX_DURATION_SEC,
  MUSICGEN_SAMPLE_RATE,
  type MusicGenPromptParams,
} from './prompt.js';

/** What the tokenizer returns (input_ids, attention_mask tensors), passed on to generate. */
export type MusicGenTokenizerOutput = Record<string, unknown>;

export interface MusicGenTokenizerLike {
  (text: string, options?: Record<string, unknown>): MusicGenTokenizerOutput;
}

export interface MusicGenModelLike {
  /** Returns the decoded waveform tensor, dims [batch, channels, samples]. */
  generate(options: Record<string, unknown>): Promise<{ data: ArrayLike<number>; dims?: readonly number[] }>;
  config?: { audio_encoder?: { sampling_rate?: number } };
  dispose?(): Promise<unknown>;
}

/** The part of `@huggingface/transformers` the engine uses (the model boundary). */
export interface TransformersLike {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  AutoTokenizer: { from_pretrained(id: string, options?: Record<string, unknown>): Promise<MusicGenTokenizerLike> };
  MusicgenForConditionalGeneration: { from_pretrained(id: string, options?: Record<string, unknown>): Promise<MusicGenModelLike> };
  random?: { seed(n?: number): void };
}

/** `@huggingface/transformers` could not be imported. Not retryable. */
export class MusicGenUnavailableError extends StemflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('musicgen_unavailable', message, false, options);
  }
}

export interface MusicGenParams extends MusicGenPromptParams {
  /** Length of the output, seconds (0 < d ≤ 30). */
  durationSec: number;
  /** Output sample rate, Hz. Default 44100. */
  sampleRate?: number;
  /** Seeds transformers.js's sampler (its MT19937 `random`), when the library has one. */
  seed?: number;
  /** Sampling temperature (> 0). Default 1 (MusicGen's). */
  samplingTemperature?: number;
  /** Classifier-free guidance scale. Default 3 (MusicGen's). */
  guidanceScale?: number;
  /** Top-k sampling. Default 250 (MusicGen's). */
  topK?: number;
  /** Sample (true, default) or greedy decode. */
  doSample?: boolean;
  /** Extra seconds generated beyond durationSec (see module doc). */
  headroomSec?: number;
}

export interface MusicGenResult {
  audio: AudioBuffer;
  prompt: string;
  maxNewTokens: number;
  /** Length of the raw model output, seconds. */
  generatedSec: number;
  alignment: Omit<TempoAlignment, 'audio'>;
}

export interface MusicGenEngineOptions {
  /** Weights folder; default resolveModelDir() (STEMFLOW_MODEL_DIR or ./models/weights). */
  modelDir?: string;
  /** Default 'musicgen-small'. */
  modelId?: string;
  /** Precision per graph; default 'fp32' for all three. */
  dtype?: MusicGenDtype | Partial<Record<MusicGenOnnxPart, MusicGenDtype>>;
  /** onnxruntime device; default 'cpu'. */
  device?: 'cpu' | 'cuda';
  /** The model boundary: how to get the transformers module. Default: import('@huggingface/transformers'). */
  importTransformers?: () => Promise<TransformersLike>;
}

async function importTransformersModule(): Promise<TransformersLike> {
  try {
    return (await import('@huggingface/transformers')) as unknown as TransformersLike;
  } catch (err) {
    throw new MusicGenUnavailableError(
      `MusicGen needs @huggingface/transformers (npm install @huggingface/transformers): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

interface Loaded {
  lib: TransformersLike;
  tokenizer: MusicGenTokenizerLike;
  model: MusicGenModelLike;
}

/** Default headroom: one 4-beat bar at the requested tempo (2 s without one) + 10 % of the duration. */
export function defaultHeadroomSec(durationSec: number, bpm?: number): number {
  const bar = bpm ? (4 * 60) / bpm : 2;
  return Math.max(0, Math.min(MUSICGEN_MAX_DURATION_SEC - durationSec, bar + 0.1 * durationSec));
}

export class MusicGenEngine {
  readonly modelDir: string;
  readonly modelId: string;
  private readonly dtype: NonNullable<MusicGenEngineOptions['dtype']>;
  private readonly device: 'cpu' | 'cuda';
  private readonly importTransformers: () => Promise<TransformersLike>;
  private loading: Promise<Loaded> | null = null;

  constructor(options: MusicGenEngineOptions = {}) {
    this.modelDir = options.modelDir ?? resolveModelDir();
    this.modelId = options.modelId ?? MUSICGEN_MODEL_ID;
    this.dtype = options.dtype ?? 'fp32';
    this.device = options.device ?? 'cpu';
    this.importTransformers = options.importTransformers ?? importTransformersModule;
  }

  /** Files (relative to `<modelDir>/<modelId>`) this engine needs. */
  requiredFiles(): string[] {
    return musicGenRequiredFiles(this.dtype);
  }

  /** Check the files, import transformers with remote loading off, load tokenizer and model (once). */
  load(): Promise<Loaded> {
    this.loading ??= (async () => {
      assertMusicGenFiles(this.modelDir, this.modelId, this.requiredFiles());
      const lib = await this.importTransformers();
      lib.env.allowRemoteModels = false;
      lib.env.allowLocalModels = true;
      lib.env.localModelPath = this.modelDir;
      const tokenizer = await lib.AutoTokenizer.from_pretrained(this.modelId, { local_files_only: true });
      const model = await lib.MusicgenForConditionalGeneration.from_pretrained(this.modelId, {
        local_files_only: true,
        dtype: this.dtype,
        device: this.device,
      });
      return { lib, tokenizer, model };
    })().catch((err: unknown) => {
      this.loading = null;
      throw err;
    });
    return this.loading;
  }

  /** Generate audio for the request: see {@link generateDetailed}. */
  async generate(params: MusicGenParams): Promise<AudioBuffer> {
    return (await this.generateDetailed(params)).audio;
  }

  /** Generate, resample and align; also returns the prompt, token count and alignment figures. */
  async generateDetailed(params: MusicGenParams): Promise<MusicGenResult> {
    const outRate = params.sampleRate ?? 44100;
    const prompt = buildMusicGenPrompt(params);
    musicGenTokenCount(params.durationSec); // validates the duration
    const headroom = params.headroomSec ?? defaultHeadroomSec(params.durationSec, params.bpm);
    const maxNewTokens = musicGenTokenCount(Math.min(MUSICGEN_MAX_DURATION_SEC, params.durationSec + Math.max(0, headroom)));
    const { lib, tokenizer, model } = await this.load();

    if (params.seed !== undefined) lib.random?.seed(params.seed);
    const inputs = tokenizer(prompt);
    const output = await model.generate({
      ...inputs,
      max_new_tokens: maxNewTokens,
      do_sample: params.doSample ?? true,
      guidance_scale: params.guidanceScale ?? 3,
      temperature: params.samplingTemperature ?? 1,
      top_k: params.topK ?? 250,
    });
    const modelRate = model.config?.audio_encoder?.sampling_rate ?? MUSICGEN_SAMPLE_RATE;
    const wave = Float32Array.from(output.data);
    const raw: AudioBuffer = { sampleRate: modelRate, channels: [wave] };
    const resampled = resample(raw, outRate);
    const { audio, ...alignment } = alignToTempo(resampled, { bpm: params.bpm, durationSec: params.durationSec });
    return { audio, prompt, maxNewTokens, generatedSec: wave.length / modelRate, alignment };
  }
}
