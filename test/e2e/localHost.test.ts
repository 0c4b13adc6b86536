/**
 * End to end against the running local host (devhost/): embedded Azurite in memory on free
 * ports, the registry's functions, the polling blob and queue triggers, Durable replay with
 * state in storage, activities on the worker pool, and callbacks to a test HTTP server.
 * The core in the workers is test/e2e/fastCore.ts (real WAV decode/encode, known-answer DSP).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/command.js';
import { encodeWav, decodeWav } from '../../shared/audio/wav.js';
import { verifyCallbackSignature } from '../../shared/callbacks/sign.js';
import { createBlobPoller } from '../../devhost/triggers.js';
import type { BlobFunctionDefinition } from '../../functions/types.js';
import { functionDefinitions } from '../../functions/registry.js';
import { createServices } from '../../functions/services.js';
import { createHostLogger } from '../../devhost/log.js';
import type { LocalHost } from '../../devhost/host.js';
import type { BlobStore } from '../../shared/storage/blobStore.js';
import { startCallbackServer } from '../functions/callbackServer.js';
import { sine } from '../functions/fakes.js';
import { SECRET, drainQueue, e2eEnv, sendQueue, startTestHost, until, upload, waitForJob } from './harness.js';

let host: LocalHost;
let blobs: BlobStore;
let logs: string[];
let callbacks: Awaited<ReturnType<typeof startCallbackServer>>;
let downCallbacks: Awaited<ReturnType<typeof startCallbackServer>>;
const song = encodeWav(sine(5, 8000, 2, 330), { bitDepth: 16 });
const callbacksFor = (jobId: string) => callbacks.received.filter((c) => JSON.parse(c.body).job_id === jobId);

beforeAll(async () => {
  [callbacks, downCallbacks] = await Promise.all([startCallbackServer(), startCallbackServer({ failFirst: 1000, failStatus: 503 })]);
  ({ host, blobs, logs } = await startTestHost(e2eEnv({ STEMFLOW_UPLOAD_CALLBACK_URL: callbacks.url })));
});

afterAll(async () => {
  await host?.stop();
  await Promise.all([callbacks?.close(), downCallbacks?.close()]);
});

describe('an upload to audio-files', () => {
  let jobId = '';
  let etag = '';

  it('produces stems and a JAMS in the blob layout, one signed callback, and leaves the upload untouched', async () => {
    ({ etag, jobId } = await upload(blobs, 'song1.wav', song));
    const status = await waitForJob(host.url, jobId);
    expect(status.runtime_status, JSON.stringify(status)).toBe('completed');
    expect(status).toMatchObject({ stage: 'completed', percent: 100, outputs: { annotation: 'song1/analysis/annotation.jams' }, callback: { delivered: true, attempts: 1 } });
    const names = (await blobs.list('song1/')).filter((n) => !n.startsWith('song1/work/'));
    expect(names).toEqual(['song1/analysis/annotation.jams', 'song1/stems/bass.wav', 'song1/stems/drums.wav', 'song1/stems/other.wav', 'song1/stems/vocals.wav']);
    const vocals = decodeWav((await blobs.read('song1/stems/vocals.wav')).bytes);
    expect(vocals.audio.channels[0].length).toBe(5 * 8000);
    const jams = JSON.parse(new TextDecoder().decode((await blobs.read('song1/analysis/annotation.jams')).bytes));
    expect(jams.file_metadata.duration).toBeGreaterThan(0);
    const after = await blobs.read('song1.wav');
    expect(after.properties.etag).toBe(etag);
    expect(Buffer.from(after.bytes).equals(Buffer.from(song))).toBe(true);
    const mine = callbacksFor(jobId);
    expect(mine).toHaveLength(1);
    expect(verifyCallbackSignature(String(mine[0].headers['x-stemflow-signature']), mine[0].body, SECRET).ok).toBe(true);
    expect(JSON.parse(mine[0].body)).toMatchObject({ job_id: jobId, status: 'completed', audio_file_id: 'song1' });
    // progress was logged per job, stage by stage
    for (const stage of ['preparing', 'separating_and_analyzing', 'writing_annotation', 'completed 100%']) expect(logs.some((l) => l.includes(jobId) && l.includes(stage)), stage).toBe(true);
  });

  it('the same blob (same ETag) seen again starts nothing: HTTP starter, queue message and a fresh scan without receipts', async () => {
    const http = await fetch(`${host.url}/api/analyze?code=anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audio_file_id: 'song1', blob_uri: `${blobs.serviceUrl}/audio-files/song1.wav` }),
    });
    expect(http.status).toBe(202);
    expect(await http.json()).toMatchObject({ job_id: jobId, already_exists: true });
    await sendQueue(host.connectionString, 'analysis-requests', JSON.stringify({ audio_file_id: 'song1', blob_uri: `${blobs.serviceUrl}/audio-files/song1.wav` }));
    // a second scanner with no receipts sees every blob again (the at-least-once trigger firing twice)
    const def = functionDefinitions(host.config).find((d): d is BlobFunctionDefinition => d.kind === 'blob')!;
    const fresh = createBlobPoller({
      def,
      connectionString: host.connectionString,
      hostId: 'second-scanner',
      context: () => ({ log: { info() {}, warn() {}, error() {} }, services: createServices(host.config, { jobs: host.engine.jobClient() }) }),
      log: createHostLogger('silent'),
    });
    await fresh.pollOnce();
    expect(fresh.receipts.size).toBeGreaterThanOrEqual(6); // the upload and every output were handled …
    await until('the queue message to be consumed', async () => (await drainQueue(host.connectionString, 'analysis-requests')).length === 0 && (await host.engine.list(50)).length > 0);
    const instances = (await host.engine.list(100)).filter((r) => r.instanceId.startsWith('analysis-song1-'));
    expect(instances.map((r) => r.instanceId)).toEqual([jobId]); // … and started nothing new
    expect(callbacksFor(jobId)).toHaveLength(1);
    expect(await drainQueue(host.connectionString, 'analysis-requests-poison')).toEqual([]);
  });

  it('outputs never trigger an analysis', async () => {
    const ids = (await host.engine.list(100)).map((r) => r.instanceId);
    expect(ids.filter((id) => id.startsWith('analysis-')).every((id) => /^analysis-(song1|bad1|song2)-[0-9a-f]{16}$/.test(id))).toBe(true);
    expect(logs.some((l) => /skipping "song1\/stems\/vocals\.wav": nested name/.test(l))).toBe(true);
  });
});

describe('POST /api/generate', () => {
  it('renders a WAV per requested stem, fitted to an analysed song, and calls back', async () => {
    const res = await fetch(`${host.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-functions-key': 'any' },
      body: JSON.stringify({
        generation_request_id: 'gen-e2e-1',
        audio_file_id: 'song1',
        target_stems: ['drums', 'bass', 'piano'],
        parameters: { duration_seconds: 2, target_bpm: 120 },
        callback_url: callbacks.url,
      }),
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { job_id: string; statusQueryGetUri: string };
    expect(accepted.job_id).toBe('generation-gen-e2e-1');
    // createCheckStatusResponse's URL is served by the host's Durable management API
    expect(accepted.statusQueryGetUri).toMatch(/\/runtime\/webhooks\/durabletask\/instances\/generation-gen-e2e-1\?/);
    const status = await waitForJob(host.url, accepted.job_id);
    expect(status.runtime_status).toBe('completed');
    expect(Object.keys(status.outputs?.stems ?? {}).sort()).toEqual(['bass', 'drums', 'piano']);
    expect(status.summary).toMatchObject({ fitted_to: 'song1' });
    for (const stem of ['drums', 'bass', 'piano']) {
      const wav = decodeWav((await blobs.read(`song1/generated/gen-e2e-1/${stem}.wav`)).bytes);
      expect(wav.audio.channels[0].length).toBeGreaterThan(0);
    }
    const durable = await fetch(accepted.statusQueryGetUri);
    expect(durable.status).toBe(200);
    expect(await durable.json()).toMatchObject({ instanceId: 'generation-gen-e2e-1', runtimeStatus: 'Completed', name: 'generateOrchestrator' });
    expect(callbacksFor(accepted.job_id)).toHaveLength(1);
  });

  it('rejects an invalid request with 400 and a reason, and starts nothing', async () => {
    const res = await fetch(`${host.url}/api/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ generation_request_id: '../x', target_stems: [] }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { reasons: string[] }).reasons.length).toBeGreaterThan(0);
    expect(await fetch(`${host.url}/api/nope`).then((r) => r.status)).toBe(404);
  });
});

describe('failures', () => {
  it('a corrupt upload ends Failed with a reason and a failure callback, and the host keeps serving', async () => {
    const junk = new TextEncoder().encode('definitely not an mp3 file, just some text bytes');
    const { jobId, etag } = await upload(blobs, 'bad1.mp3', junk);
    const status = await waitForJob(host.url, jobId);
    expect(status.runtime_status).toBe('failed');
    expect(status.error?.step).toBe('prepareAudio');
    expect(status.error?.code).not.toBe('internal');
    expect(status.error?.message.length).toBeGreaterThan(5);
    const cb = callbacksFor(jobId);
    expect(cb).toHaveLength(1);
    expect(JSON.parse(cb[0].body)).toMatchObject({ status: 'failed', error: { code: status.error!.code } });
    expect((await blobs.properties('bad1.mp3'))?.etag).toBe(etag);
    // still serving: health, and another upload completes
    expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
    const next = await upload(blobs, 'song2.wav', song);
    expect((await waitForJob(host.url, next.jobId)).runtime_status).toBe('completed');
  });

  it('an unreachable callback is retried with backoff, then recorded as not delivered; the outputs are intact', async () => {
    const res = await fetch(`${host.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ generation_request_id: 'gen-e2e-down', target_stems: ['drums'], parameters: { duration_seconds: 1 }, callback_url: downCallbacks.url }),
    });
    expect(res.status).toBe(202);
    const status = await waitForJob(host.url, 'generation-gen-e2e-down');
    expect(status.runtime_status).toBe('completed');
    expect(status.callback).toMatchObject({ delivered: false, attempts: 3 });
    expect(status.callback?.last_error).toMatch(/503/);
    const tries = downCallbacks.received.filter((c) => JSON.parse(c.body).job_id === 'generation-gen-e2e-down').map((c) => c.atMs);
    expect(tries).toHaveLength(3);
    const gaps = tries.slice(1).map((t, i) => t - tries[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(100); // 150 ms, then 300 ms (jitter-free lower bounds)
    expect(gaps[1]).toBeGreaterThan(gaps[0] * 1.3);
    expect((await blobs.properties('generated/gen-e2e-down/drums.wav'))?.contentLength).toBeGreaterThan(44);
    const events = (await drainQueue(host.connectionString, 'job-events')).map((m) => JSON.parse(m));
    expect(events.filter((e) => e.job_id === 'generation-gen-e2e-down')).toHaveLength(1);
  });

  it('a malformed queue message goes to the poison queue with its reason', async () => {
    await sendQueue(host.connectionString, 'generation-requests', '{"generation_request_id": 5');
    const poison = await until('a poison message', async () => {
      const m = await drainQueue(host.connectionString, 'generation-requests-poison');
      return m.length > 0 ? m : undefined;
    });
    expect(JSON.parse(poison[0])).toMatchObject({ queue: 'generation-requests', reasons: [expect.stringMatching(/invalid JSON/)] });
  });
});

describe('the CLI against the running host', () => {
  const capture = (): CliIO & { out: string; err: string } => {
    const io = { out: '', err: '', isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
    return io;
  };

  it('stemflow submit uploads, follows the job to the end and downloads the outputs; stemflow jobs lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemflow-submit-'));
    try {
      const file = join(dir, 'cli song.wav');
      writeFileSync(file, song);
      const io = capture();
      const code = await main(['submit', file, '--url', host.url, '--out', join(dir, 'out')], io);
      expect(code, io.err).toBe(0);
      expect(io.out).toMatch(/job analysis-cli-song-[0-9a-f]{16}/);
      expect(io.out).toMatch(/stem vocals\s+http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/audio-files\/cli-song\/stems\/vocals\.wav/);
      expect(io.err).toMatch(/cli-song: 100% completed/);
      expect(readFileSync(join(dir, 'out', 'cli-song', 'stems', 'drums.wav')).subarray(0, 4).toString()).toBe('RIFF');
      const list = capture();
      expect(await main(['jobs', '--url', host.url, '--top', '50'], list)).toBe(0);
      expect(list.out).toMatch(/^JOB\s+STATUS\s+STAGE/);
      expect(list.out).toMatch(/analysis-cli-song-[0-9a-f]{16}\s+completed\s+completed\s+100%/);
      expect(list.out).toMatch(/analysis-bad1-[0-9a-f]{16}\s+failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stemflow submit refuses a file that is not audio by name, before uploading', async () => {
    const io = capture();
    expect(await main(['submit', 'notes.txt', '--url', host.url], io)).toBe(2);
    expect(io.err).toMatch(/extension must be one of mp3, wav, flac, ogg/);
  });
});
