/**
 * Polling triggers of the local host.
 *
 * Blob trigger (like the Functions host's `LogsAndContainerScan` source): the container is listed
 * every `intervalMs`; each blob version (name + ETag) without a receipt is handed to the
 * registry's handler. A receipt `azure-webjobs-hosts/blobreceipts/{hostId}/{function}/{etag}/{container}/{name}`
 * is written once the handler succeeded, so a restart neither misses an upload (no receipt yet →
 * processed) nor repeats one (receipt found). A failing blob is retried on the next scans; after
 * 5 failures a message goes to `webjobs-blobtrigger-poison` and a receipt is written, as in Azure.
 *
 * Queue trigger: messages are received with a visibility timeout; success deletes the message;
 * a failure makes it visible again after `retryDelayMs`; a message whose dequeue count reached 5
 * moves to `{queue}-poison`, as in Azure (host.json maxDequeueCount 5).
 */
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import type { BlobFunctionDefinition, HandlerContext, QueueFunctionDefinition } from '../functions/types.js';
import type { HostLogger } from './log.js';

export const MAX_DEQUEUE_COUNT = 5;
export const BLOB_POISON_QUEUE = 'webjobs-blobtrigger-poison';
export const HOSTS_CONTAINER = 'azure-webjobs-hosts';

export interface Poller {
  start(): Promise<void>;
  /** Stop scheduling scans and wait for the one in progress. */
  stop(): Promise<void>;
  /** Run one scan now (tests). */
  pollOnce(): Promise<void>;
}

const normEtag = (e: string) => e.replace(/"/g, '');

export function receiptName(hostId: string, functionName: string, etag: string, container: string, blobName: string): string {
  return `blobreceipts/${hostId}/${functionName}/${normEtag(etag)}/${container}/${blobName}`;
}

function loop(intervalMs: number, tick: () => Promise<void>, log: HostLogger, what: string): { start(): void; stop(): Promise<void>; once(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let stopped = false;
  const once = (): Promise<void> => {
    current ??= tick()
      .catch((err) => log.warn(`${what}: scan failed: ${(err as Error)?.message ?? err}`))
      .finally(() => {
        current = undefined;
      });
    return current;
  };
  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => void once().then(next), intervalMs);
  };
  return {
    start: () => void once().then(next),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
    once,
  };
}

export interface BlobPollerOptions {
  def: BlobFunctionDefinition;
  connectionString: string;
  hostId: string;
  context: () => HandlerContext;
  log: HostLogger;
  intervalMs?: number;
}

export function createBlobPoller(o: BlobPollerOptions): Poller & { readonly receipts: ReadonlySet<string> } {
  const service = BlobServiceClient.fromConnectionString(o.connectionString);
  const slash = o.def.path.indexOf('/');
  const containerName = o.def.path.slice(0, slash);
  const prefix = o.def.path.slice(slash + 1).replace(/\{name\}$/, '');
  const container: ContainerClient = service.getContainerClient(containerName);
  const hosts: ContainerClient = service.getContainerClient(HOSTS_CONTAINER);
  const poisonQueue = QueueServiceClient.fromConnectionString(o.connectionString).getQueueClient(BLOB_POISON_QUEUE);
  const receipts = new Set<string>();
  const failures = new Map<string, number>();
  const receiptPrefix = `blobreceipts/${o.hostId}/${o.def.name}/`;

  const writeReceipt = async (key: string) => {
    await hosts.getBlockBlobClient(key).upload('', 0);
    receipts.add(key);
  };

  const tick = async () => {
    const todo: { name: string; etag: string; key: string }[] = [];
    for await (const b of container.listBlobsFlat({ prefix })) {
      const raw = b.properties.etag ?? '';
      const etag = raw.startsWith('"') ? raw : `"${raw}"`; // listings carry it bare; blob properties quote it
      const key = receiptName(o.hostId, o.def.name, etag, containerName, b.name);
      if (!receipts.has(key)) todo.push({ name: b.name, etag, key });
    }
    for (const item of todo) {
      try {
        const r = await o.def.handler({ name: item.name, container: containerName, etag: item.etag }, o.context());
        if (r.started) o.log.info(`${o.def.name}: ${containerName}/${item.name} → started ${r.instanceId}`);
        else if (r.instanceId) o.log.info(`${o.def.name}: ${containerName}/${item.name} → ${r.instanceId} already exists`);
        await writeReceipt(item.key);
        failures.delete(item.key);
      } catch (err) {
        const n = (failures.get(item.key) ?? 0) + 1;
        failures.set(item.key, n);
        o.log.warn(`${o.def.name}: "${containerName}/${item.name}" failed (attempt ${n} of ${MAX_DEQUEUE_COUNT}): ${(err as Error)?.message ?? err}`);
        if (n >= MAX_DEQUEUE_COUNT) {
          await poisonQueue.createIfNotExists();
          await poisonQueue.sendMessage(
            JSON.stringify({ Type: 'BlobTrigger', FunctionId: o.def.name, BlobType: 'BlockBlob', ContainerName: containerName, BlobName: item.name, ETag: item.etag }),
          );
          await writeReceipt(item.key);
          failures.delete(item.key);
          o.log.error(`${o.def.name}: "${containerName}/${item.name}" moved to ${BLOB_POISON_QUEUE} after ${n} failures`);
        }
      }
    }
  };
  const l = loop(o.intervalMs ?? 1000, tick, o.log, o.def.name);
  return {
    receipts,
    async start() {
      await Promise.all([container.createIfNotExists(), hosts.createIfNotExists()]);
      for await (const r of hosts.listBlobsFlat({ prefix: receiptPrefix })) receipts.add(r.name);
      l.start();
    },
    stop: l.stop,
    pollOnce: l.once,
  };
}

export interface QueuePollerOptions {
  def: QueueFunctionDefinition;
  connectionString: string;
  context: () => HandlerContext;
  log: HostLogger;
  intervalMs?: number;
  /** Visibility timeout while a message is being processed, s (default 300). */
  visibilityTimeoutSec?: number;
  /** Delay before a failed message is visible again, s (default 2). */
  retryDelaySec?: number;
}

export function createQueuePoller(o: QueuePollerOptions): Poller {
  const service = QueueServiceClient.fromConnectionString(o.connectionString);
  const queue: QueueClient = service.getQueueClient(o.def.queueName);
  const poison: QueueClient = service.getQueueClient(`${o.def.queueName}-poison`);
  const tick = async () => {
    for (;;) {
      const got = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: o.visibilityTimeoutSec ?? 300 });
      if (got.receivedMessageItems.length === 0) return;
      await Promise.all(
        got.receivedMessageItems.map(async (m) => {
          try {
            await o.def.handler(m.messageText, o.context());
            await queue.deleteMessage(m.messageId, m.popReceipt);
          } catch (err) {
            o.log.warn(`${o.def.name}: message ${m.messageId} failed (dequeue count ${m.dequeueCount} of ${MAX_DEQUEUE_COUNT}): ${(err as Error)?.message ?? err}`);
            if (m.dequeueCount >= MAX_DEQUEUE_COUNT) {
              await poison.createIfNotExists();
              await poison.sendMessage(m.messageText);
              await queue.deleteMessage(m.messageId, m.popReceipt);
              o.log.error(`${o.def.name}: message ${m.messageId} moved to ${o.def.queueName}-poison`);
            } else await queue.updateMessage(m.messageId, m.popReceipt, undefined, o.retryDelaySec ?? 2);
          }
        }),
      );
    }
  };
  const l = loop(o.intervalMs ?? 1000, tick, o.log, o.def.name);
  return {
    async start() {
      await queue.createIfNotExists();
      l.start();
    },
    stop: l.stop,
    pollOnce: l.once,
  };
}
