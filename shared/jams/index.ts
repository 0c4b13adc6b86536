/** JAMS writer, validator and reader (see build.ts, validate.ts, read.ts). */
export * from './types.js';
export { buildJams, SEGMENT_LABEL_TYPE, type JamsAlgorithm, type JamsBuildOptions, type JamsTask } from './build.js';
export { assertValidJams, JamsValidationError, validateJams, type JamsValidationResult } from './validate.js';
export { normaliseSectionFunction, readJamsDescription } from './read.js';
export { JAMS_NAMESPACES, type NamespaceSchema } from './namespaces.js';
export { parseJams, stringifyJams } from './serialize.js';
