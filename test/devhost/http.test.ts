/**
 * The local host's HTTP front without storage: registry-style HTTP definitions get a real
 * @azure/functions HttpRequest (route params, query, headers, body) and their HttpResponseInit is
 * rendered faithfully; auth keys are accepted but not required; Durable's management API answers
 * with the status codes createCheckStatusResponse clients expect.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as df from 'durable-functions';
import { analyzeOrchestrator } from '../../functions/analyzeOrchestrator/index.js';
import type { HandlerContext, HttpFunctionDefinition } from '../../functions/types.js';
import { DurableEngine, type ActivityOutcome } from '../../devhost/durable.js';
import { createHttpFront } from '../../devhost/http.js';
import { createMemoryInstanceStore } from '../../devhost/instanceStore.js';
import { createHostLogger } from '../../devhost/log.js';

let server: Server;
let base: string;
let engine: DurableEngine;
let release: () => void = () => {};

const echo: HttpFunctionDefinition = {
  kind: 'http',
  name: 'echo',
  route: 'things/{id}',
  methods: ['POST'],
  authLevel: 'function',
  usesDurableClient: false,
  handler: async (request) => {
    const r = request as unknown as { query: URLSearchParams; text(): Promise<string> };
    return { status: 201, jsonBody: { id: request.params.id, q: r.query.get('q'), ua: request.headers.get('x-test'), body: await r.text(), method: request.method }, headers: { 'x-echo': 'yes' } };
  },
};

beforeAll(async () => {
  const gate = new Promise<void>((r) => (release = r));
  engine = new DurableEngine({
    store: createMemoryInstanceStore(),
    orchestrators: new Map([['analyzeOrchestrator', analyzeOrchestrator as unknown as df.OrchestrationHandler]]),
    activities: {
      async run(name, _input, meta): Promise<ActivityOutcome> {
        if (meta.instanceId === 'analysis-b-1') return new Promise<ActivityOutcome>(() => {}); // never finishes
        if (name === 'prepareAudio') {
          await gate;
          return { ok: false, error: { name: 'Error', message: '[stemflow:not_audio:fatal] bytes are not audio' } };
        }
        return { ok: true, value: { eventQueued: false } };
      },
    },
    log: createHostLogger('silent'),
    hubName: 'stemflow',
    baseUrl: () => base,
  });
  server = createHttpFront({ defs: [echo], context: () => ({}) as HandlerContext, engine, log: createHostLogger('silent'), info: () => ({ name: 'test' }) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  release();
  await engine.stop(100);
  await new Promise<void>((r) => server.close(() => r()));
});

describe('functions routes', () => {
  it('passes params, query, headers and body to the handler and renders its response', async () => {
    const res = await fetch(`${base}/api/things/abc?q=1&code=whatever`, { method: 'POST', headers: { 'x-test': 'hello', 'content-type': 'text/plain' }, body: 'payload' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(await res.json()).toEqual({ id: 'abc', q: '1', ua: 'hello', body: 'payload', method: 'POST' });
    // no key at all is fine too (function-level auth is not enforced locally)
    expect((await fetch(`${base}/api/things/x`, { method: 'POST', body: '' })).status).toBe(201);
  });

  it('answers 405 for a known route with another method and 404 for an unknown route', async () => {
    expect((await fetch(`${base}/api/things/abc`)).status).toBe(405);
    expect((await fetch(`${base}/api/other`)).status).toBe(404);
  });
});

describe('Durable management API', () => {
  const input = { kind: 'analysis', jobId: 'analysis-a-1', audioFileId: 'a', blobName: 'a.wav', etag: '"1"', retry: { maxAttempts: 1, firstRetryMs: 10, backoffCoefficient: 2, maxRetryMs: 10 } };
  const url = (id: string, rest = '') => `${base}/runtime/webhooks/durabletask/instances/${id}${rest}?taskHub=stemflow&connection=Storage`;

  it('202 with Location while running, 400 once failed, 404 for an unknown id; purge deletes', async () => {
    await engine.startNew('analyzeOrchestrator', 'analysis-a-1', input);
    const running = await fetch(url('analysis-a-1'));
    expect(running.status).toBe(202);
    expect(running.headers.get('location')).toContain('/instances/analysis-a-1');
    expect(await running.json()).toMatchObject({ instanceId: 'analysis-a-1', name: 'analyzeOrchestrator', runtimeStatus: 'Running', customStatus: { stage: 'preparing' }, input: { audioFileId: 'a' } });
    release();
    await engine.waitFor('analysis-a-1', 5000);
    const failed = await fetch(url('analysis-a-1'));
    expect(failed.status).toBe(400);
    expect(await failed.json()).toMatchObject({ runtimeStatus: 'Failed', output: expect.stringMatching(/failed in prepareAudio/) });
    expect((await fetch(url('nope'))).status).toBe(404);
    expect((await fetch(url('analysis-a-1'), { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(url('analysis-a-1'))).status).toBe(404);
  });

  it('terminates a running instance (202), then reports it terminated (400)', async () => {
    await engine.startNew('analyzeOrchestrator', 'analysis-b-1', { ...input, jobId: 'analysis-b-1', audioFileId: 'b' });
    expect((await fetch(url('analysis-b-1'))).status).toBe(202);
    const t = await fetch(url('analysis-b-1', '/terminate').replace('?', '?reason=test&'), { method: 'POST' });
    expect(t.status).toBe(202);
    const s = await fetch(url('analysis-b-1'));
    expect(s.status).toBe(400);
    expect(await s.json()).toMatchObject({ runtimeStatus: 'Terminated', output: 'test' });
    expect((await fetch(url('analysis-b-1', '/terminate'), { method: 'POST' })).status).toBe(410);
  });
});
