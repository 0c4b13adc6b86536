import { describe, expect, it } from 'vitest';
import { analyzeHttpStart } from '../../functions/analyzeHttpStart/index.js';
import { generateHttpStart } from '../../functions/generateHttpStart/index.js';
import { jobStatus } from '../../functions/jobStatus/index.js';
import { health } from '../../functions/health/index.js';
import { fakeRequest, testConfig, testContext } from './fakes.js';

const ACCOUNT = 'http://127.0.0.1:10000/devstoreaccount1';
const GUID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

async function withUpload(name = `${GUID}.mp3`) {
  const ctx = testContext();
  await ctx.memoryBlobs.write(name, new Uint8Array([1, 2, 3]), 'audio/mpeg');
  return ctx;
}

const analyzeBody = (over: Record<string, unknown> = {}) => ({
  audio_file_id: GUID,
  blob_uri: `${ACCOUNT}/audio-files/${GUID}.mp3`,
  callback_url: 'https://api.example.com/api/audio/analysis-callback',
  ...over,
});

const generateBody = (over: Record<string, unknown> = {}) => ({
  generation_request_id: 'gen-123',
  audio_file_id: 'audio-123',
  target_stems: ['guitar', 'bass', 'drums'],
  parameters: { target_bpm: 120.0, duration_seconds: 10.0, style: 'rock', chord_progression: 'C-G-Am-F', random_seed: 7 },
  callback_url: 'https://api.example.com/api/generation/callback',
  ...over,
});

describe('POST /api/analyze', () => {
  it('accepts the seed contract: 202 with status URLs, one orchestration with a deterministic id', async () => {
    const ctx = await withUpload();
    const res = await analyzeHttpStart(fakeRequest({ body: analyzeBody() }), ctx);
    expect(res.status).toBe(202);
    const body = res.jsonBody as Record<string, any>;
    expect(body.job_id).toMatch(new RegExp(`^analysis-${GUID}-[0-9a-f]{16}$`));
    expect(body.status_url).toBe(`http://localhost:7071/api/jobs/${body.job_id}`);
    expect(body.statusQueryGetUri).toContain(body.job_id);
    expect(res.headers?.location).toBe(body.status_url);
    expect(ctx.jobs.starts).toHaveLength(1);
    expect(ctx.jobs.starts[0]).toMatchObject({ name: 'analyzeOrchestrator', instanceId: body.job_id });
    expect(ctx.jobs.starts[0].input).toMatchObject({ audioFileId: GUID, blobName: `${GUID}.mp3`, callbackUrl: 'https://api.example.com/api/audio/analysis-callback' });
  });

  it('is idempotent: the same request while the job exists starts nothing new', async () => {
    const ctx = await withUpload();
    const a = await analyzeHttpStart(fakeRequest({ body: analyzeBody() }), ctx);
    const b = await analyzeHttpStart(fakeRequest({ body: analyzeBody() }), ctx);
    expect(b.status).toBe(202);
    expect((b.jsonBody as any).job_id).toBe((a.jsonBody as any).job_id);
    expect((b.jsonBody as any).already_exists).toBe(true);
    expect(ctx.jobs.starts).toHaveLength(1);
  });

  it('accepts a configured alias of the account (docker-compose host name)', async () => {
    const ctx = await withUpload('test-123.mp3');
    const res = await analyzeHttpStart(fakeRequest({ body: analyzeBody({ audio_file_id: 'test-123', blob_uri: 'http://azurite:10000/devstoreaccount1/audio-files/test-123.mp3' }) }), ctx);
    expect(res.status).toBe(202);
  });

  const rejected: [string, unknown, RegExp][] = [
    ['path traversal in audio_file_id', analyzeBody({ audio_file_id: '../../etc/passwd' }), /audio_file_id: must be a GUID/],
    ['a slash in audio_file_id', analyzeBody({ audio_file_id: 'a/b' }), /audio_file_id/],
    ['an id longer than 128 characters', analyzeBody({ audio_file_id: 'x'.repeat(129) }), /audio_file_id/],
    ['a foreign account', analyzeBody({ blob_uri: `https://evil.blob.core.windows.net/audio-files/${GUID}.mp3` }), /blob_uri: must point into/],
    ['another container', analyzeBody({ blob_uri: `${ACCOUNT}/other/${GUID}.mp3` }), /blob_uri: must point into/],
    ['a traversal inside the blob path', analyzeBody({ blob_uri: `${ACCOUNT}/audio-files/x/../../secret.mp3` }), /blob_uri/],
    ['an encoded traversal', analyzeBody({ blob_uri: `${ACCOUNT}/audio-files/..%2Fsecret.mp3` }), /blob_uri: blob name/],
    ['a nested blob (an output)', analyzeBody({ blob_uri: `${ACCOUNT}/audio-files/${GUID}/stems/vocals.wav` }), /blob_uri: blob name/],
    ['a SAS query string', analyzeBody({ blob_uri: `${ACCOUNT}/audio-files/${GUID}.mp3?sig=abc` }), /blob_uri: must not carry a query/],
    ['a disallowed callback host', analyzeBody({ callback_url: 'https://attacker.example.net/hook' }), /callback_url: host "attacker.example.net" is not in the allow-list/],
    ['a look-alike callback host', analyzeBody({ callback_url: 'https://api.example.com.evil.net/hook' }), /callback_url: host/],
    ['a non-http callback', analyzeBody({ callback_url: 'file:///etc/passwd' }), /callback_url: must be an absolute http/],
    ['a missing field', { audio_file_id: GUID }, /blob_uri: .*\(missing\)/],
    ['an unknown field', analyzeBody({ extra: 1 }), /unknown field\(s\) "extra"/],
    ['a wrong type', analyzeBody({ audio_file_id: 42 }), /audio_file_id: .*got 42/],
  ];
  for (const [what, body, reason] of rejected) {
    it(`rejects ${what} with 400 and a reason, starting nothing`, async () => {
      const ctx = await withUpload();
      const res = await analyzeHttpStart(fakeRequest({ body: body as object }), ctx);
      expect(res.status).toBe(400);
      const reasons = (res.jsonBody as any).reasons as string[];
      expect(reasons.some((r) => reason.test(r)), reasons.join(' | ')).toBe(true);
      expect(ctx.jobs.starts).toHaveLength(0);
    });
  }

  it('lists every violation, not just the first', async () => {
    const ctx = await withUpload();
    const res = await analyzeHttpStart(fakeRequest({ body: { audio_file_id: '../x', blob_uri: 'nope', callback_url: 'https://bad.example.org/' } }), ctx);
    expect(res.status).toBe(400);
    const reasons = (res.jsonBody as any).reasons as string[];
    expect(reasons.length).toBeGreaterThanOrEqual(3);
  });

  it('rejects invalid JSON, a non-object, an empty and an oversized body', async () => {
    const ctx = await withUpload();
    for (const [body, reason] of [
      ['{"audio_file_id": ', /invalid JSON/],
      ['[1,2]', /must be a JSON object/],
      ['', /empty/],
      [JSON.stringify({ ...analyzeBody(), pad: 'x'.repeat(70_000) }), /exceeds the limit of 65536 bytes/],
    ] as const) {
      const res = await analyzeHttpStart(fakeRequest({ body }), ctx);
      expect(res.status).toBe(400);
      expect((res.jsonBody as any).reasons.join(' ')).toMatch(reason);
    }
    const declared = await analyzeHttpStart(fakeRequest({ body: analyzeBody(), headers: { 'content-length': '10000000' } }), ctx);
    expect(declared.status).toBe(400);
    const wrongType = await analyzeHttpStart(fakeRequest({ body: analyzeBody(), headers: { 'content-type': 'text/plain' } }), ctx);
    expect(wrongType.status).toBe(400);
    expect(ctx.jobs.starts).toHaveLength(0);
  });

  it('rejects a blob that does not exist', async () => {
    const ctx = testContext();
    const res = await analyzeHttpStart(fakeRequest({ body: analyzeBody() }), ctx);
    expect(res.status).toBe(400);
    expect((res.jsonBody as any).reasons[0]).toMatch(/does not exist/);
    expect(ctx.jobs.starts).toHaveLength(0);
  });
});

describe('POST /api/generate', () => {
  it('accepts the seed contract and maps parameters to the core', async () => {
    const ctx = testContext();
    const res = await generateHttpStart(fakeRequest({ url: 'http://localhost:7071/api/generate', body: generateBody() }), ctx);
    expect(res.status).toBe(202);
    expect((res.jsonBody as any).job_id).toBe('generation-gen-123');
    expect(ctx.jobs.starts).toHaveLength(1);
    expect(ctx.jobs.starts[0].name).toBe('generateOrchestrator');
    expect(ctx.jobs.starts[0].input).toMatchObject({
      generationRequestId: 'gen-123',
      audioFileId: 'audio-123',
      stems: ['guitar', 'bass', 'drums'],
      params: { bpm: 120, durationSec: 10, style: 'rock', chordProgression: 'C G Am F', seed: 7 },
    });
  });

  const rejected: [string, unknown, RegExp][] = [
    ['traversal in generation_request_id', generateBody({ generation_request_id: '..' }), /generation_request_id/],
    ['an unknown stem', generateBody({ target_stems: ['kazoo'] }), /target_stems\.0/],
    ['no stems', generateBody({ target_stems: [] }), /target_stems/],
    ['a repeated stem', generateBody({ target_stems: ['bass', 'bass'] }), /must not repeat/],
    ['a missing duration', generateBody({ parameters: { target_bpm: 120 } }), /parameters\.duration_seconds.*missing/],
    ['an absurd tempo', generateBody({ parameters: { duration_seconds: 10, target_bpm: 5000 } }), /parameters\.target_bpm/],
    ['a disallowed callback', generateBody({ callback_url: 'https://evil.test/cb' }), /callback_url: host/],
    ['a duration over the configured maximum', generateBody({ parameters: { duration_seconds: 599 } }), /at most 300/],
    ['a key the generator cannot read', generateBody({ parameters: { duration_seconds: 10, key: 'H dorian' } }), /parameters: key: cannot read "H dorian"/],
  ];
  for (const [what, body, reason] of rejected) {
    it(`rejects ${what}`, async () => {
      const ctx = testContext({ config: testConfig({ STEMFLOW_MAX_DURATION_SEC: '300' }) });
      const res = await generateHttpStart(fakeRequest({ body: body as object }), ctx);
      expect(res.status).toBe(400);
      const reasons = (res.jsonBody as any).reasons as string[];
      expect(reasons.some((r) => reason.test(r)), reasons.join(' | ')).toBe(true);
      expect(ctx.jobs.starts).toHaveLength(0);
    });
  }
});

describe('GET /api/jobs/{id} and /api/health', () => {
  it('maps a running job to stage and percent, and a failed one to its readable error', async () => {
    const ctx = testContext();
    ctx.jobs.statuses.set('analysis-abc-0123456789abcdef', {
      name: 'analyzeOrchestrator',
      instanceId: 'analysis-abc-0123456789abcdef',
      runtimeStatus: 'running',
      customStatus: { kind: 'analysis', stage: 'separating_and_analyzing', percent: 20 },
      createdTime: new Date('2026-01-01T00:00:00Z'),
    });
    ctx.jobs.statuses.set('generation-g1', {
      name: 'generateOrchestrator',
      instanceId: 'generation-g1',
      runtimeStatus: 'failed',
      customStatus: { kind: 'generation', stage: 'failed', percent: 5, error: { code: 'not_audio', message: 'bytes are not audio', step: 'renderStem' } },
      output: 'Error: secret internal stack at /srv/app.js:1',
    });
    const running = await jobStatus(fakeRequest({ method: 'GET', params: { id: 'analysis-abc-0123456789abcdef' } }), ctx);
    expect(running.status).toBe(200);
    expect(running.jsonBody).toMatchObject({ runtime_status: 'running', kind: 'analysis', stage: 'separating_and_analyzing', percent: 20 });
    const failed = await jobStatus(fakeRequest({ method: 'GET', params: { id: 'generation-g1' } }), ctx);
    expect(failed.jsonBody).toMatchObject({ runtime_status: 'failed', error: { code: 'not_audio', message: 'bytes are not audio' } });
    expect(JSON.stringify(failed.jsonBody)).not.toContain('/srv/app.js');
    const missing = await jobStatus(fakeRequest({ method: 'GET', params: { id: 'generation-nope' } }), ctx);
    expect(missing.status).toBe(404);
    const bad = await jobStatus(fakeRequest({ method: 'GET', params: { id: '../../x' } }), ctx);
    expect(bad.status).toBe(400);
  });

  it('reports version, mode, models and storage', async () => {
    const ctx = testContext();
    const res = await health(fakeRequest({ method: 'GET' }), ctx);
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({
      status: 'ok',
      mode: 'mock',
      engines: { separation: { engine: 'dsp-masks', installed: true }, generation: { engine: 'procedural', installed: true } },
      execution_provider: { requested: 'cpu', active: null },
      storage: { reachable: true, container: 'audio-files' },
      callbacks_signed: true,
    });
    const ids = (res.jsonBody as { models: { id: string; installed: boolean; missing: string[] }[] }).models.map((m) => m.id);
    expect(ids).toContain('htdemucs-4s');
    // model mode without weights: degraded, naming the missing files and the requested provider
    const modelCtx = testContext({ config: testConfig({ STEMFLOW_MODE: 'model', STEMFLOW_MODEL_DIR: '/nonexistent/weights', STEMFLOW_EXECUTION_PROVIDER: 'cuda' }) });
    const modelRes = await health(fakeRequest({ method: 'GET' }), modelCtx);
    expect(modelRes.jsonBody).toMatchObject({
      status: 'degraded',
      mode: 'model',
      engines: { separation: { engine: 'onnx', model: 'htdemucs-4s', installed: false }, generation: { engine: 'musicgen', installed: false } },
      execution_provider: { requested: 'cuda' },
    });
    expect(JSON.stringify((modelRes.jsonBody as { engines: unknown }).engines)).toMatch(/htdemucs|onnx/);
    const down = testContext({ blobs: { ...ctx.memoryBlobs, ping: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:1'); } } });
    const res2 = await health(fakeRequest({ method: 'GET' }), down);
    expect(res2.status).toBe(503);
    expect(res2.jsonBody).toMatchObject({ status: 'degraded', storage: { reachable: false } });
  });
});

describe('generation parameters against the real generator', () => {
  it('accepts the seed parameters (dash-separated chords) and rejects what the generator cannot read, with a 400', async () => {
    const { loadCore } = await import('../../functions/core.js');
    const ctx = testContext({ core: await loadCore() });
    const res = await generateHttpStart(fakeRequest({ body: generateBody() }), ctx);
    expect(res.status, JSON.stringify(res.jsonBody)).toBe(202);
    const bad = await generateHttpStart(fakeRequest({ body: generateBody({ generation_request_id: 'gen-2', parameters: { duration_seconds: 10, chord_progression: 'Xq7 Zz' } }) }), ctx);
    expect(bad.status).toBe(400);
    expect((bad.jsonBody as any).reasons[0]).toMatch(/^parameters: .*Xq7/);
    expect(ctx.jobs.starts).toHaveLength(1);
  });
});

describe('HTTP error mapping', () => {
  it('answers 503 with Retry-After when storage is down, and 500 without internals on a bug', async () => {
    const { analyzeHttpStartDefinition } = await import('../../functions/analyzeHttpStart/index.js');
    const { TransientError } = await import('../../shared/errors.js');
    const down = testContext();
    down.services.blobs.properties = async () => {
      throw new TransientError('reading properties: connect ECONNREFUSED 10.0.0.1:443 AccountKey=abc');
    };
    const res = await analyzeHttpStartDefinition.handler(fakeRequest({ body: analyzeBody() }), down);
    expect(res.status).toBe(503);
    expect(res.headers?.['retry-after']).toBe('10');
    expect(JSON.stringify(res.jsonBody)).not.toContain('AccountKey');
    const bug = testContext();
    bug.services.blobs.properties = async () => {
      throw new TypeError('x is undefined at /srv/secret.js:1');
    };
    const res2 = await analyzeHttpStartDefinition.handler(fakeRequest({ body: analyzeBody() }), bug);
    expect(res2.status).toBe(500);
    expect(JSON.stringify(res2.jsonBody)).not.toContain('secret.js');
    expect(down.jobs.starts.length + bug.jobs.starts.length).toBe(0);
  });
});
