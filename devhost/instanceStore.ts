/**
 * Durable instance state of the local host, persisted as one JSON blob per instance in the
 * container `{hub}-durable` (`instances/{instanceId}.json`): name, input, runtime status, custom
 * status, output, timestamps and the full host-style history. Azure's Durable extension keeps the
 * same facts in the `{hub}Instances` / `{hub}History` tables; Azurite's table service would do too,
 * but @azure/data-tables is not a dependency, and one blob per instance is simpler to read.
 *
 * One local host per storage account and hub: writes are last-writer-wins.
 */
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated';

/** A host-style history event (the field names durable-functions reads). */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  IsProcessed?: boolean;
  [field: string]: unknown;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  input: unknown;
  runtimeStatus: RuntimeStatus;
  customStatus?: unknown;
  output?: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  history: HistoryEvent[];
  /** Actions scheduled so far (the next action's sequence number). */
  scheduled: number;
}

export interface InstanceStore {
  get(instanceId: string): Promise<InstanceRecord | undefined>;
  put(record: InstanceRecord): Promise<void>;
  delete(instanceId: string): Promise<boolean>;
  /** Every record (newest update first); `top` limits the answer. */
  list(options?: { top?: number; statuses?: RuntimeStatus[] }): Promise<InstanceRecord[]>;
  ensure(): Promise<void>;
}

/** The container holding a hub's instances (container names are lower-case). */
export function durableContainerName(hubName: string): string {
  return `${hubName.toLowerCase()}-durable`;
}

const blobName = (instanceId: string) => `instances/${encodeURIComponent(instanceId)}.json`;

export function createBlobInstanceStore(connectionString: string, hubName: string): InstanceStore {
  const container: ContainerClient = BlobServiceClient.fromConnectionString(connectionString, {
    retryOptions: { maxTries: 4, retryDelayInMs: 200, maxRetryDelayInMs: 2000, tryTimeoutInMs: 30_000 },
  }).getContainerClient(durableContainerName(hubName));
  const read = async (name: string): Promise<InstanceRecord | undefined> => {
    try {
      const buf = await container.getBlobClient(name).downloadToBuffer();
      return JSON.parse(buf.toString('utf8')) as InstanceRecord;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  };
  return {
    async ensure() {
      await container.createIfNotExists();
    },
    get: (instanceId) => read(blobName(instanceId)),
    async put(record) {
      const body = JSON.stringify(record);
      await container.getBlockBlobClient(blobName(record.instanceId)).upload(body, Buffer.byteLength(body), {
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    },
    async delete(instanceId) {
      const r = await container.getBlobClient(blobName(instanceId)).deleteIfExists();
      return r.succeeded;
    },
    async list(options = {}) {
      const items: { name: string; modified: number }[] = [];
      for await (const b of container.listBlobsFlat({ prefix: 'instances/' })) items.push({ name: b.name, modified: b.properties.lastModified?.getTime() ?? 0 });
      items.sort((a, b) => b.modified - a.modified);
      const out: InstanceRecord[] = [];
      for (const item of items) {
        const r = await read(item.name);
        if (!r) continue;
        if (options.statuses && !options.statuses.includes(r.runtimeStatus)) continue;
        out.push(r);
        if (options.top !== undefined && out.length >= options.top) break;
      }
      return out;
    },
  };
}

/** An in-memory store (tests): records are copied in and out, like a real round trip. */
export function createMemoryInstanceStore(): InstanceStore & { readonly records: Map<string, InstanceRecord> } {
  const records = new Map<string, InstanceRecord>();
  const copy = (r: InstanceRecord): InstanceRecord => JSON.parse(JSON.stringify(r));
  return {
    records,
    async ensure() {},
    async get(id) {
      const r = records.get(id);
      return r ? copy(r) : undefined;
    },
    async put(r) {
      records.set(r.instanceId, copy(r));
    },
    async delete(id) {
      return records.delete(id);
    },
    async list(options = {}) {
      return [...records.values()]
        .filter((r) => !options.statuses || options.statuses.includes(r.runtimeStatus))
        .sort((a, b) => b.lastUpdatedTime.localeCompare(a.lastUpdatedTime))
        .slice(0, options.top ?? Infinity)
        .map(copy);
    },
  };
}
