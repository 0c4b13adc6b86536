/**
 * End to end with the REAL core in the host's worker threads (functions/core.ts loadCore):
 * a rendered 8 s song with known truth is uploaded, analysed (stems + a schema-valid JAMS whose
 * tempo and key match the truth), then stems are generated for its audio_file_id and checked to
 * be on its grid and in its key by analysing them again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeWav, decodeWav } from '../../shared/audio/wav.js';
import { renderSong } from '../../shared/generation/song.js';
import { validateJams } from '../../shared/jams/validate.js';
import { formatKey } from '../../shared/music/key.js';
import { loadCore } from '../../functions/core.js';
import type { LocalHost } from '../../devhost/host.js';
import type { BlobStore } from '../../shared/storage/blobStore.js';
import { startCallbackServer } from '../functions/callbackServer.js';
import { e2eEnv, startTestHost, upload, waitForJob } from './harness.js';

let host: LocalHost;
let blobs: BlobStore;
let callbacks: Awaited<ReturnType<typeof startCallbackServer>>;

beforeAll(async () => {
  callbacks = await startCallbackServer();
  ({ host, blobs } = await startTestHost(e2eEnv({ STEMFLOW_UPLOAD_CALLBACK_URL: callbacks.url }), { coreModule: undefined, workers: 1 }));
});

afterAll(async () => {
  await host?.stop();
  await callbacks?.close();
});

const relErr = (a: number, b: number) => Math.abs(a - b) / b;
/** "E:major" (Harte-style) → "E major" (the job summary's form). */
const keyText = (k: Parameters<typeof formatKey>[0]) => formatKey(k).replace(':', ' ');

it('analyses an upload with the real core, then generates stems on its grid and in its key', async () => {
  const song = renderSong(11, { durationSec: 8 });
  const truthKey = keyText(song.truth.key!);
  const { jobId } = await upload(blobs, 'real11.wav', encodeWav(song.mix, { bitDepth: 16 }));
  const status = await waitForJob(host.url, jobId, 90_000);
  expect(status.runtime_status, JSON.stringify(status.error)).toBe('completed');
  expect(Object.keys(status.outputs?.stems ?? {}).sort()).toEqual(['bass', 'drums', 'other', 'vocals']);
  const jams = JSON.parse(new TextDecoder().decode((await blobs.read('real11/analysis/annotation.jams')).bytes));
  expect(validateJams(jams).errors).toEqual([]);
  const bpm = Number(status.summary?.bpm);
  expect(relErr(bpm, song.truth.tempo!.bpm)).toBeLessThan(0.04);
  expect(status.summary?.key).toBe(truthKey);
  expect(callbacks.received.filter((c) => JSON.parse(c.body).job_id === jobId)).toHaveLength(1);

  const res = await fetch(`${host.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ generation_request_id: 'real-gen-1', audio_file_id: 'real11', target_stems: ['drums', 'piano', 'bass'], parameters: { duration_seconds: 8 } }),
  });
  expect(res.status).toBe(202);
  const gen = await waitForJob(host.url, 'generation-real-gen-1', 90_000);
  expect(gen.runtime_status, JSON.stringify(gen.error)).toBe('completed');
  expect(gen.summary).toMatchObject({ fitted_to: 'real11' });
  // the generated stems, summed, analysed again: the song's tempo and key
  const stems = await Promise.all(['drums', 'piano', 'bass'].map(async (s) => decodeWav((await blobs.read(`real11/generated/real-gen-1/${s}.wav`)).bytes).audio));
  const n = Math.min(...stems.map((s) => s.channels[0].length));
  const mix = { sampleRate: stems[0].sampleRate, channels: [0, 1].map((c) => Float32Array.from({ length: n }, (_, i) => stems.reduce((acc, s) => acc + (s.channels[c] ?? s.channels[0])[i], 0) / 3)) };
  const again = await (await loadCore()).analyzeMix(mix);
  expect(relErr(again.tempo!.bpm, bpm)).toBeLessThan(0.04);
  expect(keyText(again.key!)).toBe(status.summary?.key);
}, 180_000);
