/**
 * A real Azurite (blob, queue, table) for tests: spawned from node_modules/.bin/azurite,
 * in-memory, on free ports chosen at run time, awaited until every port accepts connections.
 * Call `stop()` in afterAll. The account key is Azurite's well-known public development key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface AzuriteInstance {
  connectionString: string;
  blobPort: number;
  queuePort: number;
  tablePort: number;
  blobEndpoint: string;
  stop(): Promise<void>;
}

const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

export async function startAzurite(options: { timeoutMs?: number } = {}): Promise<AzuriteInstance> {
  const [blobPort, queuePort, tablePort] = [await freePort(), await freePort(), await freePort()];
  const location = mkdtempSync(join(tmpdir(), 'stemflow-azurite-'));
  const bin = resolve(process.cwd(), 'node_modules/.bin/azurite');
  const args = [
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--silent',
    '--loose',
    '--blobHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--blobPort',
    String(blobPort),
    '--queuePort',
    String(queuePort),
    '--tablePort',
    String(tablePort),
  ];
  const child: ChildProcess = spawn(bin, args, { cwd: location, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`azurite exited early: ${output.slice(-2000)}`);
    const ready = await Promise.all([blobPort, queuePort, tablePort].map(canConnect));
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`azurite did not listen within ${options.timeoutMs ?? 30_000} ms: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const blobEndpoint = `http://127.0.0.1:${blobPort}/${DEV_ACCOUNT}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `BlobEndpoint=${blobEndpoint};QueueEndpoint=http://127.0.0.1:${queuePort}/${DEV_ACCOUNT};TableEndpoint=http://127.0.0.1:${tablePort}/${DEV_ACCOUNT};`;
  return {
    connectionString,
    blobPort,
    queuePort,
    tablePort,
    blobEndpoint,
    async stop() {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(location, { recursive: true, force: true });
    },
  };
}
