/** Shared pieces of the end-to-end tests: a local host on random ports, uploads, job polling, queue reads. */
import type { JobStatus } from '../../shared/contracts/http.js';
import { drainQueue } from '../helpers/azurite.js';
import { fileURLToPath } from 'node:url';
import { QueueServiceClient } from '@azure/storage-queue';
import { analysisInstanceId } from '../../functions/jobs.js';
import { createAzureBlobStore, type BlobStore } from '../../shared/storage/blobStore.js';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../../devhost/host.js';
import { createHostLogger } from '../../devhost/log.js';

export const FAST_CORE = fileURLToPath(new URL('./fastCore.ts', import.meta.url));
export const SECRET = 'e2e-secret';

/** Settings of the e2e hosts: callbacks to 127.0.0.1, short retries. */
export function e2eEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    STEMFLOW_CALLBACK_ALLOWED_HOSTS: '127.0.0.1',
    STEMFLOW_CALLBACK_SECRET: SECRET,
    STEMFLOW_CALLBACK_MAX_ATTEMPTS: '3',
    STEMFLOW_CALLBACK_FIRST_RETRY_MS: '150',
    STEMFLOW_CALLBACK_TIMEOUT_MS: '2000',
    STEMFLOW_ACTIVITY_FIRST_RETRY_MS: '200',
    STEMFLOW_ACTIVITY_MAX_ATTEMPTS: '3',
    STEMFLOW_MAX_DURATION_SEC: '120',
    ...extra,
  };
}

/** A host on port 0; embedded Azurite on free ports unless `env.AzureWebJobsStorage` is given. Logs are kept in `logs`. */
export async function startTestHost(env: Record<string, string>, options: Partial<LocalHostOptions> = {}): Promise<{ host: LocalHost; blobs: BlobStore; logs: string[] }> {
  const logs: string[] = [];
  const host = await startLocalHost({
    env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', ...env },
    port: 0,
    azuritePorts: { blob: 0, queue: 0, table: 0 },
    workers: 1,
    coreModule: FAST_CORE,
    pollIntervalMs: 150,
    stopGraceMs: 2000,
    log: createHostLogger('debug', (_level, line) => logs.push(line)),
    ...options,
  });
  return { host, blobs: createAzureBlobStore(host.connectionString, host.config.containerName, { maxTries: 2 }), logs };
}

export async function upload(blobs: BlobStore, name: string, bytes: Uint8Array): Promise<{ etag: string; jobId: string }> {
  const { etag } = await blobs.write(name, bytes, 'application/octet-stream');
  const id = name.slice(0, name.lastIndexOf('.'));
  return { etag, jobId: analysisInstanceId(blobs.container, name, etag, id) };
}

/** The body of GET /api/jobs/{id}: the exported contract. */
export type JobStatusBody = JobStatus;

/** Poll GET /api/jobs/{id} until `until(status)` (default: a terminal status). */
export async function waitForJob(baseUrl: string, jobId: string, timeoutMs = 30_000, until?: (s: JobStatusBody) => boolean): Promise<JobStatusBody> {
  const deadline = Date.now() + timeoutMs;
  const done = until ?? ((s: JobStatusBody) => ['completed', 'failed', 'terminated'].includes(s.runtime_status));
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await fetch(`${baseUrl}/api/jobs/${encodeURIComponent(jobId)}`);
    if (res.status === 200) {
      const s = (await res.json()) as JobStatusBody;
      last = s;
      if (done(s)) return s;
    } else last = `HTTP ${res.status}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} not done within ${timeoutMs} ms; last status: ${JSON.stringify(last)}`);
}

export { drainQueue };

export async function sendQueue(connectionString: string, queue: string, text: string): Promise<void> {
  const q = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queue);
  await q.createIfNotExists();
  await q.sendMessage(text);
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
