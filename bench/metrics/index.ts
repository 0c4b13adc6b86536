/** mir_eval-definition metrics, one module per task. */
export * from './matching.js';
export * from './tempo.js';
export * from './beat.js';
export * from './key.js';
export * from './tuning.js';
export * from './chord.js';
export { detectBoundaries, evaluateSegments, intervalsToBoundaries, pairwiseLabelF, sampleIntervalLabels, type BoundaryDetectionOptions, type Interval, type PairwiseOptions, type SegmentScores } from './segment.js';
export * from './separation.js';
export * from './transcription.js';
export * from './score.js';
