/**
 * A host killed (SIGKILL) in the middle of an analysis and started again completes the job once,
 * with no duplicate outputs, callbacks or job events; then SIGTERM (Ctrl-C) stops it cleanly.
 * Both hosts are real child processes (`node bin/stemflow.js start`) on the same storage (an
 * Azurite started by the test, which outlives both); the first one's separation and analysis are
 * slowed down so that it dies with both running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeWav } from '../../shared/audio/wav.js';
import { createAzureBlobStore } from '../../shared/storage/blobStore.js';
import { createBlobInstanceStore } from '../../devhost/instanceStore.js';
import { pendingWork } from '../../devhost/durable.js';
import { HISTORY_EVENT_TYPES } from '../../functions/durable/episode.js';
import { startAzurite, type AzuriteInstance } from '../helpers/azurite.js';
import { startCallbackServer } from '../functions/callbackServer.js';
import { sine } from '../functions/fakes.js';
import { FAST_CORE, drainQueue, e2eEnv, upload, waitForJob } from './harness.js';

let azurite: AzuriteInstance;
let callbacks: Awaited<ReturnType<typeof startCallbackServer>>;
let child: ChildProcess | undefined;

beforeAll(async () => {
  [azurite, callbacks] = await Promise.all([startAzurite(), startCallbackServer()]);
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await callbacks?.close();
  await azurite?.stop();
});

/** `stemflow start` as a child process; resolves with its URL once it is ready. */
function startChildHost(env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  child = spawn(process.execPath, ['bin/stemflow.js', 'start', '--port', '0', '--workers', '1', '--poll-ms', '150', '--core-module', FAST_CORE, '--log-level', 'debug'], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child host not ready in 60 s:\n${output.slice(-3000)}`)), 60_000);
    const onData = (d: Buffer) => {
      output += String(d);
      const m = /ready on http:\/\/localhost:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}`, output: () => output });
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', (d) => (output += String(d)));
    child!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child host exited (${code}):\n${output.slice(-3000)}`));
    });
  });
}

it('a host killed mid-analysis and started again completes the job once, with no duplicates', async () => {
  const env = e2eEnv({ AzureWebJobsStorage: azurite.connectionString, STEMFLOW_UPLOAD_CALLBACK_URL: callbacks.url });
  const first = await startChildHost({ ...env, STEMFLOW_TEST_CORE_DELAY_MS: '5000' });
  const blobs = createAzureBlobStore(azurite.connectionString, 'audio-files', { maxTries: 2 });
  const song = encodeWav(sine(5, 8000, 2, 220), { bitDepth: 16 });
  const { jobId, etag } = await upload(blobs, 'crash1.wav', song);
  await waitForJob(first.url, jobId, 30_000, (s) => s.stage === 'separating_and_analyzing');
  await new Promise((r) => setTimeout(r, 500)); // separation and analysis are running (5 s each)
  const exited = new Promise((r) => child!.once('exit', r));
  child!.kill('SIGKILL');
  await exited;
  child = undefined;

  // what the killed host left: running, with both fan-out activities scheduled and unfinished
  const store = createBlobInstanceStore(azurite.connectionString, 'stemflow');
  const left = await store.get(jobId);
  expect(left?.runtimeStatus).toBe('Running');
  expect(pendingWork(left!.history).activities.map((a) => a.name).sort()).toEqual(['analyzeMix', 'separateStems']);
  expect(callbacks.received).toHaveLength(0);

  const restarted = await startChildHost(env);
  const status = await waitForJob(restarted.url, jobId, 30_000);
  expect(status.runtime_status).toBe('completed');
  expect(status.outputs?.stems && Object.keys(status.outputs.stems).sort()).toEqual(['bass', 'drums', 'other', 'vocals']);

  // once: one instance, each step scheduled once in the history, one callback, one job event
  expect((await store.list()).map((r) => r.instanceId)).toEqual([jobId]);
  const done = await store.get(jobId);
  const scheduled = done!.history.filter((h) => h.EventType === HISTORY_EVENT_TYPES.TaskScheduled).map((h) => h.Name);
  expect(scheduled).toEqual(['prepareAudio', 'separateStems', 'analyzeMix', 'writeJams', 'notify']);
  expect(callbacks.received.filter((c) => JSON.parse(c.body).job_id === jobId)).toHaveLength(1);
  const events = (await drainQueue(azurite.connectionString, 'job-events')).map((m) => JSON.parse(m));
  expect(events.filter((e) => e.job_id === jobId)).toHaveLength(1);
  expect((await blobs.list('crash1/')).filter((n) => !n.includes('/work/'))).toEqual([
    'crash1/analysis/annotation.jams',
    'crash1/stems/bass.wav',
    'crash1/stems/drums.wav',
    'crash1/stems/other.wav',
    'crash1/stems/vocals.wav',
  ]);
  expect((await blobs.properties('crash1.wav'))?.etag).toBe(etag);
  // the restarted host resumed the stored instance; the upload's receipt kept the trigger from firing again
  expect(restarted.output()).toContain(`resuming ${jobId} (Running; 2 activities to re-run`);
  expect(restarted.output()).not.toContain('crash1.wav → ');

  // Ctrl-C: a clean stop with exit code 0
  const code = new Promise<number | null>((r) => child!.once('exit', (c) => r(c)));
  child!.kill('SIGTERM');
  expect(await code).toBe(0);
  child = undefined;
  expect(restarted.output()).toMatch(/SIGTERM: stopping[\s\S]*stemflow local host stopped/);
}, 120_000);
