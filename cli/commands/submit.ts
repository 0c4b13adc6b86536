import type { JobStatus } from '../../shared/contracts/http.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { InvalidRequestError, TransientError } from '../../shared/errors.js';
import { AUDIO_EXTENSIONS, CONTENT_TYPES, isSafeId } from '../../shared/storage/layout.js';
import { analysisInstanceId } from '../../functions/jobs.js';
import { integerOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import { progressReporter } from '../progress.js';

const help = `usage: stemflow submit <audio> [--url http://localhost:7071] [options]

Uploads <audio> to the running app's audio-files container as {id}.{ext} (exactly what the
.NET API does), follows the analysis job with a progress bar until it is done, then prints
where the stems and the JAMS annotation are.

The storage comes from the running local host (stemflow start shares its Azurite connection
at /runtime/devhost/info), or from --connection-string for any account.

options:
  --url URL                  the app (default: http://localhost:7071; STEMFLOW_URL)
  --connection-string CS     upload to this storage account instead of asking the host
  --container NAME           container (default: the host's, else audio-files)
  --id ID                    audio_file_id (default: the file name if it is a safe id, else a GUID)
  --out DIR                  also download the outputs into DIR
  --no-wait                  upload, print the job id and return
  --timeout SEC              give up following after SEC seconds (default: 3600)
  -h, --help                 this help
`;

interface HostInfo {
  container?: string;
  connection_string?: string | null;
}

/** The body of GET /api/jobs/{id}: the exported contract. */
export type JobStatusBody = JobStatus;

async function fetchJson(url: string, timeoutMs = 5000): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

/** The audio_file_id for a file: its name when that is a safe id, else a fresh GUID. */
export function defaultAudioFileId(path: string): string {
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return stem.length > 0 && isSafeId(stem) ? stem : randomUUID();
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: raw, positionals } = parseCliArgs(
    argv,
    {
      url: { type: 'string' },
      'connection-string': { type: 'string' },
      container: { type: 'string' },
      id: { type: 'string' },
      out: { type: 'string' },
      'no-wait': { type: 'boolean' },
      timeout: { type: 'string' },
    },
    true,
  );
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : v === true ? 'true' : undefined])) as Record<string, string | undefined>;
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new InvalidRequestError(`expected exactly one audio file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  const ext = extname(file).slice(1).toLowerCase();
  if (!(AUDIO_EXTENSIONS as readonly string[]).includes(ext)) throw new InvalidRequestError(`"${file}": the extension must be one of ${AUDIO_EXTENSIONS.join(', ')} (got "${ext || 'none'}")`);
  const id = values.id ?? defaultAudioFileId(file);
  if (!isSafeId(id)) throw new InvalidRequestError(`--id "${id}" must be a GUID or 1-128 characters of [A-Za-z0-9_-]`);
  const url = (values.url ?? process.env.STEMFLOW_URL ?? 'http://localhost:7071').replace(/\/+$/, '');
  const timeoutSec = integerOption('timeout', values.timeout, 1, 7 * 24 * 3600) ?? 3600;

  let info: HostInfo | undefined;
  try {
    const r = await fetchJson(`${url}/runtime/devhost/info`);
    if (r.status === 200 && r.body && typeof r.body === 'object') info = r.body as HostInfo;
  } catch {
    info = undefined;
  }
  const connectionString = values['connection-string'] ?? info?.connection_string ?? undefined;
  if (!connectionString) {
    if (!info) throw new TransientError(`no stemflow local host answers at ${url} (is "stemflow start" running?); or pass --connection-string`);
    throw new InvalidRequestError(`the host at ${url} does not share its storage connection (it is not the local Azurite); pass --connection-string`);
  }
  const container = values.container ?? info?.container ?? 'audio-files';
  const bytes = await readFile(file);
  const blobName = `${id}.${ext}`;
  const service = BlobServiceClient.fromConnectionString(connectionString);
  const containerClient = service.getContainerClient(container);
  await containerClient.createIfNotExists();
  const uploaded = await containerClient.getBlockBlobClient(blobName).uploadData(bytes, { blobHTTPHeaders: { blobContentType: CONTENT_TYPES[ext as keyof typeof CONTENT_TYPES] } });
  const jobId = analysisInstanceId(container, blobName, uploaded.etag ?? '', id);
  const blobBase = `${service.url.replace(/\/+$/, '')}/${container}`;
  io.stdout(`uploaded ${file} → ${blobBase}/${blobName} (${bytes.length} bytes)\njob ${jobId}\n`);
  if (values['no-wait'] || !info) {
    if (!info) io.stdout(`(no local host at ${url} to follow the job; check GET /api/jobs/${jobId} on your app)\n`);
    return 0;
  }

  const bar = progressReporter(io, id, 0);
  const deadline = Date.now() + timeoutSec * 1000;
  let status: JobStatusBody | undefined;
  for (;;) {
    const r = await fetchJson(`${url}/api/jobs/${encodeURIComponent(jobId)}`).catch(() => undefined);
    if (r?.status === 200) {
      status = r.body as JobStatusBody;
      bar.update(status.stage ?? status.runtime_status, (status.percent ?? 0) / 100);
      if (['completed', 'failed', 'terminated'].includes(status.runtime_status)) break;
    } else bar.update('waiting for the blob trigger', 0);
    if (Date.now() > deadline) {
      bar.done();
      io.stderr(`gave up following ${jobId} after ${timeoutSec} s (it may still finish)\n`);
      return 1;
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  bar.done();
  if (status.runtime_status !== 'completed') {
    io.stderr(`job ${status.runtime_status}: ${status.error ? `[${status.error.code}] ${status.error.message}${status.error.step ? ` (in ${status.error.step})` : ''}` : 'no reason given'}\n`);
    return 1;
  }
  const paths = [...Object.entries(status.outputs?.stems ?? {}).map(([stem, p]) => [`stem ${stem}`, p] as const), ...(status.outputs?.annotation ? [['annotation', status.outputs.annotation] as const] : [])];
  io.stdout('done. outputs:\n');
  for (const [what, p] of paths) io.stdout(`  ${what.padEnd(12)} ${blobBase}/${p}\n`);
  if (status.summary) io.stdout(`summary: ${JSON.stringify(status.summary)}\n`);
  if (status.callback && !status.callback.delivered) io.stdout(`callback NOT delivered after ${status.callback.attempts} attempt(s): ${status.callback.last_error ?? ''}\n`);
  if (values.out) {
    for (const [, p] of paths) {
      const target = join(values.out, ...p.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await containerClient.getBlobClient(p).downloadToBuffer());
    }
    io.stdout(`downloaded ${paths.length} file(s) into ${values.out}\n`);
  }
  return 0;
}

export const command: CliCommand = {
  name: 'submit',
  summary: 'upload an audio file to the running app and follow its analysis',
  help,
  run,
};
