/**
 * The ONNX separator through the real onnxruntime-node code path, with tiny known-gain models that
 * carry the real exports' input/output names, shapes and layouts (test/helpers/onnx-builder.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelMissingError } from '../../shared/models/manifest.js';
import { createOnnxSeparator, getOnnxSession, onnxRuntimeStatus, releaseOnnxSessions } from '../../shared/separation/onnx/index.js';
import { buildDemucsExtStftGainModel, buildMdxGainModel, buildWaveformGainModel, HTDEMUCS_SEGMENT } from '../helpers/onnx-builder.js';
import { db, entry, installModel, maxError, rms, sines, zeroMeanNoise } from './fixtures.js';

const T = HTDEMUCS_SEGMENT;
const STRIDE = Math.floor(0.75 * T);
const quiet = () => undefined;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stemflow-onnx-'));
});
afterAll(async () => {
  await releaseOnnxSessions();
  await rm(dir, { recursive: true, force: true });
});

const wave4 = entry({ id: 'htdemucs-4s', file: 'htdemucs.onnx', stems: ['drums', 'bass', 'other', 'vocals'], contract: { type: 'waveform', segmentSamples: T } });
const wave6 = entry({ id: 'htdemucs-6s', file: 'htdemucs_6s.onnx', stems: ['drums', 'bass', 'other', 'vocals', 'guitar', 'piano'], contract: { type: 'waveform', segmentSamples: T } });

describe('waveform contract [1,2,343980] → [1,S,2,343980]', () => {
  it('puts each distinct gain on the right stem name (4 and 6 stems, manifest order)', async () => {
    await installModel(dir, wave4, buildWaveformGainModel([1, 2, 3, 4]));
    await installModel(dir, wave6, buildWaveformGainModel([1, 2, 3, 4, 5, 6]));
    const x = zeroMeanNoise(44100, 1);
    const s4 = createOnnxSeparator({ modelDir: dir, model: wave4 });
    expect(s4.stemNames).toEqual(['drums', 'bass', 'other', 'vocals']);
    const out4 = await s4.separate({ sampleRate: 44100, channels: x });
    ['drums', 'bass', 'other', 'vocals'].forEach((name, s) => {
      for (let c = 0; c < 2; c++) expect(maxError(out4[name].channels[c], x[c], s + 1)).toBeLessThan(1e-5);
    });
    const s6 = createOnnxSeparator({ modelDir: dir, model: wave6 });
    const out6 = await s6.separate({ sampleRate: 44100, channels: x });
    expect(Object.keys(out6).sort()).toEqual(['bass', 'drums', 'guitar', 'other', 'piano', 'vocals']);
    expect(maxError(out6.guitar.channels[1], x[1], 5)).toBeLessThan(1e-5);
    expect(maxError(out6.piano.channels[0], x[0], 6)).toBeLessThan(1e-5);
  });

  it('overlap-add is seamless: a constant-gain model on a 3-segment random signal gives g·x everywhere, no seam above −80 dB', async () => {
    const e = entry({ id: 'gain-const', file: 'm.onnx', stems: ['drums', 'bass', 'other', 'vocals'], contract: { type: 'waveform', segmentSamples: T } });
    await installModel(dir, e, buildWaveformGainModel([0.7, 0.7, 0.7, 0.7]));
    const length = 2 * STRIDE + T - 20_000; // three segments, the last one partial
    const x = zeroMeanNoise(length, 2);
    const out = await createOnnxSeparator({ modelDir: dir, model: e }).separate({ sampleRate: 44100, channels: x });
    const ref = rms(x[0]);
    // Every segment boundary (start and end of each segment) ± 2048 samples.
    const joins = [STRIDE, 2 * STRIDE, T, STRIDE + T];
    let seam = 0;
    for (const j of joins) for (let c = 0; c < 2; c++) seam = Math.max(seam, maxError(out.vocals.channels[c], x[c], 0.7, j - 2048, Math.min(length, j + 2048)));
    const overall = Math.max(maxError(out.drums.channels[0], x[0], 0.7), maxError(out.drums.channels[1], x[1], 0.7));
    const seamDb = db(seam / ref);
    const overallDb = db(overall / ref);
    console.log(`[onnx seam] max error at chunk joins ${seamDb.toFixed(1)} dB, anywhere ${overallDb.toFixed(1)} dB re signal RMS`);
    expect(seamDb).toBeLessThan(-80);
    expect(overallDb).toBeLessThan(-80);
  });

  it('an identity model reconstructs the mix exactly, DC offset included (normalise → model → denormalise)', async () => {
    const e = entry({ id: 'identity', file: 'id.onnx', stems: ['drums', 'bass', 'other', 'vocals'], contract: { type: 'waveform', segmentSamples: T } });
    await installModel(dir, e, buildWaveformGainModel([1, 1, 1, 1]));
    const x = zeroMeanNoise(T + Math.floor(STRIDE / 2), 3).map((ch) => ch.map((v) => v + 0.05));
    const out = await createOnnxSeparator({ modelDir: dir, model: e }).separate({ sampleRate: 44100, channels: x });
    const err = Math.max(maxError(out.other.channels[0], x[0]), maxError(out.other.channels[1], x[1]));
    console.log(`[onnx identity] max reconstruction error ${err.toExponential(2)} (${db(err / rms(x[0])).toFixed(1)} dB re RMS)`);
    expect(db(err / rms(x[0]))).toBeLessThan(-100);
  });

  it('handles lengths that are not a multiple of the segment, inputs shorter than a segment, mono, and other sample rates', async () => {
    const s = createOnnxSeparator({ modelDir: dir, model: wave4 });
    for (const length of [T + 12_345, 1000, 1]) {
      const x = zeroMeanNoise(length, length);
      const out = await s.separate({ sampleRate: 44100, channels: x });
      expect(out.bass.channels[0].length).toBe(length);
      expect(maxError(out.bass.channels[1], x[1], 2)).toBeLessThan(1e-5);
    }
    // Mono in → mono out (duplicated to stereo for the model, folded back).
    const [l9, r9] = zeroMeanNoise(30_000, 9);
    const mono = l9.map((v, i) => 0.5 * (v + r9[i])); // zero-mean, so the demucs mean offset vanishes
    const m = await s.separate({ sampleRate: 44100, channels: [mono] });
    expect(m.vocals.channels).toHaveLength(1);
    expect(maxError(m.vocals.channels[0], mono, 4)).toBeLessThan(1e-5);
    // 48 kHz in → resampled to 44.1 kHz for the model and back: same rate and length out.
    const x48 = sines(48_000, 48_000, 4, { maxHz: 15_000 });
    const r = await s.separate({ sampleRate: 48_000, channels: x48 });
    expect(r.drums.sampleRate).toBe(48_000);
    expect(r.drums.channels[0].length).toBe(48_000);
    const interior = db(maxError(r.other.channels[0], x48[0], 3, 2000, 46_000) / (3 * rms(x48[0])));
    expect(interior).toBeLessThan(-60);
  });

  it('silence gives silent stems of the same shape (no model call needed)', async () => {
    const out = await createOnnxSeparator({ modelDir: dir, model: wave4 }).separate({ sampleRate: 22050, channels: [new Float32Array(500)] });
    expect(out.drums.sampleRate).toBe(22050);
    expect(out.drums.channels[0].every((v) => v === 0)).toBe(true);
  });
});

describe('demucs.onnx contract (STFT outside the graph)', () => {
  it('sums ISTFT(frequency branch) + time branch per stem, in manifest order', async () => {
    const e = entry({ id: 'htdemucs-ext-stft', file: 'htdemucs.onnx', stems: ['drums', 'bass', 'other', 'vocals'], contract: { type: 'demucs-ext-stft', segmentSamples: T, nFft: 4096, hopLength: 1024 } });
    const freq = [0.2, 0.4, 0.6, 0.8];
    const time = [0.1, 0.3, 0.5, 0.7];
    await installModel(dir, e, buildDemucsExtStftGainModel(freq, time));
    const length = T - 10_000; // one segment: the overlap-add itself is covered by the waveform tests
    const x = sines(length, 44100, 6, { maxHz: 16_000 });
    const out = await createOnnxSeparator({ modelDir: dir, model: e }).separate({ sampleRate: 44100, channels: x });
    const ref = rms(x[0]);
    const names = ['drums', 'bass', 'other', 'vocals'];
    const worst: string[] = [];
    names.forEach((name, s) => {
      const g = freq[s] + time[s];
      // Away from the track's first/last 4096 samples. HTDemucs._ispec zero-pads 2 frames on each
      // side, so the frequency branch fades over the first/last ~1.5k samples of every segment
      // (faithful to the reference); in the interior the triangular weights make that small
      // (−55 dB for a left-aligned chunk at a join; the centred last chunk here does better),
      // at the track ends it is the only segment.
      const e1 = db(maxError(out[name].channels[0], x[0], g, 4096, length - 4096) / (g * ref));
      worst.push(`${name} ${e1.toFixed(1)} dB`);
      expect(e1).toBeLessThan(-40);
    });
    console.log(`[onnx demucs-ext-stft] interior max error per stem: ${worst.join(', ')}`);
  });
  it('binds tensors by rank when an export names and orders them differently (mix/mag → time/freq)', async () => {
    const e = entry({ id: 'demucs-web-like', file: 'm.onnx', stems: ['drums', 'bass', 'other', 'vocals'], contract: { type: 'demucs-ext-stft', segmentSamples: T, nFft: 4096, hopLength: 1024 } });
    await installModel(dir, e, buildDemucsExtStftGainModel([0, 0, 0, 1], [1, 0, 0, 0], { names: { wave: 'mix', spec: 'mag', freq: 'freq', time: 'time' }, reversed: true }));
    const x = sines(20_000, 44100, 12, { maxHz: 16_000 });
    const out = await createOnnxSeparator({ modelDir: dir, model: e }).separate({ sampleRate: 44100, channels: x });
    expect(db(maxError(out.drums.channels[0], x[0]) / rms(x[0]))).toBeLessThan(-100); // time branch only
    expect(db(maxError(out.vocals.channels[1], x[1], 1, 4096, 16_000) / rms(x[1]))).toBeLessThan(-80); // frequency branch only
    expect(rms(out.bass.channels[0]) / rms(x[0])).toBeLessThan(1e-4); // zero-gain stem: only the track mean that demucs adds back
  });
});

describe('MDX-Net contract [1,4,dim_f,dim_t]', () => {
  it('a known-gain spectrogram model gives vocals = gain·compensation·x and other = mix − vocals', async () => {
    const e = entry({
      id: 'mdx-kim-vocal-2',
      file: 'Kim_Vocal_2.onnx',
      stems: ['vocals', 'other'],
      contract: { type: 'mdx', nFft: 7680, hopLength: 1024, dimF: 3072, dimT: 256, compensation: 1.009, primaryStem: 'vocals', residualStem: 'other' },
    });
    await installModel(dir, e, buildMdxGainModel(0.5, 3072, 256));
    const length = 300_000; // two segments of 261120 samples
    const x = sines(length, 44100, 8, { maxHz: 12_000 });
    const s = createOnnxSeparator({ modelDir: dir, model: e });
    expect(s.stemNames).toEqual(['vocals', 'other']);
    const out = await s.separate({ sampleRate: 44100, channels: x });
    const g = 0.5 * 1.009;
    const err = db(maxError(out.vocals.channels[1], x[1], g, 2048, length - 2048) / (g * rms(x[1])));
    console.log(`[onnx mdx] vocals interior max error ${err.toFixed(1)} dB`);
    expect(err).toBeLessThan(-60);
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < length; i += 997) expect(out.vocals.channels[c][i] + out.other.channels[c][i]).toBeCloseTo(x[c][i], 6);
    }
  });
});

describe('model files, sessions and execution providers', () => {
  it('a missing model names the file, where it was looked for, and the fetch command', async () => {
    const s = createOnnxSeparator({ modelDir: join(dir, 'empty'), model: 'htdemucs-4s' });
    const err = await s.separate({ sampleRate: 44100, channels: zeroMeanNoise(100, 1) }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelMissingError);
    expect(err.message).toContain('htdemucs.onnx');
    expect(err.message).toContain(join(dir, 'empty', 'htdemucs-4s', 'htdemucs.onnx'));
    expect(err.message).toContain('npm run models:fetch htdemucs-4s');
  });

  it("'cuda' falls back to CPU with exactly one log line and reports the provider in use", async () => {
    const lines: string[] = [];
    const a = createOnnxSeparator({ modelDir: dir, model: wave4, executionProvider: 'cuda', log: (l) => lines.push(l) });
    expect(a.activeProvider()).toBeNull();
    expect(await a.load()).toBe('cpu');
    expect(a.activeProvider()).toBe('cpu');
    const b = createOnnxSeparator({ modelDir: dir, model: wave6, executionProvider: 'cuda', log: (l) => lines.push(l) });
    expect(await b.load()).toBe('cpu');
    const out = await b.separate({ sampleRate: 44100, channels: zeroMeanNoise(2000, 4) });
    expect(out.piano.channels[0].length).toBe(2000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/CUDA execution provider unavailable .*falling back to CPU/);
    const status = onnxRuntimeStatus().filter((st) => st.requestedProvider === 'cuda');
    expect(status.length).toBe(2);
    expect(status.every((st) => st.activeProvider === 'cpu' && st.fallbackReason)).toBe(true);
  });

  it('one session per model file and provider, reused across separators', async () => {
    const path = join(dir, 'htdemucs-4s', 'htdemucs.onnx');
    const h1 = await getOnnxSession(path, 'cpu', quiet);
    await createOnnxSeparator({ modelDir: dir, model: wave4 }).load();
    const h2 = await getOnnxSession(path, 'cpu', quiet);
    expect(h2.session).toBe(h1.session);
  });

  it('a model whose tensors do not match the contract is rejected with both shapes', async () => {
    const e = entry({ id: 'wrong-shape', file: 'w.onnx', stems: ['drums', 'bass', 'other', 'vocals'], contract: { type: 'waveform', segmentSamples: T } });
    await installModel(dir, e, buildWaveformGainModel([1, 1, 1, 1], 1000));
    const err = await createOnnxSeparator({ modelDir: dir, model: e }).load().catch((x) => x);
    expect(err.message).toContain('[1,2,1000]');
    expect(err.message).toContain(`[1,2,${T}]`);
  });
});

describe('installed-model report', () => {
  it('lists every manifest model with what is missing', async () => {
    const { describeInstalledModels } = await import('../../shared/separation/onnx/index.js');
    const { loadModelManifest } = await import('../../shared/models/manifest.js');
    const report = describeInstalledModels(dir, await loadModelManifest());
    const h4 = report.find((r) => r.id === 'htdemucs-4s')!;
    expect(h4.installed).toBe(true);
    const kim = report.find((r) => r.id === 'mdx-voc-ft')!;
    expect(kim.installed).toBe(false);
    expect(kim.missing[0]).toBe(join(dir, 'mdx-voc-ft', 'UVR-MDX-NET-Voc_FT.onnx'));
  });
});
