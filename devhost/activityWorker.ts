/**
 * The activity worker (one per pool thread): builds the app's Services once from the host's
 * environment and runs the registry's (already wrapped) activity handler. Log lines are returned
 * with the outcome so the host prints them with the job id.
 *
 * The core is the real one (functions/core.ts `loadCore`) unless the host names a module that
 * exports `createCore(env): CorePort` (a fast core for tests).
 */
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../shared/config.js';
import { functionDefinitions } from '../functions/registry.js';
import { createServices } from '../functions/services.js';
import { loadCore, type CorePort } from '../functions/core.js';
import type { ActivityFunctionDefinition, Services } from '../functions/types.js';
import type { ActivityOutcome } from './durable.js';

export interface ActivityTask {
  name: string;
  input: unknown;
  instanceId: string;
  env: Record<string, string>;
  coreModule?: string;
}

export interface ActivityTaskResult {
  outcome: ActivityOutcome;
  logs: { level: 'info' | 'warn' | 'error'; text: string }[];
}

/** A task name that only loads the worker's modules. */
export const WARMUP = '$warmup';

let ready: Promise<{ services: Services; activities: Map<string, ActivityFunctionDefinition> }> | undefined;

async function init(task: ActivityTask) {
  const config = parseConfig(task.env);
  let core: () => Promise<CorePort> = loadCore;
  if (task.coreModule) {
    const mod = (await import(task.coreModule.startsWith('file:') ? task.coreModule : pathToFileURL(task.coreModule).href)) as { createCore: (env: Record<string, string>) => CorePort };
    const c = mod.createCore(task.env);
    core = async () => c;
  }
  const services = createServices(config, { core });
  const activities = new Map(
    functionDefinitions(config)
      .filter((d): d is ActivityFunctionDefinition => d.kind === 'activity')
      .map((d) => [d.name, d]),
  );
  return { services, activities };
}

export default async function runActivityTask(task: ActivityTask): Promise<ActivityTaskResult> {
  ready ??= init(task);
  const { services, activities } = await ready;
  const logs: ActivityTaskResult['logs'] = [];
  if (task.name === WARMUP) {
    await services.core(); // load the core's modules now, not in the first job
    return { outcome: { ok: true, value: null }, logs };
  }
  const sink = (level: 'info' | 'warn' | 'error') => (...a: unknown[]) => logs.push({ level, text: a.map(String).join(' ') });
  const def = activities.get(task.name);
  if (!def) return { outcome: { ok: false, error: { name: 'Error', message: `no activity named "${task.name}"` } }, logs };
  try {
    const value = await def.handler(task.input, { log: { info: sink('info'), warn: sink('warn'), error: sink('error') }, services, invocationId: task.instanceId });
    return { outcome: { ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) }, logs };
  } catch (err) {
    const e = err as Error;
    return { outcome: { ok: false, error: { name: e?.name ?? 'Error', message: String(e?.message ?? err), stack: e?.stack } }, logs };
  }
}
