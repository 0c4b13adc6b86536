/**
 * Building {@link Services}: storage clients are created once per process; the Durable client
 * is per invocation (it comes from the invocation's input binding), so hosts pass it in.
 */
import type { AppConfig } from '../shared/config.js';
import { createAzureBlobStore, type BlobStore } from '../shared/storage/blobStore.js';
import { createAzureQueueSender, type QueueSender } from '../shared/storage/queues.js';
import { loadCore } from './core.js';
import type { JobClient, JobRuntimeInfo, ManagementUrls, Services } from './types.js';

/** A JobClient for invocations that have no Durable client binding: any use is a wiring bug. */
export const NO_JOB_CLIENT: JobClient = {
  startNew: () => Promise.reject(new Error('this function has no Durable client binding')),
  getStatus: () => Promise.reject(new Error('this function has no Durable client binding')),
  managementUrls: () => {
    throw new Error('this function has no Durable client binding');
  },
};

export function createServices(config: Readonly<AppConfig>, overrides: Partial<Services> = {}): Services {
  let blobs: BlobStore | undefined = overrides.blobs;
  let queues: QueueSender | undefined = overrides.queues;
  return {
    config,
    jobs: overrides.jobs ?? NO_JOB_CLIENT,
    get blobs() {
      blobs ??= createAzureBlobStore(config.storage, config.containerName);
      return blobs;
    },
    get queues() {
      queues ??= createAzureQueueSender(config.storage);
      return queues;
    },
    core: overrides.core ?? loadCore,
    fetch: overrides.fetch ?? fetch,
  };
}

/** The subset of durable-functions' DurableClient the adapter uses. */
export interface DurableClientLike {
  startNew(name: string, options?: { instanceId?: string; input?: unknown }): Promise<string>;
  getStatus(instanceId: string, options?: { showHistory?: boolean; showHistoryOutput?: boolean; showInput?: boolean }): Promise<{
    name: string;
    instanceId: string;
    runtimeStatus: string;
    createdTime: Date;
    lastUpdatedTime: Date;
    customStatus?: unknown;
    output: unknown;
  }>;
  createHttpManagementPayload(instanceId: string): ManagementUrls;
}

/** Adapt a durable-functions DurableClient to {@link JobClient} (getStatus: 404 → undefined). */
export function durableJobClient(client: DurableClientLike): JobClient {
  return {
    startNew: (name, options) => client.startNew(name, options),
    async getStatus(instanceId): Promise<JobRuntimeInfo | undefined> {
      try {
        const s = await client.getStatus(instanceId, { showInput: false, showHistory: false });
        if (!s || !s.runtimeStatus) return undefined;
        return {
          name: s.name,
          instanceId: s.instanceId,
          runtimeStatus: toSnake(String(s.runtimeStatus)),
          createdTime: s.createdTime,
          lastUpdatedTime: s.lastUpdatedTime,
          customStatus: s.customStatus,
          output: s.output,
        };
      } catch (err) {
        const msg = String((err as Error)?.message ?? err);
        if (/404|not found/i.test(msg)) return undefined;
        throw err;
      }
    },
    managementUrls: (instanceId) => {
      const p = client.createHttpManagementPayload(instanceId);
      return {
        id: p.id,
        statusQueryGetUri: p.statusQueryGetUri,
        sendEventPostUri: p.sendEventPostUri,
        terminatePostUri: p.terminatePostUri,
        purgeHistoryDeleteUri: p.purgeHistoryDeleteUri,
      };
    },
  };
}

/** "ContinuedAsNew" → "continued_as_new", "Running" → "running". */
function toSnake(s: string): string {
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
