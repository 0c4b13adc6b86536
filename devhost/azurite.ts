/**
 * The embedded Azurite of the local host: blob, queue and table services spawned from the
 * `azurite` package in node_modules, in memory by default or persisted to a folder
 * (`--persist DIR` → `azurite --location DIR`). The account is Azurite's well-known public
 * development account (`devstoreaccount1`), so its key is not a secret.
 *
 * Ports: 10000–10002 by default (what `UseDevelopmentStorage=true` means); a busy port is an
 * error that names the port and the ways out. Port 0 picks free ports (tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidRequestError } from '../shared/errors.js';

export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const DEFAULT_AZURITE_PORTS = { blob: 10000, queue: 10001, table: 10002 } as const;

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface EmbeddedAzuriteOptions {
  /** Ports; 0 means "any free port". Default 10000/10001/10002. */
  ports?: Partial<AzuritePorts>;
  /** Keep data in this folder (azurite --location); in-memory when absent. */
  persistDir?: string;
  host?: string;
  /** How long to wait for all three services to accept connections, ms (default 30 000). */
  startTimeoutMs?: number;
}

export interface EmbeddedAzurite {
  connectionString: string;
  ports: AzuritePorts;
  blobEndpoint: string;
  persistDir?: string;
  /** The Azurite process id (for RSS measurements). */
  pid?: number;
  /** SIGTERM, then SIGKILL after 5 s; removes the scratch folder of an in-memory instance. */
  stop(): Promise<void>;
}

/** The connection string of the development account on the given ports. */
export function devConnectionString(ports: AzuritePorts, host = '127.0.0.1'): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};` +
    `BlobEndpoint=http://${host}:${ports.blob}/${DEV_ACCOUNT};QueueEndpoint=http://${host}:${ports.queue}/${DEV_ACCOUNT};` +
    `TableEndpoint=http://${host}:${ports.table}/${DEV_ACCOUNT};`
  );
}

/** True when the connection string is the development account (its key is public). */
export function isDevelopmentStorage(connectionString: string): boolean {
  return /UseDevelopmentStorage=true/i.test(connectionString) || connectionString.includes(`AccountName=${DEV_ACCOUNT};`);
}

/** Preloaded into Azurite: exit when the parent's end of stdin closes. */
const PARENT_WATCHDOG = "data:text/javascript,process.stdin.on('end',()=>process.exit(0));process.stdin.resume();";

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Resolves true when `port` can be bound on `host` right now. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => res(false));
    srv.listen(port, host, () => srv.close(() => res(true)));
  });
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ port, host });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

function azuriteEntry(): string {
  const require = createRequire(import.meta.url);
  // dist/src/azurite.js runs all three services (what the `azurite` bin runs)
  const pkgDir = resolve(require.resolve('azurite/package.json'), '..');
  const entry = join(pkgDir, 'dist', 'src', 'azurite.js');
  if (!existsSync(entry)) throw new Error(`azurite is installed at ${pkgDir} but its entry dist/src/azurite.js is missing`);
  return entry;
}

/** Start Azurite; rejects with a message naming a busy port and the ways out. */
export async function startEmbeddedAzurite(options: EmbeddedAzuriteOptions = {}): Promise<EmbeddedAzurite> {
  const host = options.host ?? '127.0.0.1';
  const wanted: AzuritePorts = { ...DEFAULT_AZURITE_PORTS, ...options.ports };
  const ports: AzuritePorts = { blob: 0, queue: 0, table: 0 };
  for (const service of ['blob', 'queue', 'table'] as const) {
    const p = wanted[service];
    if (p === 0) {
      ports[service] = await freePort(host);
      continue;
    }
    if (!(await portIsFree(p, host)))
      throw new InvalidRequestError(
        `Azurite ${service} port ${p} on ${host} is already in use (another Azurite or Functions host?). ` +
          `Stop it, choose other ports with --azurite-ports BLOB,QUEUE,TABLE, or set AzureWebJobsStorage to that storage's connection string to use it instead.`,
      );
    ports[service] = p;
  }
  let location: string;
  let scratch: string | undefined;
  if (options.persistDir) {
    location = resolve(options.persistDir);
    mkdirSync(location, { recursive: true });
  } else {
    scratch = mkdtempSync(join(tmpdir(), 'stemflow-azurite-'));
    location = scratch;
  }
  const args = [
    azuriteEntry(),
    ...(options.persistDir ? ['--location', location] : ['--inMemoryPersistence']),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
    '--blobHost',
    host,
    '--queueHost',
    host,
    '--tableHost',
    host,
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
  ];
  // the watchdog ends Azurite when this process dies without stopping it (kill -9, crash): its stdin pipe closes
  const child: ChildProcess = spawn(process.execPath, ['--import', PARENT_WATCHDOG, ...args], { cwd: location, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + String(d)).slice(-4000)));
  child.stderr?.on('data', (d) => (output = (output + String(d)).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`azurite exited while starting: ${output.slice(-2000)}`);
    const ready = await Promise.all([ports.blob, ports.queue, ports.table].map((p) => canConnect(p, host)));
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`azurite did not listen on ${host}:${ports.blob}/${ports.queue}/${ports.table} within ${timeoutMs} ms: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    connectionString: devConnectionString(ports, host),
    ports,
    blobEndpoint: `http://${host}:${ports.blob}/${DEV_ACCOUNT}`,
    persistDir: options.persistDir ? location : undefined,
    pid: child.pid,
    async stop() {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
