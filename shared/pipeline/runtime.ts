/**
 * Which engines run: mock mode (DSP separation, procedural generation — anywhere, no weights) or
 * model mode (ONNX separation and MusicGen from local weights, on CPU or CUDA). One place decides,
 * so the CLI, the Functions activities and /api/health agree.
 */
import { existsSync } from 'node:fs';
import type { AudioBuffer } from '../audio/types.js';
import { formatKey } from '../music/key.js';
import type { GenerationParams } from '../generation/index.js';
import { findModel, loadModelManifest, type ModelManifest } from '../models/manifest.js';
import { createParallelDspSeparator } from '../separation/parallel.js';
import type { Separator } from '../separation/types.js';

export interface RuntimeSettings {
  mode: 'mock' | 'model';
  /** Weights folder. */
  modelDir: string;
  /** Manifest id of the separation model (model mode). */
  separationModel: string;
  /** Folder holding musicgen-small/; default modelDir. */
  musicgenDir?: string;
  executionProvider: 'cpu' | 'cuda';
  log?: (line: string) => void;
}

const separators = new Map<string, Promise<Separator>>();

/**
 * The separator for these settings, created once per process and reused (one ONNX session per
 * worker). Mock mode: the DSP soft-mask separator, on every core. Model mode: the manifest's ONNX model; a
 * missing file fails the job with a ModelMissingError that names the file and the fetch command.
 */
export function selectSeparator(settings: RuntimeSettings): Promise<Separator> {
  const key = settings.mode === 'mock' ? 'dsp' : `${settings.modelDir}|${settings.separationModel}|${settings.executionProvider}`;
  let sep = separators.get(key);
  if (!sep) {
    sep =
      settings.mode === 'mock'
        ? Promise.resolve(createParallelDspSeparator())
        : (async () => {
            const { createOnnxSeparator } = await import('../separation/onnx/index.js');
            const separator = createOnnxSeparator({
              modelDir: settings.modelDir,
              model: settings.separationModel,
              executionProvider: settings.executionProvider,
              log: settings.log,
            });
            await separator.load();
            return separator;
          })();
    sep.catch(() => separators.delete(key));
    separators.set(key, sep);
  }
  return sep;
}

/** Renders one generated stem: procedurally (mock) or with MusicGen (model). */
export type StemRenderer = (params: GenerationParams, stem: string) => Promise<AudioBuffer>;

let musicgen: Promise<import('../generation/musicgen/index.js').MusicGenEngine> | undefined;

/**
 * The stem renderer for these settings. In model mode MusicGen renders the stem from a prompt
 * naming the stem, style, key, tempo and chords, aligned to the requested tempo and length; a fit
 * to an analysed song contributes its tempo, key and chords to the prompt.
 */
export function selectStemRenderer(settings: RuntimeSettings): StemRenderer {
  // One MusicGen engine per process; settings are fixed for a process's life.
  if (settings.mode === 'mock') {
    return async (params, stem) => {
      const generation = await import('../generation/index.js');
      const plan = generation.planGeneration(params);
      return generation.renderStem(plan, stem as Parameters<typeof generation.renderStem>[1]);
    };
  }
  return async (params, stem) => {
    const engine = await (musicgen ??= import('../generation/musicgen/index.js').then(
      (m) => new m.MusicGenEngine({ modelDir: settings.musicgenDir ?? settings.modelDir, device: settings.executionProvider }),
    ));
    const fit = params.fit;
    const chords = fit?.chords.filter((c) => c.label !== 'N').map((c) => c.label);
    return engine.generate({
      durationSec: params.durationSec,
      sampleRate: params.sampleRate,
      seed: params.seed,
      style: params.style,
      bpm: fit?.tempo?.bpm ?? params.bpm,
      key: fit?.key ? formatKey(fit.key) : params.key,
      chordProgression: chords && chords.length ? dedupeRuns(chords).slice(0, 8).join(' ') : params.chordProgression,
      prompt: [`solo ${stem}`, params.prompt].filter(Boolean).join(', '),
    });
  };
}

function dedupeRuns(labels: string[]): string[] {
  return labels.filter((l, i) => i === 0 || l !== labels[i - 1]);
}

export interface RuntimeReport {
  mode: 'mock' | 'model';
  executionProvider: { requested: 'cpu' | 'cuda'; active: string | null };
  separation: { engine: string; model?: string; installed: boolean; missing: string[] };
  generation: { engine: string; installed: boolean; missing: string[] };
  /** Every manifest model and whether its files are present. */
  models: { id: string; task: string; installed: boolean; missing: string[] }[];
}

/** What /api/health and `stemflow info` report: the mode, the models found, the execution provider. */
export async function describeRuntime(settings: RuntimeSettings, manifest?: ModelManifest): Promise<RuntimeReport> {
  const [{ describeInstalledModels, activeExecutionProvider }, mg] = await Promise.all([
    import('../separation/onnx/index.js'),
    import('../generation/musicgen/index.js'),
  ]);
  const man = manifest ?? (await loadModelManifest());
  const models = describeInstalledModels(settings.modelDir, man).map(({ id, task, installed, missing }) => ({ id, task, installed, missing }));
  const sepEntry = models.find((m) => m.id === settings.separationModel);
  let sepKnown = true;
  try {
    findModel(man, settings.separationModel);
  } catch {
    sepKnown = false;
  }
  const mgDir = settings.musicgenDir ?? settings.modelDir;
  const mgMissing = mg.findMissingMusicGenFiles(mgDir, mg.MUSICGEN_MODEL_ID, mg.musicGenRequiredFiles());
  return {
    mode: settings.mode,
    executionProvider: { requested: settings.executionProvider, active: settings.mode === 'mock' ? null : activeExecutionProvider() },
    separation:
      settings.mode === 'mock'
        ? { engine: 'dsp-masks', installed: true, missing: [] }
        : {
            engine: 'onnx',
            model: settings.separationModel,
            installed: sepKnown && (sepEntry?.installed ?? false),
            missing: sepKnown ? (sepEntry?.missing ?? []) : [`unknown model id '${settings.separationModel}'`],
          },
    generation:
      settings.mode === 'mock'
        ? { engine: 'procedural', installed: true, missing: [] }
        : { engine: 'musicgen', installed: mgMissing.length === 0 && existsSync(mgDir), missing: mgMissing },
    models,
  };
}
