/**
 * Queue sending (`job-events`, `<queue>-poison`). Messages are plain JSON text (no base64):
 * host.json sets `extensions.queues.messageEncoding` to `none`, which matches what the .NET
 * `QueueClient` sends by default.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import type { StorageSetting } from '../config.js';
import { classifyStorageError } from './blobStore.js';
import { createStorageCredential } from './credentials.js';

export interface QueueSender {
  send(queueName: string, message: unknown): Promise<void>;
}

/**
 * The queue service client for a storage setting: a connection string (a plain string is one) as
 * before, or the identity-based form: `queueServiceUri` with a Microsoft Entra credential
 * (shared/storage/credentials.ts picks it). Makes no network call.
 */
export function createQueueServiceClient(storage: StorageSetting | string): QueueServiceClient {
  const s: StorageSetting = typeof storage === 'string' ? { kind: 'connectionString', connectionString: storage } : storage;
  if (s.kind === 'connectionString') return QueueServiceClient.fromConnectionString(s.connectionString);
  return new QueueServiceClient(s.queueServiceUri, createStorageCredential(s));
}

/** Azure Storage (or Azurite) queues, by connection string or by identity; each queue is created on first use. */
export function createAzureQueueSender(storage: StorageSetting | string): QueueSender {
  const service = createQueueServiceClient(storage);
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
