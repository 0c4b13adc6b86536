/**
 * Where the MusicGen weights must be, and a check that names exactly what is missing.
 *
 * Layout (transformers.js / Xenova/musicgen-small on the Hugging Face Hub, ONNX export):
 *   <modelDir>/musicgen-small/config.json, generation_config.json, tokenizer.json,
 *   tokenizer_config.json, onnx/text_encoder{suffix}.onnx, onnx/decoder_model_merged{suffix}.onnx,
 *   onnx/encodec_decode{suffix}.onnx
 * with suffix '' for fp32, '_quantized' for q8, '_fp16' for fp16 (transformers.js naming).
 * `<modelDir>` is STEMFLOW_MODEL_DIR, default ./models/weights (shared/models/manifest.ts).
 *
 * LICENCE: the MusicGen weights (facebook/musicgen-small, and its ONNX conversion) are released
 * under CC-BY-NC 4.0: non-commercial use only. stemflow's code is MIT; the weights are never
 * bundled, the operator fetches them.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelMissingError, fetchCommand } from '../../models/manifest.js';

/** Model id in the manifest and the folder name under the model directory. */
export const MUSICGEN_MODEL_ID = 'musicgen-small';

/** The three ONNX graphs of the transformers.js MusicGen layout. */
export const MUSICGEN_ONNX_PARTS = ['text_encoder', 'decoder_model_merged', 'encodec_decode'] as const;
export type MusicGenOnnxPart = (typeof MUSICGEN_ONNX_PARTS)[number];

/** Weight precision per graph (transformers.js dtype names). */
export type MusicGenDtype = 'fp32' | 'fp16' | 'q8';

const SUFFIX: Record<MusicGenDtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized' };

/** Config and tokenizer files every layout needs. */
export const MUSICGEN_CONFIG_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/** Files (relative to the model folder) for a dtype choice. */
export function musicGenRequiredFiles(dtype: MusicGenDtype | Partial<Record<MusicGenOnnxPart, MusicGenDtype>> = 'fp32'): string[] {
  const pick = (part: MusicGenOnnxPart): MusicGenDtype => (typeof dtype === 'string' ? dtype : dtype[part] ?? 'fp32');
  return [...MUSICGEN_CONFIG_FILES, ...MUSICGEN_ONNX_PARTS.map((p) => `onnx/${p}${SUFFIX[pick(p)]}.onnx`)];
}

/** Relative paths of the required files that are absent (or empty) under `<modelDir>/<modelId>`. */
export function findMissingMusicGenFiles(modelDir: string, modelId: string, files: readonly string[]): string[] {
  const folder = join(modelDir, modelId);
  return files.filter((f) => {
    const p = join(folder, f);
    try {
      return !existsSync(p) || statSync(p).size === 0;
    } catch {
      return true;
    }
  });
}

/**
 * Throw ModelMissingError unless every required file is present. The message names the folder,
 * every missing file, the model id and the command to fetch it.
 */
export function assertMusicGenFiles(modelDir: string, modelId: string, files: readonly string[]): void {
  const missing = findMissingMusicGenFiles(modelDir, modelId, files);
  if (missing.length === 0) return;
  const folder = join(modelDir, modelId);
  throw new ModelMissingError(
    modelId,
    join(folder, missing[0]),
    `MusicGen model '${modelId}' is incomplete: missing ${missing.join(', ')} in ${folder}. ` +
      `Fetch it with \`${fetchCommand(modelId)}\` (on a machine with internet; set STEMFLOW_MODEL_DIR to the weights folder) ` +
      `or copy the ONNX export of Xenova/musicgen-small there. Weights are CC-BY-NC 4.0 (non-commercial).`,
  );
}
