/**
 * Queue sending (`job-events`, `<queue>-poison`). Messages are plain JSON text (no base64):
 * host.json sets `extensions.queues.messageEncoding` to `none`, which matches what the .NET
 * `QueueClient` sends by default.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { classifyStorageError } from './blobStore.js';

export interface QueueSender {
  send(queueName: string, message: unknown): Promise<void>;
}

/** Azure Storage (or Azurite) queues; each queue is created on first use. */
export function createAzureQueueSender(connectionString: string): QueueSender {
  const service = QueueServiceClient.fromConnectionString(connectionString);
  const created = new Set<string>();
  return {
    async send(queueName, message) {
      const queue = service.getQueueClient(queueName);
      try {
        if (!created.has(queueName)) {
          await queue.createIfNotExists();
          created.add(queueName);
        }
        await queue.sendMessage(typeof message === 'string' ? message : JSON.stringify(message));
      } catch (err) {
        throw classifyStorageError(err, `sending to queue "${queueName}"`);
      }
    },
  };
}

/** In-memory queues for tests: every message, as sent, per queue. */
export function createMemoryQueueSender(): QueueSender & { readonly messages: Map<string, string[]> } {
  const messages = new Map<string, string[]>();
  return {
    messages,
    async send(queueName, message) {
      const list = messages.get(queueName) ?? [];
      list.push(typeof message === 'string' ? message : JSON.stringify(message));
      messages.set(queueName, list);
    },
  };
}
