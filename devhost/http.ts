/**
 * The local host's HTTP front (node:http):
 *
 * - `/api/{route}` for every HTTP definition of the registry, with its methods. The request is a
 *   real @azure/functions `HttpRequest` (method, url, headers, query, params, body) and the
 *   handler's `HttpResponseInit` is rendered through `HttpResponse`, as the Node worker does.
 *   Auth levels are kept as data but not enforced: like Core Tools, any key (or none) is accepted.
 * - `/runtime/webhooks/durabletask/instances/{id}` — the part of Durable's HTTP management API
 *   that `createCheckStatusResponse` links to: GET status (200 done / 202 running / 400 failed or
 *   terminated / 404), POST `/raiseEvent/{name}`, POST `/terminate`, DELETE (purge).
 * - `/runtime/devhost/info` and `/runtime/devhost/jobs` — local-only helpers for `stemflow submit`
 *   and `stemflow jobs` (the storage connection string is only shown for the public Azurite account).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type * as AzureFunctions from '@azure/functions';
import { toJobStatus } from '../functions/jobStatus/index.js';
import type { HandlerContext, HttpFunctionDefinition } from '../functions/types.js';
import { toRuntimeInfo, type DurableEngine } from './durable.js';
import type { HostLogger } from './log.js';

export interface HttpFrontOptions {
  defs: readonly HttpFunctionDefinition[];
  context: (def: HttpFunctionDefinition) => HandlerContext;
  engine: DurableEngine;
  log: HostLogger;
  /** What GET /runtime/devhost/info answers. */
  info: () => Record<string, unknown>;
  /** Largest body read, bytes (default 10 MB; the handlers apply their own smaller limits). */
  maxBodyBytes?: number;
}

// @azure/functions is CommonJS whose named exports Node's ESM loader cannot detect
const { HttpRequest, HttpResponse } = createRequire(import.meta.url)('@azure/functions') as typeof AzureFunctions;

interface Route {
  def: HttpFunctionDefinition;
  pattern: RegExp;
  names: string[];
}

/** `jobs/{id}` → /^\/api\/jobs\/([^/]+)$/ with names ['id'] (`{x?}` optional, `{*x}` catch-all). */
export function compileRoute(route: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const parts = route.split('/').map((seg) => {
    const m = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\?)?\}$/.exec(seg);
    if (!m) return `/${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    names.push(m[2]);
    if (m[1]) return '(?:/(.*))?';
    return m[3] ? '(?:/([^/]+))?' : '/([^/]+)';
  });
  return { pattern: new RegExp(`^/api${parts.join('')}/?$`, 'i'), names };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error(`body exceeds ${limit} bytes`), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function createHttpFront(o: HttpFrontOptions): Server {
  const routes: Route[] = o.defs.map((def) => ({ def, ...compileRoute(def.route) }));
  const limit = o.maxBodyBytes ?? 10 * 1024 * 1024;

  const handleFunction = async (req: IncomingMessage, res: ServerResponse, url: URL, route: Route, match: RegExpExecArray) => {
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => {
      if (match[i + 1] !== undefined) params[n] = decodeURIComponent(match[i + 1]);
    });
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, limit);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const request = new HttpRequest({
      method: req.method ?? 'GET',
      url: url.href,
      headers,
      query: Object.fromEntries(url.searchParams),
      params,
      body: body && body.length > 0 ? { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) } : undefined,
    });
    const started = Date.now();
    const result = await route.def.handler(request, o.context(route.def));
    const response = result instanceof HttpResponse ? result : new HttpResponse(result as AzureFunctions.HttpResponseInit);
    const bytes = Buffer.from(await response.arrayBuffer());
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => (outHeaders[k] = v));
    outHeaders['content-length'] = String(bytes.length);
    res.writeHead(response.status, outHeaders);
    res.end(bytes);
    o.log.debug(`${req.method} ${url.pathname} → ${response.status} (${route.def.name}, ${Date.now() - started} ms)`);
  };

  const handleManagement = async (req: IncomingMessage, res: ServerResponse, url: URL, rest: string[]) => {
    const id = decodeURIComponent(rest[0] ?? '');
    if (!id) {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });
      const top = Number(url.searchParams.get('top') ?? 100);
      const list = await o.engine.list(Number.isFinite(top) ? top : 100);
      return sendJson(res, 200, list.map((r) => durableStatusBody(r, false)));
    }
    const action = rest[1];
    if (action === undefined && req.method === 'GET') {
      const r = await o.engine.getStatus(id);
      if (!r) return sendJson(res, 404, { error: 'not_found', message: `no instance "${id}"` });
      const status = r.runtimeStatus === 'Completed' ? 200 : r.runtimeStatus === 'Failed' || r.runtimeStatus === 'Terminated' ? 400 : 202;
      const headers: Record<string, string> = status === 202 ? { location: url.href, 'retry-after': '1' } : {};
      return sendJson(res, status, durableStatusBody(r, url.searchParams.get('showInput') !== 'false'), headers);
    }
    if (action === undefined && req.method === 'DELETE') {
      const done = await o.engine.purge(id);
      return done ? sendJson(res, 200, { instancesDeleted: 1 }) : sendJson(res, 404, { error: 'not_found', message: `no finished instance "${id}"` });
    }
    if (action === 'terminate' && req.method === 'POST') {
      const ok = await o.engine.terminate(id, url.searchParams.get('reason') ?? 'terminated via the management API');
      return ok ? (res.writeHead(202), res.end()) : sendJson(res, (await o.engine.getStatus(id)) ? 410 : 404, { error: 'not_running' });
    }
    if (action === 'raiseEvent' && req.method === 'POST' && rest[2]) {
      const text = (await readBody(req, limit)).toString('utf8');
      let data: unknown = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        return sendJson(res, 400, { error: 'invalid_json' });
      }
      const ok = await o.engine.raiseEvent(id, decodeURIComponent(rest[2]), data);
      return ok ? (res.writeHead(202), res.end()) : sendJson(res, (await o.engine.getStatus(id)) ? 410 : 404, { error: 'not_running' });
    }
    return sendJson(res, 404, { error: 'not_found' });
  };

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const path = url.pathname;
    const run = async () => {
      if (path.startsWith('/api/')) {
        let methodMismatch = false;
        for (const route of routes) {
          const m = route.pattern.exec(path);
          if (!m) continue;
          if (!(route.def.methods as string[]).includes(req.method ?? '')) {
            methodMismatch = true;
            continue;
          }
          return handleFunction(req, res, url, route, m);
        }
        return sendJson(res, methodMismatch ? 405 : 404, { error: methodMismatch ? 'method_not_allowed' : 'not_found', message: `${req.method} ${path}` });
      }
      const mgmt = /^\/runtime\/webhooks\/durabletask\/instances\/?(.*)$/.exec(path);
      if (mgmt) return handleManagement(req, res, url, mgmt[1].split('/').filter((s) => s.length > 0));
      if (path === '/runtime/devhost/info' && req.method === 'GET') return sendJson(res, 200, o.info());
      if (path === '/runtime/devhost/jobs' && req.method === 'GET') {
        const top = Math.max(1, Math.min(500, Number(url.searchParams.get('top') ?? 20) || 20));
        const list = await o.engine.list(top);
        return sendJson(res, 200, { jobs: list.map((r) => ({ ...toJobStatus(toRuntimeInfo(r)), name: r.name })) });
      }
      if (path === '/' && req.method === 'GET') return sendJson(res, 200, { message: 'stemflow local host', functions: routes.map((r) => `${r.def.methods.join(',')} /api/${r.def.route}`) });
      return sendJson(res, 404, { error: 'not_found', message: `${req.method} ${path}` });
    };
    run().catch((err) => {
      const status = (err as { status?: number }).status ?? 500;
      o.log.error(`${req.method} ${path} failed: ${(err as Error)?.stack ?? err}`);
      if (!res.headersSent) sendJson(res, status, { error: status === 413 ? 'payload_too_large' : 'internal', message: status === 413 ? (err as Error).message : 'internal error' });
      else res.end();
    });
  });
}

/** Durable's instance status JSON (the shape DurableClient.getStatus parses). */
export function durableStatusBody(r: import('./instanceStore.js').InstanceRecord, showInput: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: r.name,
    instanceId: r.instanceId,
    runtimeStatus: r.runtimeStatus,
    customStatus: r.customStatus ?? null,
    output: r.output ?? null,
    createdTime: r.createdTime,
    lastUpdatedTime: r.lastUpdatedTime,
  };
  if (showInput) body.input = r.input;
  return body;
}
