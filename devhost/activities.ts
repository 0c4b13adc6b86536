/**
 * Activity runners for the Durable engine: a worker-thread pool (piscina) sized to the cores —
 * the default, so CPU-bound separation and analysis never block the host's event loop — or
 * inline in the host's thread (`workers: 0`, used where a test injects a core object).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ActivityFunctionDefinition, Services } from '../functions/types.js';
import type { ActivityOutcome, ActivityRunner } from './durable.js';
import type { ActivityTask, ActivityTaskResult } from './activityWorker.js';
import type { HostLogger } from './log.js';

export interface PoolRunnerOptions {
  /** Threads; default os.availableParallelism(). */
  threads?: number;
  /** The environment the workers parse their configuration from. */
  env: Record<string, string>;
  /** Module exporting `createCore(env)`; the real core when absent. */
  coreModule?: string;
  log: HostLogger;
}

/** The worker entry: the tsx bootstrap from sources, the compiled module from dist/. */
function workerFilename(): string {
  const fromSources = import.meta.url.endsWith('.ts');
  return new URL(fromSources ? './worker.mjs' : './activityWorker.js', import.meta.url).href;
}

export function createPoolRunner(options: PoolRunnerOptions): ActivityRunner & { threads: number; warm(): Promise<void>; destroy(): Promise<void> } {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const pool = new Piscina({ filename: workerFilename(), minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  return {
    threads,
    /** Start every thread and load its modules (TypeScript, registry, core) before the first job. */
    async warm() {
      const task = (): ActivityTask => ({ name: '$warmup', input: null, instanceId: 'warmup', env: options.env, coreModule: options.coreModule });
      await Promise.all(Array.from({ length: threads }, () => pool.run(task())));
    },
    async run(name, input, meta): Promise<ActivityOutcome> {
      const task: ActivityTask = { name, input, instanceId: meta.instanceId, env: options.env, coreModule: options.coreModule };
      const result = (await pool.run(task)) as ActivityTaskResult;
      for (const l of result.logs) options.log[l.level](`job ${meta.instanceId}: ${l.text}`);
      return result.outcome;
    },
    destroy: () => pool.destroy(),
  };
}

/** Run activities in the host's own thread with the host's services, at most `concurrency` at once. */
export function createInlineRunner(defs: readonly ActivityFunctionDefinition[], services: Services, log: HostLogger, concurrency = 2): ActivityRunner {
  const byName = new Map(defs.map((d) => [d.name, d]));
  let running = 0;
  const queue: (() => void)[] = [];
  const acquire = () => (running < concurrency ? (running++, Promise.resolve()) : new Promise<void>((r) => queue.push(() => (running++, r()))));
  const release = () => {
    running--;
    queue.shift()?.();
  };
  return {
    async run(name, input, meta): Promise<ActivityOutcome> {
      const def = byName.get(name);
      if (!def) return { ok: false, error: { name: 'Error', message: `no activity named "${name}"` } };
      await acquire();
      try {
        const prefix = `job ${meta.instanceId}:`;
        const value = await def.handler(JSON.parse(JSON.stringify(input ?? null)), {
          log: { info: (...a) => log.info(`${prefix} ${a.join(' ')}`), warn: (...a) => log.warn(`${prefix} ${a.join(' ')}`), error: (...a) => log.error(`${prefix} ${a.join(' ')}`) },
          services,
          invocationId: meta.instanceId,
        });
        return { ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) };
      } catch (err) {
        const e = err as Error;
        return { ok: false, error: { name: e?.name ?? 'Error', message: String(e?.message ?? err), stack: e?.stack } };
      } finally {
        release();
      }
    },
  };
}
