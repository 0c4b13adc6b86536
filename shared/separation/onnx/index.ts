export {
  assertModelInstalled,
  createOnnxSeparator,
  describeInstalledModels,
  findMissingModelFiles,
  ModelContractError,
  type OnnxSeparator,
  type OnnxSeparatorOptions,
} from './separator.js';
export {
  activeExecutionProvider,
  getOnnxSession,
  onnxRuntimeStatus,
  releaseOnnxSessions,
  type ExecutionProvider,
  type OnnxSessionHandle,
  type SessionStatus,
} from './session.js';
export {
  measureTrackNormalization,
  overlapAddSegments,
  segmentOffsets,
  triangularWeights,
  type ChunkingOptions,
  type SegmentRunner,
  type TrackNormalization,
} from './chunking.js';
export { ModelMissingError } from '../../models/manifest.js';
