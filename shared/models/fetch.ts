/**
 * Download and verify model weights (the adapter behind `npm run models:fetch <id>`).
 *
 * Each file streams to a temporary file next to its destination while its SHA-256 is computed;
 * the size and digest are checked against the manifest, and only then is the temporary file
 * renamed into place (an atomic rename on the same filesystem), so a half-written or corrupt
 * file never appears under the real name. A failed check deletes the temporary file.
 *
 * Files whose manifest `sha256` is null are downloaded, their digest is printed, and they are
 * refused unless `trustOnFirstUse` is set (then kept, and the digest should be pinned in the
 * manifest). A file already present is skipped when it matches the manifest (or, with no known
 * digest, when it exists and its size matches any known size).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { StemflowError } from '../errors.js';
import { findModel, modelFilePath, type ModelEntry, type ModelFile, type ModelManifest } from './manifest.js';

/** A download or verification failed. `retryable` is true for network errors and HTTP 5xx/429. */
export class ModelFetchError extends StemflowError {
  constructor(message: string, retryable = false, options?: { cause?: unknown }) {
    super('model_fetch', message, retryable, options);
  }
}

export interface FetchModelOptions {
  manifest: ModelManifest;
  id: string;
  /** Weights root; files go to `<modelDir>/<id>/<name>`. */
  modelDir: string;
  /** Keep files whose manifest sha256 is null (prints the digest). Default false. */
  trustOnFirstUse?: boolean;
  /** Re-download even when a matching file is present. Default false. */
  force?: boolean;
  /** Injected fetch (tests); default global fetch. */
  fetchImpl?: typeof fetch;
  /** One line per event; default console.log. */
  log?: (line: string) => void;
}

export interface FetchedFile {
  name: string;
  path: string;
  /** downloaded: fetched and verified; trusted: fetched, no pinned digest, kept on trust; present: already there. */
  status: 'downloaded' | 'trusted' | 'present';
  sha256: string | null;
  bytes: number;
}

/** Hex SHA-256 of a file on disk. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/** Download and verify every file of model `id`. Throws on the first file that fails. */
export async function fetchModel(options: FetchModelOptions): Promise<FetchedFile[]> {
  const entry = findModel(options.manifest, options.id);
  const results: FetchedFile[] = [];
  for (const file of entry.files) results.push(await fetchModelFile(entry, file, options));
  return results;
}

async function fetchModelFile(entry: ModelEntry, file: ModelFile, options: FetchModelOptions): Promise<FetchedFile> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dest = modelFilePath(options.modelDir, entry, file.name);

  const presentSize = await sizeOf(dest);
  if (presentSize !== null && !options.force) {
    if (file.sha256) {
      const digest = await sha256File(dest);
      if (digest === file.sha256) {
        log(`${entry.id}/${file.name}: present and verified (sha256 ${digest}), skipped`);
        return { name: file.name, path: dest, status: 'present', sha256: digest, bytes: presentSize };
      }
      log(`${entry.id}/${file.name}: present but sha256 ${digest} ≠ expected ${file.sha256}; downloading again`);
    } else if (file.bytes === null || file.bytes === presentSize) {
      log(`${entry.id}/${file.name}: present (${presentSize} bytes; no pinned sha256 to verify against), skipped`);
      return { name: file.name, path: dest, status: 'present', sha256: null, bytes: presentSize };
    } else {
      log(`${entry.id}/${file.name}: present but ${presentSize} bytes ≠ expected ${file.bytes}; downloading again`);
    }
  }

  if (!file.url) {
    throw new ModelFetchError(
      `model '${entry.id}' file '${file.name}' has no download URL in the manifest; obtain it by hand` +
        `${entry.source.howTo ? ` (${entry.source.howTo})` : ''} from ${entry.source.page} and place it at ${dest}`,
    );
  }

  await mkdir(dirname(dest), { recursive: true });
  const temp = `${dest}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
  let keepTemp = false;
  try {
    const { sha256, bytes } = await downloadTo(file.url, temp, options.fetchImpl ?? fetch);
    if (file.bytes !== null && bytes !== file.bytes) {
      throw new ModelFetchError(`size mismatch for ${entry.id}/${file.name} from ${file.url}: got ${bytes} bytes, manifest says ${file.bytes}; download discarded`);
    }
    if (file.sha256 !== null) {
      if (sha256 !== file.sha256) {
        throw new ModelFetchError(`checksum mismatch for ${entry.id}/${file.name} from ${file.url}: sha256 ${sha256}, manifest says ${file.sha256}; download discarded`);
      }
      await rename(temp, dest);
      keepTemp = true;
      log(`${entry.id}/${file.name}: downloaded ${bytes} bytes, sha256 verified → ${dest}`);
      return { name: file.name, path: dest, status: 'downloaded', sha256, bytes };
    }
    log(`${entry.id}/${file.name}: downloaded ${bytes} bytes, sha256 ${sha256} (the manifest pins no sha256 for this file)`);
    if (!options.trustOnFirstUse) {
      throw new ModelFetchError(
        `refusing unverified ${entry.id}/${file.name}: the manifest has sha256 null. Its sha256 is ${sha256} (${bytes} bytes). ` +
          `Check it against a trusted source, then pin it in models/manifest.json, or re-run with --trust-on-first-use`,
      );
    }
    await rename(temp, dest);
    keepTemp = true;
    log(`${entry.id}/${file.name}: kept on trust-on-first-use → ${dest}; pin "sha256": "${sha256}", "bytes": ${bytes} in models/manifest.json`);
    return { name: file.name, path: dest, status: 'trusted', sha256, bytes };
  } finally {
    if (!keepTemp) await unlink(temp).catch(() => undefined);
  }
}

/** Stream `url` into `path`, hashing on the way. HTTP errors throw ModelFetchError. */
async function downloadTo(url: string, path: string, fetchImpl: typeof fetch): Promise<{ sha256: string; bytes: number }> {
  let res: Response;
  try {
    res = await fetchImpl(url, { redirect: 'follow' });
  } catch (err) {
    throw new ModelFetchError(`cannot download ${url}: ${(err as Error).message}`, true, { cause: err });
  }
  if (!res.ok || !res.body) {
    const retryable = res.status >= 500 || res.status === 429;
    await res.body?.cancel().catch(() => undefined);
    throw new ModelFetchError(`HTTP ${res.status} ${res.statusText || ''} for ${url}`.trimEnd(), retryable);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), tap, createWriteStream(path));
  } catch (err) {
    throw new ModelFetchError(`download of ${url} failed after ${bytes} bytes: ${(err as Error).message}`, true, { cause: err });
  }
  return { sha256: hash.digest('hex'), bytes };
}
