/**
 * Blob access by PATH inside one container. Activities read and write audio through this, so
 * audio never passes through orchestration history. Two implementations: Azure Storage (also
 * Azurite) and an in-memory store for unit tests and the CLI.
 *
 * Errors: a missing blob is {@link BlobNotFoundError} (bad input, never retried); throttling,
 * 5xx and network failures are {@link TransientError} (retried with backoff by the orchestrator).
 */
import { createHash } from 'node:crypto';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { StorageSetting } from '../config.js';
import { BadInputError, TransientError, StemflowError } from '../errors.js';
import { createStorageCredential } from './credentials.js';

export interface BlobProperties {
  etag: string;
  contentType?: string;
  contentLength: number;
  lastModified?: Date;
}

/** A piece of a blob and its place among the others (see {@link BlobStore.writeArranged}). */
export interface ArrangedPiece {
  bytes: Uint8Array;
  order: number;
}

/** `pieces` in order, each with its index as its place. */
async function* inOrder(pieces: AsyncIterable<Uint8Array>): AsyncGenerator<ArrangedPiece> {
  let order = 0;
  for await (const bytes of pieces) yield { bytes, order: order++ };
}

/** Indices of `orders` sorted by order value, ties by index. */
function arrangement(orders: number[]): number[] {
  return orders.map((_, i) => i).sort((a, b) => orders[a] - orders[b] || a - b);
}

export interface BlobStore {
  readonly container: string;
  /** Service URL including the account, e.g. `https://acct.blob.core.windows.net` or `http://127.0.0.1:10000/devstoreaccount1`. */
  readonly serviceUrl: string;
  read(path: string): Promise<{ bytes: Uint8Array; properties: BlobProperties }>;
  write(path: string, bytes: Uint8Array, contentType: string): Promise<{ etag: string }>;
  /** `count` bytes from byte `offset` (fewer at the end of the blob). */
  readRange(path: string, offset: number, count: number): Promise<Uint8Array>;
  /**
   * Write a blob from pieces produced one at a time (Azure: one staged block each, then one
   * commit), so a large output never has to sit in memory whole. Empty pieces are skipped.
   */
  writeBlocks(path: string, pieces: AsyncIterable<Uint8Array>, contentType: string): Promise<{ etag: string }>;
  /**
   * As {@link writeBlocks}, but the blob is the pieces in ascending `order` (ties: as they came),
   * not in the order they were produced: a layout whose first bytes are known last (a header
   * giving the length) or whose parts interleave in time (one section per channel) is still
   * written a piece at a time.
   */
  writeArranged(path: string, pieces: AsyncIterable<ArrangedPiece>, contentType: string): Promise<{ etag: string }>;
  /** Properties, or undefined when the blob does not exist. */
  properties(path: string): Promise<BlobProperties | undefined>;
  list(prefix: string): Promise<string[]>;
  ensureContainer(): Promise<void>;
  /** Throws when the container cannot be reached. */
  ping(): Promise<void>;
}

/** The blob does not exist. */
export class BlobNotFoundError extends BadInputError {
  constructor(container: string, path: string) {
    super(`blob "${container}/${path}" does not exist`, 'blob_not_found');
  }
}

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'REQUEST_SEND_ERROR']);

/** Map an Azure SDK / network error to the stemflow hierarchy. */
export function classifyStorageError(err: unknown, what: string): StemflowError {
  if (err instanceof StemflowError) return err;
  const e = err as { statusCode?: number; code?: string; name?: string; message?: string };
  const status = e?.statusCode;
  const message = `${what}: ${e?.message ?? String(err)}`;
  if (status === 408 || status === 429 || (status !== undefined && status >= 500)) return new TransientError(message, 'storage_unavailable', { cause: err });
  if (status === undefined && (TRANSIENT_NETWORK_CODES.has(String(e?.code)) || e?.name === 'AbortError' || e?.name === 'RestError'))
    return new TransientError(message, 'storage_unreachable', { cause: err });
  if (status === 403 || status === 401) return new TransientError(message, 'storage_forbidden', { cause: err });
  return new BadInputError(message, 'storage_rejected', { cause: err });
}

export interface AzureBlobStoreOptions {
  /** SDK-level tries per request (default 3); the orchestrator retries transient failures on top. */
  maxTries?: number;
  /** Per-try timeout, ms (default 120 000). */
  tryTimeoutMs?: number;
}

/**
 * The blob service client for a storage setting: a connection string (a plain string is one) as
 * before, or the identity-based form: `blobServiceUri` with a Microsoft Entra credential
 * (shared/storage/credentials.ts picks it). Makes no network call.
 */
export function createBlobServiceClient(storage: StorageSetting | string, pipeline: StoragePipelineOptions = {}): BlobServiceClient {
  const s: StorageSetting = typeof storage === 'string' ? { kind: 'connectionString', connectionString: storage } : storage;
  if (s.kind === 'connectionString') return BlobServiceClient.fromConnectionString(s.connectionString, pipeline);
  return new BlobServiceClient(s.blobServiceUri, createStorageCredential(s), pipeline);
}

/** An Azure Storage (or Azurite) container, reached by connection string or by identity ({@link StorageSetting}). */
export function createAzureBlobStore(storage: StorageSetting | string, containerName: string, options: AzureBlobStoreOptions = {}): BlobStore {
  const service = createBlobServiceClient(storage, {
    retryOptions: { maxTries: options.maxTries ?? 3, tryTimeoutInMs: options.tryTimeoutMs ?? 120_000, retryDelayInMs: 500, maxRetryDelayInMs: 4000 },
  });
  const container: ContainerClient = service.getContainerClient(containerName);
  return {
    container: containerName,
    serviceUrl: service.url.replace(/\/+$/, ''),
    async read(path) {
      try {
        const blob = container.getBlobClient(path);
        const buffer = await blob.downloadToBuffer();
        const props = await blob.getProperties();
        return {
          bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
          properties: { etag: props.etag ?? '', contentType: props.contentType, contentLength: props.contentLength ?? buffer.byteLength, lastModified: props.lastModified },
        };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) throw new BlobNotFoundError(containerName, path);
        throw classifyStorageError(err, `reading blob "${containerName}/${path}"`);
      }
    },
    async write(path, bytes, contentType) {
      try {
        const res = await container.getBlockBlobClient(path).uploadData(bytes, { blobHTTPHeaders: { blobContentType: contentType } });
        return { etag: res.etag ?? '' };
      } catch (err) {
        throw classifyStorageError(err, `writing blob "${containerName}/${path}"`);
      }
    },
    async readRange(path, offset, count) {
      try {
        if (count <= 0) return new Uint8Array(0);
        // download() rather than downloadToBuffer(): a range past the end gives the bytes that exist.
        const res = await container.getBlobClient(path).download(offset, count);
        const chunks: Buffer[] = [];
        for await (const chunk of res.readableStreamBody ?? []) chunks.push(chunk as Buffer);
        const buffer = Buffer.concat(chunks);
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) throw new BlobNotFoundError(containerName, path);
        throw classifyStorageError(err, `reading bytes ${offset}+${count} of blob "${containerName}/${path}"`);
      }
    },
    writeBlocks(path, pieces, contentType) {
      return this.writeArranged(path, inOrder(pieces), contentType);
    },
    async writeArranged(path, pieces, contentType) {
      try {
        const client = container.getBlockBlobClient(path);
        const ids: string[] = [];
        const orders: number[] = [];
        for await (const { bytes, order } of pieces) {
          if (bytes.byteLength === 0) continue;
          // Block ids of one blob must all have the same length.
          const id = Buffer.from(`block-${String(ids.length).padStart(6, '0')}`).toString('base64');
          await client.stageBlock(id, bytes, bytes.byteLength);
          ids.push(id);
          orders.push(order);
        }
        const res = await client.commitBlockList(arrangement(orders).map((i) => ids[i]), { blobHTTPHeaders: { blobContentType: contentType } });
        return { etag: res.etag ?? '' };
      } catch (err) {
        throw classifyStorageError(err, `writing blob "${containerName}/${path}" in blocks`);
      }
    },
    async properties(path) {
      try {
        const p = await container.getBlobClient(path).getProperties();
        return { etag: p.etag ?? '', contentType: p.contentType, contentLength: p.contentLength ?? 0, lastModified: p.lastModified };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw classifyStorageError(err, `reading properties of "${containerName}/${path}"`);
      }
    },
    async list(prefix) {
      try {
        const names: string[] = [];
        for await (const item of container.listBlobsFlat({ prefix })) names.push(item.name);
        return names;
      } catch (err) {
        throw classifyStorageError(err, `listing "${containerName}/${prefix}"`);
      }
    },
    async ensureContainer() {
      try {
        await container.createIfNotExists();
      } catch (err) {
        throw classifyStorageError(err, `creating container "${containerName}"`);
      }
    },
    async ping() {
      try {
        await container.getProperties();
      } catch (err) {
        throw classifyStorageError(err, `reaching container "${containerName}"`);
      }
    },
  };
}

/** An in-memory container (tests, CLI). ETags are content hashes, so identical writes keep their ETag. */
export function createMemoryBlobStore(containerName = 'audio-files', serviceUrl = 'http://127.0.0.1:10000/devstoreaccount1'): BlobStore & {
  readonly blobs: Map<string, { bytes: Uint8Array; contentType: string; etag: string }>;
} {
  const blobs = new Map<string, { bytes: Uint8Array; contentType: string; etag: string }>();
  let counter = 0;
  const write = (path: string, bytes: Uint8Array, contentType: string): { etag: string } => {
    counter++;
    const etag = `"0x${createHash('sha256').update(bytes).update(String(counter)).digest('hex').slice(0, 16).toUpperCase()}"`;
    blobs.set(path, { bytes: bytes.slice(), contentType, etag });
    return { etag };
  };
  return {
    container: containerName,
    serviceUrl,
    blobs,
    async read(path) {
      const b = blobs.get(path);
      if (!b) throw new BlobNotFoundError(containerName, path);
      return { bytes: b.bytes.slice(), properties: { etag: b.etag, contentType: b.contentType, contentLength: b.bytes.byteLength } };
    },
    async write(path, bytes, contentType) {
      return write(path, bytes, contentType);
    },
    async readRange(path, offset, count) {
      const b = blobs.get(path);
      if (!b) throw new BlobNotFoundError(containerName, path);
      return b.bytes.slice(offset, offset + Math.max(0, count));
    },
    writeBlocks(path, pieces, contentType) {
      return this.writeArranged(path, inOrder(pieces), contentType);
    },
    async writeArranged(path, pieces, contentType) {
      const all: ArrangedPiece[] = [];
      for await (const piece of pieces) all.push({ bytes: piece.bytes.slice(), order: piece.order });
      const sorted = arrangement(all.map((p) => p.order)).map((i) => all[i].bytes);
      const bytes = new Uint8Array(sorted.reduce((n, p) => n + p.byteLength, 0));
      let at = 0;
      for (const p of sorted) {
        bytes.set(p, at);
        at += p.byteLength;
      }
      return write(path, bytes, contentType);
    },
    async properties(path) {
      const b = blobs.get(path);
      return b ? { etag: b.etag, contentType: b.contentType, contentLength: b.bytes.byteLength } : undefined;
    },
    async list(prefix) {
      return [...blobs.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    async ensureContainer() {},
    async ping() {},
  };
}
