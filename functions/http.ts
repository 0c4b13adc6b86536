/** Small HTTP helpers for the handlers: bounded JSON body reading and JSON responses. */
import type { ErrorResponse } from '../shared/contracts/http.js';
import type { HttpRequestLike, HttpResponseLike } from './types.js';

export type BodyResult = { ok: true; value: unknown } | { ok: false; reasons: string[] };

/** Read and parse a JSON body of at most `maxBytes` bytes (checked before and after reading). */
export async function readJsonBody(request: HttpRequestLike, maxBytes: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, reasons: [`body: ${declared} bytes exceeds the limit of ${maxBytes} bytes`] };
  const contentType = request.headers.get('content-type');
  if (contentType && !/^application\/(?:[\w.+-]*\+)?json\b/i.test(contentType))
    return { ok: false, reasons: [`body: content-type must be application/json (got ${JSON.stringify(contentType)})`] };
  let text: string;
  try {
    text = await request.text();
  } catch (err) {
    return { ok: false, reasons: [`body: could not be read (${(err as Error).message})`] };
  }
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) return { ok: false, reasons: [`body: ${size} bytes exceeds the limit of ${maxBytes} bytes`] };
  if (text.trim() === '') return { ok: false, reasons: ['body: empty; a JSON object is required'] };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reasons: ['body: must be a JSON object'] };
    return { ok: true, value };
  } catch (err) {
    return { ok: false, reasons: [`body: invalid JSON (${(err as Error).message})`] };
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseLike {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } };
}

export function badRequest(reasons: string[], error = 'invalid_request', status = 400): HttpResponseLike {
  const body: ErrorResponse = { error, message: reasons.length === 1 ? reasons[0] : `${reasons.length} problems with the request`, reasons };
  return json(status, body);
}

/**
 * Map errors escaping an HTTP handler: bad input → 400 with the message, transient (storage or
 * Durable unavailable) → 503 with Retry-After, anything else → 500 without internals.
 */
export function guardHttp<C extends { log: { error: (...a: unknown[]) => void } }>(
  handler: (request: HttpRequestLike, ctx: C) => Promise<HttpResponseLike>,
): (request: HttpRequestLike, ctx: C) => Promise<HttpResponseLike> {
  return async (request, ctx) => {
    try {
      return await handler(request, ctx);
    } catch (err) {
      const e = err as { retryable?: boolean; code?: string; message?: string; name?: string };
      if (e && e.retryable === false && typeof e.code === 'string') return badRequest([e.message ?? String(err)], e.code);
      ctx.log.error(`${request.method} ${request.url} failed: ${e?.message ?? String(err)}`);
      if (e && e.retryable === true) {
        const res = badRequest(['a backing service is temporarily unavailable; retry later'], 'unavailable', 503);
        return { ...res, headers: { ...res.headers, 'retry-after': '10' } };
      }
      return badRequest(['internal error'], 'internal', 500);
    }
  };
}
