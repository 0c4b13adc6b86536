/**
 * The local host's polling triggers and embedded Azurite against a real Azurite: blob receipts
 * survive a restart (nothing missed, nothing repeated), failing blobs and queue messages end in
 * the poison queues after 5 attempts like Azure, a busy port is a clear error, and --persist keeps
 * data across Azurite restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueServiceClient } from '@azure/storage-queue';
import { createAzureBlobStore, type BlobStore } from '../../shared/storage/blobStore.js';
import type { BlobFunctionDefinition, BlobTriggerInput, HandlerContext, QueueFunctionDefinition } from '../../functions/types.js';
import { BLOB_POISON_QUEUE, createBlobPoller, createQueuePoller } from '../../devhost/triggers.js';
import { startEmbeddedAzurite } from '../../devhost/azurite.js';
import { compileRoute } from '../../devhost/http.js';
import { createHostLogger } from '../../devhost/log.js';
import { startAzurite, type AzuriteInstance } from '../helpers/azurite.js';
import { drainQueue, until } from '../e2e/harness.js';

let azurite: AzuriteInstance;
let blobs: BlobStore;
const log = createHostLogger('silent');
const ctx = () => ({ log: { info() {}, warn() {}, error() {} } }) as unknown as HandlerContext;

beforeAll(async () => {
  azurite = await startAzurite();
  blobs = createAzureBlobStore(azurite.connectionString, 'uploads', { maxTries: 2 });
  await blobs.ensureContainer();
});

afterAll(async () => {
  await azurite?.stop();
});

function blobDef(handler: (input: BlobTriggerInput) => Promise<{ started: boolean; instanceId?: string }>): BlobFunctionDefinition {
  return { kind: 'blob', name: 'onUpload', path: 'uploads/{name}', source: 'LogsAndContainerScan', connection: 'AzureWebJobsStorage', usesDurableClient: true, handler };
}

describe('blob trigger by polling', () => {
  it('hands every blob version to the handler once, across a restart, and misses nothing written while down', async () => {
    const seen: string[] = [];
    const def = blobDef(async (b) => {
      seen.push(`${b.name}@${b.etag}`);
      return { started: true, instanceId: b.name };
    });
    const opts = { def, connectionString: azurite.connectionString, hostId: 'h1', context: ctx, log, intervalMs: 60_000 };
    const a1 = await blobs.write('a.wav', new Uint8Array([1, 2, 3]), 'audio/wav');
    await blobs.write('a/stems/x.wav', new Uint8Array([4]), 'audio/wav');
    const first = createBlobPoller(opts);
    await first.start();
    await first.pollOnce();
    await first.stop();
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(expect.arrayContaining([`a.wav@${a1.etag}`, expect.stringMatching(/^a\/stems\/x\.wav@/)]));
    // while no host runs: a new upload and a re-upload (new ETag) of a.wav
    await blobs.write('b.wav', new Uint8Array([5]), 'audio/wav');
    const a2 = await blobs.write('a.wav', new Uint8Array([1, 2, 3, 4]), 'audio/wav');
    seen.length = 0;
    const second = createBlobPoller(opts);
    await second.start();
    await second.pollOnce();
    await second.pollOnce();
    await second.stop();
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(expect.arrayContaining([`a.wav@${a2.etag}`, expect.stringMatching(/^b\.wav@/)]));
  });

  it('retries a failing blob on later scans and poisons it after 5 failures', async () => {
    let calls = 0;
    const def = blobDef(async (b) => {
      if (b.name === 'bad.wav') {
        calls++;
        throw new Error('handler exploded');
      }
      return { started: false };
    });
    await blobs.write('bad.wav', new Uint8Array([9]), 'audio/wav');
    const poller = createBlobPoller({ def, connectionString: azurite.connectionString, hostId: 'h2', context: ctx, log, intervalMs: 60_000 });
    await poller.start();
    for (let i = 0; i < 7; i++) await poller.pollOnce();
    await poller.stop();
    expect(calls).toBe(5);
    const poison = (await drainQueue(azurite.connectionString, BLOB_POISON_QUEUE)).map((m) => JSON.parse(m));
    expect(poison).toEqual([expect.objectContaining({ FunctionId: 'onUpload', ContainerName: 'uploads', BlobName: 'bad.wav' })]);
  });
});

describe('queue trigger by polling', () => {
  it('deletes handled messages and moves a message that keeps failing to {queue}-poison after 5 dequeues', async () => {
    const handled: string[] = [];
    const attempts = new Map<string, number>();
    const def: QueueFunctionDefinition = {
      kind: 'queue',
      name: 'onRequest',
      queueName: 'requests',
      connection: 'AzureWebJobsStorage',
      usesDurableClient: true,
      handler: async (message) => {
        const text = String(message);
        attempts.set(text, (attempts.get(text) ?? 0) + 1);
        if (text === 'boom') throw new Error('cannot handle boom');
        handled.push(text);
        return { started: true };
      },
    };
    const q = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('requests');
    await q.createIfNotExists();
    await q.sendMessage('{"ok":1}');
    await q.sendMessage('boom');
    const poller = createQueuePoller({ def, connectionString: azurite.connectionString, context: ctx, log, intervalMs: 50, retryDelaySec: 0 });
    await poller.start();
    const poisoned = await until('the poison message', async () => {
      const m = await drainQueue(azurite.connectionString, 'requests-poison');
      return m.length > 0 ? m : undefined;
    });
    await poller.stop();
    expect(poisoned).toEqual(['boom']);
    expect(attempts.get('boom')).toBe(5);
    expect(handled).toEqual(['{"ok":1}']);
    expect(await drainQueue(azurite.connectionString, 'requests')).toEqual([]);
  });
});

describe('embedded Azurite', () => {
  it('names the busy port and the ways out', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startEmbeddedAzurite({ ports: { blob: port, queue: 0, table: 0 } })).rejects.toThrow(new RegExp(`blob port ${port} .*already in use.*--azurite-ports.*AzureWebJobsStorage`));
    } finally {
      blocker.close();
    }
  });

  it('keeps blobs across restarts with a persist folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemflow-persist-'));
    try {
      const first = await startEmbeddedAzurite({ ports: { blob: 0, queue: 0, table: 0 }, persistDir: dir });
      const store1 = createAzureBlobStore(first.connectionString, 'keep', { maxTries: 1 });
      await store1.ensureContainer();
      await store1.write('x.bin', new Uint8Array([7, 7, 7]), 'application/octet-stream');
      await first.stop();
      const again = await startEmbeddedAzurite({ ports: { blob: 0, queue: 0, table: 0 }, persistDir: dir });
      try {
        const store2 = createAzureBlobStore(again.connectionString, 'keep', { maxTries: 1 });
        expect(Array.from((await store2.read('x.bin')).bytes)).toEqual([7, 7, 7]);
      } finally {
        await again.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTP routes', () => {
  it('compiles Functions route templates', () => {
    const r = compileRoute('jobs/{id}');
    expect(r.names).toEqual(['id']);
    expect(r.pattern.exec('/api/jobs/analysis-x-1')?.[1]).toBe('analysis-x-1');
    expect(r.pattern.test('/api/jobs/a/b')).toBe(false);
    expect(r.pattern.test('/api/jobs')).toBe(false);
    const opt = compileRoute('items/{id?}');
    expect(opt.pattern.test('/api/items')).toBe(true);
    expect(opt.pattern.exec('/api/items/7')?.[1]).toBe('7');
  });
});
