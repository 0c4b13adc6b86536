import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchModel, ModelFetchError } from '../../shared/models/fetch.js';
import { parseModelManifest, type ModelManifest } from '../../shared/models/manifest.js';
import { runModelsFetch } from '../../scripts/models-fetch.js';

// Seeded pseudo-random payload (LCG), 200 kB: big enough to arrive in several chunks.
function payload(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}
const BODY = payload(7, 200_000);
const SHA = createHash('sha256').update(BODY).digest('hex');

let server: Server;
let base: string;
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/weights.onnx') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY.length });
      res.end(BODY);
    } else if (req.url === '/boom') {
      res.writeHead(503);
      res.end('busy');
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let dir: string;
beforeEach(async () => {
  requests = [];
  dir = await mkdtemp(join(tmpdir(), 'stemflow-fetch-'));
  return () => rm(dir, { recursive: true, force: true });
});

function manifestWith(file: { path: string; sha256: string | null; bytes: number | null }): ModelManifest {
  return parseModelManifest({
    version: 1,
    models: [
      {
        id: 'tiny-model',
        task: 'separation',
        license: 'MIT',
        source: { page: 'https://example.com/tiny' },
        files: [{ name: 'weights.onnx', url: `${base}${file.path}`, sha256: file.sha256, bytes: file.bytes }],
        sampleRate: 44100,
        stems: ['drums', 'bass', 'other', 'vocals'],
        contract: { type: 'waveform', segmentSamples: 343980 },
      },
      {
        id: 'other-model',
        task: 'separation',
        license: 'MIT',
        source: { page: 'https://example.com/other' },
        files: [{ name: 'x.onnx', url: null, sha256: null, bytes: null }],
        sampleRate: 44100,
        stems: ['vocals'],
        contract: { type: 'waveform', segmentSamples: 1000 },
      },
    ],
  });
}

const quiet = () => undefined;

describe('fetchModel against a local HTTP server', () => {
  it('downloads, verifies sha256 and size, and renames into <dir>/<id>/<file> with no temp file left', async () => {
    const manifest = manifestWith({ path: '/weights.onnx', sha256: SHA, bytes: BODY.length });
    const [r] = await fetchModel({ manifest, id: 'tiny-model', modelDir: dir, log: quiet });
    expect(r.status).toBe('downloaded');
    expect(r.sha256).toBe(SHA);
    expect(r.path).toBe(join(dir, 'tiny-model', 'weights.onnx'));
    expect((await readFile(r.path)).equals(BODY)).toBe(true);
    expect(await readdir(join(dir, 'tiny-model'))).toEqual(['weights.onnx']);
  });

  it('deletes the download and names both digests on checksum mismatch', async () => {
    const wrong = 'ab'.repeat(32);
    const manifest = manifestWith({ path: '/weights.onnx', sha256: wrong, bytes: null });
    const err = await fetchModel({ manifest, id: 'tiny-model', modelDir: dir, log: quiet }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFetchError);
    expect(err.message).toContain('checksum mismatch');
    expect(err.message).toContain(SHA);
    expect(err.message).toContain(wrong);
    expect(await readdir(join(dir, 'tiny-model'))).toEqual([]);
  });

  it('rejects a size mismatch and leaves nothing behind', async () => {
    const manifest = manifestWith({ path: '/weights.onnx', sha256: SHA, bytes: BODY.length + 1 });
    const err = await fetchModel({ manifest, id: 'tiny-model', modelDir: dir, log: quiet }).catch((e) => e);
    expect(err.message).toMatch(/size mismatch.*200000 bytes.*200001/);
    expect(await readdir(join(dir, 'tiny-model'))).toEqual([]);
  });

  it('reports HTTP 404 with the URL (not retryable) and 503 as retryable', async () => {
    const e404 = await fetchModel({ manifest: manifestWith({ path: '/missing', sha256: SHA, bytes: null }), id: 'tiny-model', modelDir: dir, log: quiet }).catch((e) => e);
    expect(e404).toBeInstanceOf(ModelFetchError);
    expect(e404.message).toContain('HTTP 404');
    expect(e404.message).toContain(`${base}/missing`);
    expect(e404.retryable).toBe(false);
    const e503 = await fetchModel({ manifest: manifestWith({ path: '/boom', sha256: SHA, bytes: null }), id: 'tiny-model', modelDir: dir, log: quiet }).catch((e) => e);
    expect(e503.message).toContain('HTTP 503');
    expect(e503.retryable).toBe(true);
    expect(await readdir(join(dir, 'tiny-model'))).toEqual([]);
  });

  it('skips an already-present verified file without a request', async () => {
    const manifest = manifestWith({ path: '/weights.onnx', sha256: SHA, bytes: BODY.length });
    await fetchModel({ manifest, id: 'tiny-model', modelDir: dir, log: quiet });
    requests = [];
    const lines: string[] = [];
    const [r] = await fetchModel({ manifest, id: 'tiny-model', modelDir: dir, log: (l) => lines.push(l) });
    expect(r.status).toBe('present');
    expect(requests).toEqual([]);
    expect(lines.join('\n')).toContain('skipped');
  });

  it('re-downloads a present file whose digest is wrong', async () => {
    const manifest = manifestWith({ path: '/weights.onnx', sha256: SHA, bytes: BODY.length });
    await mkdir(join(dir, 'tiny-model'), { recursive: true });
    await writeFile(join(dir, 'tiny-model', 'weights.onnx'), 'corrupt');
    const [r] = await fetchModel({ manifest, id: 'tiny-model', modelDir: dir, log: quiet });
    expect(r.status).toBe('downloaded');
    expect((await readFile(r.path)).equals(BODY)).toBe(true);
  });

  it('with sha256 null: prints the digest and refuses, unless trust-on-first-use', async () => {
    const manifest = manifestWith({ path: '/weights.onnx', sha256: null, bytes: null });
    const lines: string[] = [];
    const err = await fetchModel({ manifest, id: 'tiny-model', modelDir: dir, log: (l) => lines.push(l) }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFetchError);
    expect(err.message).toContain('--trust-on-first-use');
    expect(err.message).toContain(SHA);
    expect(lines.join('\n')).toContain(SHA);
    expect(await readdir(join(dir, 'tiny-model'))).toEqual([]);

    const [r] = await fetchModel({ manifest, id: 'tiny-model', modelDir: dir, trustOnFirstUse: true, log: quiet });
    expect(r.status).toBe('trusted');
    expect(r.sha256).toBe(SHA);
    expect((await readFile(r.path)).equals(BODY)).toBe(true);
  });

  it('a model without a URL says how to obtain it and where to put it', async () => {
    const manifest = manifestWith({ path: '/weights.onnx', sha256: SHA, bytes: null });
    const err = await fetchModel({ manifest, id: 'other-model', modelDir: dir, log: quiet }).catch((e) => e);
    expect(err.message).toContain('no download URL');
    expect(err.message).toContain(join(dir, 'other-model', 'x.onnx'));
  });
});

describe('npm run models:fetch (runModelsFetch)', () => {
  async function writeManifest(m: ModelManifest): Promise<string> {
    const p = join(dir, 'manifest.json');
    await writeFile(p, JSON.stringify(m));
    return p;
  }

  it('an unknown id fails with exit code 1 and lists the known ids', async () => {
    const mp = await writeManifest(manifestWith({ path: '/weights.onnx', sha256: SHA, bytes: null }));
    const errs: string[] = [];
    const code = await runModelsFetch(['no-such-model', '--manifest', mp, '--dir', dir], { out: quiet, err: (l) => errs.push(l) });
    expect(code).toBe(1);
    expect(errs.join('\n')).toContain("unknown model id 'no-such-model'");
    expect(errs.join('\n')).toContain('tiny-model, other-model');
  });

  it('fetches into STEMFLOW_MODEL_DIR and exits 0; a checksum mismatch exits 1', async () => {
    const mp = await writeManifest(manifestWith({ path: '/weights.onnx', sha256: SHA, bytes: BODY.length }));
    const target = join(dir, 'weights-root');
    const code = await runModelsFetch(['tiny-model', '--manifest', mp], { env: { STEMFLOW_MODEL_DIR: target }, out: quiet, err: quiet });
    expect(code).toBe(0);
    expect((await readFile(join(target, 'tiny-model', 'weights.onnx'))).equals(BODY)).toBe(true);

    const bad = await writeManifest(manifestWith({ path: '/weights.onnx', sha256: 'cd'.repeat(32), bytes: null }));
    const errs: string[] = [];
    const code2 = await runModelsFetch(['tiny-model', '--manifest', bad, '--dir', join(dir, 'fresh')], { out: quiet, err: (l) => errs.push(l) });
    expect(code2).toBe(1);
    expect(errs.join('\n')).toContain('checksum mismatch');
  });

  it('the repository manifest parses and lists every model', async () => {
    const lines: string[] = [];
    const code = await runModelsFetch(['--list'], { out: (l) => lines.push(l), err: quiet });
    expect(code).toBe(0);
    const ids = lines.map((l) => l.split('\t')[0]);
    expect(ids).toEqual(expect.arrayContaining(['htdemucs-4s', 'htdemucs-6s', 'htdemucs-ext-stft', 'mdx-kim-vocal-2']));
  });
});
