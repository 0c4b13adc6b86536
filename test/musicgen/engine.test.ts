import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MusicGenEngine,
  MusicGenUnavailableError,
  musicGenRequiredFiles,
  type MusicGenModelLike,
  type TransformersLike,
} from '../../shared/generation/musicgen/index.js';
import { ModelMissingError } from '../../shared/models/manifest.js';
import { clickTrack, detectClicks } from './clicks.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function modelDir(files: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'stemflow-musicgen-'));
  dirs.push(dir);
  for (const f of files) {
    const p = join(dir, 'musicgen-small', f);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, 'x');
  }
  return dir;
}

type Waveform = (samples: number) => Float32Array;

/** A stand-in for @huggingface/transformers with the same names, recording every call. */
function fakeTransformers(waveform: Waveform) {
  const calls = {
    tokenizerLoads: [] as Array<[string, Record<string, unknown> | undefined]>,
    modelLoads: [] as Array<[string, Record<string, unknown> | undefined]>,
    prompts: [] as string[],
    generate: [] as Array<Record<string, unknown>>,
    seeds: [] as Array<number | undefined>,
    envAtLoad: null as null | { allowRemoteModels: boolean; localModelPath: string },
  };
  const env = { allowRemoteModels: true, allowLocalModels: false, localModelPath: '/nowhere' };
  const model: MusicGenModelLike = {
    config: { audio_encoder: { sampling_rate: 32000 } },
    async generate(options) {
      calls.generate.push(options);
      const tokens = options.max_new_tokens as number;
      const samples = Math.round((tokens / 50) * 32000);
      return { data: waveform(samples), dims: [1, 1, samples] };
    },
  };
  const lib: TransformersLike = {
    env,
    AutoTokenizer: {
      async from_pretrained(id, options) {
        calls.tokenizerLoads.push([id, options]);
        calls.envAtLoad = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath };
        return (text: string) => {
          calls.prompts.push(text);
          return { input_ids: `ids(${text.length})`, attention_mask: 'mask' };
        };
      },
    },
    MusicgenForConditionalGeneration: {
      async from_pretrained(id, options) {
        calls.modelLoads.push([id, options]);
        return model;
      },
    },
    random: { seed: (n?: number) => void calls.seeds.push(n) },
  };
  return { lib, calls };
}

const clicks100: Waveform = (samples) => {
  const { samples: x } = clickTrack(32000, samples / 32000, 100, 0.23);
  return x;
};

describe('MusicGenEngine (model stubbed at the transformers boundary)', () => {
  it('loads from the local folder with remote loading off, prompts, seeds, and asks for round(seconds × 50) tokens', async () => {
    const dir = modelDir(musicGenRequiredFiles());
    const { lib, calls } = fakeTransformers(clicks100);
    const engine = new MusicGenEngine({ modelDir: dir, importTransformers: async () => lib });
    const result = await engine.generateDetailed({
      durationSec: 6,
      bpm: 120,
      style: 'funk',
      mood: 'happy',
      key: 'A:minor',
      chordProgression: 'Am F C G',
      seed: 42,
      guidanceScale: 4,
    });
    expect(calls.envAtLoad).toEqual({ allowRemoteModels: false, localModelPath: dir });
    expect(lib.env.allowLocalModels).toBe(true);
    expect(calls.tokenizerLoads[0][0]).toBe('musicgen-small');
    expect(calls.modelLoads[0]).toEqual(['musicgen-small', { local_files_only: true, dtype: 'fp32', device: 'cpu' }]);
    expect(calls.prompts).toEqual(['upbeat happy funk track in A minor at 120 bpm, chord progression Am - F - C - G']);
    expect(calls.seeds).toEqual([42]);
    // headroom = one bar at 120 BPM (2 s) + 10 % of 6 s → 8.6 s → 430 tokens.
    expect(calls.generate[0]).toMatchObject({
      input_ids: `ids(${calls.prompts[0].length})`,
      attention_mask: 'mask',
      max_new_tokens: 430,
      do_sample: true,
      guidance_scale: 4,
      temperature: 1,
      top_k: 250,
    });
    expect(result.maxNewTokens).toBe(430);
    expect(result.generatedSec).toBeCloseTo(8.6, 6);
  });

  it('tempo alignment: a 100 BPM click track comes back on a 120 BPM grid (±10 ms) from 0, at 44.1 kHz, exactly 6 s', async () => {
    const dir = modelDir(musicGenRequiredFiles());
    const { lib } = fakeTransformers(clicks100);
    const engine = new MusicGenEngine({ modelDir: dir, importTransformers: async () => lib });
    const { audio, alignment } = await engine.generateDetailed({ durationSec: 6, bpm: 120, headroomSec: 3 });
    expect(audio.sampleRate).toBe(44100);
    expect(audio.channels).toHaveLength(1);
    expect(audio.channels[0].length).toBe(6 * 44100);
    expect(alignment.stretchRatio).toBeCloseTo(100 / 120, 2);
    expect(alignment.paddedSamples).toBe(0);
    const found = detectClicks(audio.channels[0], 44100);
    expect(found.length).toBeGreaterThanOrEqual(11);
    expect(found[0]).toBeLessThan(0.01);
    for (const t of found) expect(Math.abs(t - Math.round(t / 0.5) * 0.5)).toBeLessThan(0.01);
  });

  it('resamples 32 kHz → 44.1 kHz without changing pitch, and the length is exact for any duration', async () => {
    const dir = modelDir(musicGenRequiredFiles());
    const tone: Waveform = (n) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 32000));
    const { lib, calls } = fakeTransformers(tone);
    const engine = new MusicGenEngine({ modelDir: dir, importTransformers: async () => lib });
    for (const durationSec of [1.37, 2, 4.321]) {
      const { audio, alignment } = await engine.generateDetailed({ durationSec, headroomSec: 0.5 });
      expect(audio.sampleRate).toBe(44100);
      expect(audio.channels[0].length).toBe(Math.round(durationSec * 44100));
      expect(alignment.stretchRatio).toBe(1);
      const y = audio.channels[0];
      const a = Math.round(0.1 * y.length);
      const b = Math.round(0.9 * y.length);
      let crossings = 0;
      for (let i = a + 1; i < b; i++) if (y[i - 1] < 0 && y[i] >= 0) crossings++;
      expect(Math.abs(crossings / ((b - a) / 44100) - 1000)).toBeLessThan(5);
    }
    const out48 = await engine.generate({ durationSec: 1, sampleRate: 48000, headroomSec: 0 });
    expect(out48.sampleRate).toBe(48000);
    expect(out48.channels[0].length).toBe(48000);
    expect(calls.modelLoads).toHaveLength(1); // loaded once, reused
  });

  it('missing model: names every missing file, the folder, the model id and the fetch command; never imports transformers', async () => {
    const dir = modelDir([]);
    let imported = false;
    const engine = new MusicGenEngine({ modelDir: dir, importTransformers: async () => ((imported = true), fakeTransformers(clicks100).lib) });
    const err = await engine.generate({ durationSec: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelMissingError);
    const msg = (err as Error).message;
    for (const f of musicGenRequiredFiles()) expect(msg).toContain(f);
    expect(msg).toContain(join(dir, 'musicgen-small'));
    expect(msg).toContain('npm run models:fetch musicgen-small');
    expect(msg).toContain('CC-BY-NC');
    expect((err as ModelMissingError).modelId).toBe('musicgen-small');
    expect(imported).toBe(false);
  });

  it('partial model: lists only what is missing, with the dtype-specific ONNX names', async () => {
    const configs = musicGenRequiredFiles().filter((f) => !f.startsWith('onnx/'));
    const dir = modelDir([...configs, 'onnx/text_encoder_quantized.onnx']);
    const engine = new MusicGenEngine({ modelDir: dir, dtype: 'q8', importTransformers: async () => fakeTransformers(clicks100).lib });
    const msg = await engine.generate({ durationSec: 2 }).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(msg).toContain('missing onnx/decoder_model_merged_quantized.onnx, onnx/encodec_decode_quantized.onnx in');
    expect(msg).not.toContain('config.json');
    expect(msg).not.toContain('text_encoder');
  });

  it('transformers missing → MusicGenUnavailableError; a bad request fails before loading anything', async () => {
    const dir = modelDir(musicGenRequiredFiles());
    const engine = new MusicGenEngine({
      modelDir: dir,
      importTransformers: async () => {
        throw new MusicGenUnavailableError('MusicGen needs @huggingface/transformers');
      },
    });
    await expect(engine.generate({ durationSec: 2 })).rejects.toBeInstanceOf(MusicGenUnavailableError);
    await expect(engine.generate({ durationSec: 45 })).rejects.toThrow(/got 45/);
    await expect(engine.generate({ durationSec: 2, key: 'Q major' })).rejects.toThrow(/Q major/);
  });
});
