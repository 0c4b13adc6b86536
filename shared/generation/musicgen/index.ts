/**
 * MusicGen generation from a local model folder (weights CC-BY-NC 4.0: non-commercial use only).
 * See engine.ts for the pipeline and modelFiles.ts for the expected layout.
 */
export {
  buildMusicGenPrompt,
  musicGenTokenCount,
  MUSICGEN_MAX_DURATION_SEC,
  MUSICGEN_SAMPLE_RATE,
  MUSICGEN_TOKENS_PER_SECOND,
  type MusicGenPromptParams,
} from './prompt.js';
export {
  assertMusicGenFiles,
  findMissingMusicGenFiles,
  musicGenRequiredFiles,
  MUSICGEN_CONFIG_FILES,
  MUSICGEN_MODEL_ID,
  MUSICGEN_ONNX_PARTS,
  type MusicGenDtype,
  type MusicGenOnnxPart,
} from './modelFiles.js';
export { alignToTempo, snapToOnset, type AlignToTempoOptions, type TempoAlignment } from './align.js';
export { stretchWsola, type WsolaOptions } from './wsola.js';
export {
  defaultHeadroomSec,
  MusicGenEngine,
  MusicGenUnavailableError,
  type MusicGenEngineOptions,
  type MusicGenModelLike,
  type MusicGenParams,
  type MusicGenResult,
  type MusicGenTokenizerLike,
  type TransformersLike,
} from './engine.js';
