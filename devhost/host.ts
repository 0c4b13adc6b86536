/**
 * The local Functions host (`npm start`): runs the SAME registry (functions/registry.ts
 * `functionDefinitions(config)`) as the Azure Functions host, on one machine.
 *
 * - storage: an embedded Azurite (in memory, or `persistDir`), unless the storage setting
 *   (`STEMFLOW_STORAGE_CONNECTION` or `AzureWebJobsStorage`) is an explicit connection string —
 *   then that account is used and no Azurite is started. `UseDevelopmentStorage=true` (or no
 *   setting) means "the embedded one". The identity-based form (`AzureWebJobsStorage__*`, used in
 *   Azure) is not supported here: it is dropped with a warning and the embedded Azurite is used.
 * - HTTP functions + Durable management API on `http://localhost:{port}` (devhost/http.ts).
 * - blob and queue triggers by polling, with receipts and poison handling (devhost/triggers.ts).
 * - orchestrations through durable-functions' own replay, state in storage (devhost/durable.ts).
 * - activities on a worker-thread pool sized to the cores (devhost/activities.ts).
 *
 * See docs/local-host.md for every difference from the real host.
 */
import { once } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type * as df from 'durable-functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { parseConfig, type AppConfig } from '../shared/config.js';
import { VERSION } from '../shared/version.js';
import { functionDefinitions } from '../functions/registry.js';
import { createServices, NO_JOB_CLIENT } from '../functions/services.js';
import type { CorePort } from '../functions/core.js';
import type {
  ActivityFunctionDefinition,
  BlobFunctionDefinition,
  HandlerContext,
  HttpFunctionDefinition,
  Logger,
  OrchestrationFunctionDefinition,
  QueueFunctionDefinition,
} from '../functions/types.js';
import { createInlineRunner, createPoolRunner } from './activities.js';
import { isDevelopmentStorage, startEmbeddedAzurite, type AzuritePorts, type EmbeddedAzurite } from './azurite.js';
import { DurableEngine, type ActivityRunner } from './durable.js';
import { createHttpFront } from './http.js';
import { createBlobInstanceStore, durableContainerName } from './instanceStore.js';
import { createHostLogger, type HostLogger, type LogLevel } from './log.js';
import { createBlobPoller, createQueuePoller, type Poller } from './triggers.js';

export interface LocalHostOptions {
  /** Settings (default process.env), read like local.settings.json `Values`. */
  env?: Record<string, string | undefined>;
  /** HTTP port (default 7071; 0 = any free port). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  listenHost?: string;
  /** Keep Azurite's data in this folder (default: in memory). */
  persistDir?: string;
  /** Embedded Azurite ports (default 10000/10001/10002; 0 = any free port). */
  azuritePorts?: Partial<AzuritePorts>;
  /** Activity worker threads (default: the cores); 0 runs activities inline in the host thread. */
  workers?: number;
  /** For workers: a module exporting `createCore(env): CorePort` (default: the real core). */
  coreModule?: string;
  /** For `workers: 0`: the core (default: the real core). */
  core?: () => Promise<CorePort>;
  /** Blob/queue scan interval, ms (default 1000). */
  pollIntervalMs?: number;
  /** How long stop() waits for running activities before abandoning them to the next start, ms (default 10 000). */
  stopGraceMs?: number;
  logLevel?: LogLevel;
  log?: HostLogger;
}

export interface LocalHost {
  /** `http://127.0.0.1:{port}` */
  url: string;
  port: number;
  /** The storage the host uses. */
  connectionString: string;
  config: Readonly<AppConfig>;
  engine: DurableEngine;
  azurite?: EmbeddedAzurite;
  blobPoller?: Poller;
  /** Clean shutdown: stop polling and serving, let running activities finish (up to graceMs), persist, stop Azurite. */
  stop(graceMs?: number): Promise<void>;
  /**
   * Simulated crash (tests): from now on nothing more is persisted, running activities are
   * dropped, then everything is torn down. What is in storage is what a killed process leaves.
   */
  abort(): Promise<void>;
}

function storageSetting(env: Record<string, string | undefined>): string | undefined {
  const s = env.STEMFLOW_STORAGE_CONNECTION?.trim() || env.AzureWebJobsStorage?.trim();
  return s ? s : undefined;
}

/** A handler's logger; `quiet` turns its info lines into debug ones (the blob trigger's per-blob "skipping …"). */
function toLogger(log: HostLogger, quiet = false): Logger {
  const j = (a: unknown[]) => a.map((x) => (typeof x === 'string' ? x : x instanceof Error ? x.message : JSON.stringify(x))).join(' ');
  return { info: (...a) => (quiet ? log.debug(j(a)) : log.info(j(a))), warn: (...a) => log.warn(j(a)), error: (...a) => log.error(j(a)) };
}

export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? createHostLogger(options.logLevel ?? 'info');
  const baseEnv = { ...(options.env ?? process.env) };
  const setting = storageSetting(baseEnv);
  let azurite: EmbeddedAzurite | undefined;
  let connectionString: string;
  if (!setting || /^UseDevelopmentStorage=true/i.test(setting)) {
    azurite = await startEmbeddedAzurite({ ports: options.azuritePorts, persistDir: options.persistDir });
    connectionString = azurite.connectionString;
    log.info(`azurite: blob ${azurite.ports.blob}, queue ${azurite.ports.queue}, table ${azurite.ports.table} (${options.persistDir ? `persisted in ${azurite.persistDir}` : 'in memory'})`);
  } else {
    connectionString = setting;
    log.info('storage: using the account in the storage setting (no embedded Azurite)');
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (typeof v === 'string') env[k] = v;
  // The local host's triggers, Durable state and instance store take connection strings only.
  const identityKeys = Object.keys(env).filter((k) => k.startsWith('AzureWebJobsStorage__') && env[k]!.trim() !== '');
  if (identityKeys.length > 0) {
    log.warn(`storage: ignoring ${identityKeys.join(', ')} (identity-based storage is for Azure); set AzureWebJobsStorage to a connection string to use a real account locally`);
  }
  for (const k of Object.keys(env)) if (k.startsWith('AzureWebJobsStorage__')) delete env[k];
  env.AzureWebJobsStorage = connectionString;
  if (env.STEMFLOW_STORAGE_CONNECTION) env.STEMFLOW_STORAGE_CONNECTION = connectionString;
  env.STEMFLOW_BLOB_TRIGGER_SOURCE = 'LogsAndContainerScan'; // no Event Grid locally

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => log.warn(`shutdown: ${(err as Error)?.message ?? err}`));
    cleanups.length = 0;
  };
  if (azurite) cleanups.push(() => azurite!.stop());
  try {
    const config = parseConfig(env);
    const defs = functionDefinitions(config);
    const httpDefs = defs.filter((d): d is HttpFunctionDefinition => d.kind === 'http');
    const blobDefs = defs.filter((d): d is BlobFunctionDefinition => d.kind === 'blob');
    const queueDefs = defs.filter((d): d is QueueFunctionDefinition => d.kind === 'queue');
    const orchestrators = new Map(
      defs.filter((d): d is OrchestrationFunctionDefinition => d.kind === 'orchestration').map((d) => [d.name, d.handler as unknown as df.OrchestrationHandler]),
    );
    const activityDefs = defs.filter((d): d is ActivityFunctionDefinition => d.kind === 'activity');

    // the host thread's core (the generation starter checks parameters with it): the same module as the workers'
    let core = options.core;
    if (!core && options.coreModule) {
      const mod = (await import(pathToFileURL(resolve(options.coreModule)).href)) as { createCore: (env: Record<string, string>) => CorePort };
      const c = mod.createCore(env);
      core = async () => c;
    }
    const baseServices = createServices(config, core ? { core } : {});
    // storage: the container and queues the app uses
    await baseServices.blobs.ensureContainer();
    const queueService = QueueServiceClient.fromConnectionString(connectionString);
    if (config.queues.enabled)
      await Promise.all([config.queues.analysis, config.queues.generation, config.queues.jobEvents].map((q) => queueService.getQueueClient(q).createIfNotExists()));

    let port = options.port ?? 7071;
    const listenHost = options.listenHost ?? '127.0.0.1';
    const baseUrl = () => `http://localhost:${port}`;

    let runner: ActivityRunner;
    if (options.workers === 0) runner = createInlineRunner(activityDefs, baseServices, log);
    else {
      const pool = createPoolRunner({ threads: options.workers, env, coreModule: options.coreModule ? resolve(options.coreModule) : undefined, log });
      cleanups.push(() => pool.destroy());
      runner = pool;
      const t0 = Date.now();
      await pool.warm();
      log.info(`activities: ${pool.threads} worker thread(s) ready in ${((Date.now() - t0) / 1000).toFixed(1)} s${options.coreModule ? ` (core from ${options.coreModule})` : ''}`);
    }
    const store = createBlobInstanceStore(connectionString, config.hubName);
    const engine = new DurableEngine({ store, orchestrators, activities: runner, log, hubName: config.hubName, baseUrl });
    const withJobs = createServices(config, { blobs: baseServices.blobs, queues: baseServices.queues, core: baseServices.core, jobs: engine.jobClient() });
    const withoutJobs = createServices(config, { blobs: baseServices.blobs, queues: baseServices.queues, core: baseServices.core, jobs: NO_JOB_CLIENT });
    const ctxFor = (durable: boolean, quiet = false): HandlerContext => ({ log: toLogger(log, quiet), services: durable ? withJobs : withoutJobs });
    let graceMs = options.stopGraceMs ?? 10_000;
    cleanups.push(() => engine.stop(graceMs));
    const resumed = await engine.resume();
    if (resumed > 0) log.info(`durable: resumed ${resumed} unfinished instance(s)`);

    const server: Server = createHttpFront({
      defs: httpDefs,
      context: (def) => ctxFor(def.usesDurableClient),
      engine,
      log,
      info: () => ({
        name: 'stemflow-devhost',
        version: VERSION,
        url: baseUrl(),
        container: config.containerName,
        hub: config.hubName,
        durable_container: durableContainerName(config.hubName),
        blob_endpoint: baseServices.blobs.serviceUrl,
        // the public Azurite key only: a real account key is never served
        connection_string: isDevelopmentStorage(connectionString) ? connectionString : null,
        pid: process.pid,
      }),
    });
    server.listen(port, listenHost);
    try {
      await once(server, 'listening');
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw code === 'EADDRINUSE'
        ? new Error(`HTTP port ${port} on ${listenHost} is already in use (another Functions host?); choose another with --port`)
        : err;
    }
    port = (server.address() as AddressInfo).port;
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );

    const pollers: Poller[] = [
      ...blobDefs.map((def) =>
        createBlobPoller({ def, connectionString: env[def.connection] ?? connectionString, hostId: `${config.hubName.toLowerCase()}-devhost`, context: () => ctxFor(true, true), log, intervalMs: options.pollIntervalMs }),
      ),
      ...queueDefs.map((def) => createQueuePoller({ def, connectionString: env[def.connection] ?? connectionString, context: () => ctxFor(true), log, intervalMs: options.pollIntervalMs })),
    ];
    for (const p of pollers) await p.start();
    cleanups.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });
    for (const d of httpDefs) log.info(`  ${d.name}: [${d.methods.join(',')}] http://localhost:${port}/api/${d.route}${d.authLevel === 'anonymous' ? '' : ` (auth ${d.authLevel}: any key accepted locally)`}`);
    for (const d of blobDefs) log.info(`  ${d.name}: blob trigger ${d.path} (polling every ${options.pollIntervalMs ?? 1000} ms)`);
    for (const d of queueDefs) log.info(`  ${d.name}: queue trigger ${d.queueName}`);
    log.info(`stemflow local host ready on http://localhost:${port} (${orchestrators.size} orchestrators, ${activityDefs.length} activities)`);

    let stopped: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      connectionString,
      config,
      engine,
      azurite,
      blobPoller: pollers[0],
      abort() {
        engine.abort();
        graceMs = 0;
        stopped ??= cleanup().then(() => log.info('stemflow local host aborted'));
        return stopped;
      },
      stop(grace?: number) {
        if (grace !== undefined) graceMs = grace;
        stopped ??= cleanup().then(() => log.info('stemflow local host stopped'));
        return stopped;
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
