/**
 * THE registry: every function of the app as plain data + a handler. functions/index.ts
 * registers it with @azure/functions and durable-functions; the local host (devhost/) runs the
 * same list. Nothing here registers anything, so importing it has no side effects.
 */
import { getConfig, type AppConfig } from '../shared/config.js';
import { activityDefinitions } from './activities/index.js';
import { analyzeHttpStartDefinition } from './analyzeHttpStart/index.js';
import { analyzeOrchestratorDefinition } from './analyzeOrchestrator/index.js';
import { generateOrchestratorDefinition } from './generateHttpStart/generateOrchestrator.js';
import { generateHttpStartDefinition } from './generateHttpStart/index.js';
import { healthDefinition } from './health/index.js';
import { jobStatusDefinition } from './jobStatus/index.js';
import { onBlobUploadedDefinition } from './onBlobUploaded/index.js';
import { queueStarterDefinitions } from './queueStarters/index.js';
import type { FunctionDefinition } from './types.js';

/** All function definitions for a configuration (the blob path, trigger source and queue names come from it). */
export function functionDefinitions(config: Readonly<AppConfig> = getConfig()): readonly FunctionDefinition[] {
  const defs: FunctionDefinition[] = [
    analyzeHttpStartDefinition,
    generateHttpStartDefinition,
    jobStatusDefinition,
    healthDefinition,
    onBlobUploadedDefinition(config),
    analyzeOrchestratorDefinition,
    generateOrchestratorDefinition,
    ...activityDefinitions,
  ];
  if (config.queues.enabled) defs.push(...queueStarterDefinitions(config));
  const names = new Set<string>();
  for (const d of defs) {
    if (names.has(d.name)) throw new Error(`duplicate function name "${d.name}" in the registry`);
    names.add(d.name);
  }
  return Object.freeze(defs);
}
