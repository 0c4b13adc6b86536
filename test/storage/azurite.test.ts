/**
 * ONE real Azurite for the storage area (started here, killed in afterAll): the blob store and
 * queue adapters, and the activities, blob trigger and queue starters against a REAL Azurite, with the orchestrators
 * replayed by durable-functions (durableDriver) and each activity run through its registered,
 * wrapped handler. The DSP core is a fast fake with known answers (fakeCore); decoding and WAV
 * encoding are the real modules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueServiceClient } from '@azure/storage-queue';
import type * as df from 'durable-functions';
import { encodeWav } from '../../shared/audio/wav.js';
import { decodeWav } from '../../shared/audio/wav.js';
import { verifyCallbackSignature } from '../../shared/callbacks/sign.js';
import { BlobNotFoundError, createAzureBlobStore, type BlobStore } from '../../shared/storage/blobStore.js';
import { createAzureQueueSender } from '../../shared/storage/queues.js';
import { analyzeOrchestrator } from '../../functions/analyzeOrchestrator/index.js';
import { generateOrchestrator } from '../../functions/generateHttpStart/generateOrchestrator.js';
import { generateHttpStart } from '../../functions/generateHttpStart/index.js';
import { analyzeHttpStart } from '../../functions/analyzeHttpStart/index.js';
import { onBlobUploaded } from '../../functions/onBlobUploaded/index.js';
import { functionDefinitions } from '../../functions/registry.js';
import { createServices } from '../../functions/services.js';
import type { ActivityFunctionDefinition, HandlerContext, QueueFunctionDefinition } from '../../functions/types.js';
import { drainQueue, startAzurite, type AzuriteInstance } from '../helpers/azurite.js';
import { driveOrchestration, fail, ok, type ActivityImpl } from '../functions/durableDriver.js';
import { startCallbackServer } from '../functions/callbackServer.js';
import { fakeCore, fakeRequest, recordingJobClient, sine, testConfig } from '../functions/fakes.js';

let azurite: AzuriteInstance;
let blobs: BlobStore;
let callbacks: Awaited<ReturnType<typeof startCallbackServer>>;
let ctx: HandlerContext & { jobs: ReturnType<typeof recordingJobClient> };
let activities: Map<string, ActivityFunctionDefinition>;
let queueDefs: Map<string, QueueFunctionDefinition>;
const coreCalls: string[] = [];

const receiveAll = (queue: string) => drainQueue(azurite.connectionString, queue);

const runActivities: ActivityImpl = async (name, input) => {
  const def = activities.get(name);
  if (!def) throw new Error(`no activity ${name}`);
  try {
    return ok(await def.handler(input, ctx));
  } catch (err) {
    return fail(err as Error);
  }
};

beforeAll(async () => {
  [azurite, callbacks] = await Promise.all([startAzurite(), startCallbackServer()]);
  const config = testConfig({
    AzureWebJobsStorage: azurite.connectionString,
    STEMFLOW_CALLBACK_ALLOWED_HOSTS: '127.0.0.1',
    STEMFLOW_UPLOAD_CALLBACK_URL: callbacks.url,
    STEMFLOW_CALLBACK_FIRST_RETRY_MS: '20',
  });
  blobs = createAzureBlobStore(azurite.connectionString, config.containerName, { maxTries: 2 });
  await blobs.ensureContainer();
  const jobs = recordingJobClient();
  const core = fakeCore(coreCalls);
  const services = createServices(config, { jobs, blobs, queues: createAzureQueueSender(azurite.connectionString), core: async () => core });
  const log = () => {};
  ctx = { log: { info: log, warn: log, error: log }, services, jobs };
  const defs = functionDefinitions(config);
  activities = new Map(defs.filter((d): d is ActivityFunctionDefinition => d.kind === 'activity').map((d) => [d.name, d]));
  queueDefs = new Map(defs.filter((d): d is QueueFunctionDefinition => d.kind === 'queue').map((d) => [d.queueName, d]));
});

afterAll(async () => {
  await callbacks?.close();
  await azurite?.stop();
});

describe('an upload, end to end through the blob trigger and analyzeOrchestrator', () => {
  const upload = encodeWav(sine(1, 8000, 2), { bitDepth: 16 });
  let uploadEtag = '';
  let instanceId = '';

  it('starts exactly one analysis for one upload, even when the event repeats', async () => {
    uploadEtag = (await blobs.write('song1.wav', upload, 'audio/wav')).etag;
    const first = await onBlobUploaded({ name: 'song1.wav', container: 'audio-files', etag: uploadEtag }, ctx);
    const again = await onBlobUploaded({ name: 'song1.wav', container: 'audio-files', etag: uploadEtag }, ctx);
    const noEtag = await onBlobUploaded({ name: 'song1.wav', container: 'audio-files' }, ctx);
    expect(first.started).toBe(true);
    expect(again).toMatchObject({ started: false, instanceId: first.instanceId });
    expect(noEtag).toMatchObject({ started: false, instanceId: first.instanceId });
    expect(ctx.jobs.starts).toHaveLength(1);
    instanceId = first.instanceId!;
    // the HTTP starter for the same upload maps to the same job
    const http = await analyzeHttpStart(
      fakeRequest({ body: { audio_file_id: 'song1', blob_uri: `${azurite.blobEndpoint}/audio-files/song1.wav` } }),
      ctx,
    );
    expect((http.jsonBody as any).job_id).toBe(instanceId);
    expect(ctx.jobs.starts).toHaveLength(1);
  });

  it('writes stems, annotation and work files in the blob layout, with content types, and never touches the upload', async () => {
    const input = ctx.jobs.starts[0].input;
    const r = await driveOrchestration(analyzeOrchestrator as unknown as df.OrchestrationHandler, input, runActivities, { instanceId });
    expect(r.status, r.error).toBe('completed');
    const names = await blobs.list('song1/');
    expect(names).toEqual([
      'song1/analysis/annotation.jams',
      'song1/stems/bass.wav',
      'song1/stems/drums.wav',
      'song1/stems/other.wav',
      'song1/stems/vocals.wav',
      'song1/work/description.json',
      'song1/work/info.json',
      'song1/work/mix.pcm',
    ]);
    for (const stem of ['vocals', 'drums', 'bass', 'other']) expect((await blobs.properties(`song1/stems/${stem}.wav`))?.contentType).toBe('audio/wav');
    expect((await blobs.properties('song1/analysis/annotation.jams'))?.contentType).toBe('application/json');
    const vocals = decodeWav((await blobs.read('song1/stems/vocals.wav')).bytes);
    expect(vocals.audio.sampleRate).toBe(8000);
    expect(vocals.audio.channels[0].length).toBe(8000);
    const jams = JSON.parse(new TextDecoder().decode((await blobs.read('song1/analysis/annotation.jams')).bytes));
    expect(jams.sandbox.tuning_hz).toBe(440);
    expect(jams.sandbox.wall_time_s).toBeGreaterThanOrEqual(0);
    // the upload: same ETag, same bytes
    const after = await blobs.read('song1.wav');
    expect(after.properties.etag).toBe(uploadEtag);
    expect(Buffer.from(after.bytes).equals(Buffer.from(upload))).toBe(true);
    // decoded once, by prepareAudio
    expect(coreCalls.filter((c) => c === 'decodeAudio')).toHaveLength(1);
    expect(r.output).toMatchObject({ summary: { bpm: 120, key: 'A minor', duration_seconds: 1 }, callback: { delivered: true, attempts: 1 } });
  });

  it('sends one signed callback and leaves exactly one event on job-events', async () => {
    const events = (await receiveAll('job-events')).map((m) => JSON.parse(m));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ job_id: instanceId, status: 'completed', audio_file_id: 'song1', outputs: { annotation: 'song1/analysis/annotation.jams' } });
    const mine = callbacks.received.filter((c) => JSON.parse(c.body).job_id === instanceId);
    expect(mine).toHaveLength(1);
    expect(verifyCallbackSignature(String(mine[0].headers['x-stemflow-signature']), mine[0].body, 'test-secret').ok).toBe(true);
    expect(JSON.parse(mine[0].body)).toEqual(events[0]);
  });

  it('never starts an analysis for the outputs written back into the container', async () => {
    const before = ctx.jobs.starts.length;
    for (const name of await blobs.list('song1/')) {
      const props = await blobs.properties(name);
      const r = await onBlobUploaded({ name, container: 'audio-files', etag: props?.etag }, ctx);
      expect(r.started).toBe(false);
      expect(r.reason).toMatch(/nested/);
    }
    await blobs.write('readme.txt', new TextEncoder().encode('hi'), 'text/plain');
    expect((await onBlobUploaded({ name: 'readme.txt', container: 'audio-files' }, ctx)).started).toBe(false);
    expect(ctx.jobs.starts.length).toBe(before);
  });

  it('a re-upload (new ETag) is a new job', async () => {
    const etag2 = (await blobs.write('song1.wav', upload, 'audio/wav')).etag;
    expect(etag2).not.toBe(uploadEtag);
    const r = await onBlobUploaded({ name: 'song1.wav', container: 'audio-files', etag: etag2 }, ctx);
    expect(r.started).toBe(true);
    expect(r.instanceId).not.toBe(instanceId);
    uploadEtag = etag2;
  });
});

describe('a corrupt upload', () => {
  it('fails with a readable reason, a failure callback and event, no retries, and the upload untouched', async () => {
    const junk = new TextEncoder().encode('this is not audio at all, just text pretending to be an mp3 file');
    const etag = (await blobs.write('bad1.mp3', junk, 'audio/mpeg')).etag;
    const started = await onBlobUploaded({ name: 'bad1.mp3', container: 'audio-files', etag }, ctx);
    const input = ctx.jobs.starts.find((s) => s.instanceId === started.instanceId)!.input;
    const r = await driveOrchestration(analyzeOrchestrator as unknown as df.OrchestrationHandler, input, runActivities, { instanceId: started.instanceId });
    expect(r.status).toBe('failed');
    expect(r.scheduled.filter((s) => s.name === 'prepareAudio')).toHaveLength(1);
    const status = r.customStatuses.at(-1) as any;
    expect(status.stage).toBe('failed');
    expect(status.error.step).toBe('prepareAudio');
    expect(status.error.code).not.toBe('internal');
    expect(status.error.message.length).toBeGreaterThan(5);
    expect(r.error).toContain(status.error.message);
    expect(await blobs.list('bad1/')).toEqual([]);
    const after = await blobs.read('bad1.mp3');
    expect(after.properties.etag).toBe(etag);
    expect(Buffer.from(after.bytes).equals(Buffer.from(junk))).toBe(true);
    const events = (await receiveAll('job-events')).map((m) => JSON.parse(m));
    expect(events).toEqual([expect.objectContaining({ job_id: started.instanceId, status: 'failed', error: expect.objectContaining({ code: status.error.code }) })]);
    expect(callbacks.received.filter((c) => JSON.parse(c.body).job_id === started.instanceId)).toHaveLength(1);
  });
});

describe('generation fitted to an analysed song', () => {
  it('renders each stem into {id}/generated/{req}/{stem}.wav, fitted to the analysis', async () => {
    const res = await generateHttpStart(
      fakeRequest({
        url: 'http://localhost:7071/api/generate',
        body: { generation_request_id: 'gen-1', audio_file_id: 'song1', target_stems: ['drums', 'bass'], parameters: { duration_seconds: 2, target_bpm: 120 } },
      }),
      ctx,
    );
    expect(res.status).toBe(202);
    const start = ctx.jobs.starts.find((s) => s.instanceId === 'generation-gen-1')!;
    const r = await driveOrchestration(generateOrchestrator as unknown as df.OrchestrationHandler, start.input, runActivities, { instanceId: start.instanceId });
    expect(r.status, r.error).toBe('completed');
    expect(await blobs.list('song1/generated/')).toEqual(['song1/generated/gen-1/bass.wav', 'song1/generated/gen-1/drums.wav']);
    expect((await blobs.properties('song1/generated/gen-1/bass.wav'))?.contentType).toBe('audio/wav');
    expect(coreCalls).toContain('render:drums:fit');
    expect(r.output).toMatchObject({ summary: { fitted_to: 'song1' } });
    const events = (await receiveAll('job-events')).map((m) => JSON.parse(m));
    expect(events).toEqual([expect.objectContaining({ job_id: 'generation-gen-1', status: 'completed', generation_request_id: 'gen-1' })]);
  });
});

describe('queue starters', () => {
  it('a message on analysis-requests starts the same job as the HTTP call', async () => {
    await blobs.write('song2.wav', encodeWav(sine(0.5, 8000, 1), { bitDepth: 16 }), 'audio/wav');
    const body = { audio_file_id: 'song2', blob_uri: `${azurite.blobEndpoint}/audio-files/song2.wav`, callback_url: callbacks.url };
    const viaQueue = await queueDefs.get('analysis-requests')!.handler(JSON.stringify(body), ctx);
    expect(viaQueue.started).toBe(true);
    const viaHttp = await analyzeHttpStart(fakeRequest({ body }), ctx);
    expect((viaHttp.jsonBody as any).job_id).toBe(viaQueue.instanceId);
    expect((viaHttp.jsonBody as any).already_exists).toBe(true);
  });

  it('a malformed message goes to the poison queue with its reasons, and starts nothing', async () => {
    const before = ctx.jobs.starts.length;
    const bad = await queueDefs.get('generation-requests')!.handler({ generation_request_id: '../etc', target_stems: ['kazoo'] }, ctx);
    const notJson = await queueDefs.get('analysis-requests')!.handler('{not json', ctx);
    expect(bad.started).toBe(false);
    expect(notJson.started).toBe(false);
    expect(ctx.jobs.starts.length).toBe(before);
    const genPoison = (await receiveAll('generation-requests-poison')).map((m) => JSON.parse(m));
    expect(genPoison).toHaveLength(1);
    expect(genPoison[0].reasons.join(' ')).toMatch(/generation_request_id/);
    expect(genPoison[0].reasons.join(' ')).toMatch(/target_stems/);
    const anaPoison = (await receiveAll('analysis-requests-poison')).map((m) => JSON.parse(m));
    expect(anaPoison).toEqual([expect.objectContaining({ original: '{not json', reasons: [expect.stringMatching(/invalid JSON/)] })]);
  });
});

describe('Azure blob store and queues against a real Azurite', () => {
  let store: BlobStore;
  beforeAll(async () => {
    store = createAzureBlobStore(azurite.connectionString, 'raw-store-test');
    await store.ensureContainer();
  });

  it('writes, reads, lists and reports content types and ETags', async () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const { etag } = await store.write('s1/stems/vocals.wav', bytes, 'audio/wav');
    await store.write('s1/analysis/annotation.jams', new TextEncoder().encode('{}'), 'application/json');
    const read = await store.read('s1/stems/vocals.wav');
    expect(Array.from(read.bytes)).toEqual([1, 2, 3, 4, 5]);
    expect(read.properties).toMatchObject({ etag, contentType: 'audio/wav', contentLength: 5 });
    expect((await store.properties('s1/analysis/annotation.jams'))?.contentType).toBe('application/json');
    expect(await store.list('s1/')).toEqual(['s1/analysis/annotation.jams', 's1/stems/vocals.wav']);
    expect(store.serviceUrl).toBe(azurite.blobEndpoint);
    await store.ping();
  });

  it('reports a missing blob as a non-retryable BlobNotFoundError', async () => {
    await expect(store.read('nope.mp3')).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.read('nope.mp3')).rejects.toMatchObject({ retryable: false, code: 'blob_not_found' });
    expect(await store.properties('nope.mp3')).toBeUndefined();
  });

  it('reports an unreachable account as a transient error', async () => {
    const dead = createAzureBlobStore(azurite.connectionString.replace(`:${azurite.blobPort}/`, ':1/'), 'raw-store-test', { maxTries: 1 });
    await expect(dead.properties('x.mp3')).rejects.toMatchObject({ retryable: true });
  }, 60_000);

  it('sends plain JSON queue messages, creating the queue on first use', async () => {
    const sender = createAzureQueueSender(azurite.connectionString);
    await sender.send('raw-queue-test', { job_id: 'j1' });
    const q = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('raw-queue-test');
    const got = await q.receiveMessages({ numberOfMessages: 32 });
    expect(got.receivedMessageItems.map((m) => JSON.parse(m.messageText))).toEqual([{ job_id: 'j1' }]);
  });
});

describe('ranged reads and block-staged writes (Azure adapter on Azurite)', () => {
  it('writes a blob from pieces, skipping empty ones, that reads back whole and by byte range', async () => {
    const big = Uint8Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, i) => (i * 31) & 0xff);
    const pieces = [new TextEncoder().encode('head'), new Uint8Array(0), big, new TextEncoder().encode('tail')];
    async function* gen(): AsyncGenerator<Uint8Array> {
      for (const p of pieces) yield p;
    }
    await blobs.writeBlocks('blocks/whole.bin', gen(), 'application/octet-stream');
    const whole = Buffer.concat(pieces);
    const { bytes, properties } = await blobs.read('blocks/whole.bin');
    expect(Buffer.from(bytes).equals(whole)).toBe(true);
    expect(properties.contentType).toBe('application/octet-stream');
    expect(Buffer.from(await blobs.readRange('blocks/whole.bin', 2, 10)).equals(whole.subarray(2, 12))).toBe(true);
    // a range running past the end gives the bytes that exist
    expect(Buffer.from(await blobs.readRange('blocks/whole.bin', whole.length - 3, 100)).toString()).toBe('ail');
    expect(await blobs.readRange('blocks/whole.bin', 5, 0)).toHaveLength(0);
    await expect(blobs.readRange('blocks/missing.bin', 0, 4)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('commits pieces staged out of order in their places, a header known last first', async () => {
    const text = (t: string) => new TextEncoder().encode(t);
    // produced as a decoder makes them: left and right of each piece, the header at the end
    const produced = [
      { bytes: text('L0'), order: 10 },
      { bytes: text('R0'), order: 20 },
      { bytes: text('L1'), order: 11 },
      { bytes: text('R1'), order: 21 },
      { bytes: text('HEAD'), order: 0 },
      { bytes: text('l1b'), order: 11 }, // a tie keeps the order it came in
    ];
    async function* gen() {
      yield* produced;
    }
    await blobs.writeArranged('blocks/arranged.bin', gen(), 'application/octet-stream');
    expect(Buffer.from((await blobs.read('blocks/arranged.bin')).bytes).toString()).toBe('HEADL0L1l1bR0R1');
  });
});
