/**
 * A real Azurite (blob, queue, table) for tests: the local host's own starter
 * (devhost/azurite.ts), in memory, on free ports chosen at run time, awaited until every port
 * accepts connections. Call `stop()` in afterAll.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { startEmbeddedAzurite } from '../../devhost/azurite.js';

export interface AzuriteInstance {
  connectionString: string;
  blobPort: number;
  queuePort: number;
  tablePort: number;
  blobEndpoint: string;
  stop(): Promise<void>;
}

export async function startAzurite(options: { timeoutMs?: number } = {}): Promise<AzuriteInstance> {
  const a = await startEmbeddedAzurite({ ports: { blob: 0, queue: 0, table: 0 }, startTimeoutMs: options.timeoutMs ?? 60_000 });
  return {
    connectionString: a.connectionString,
    blobPort: a.ports.blob,
    queuePort: a.ports.queue,
    tablePort: a.ports.table,
    blobEndpoint: a.blobEndpoint,
    stop: () => a.stop(),
  };
}

/** Every message currently on a queue (received and deleted); none when the queue does not exist. */
export async function drainQueue(connectionString: string, queue: string): Promise<string[]> {
  const q = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queue);
  if (!(await q.exists())) return [];
  const out: string[] = [];
  for (;;) {
    const got = await q.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (got.receivedMessageItems.length === 0) return out;
    for (const m of got.receivedMessageItems) {
      out.push(m.messageText);
      await q.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}
