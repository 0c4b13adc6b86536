/**
 * Callback delivery: POST the JSON body, signed, retried with exponential backoff, bounded in
 * attempts and per-attempt time. It never throws and never blocks for longer than
 * `maxAttempts × timeoutMs + Σ backoff`; the result records what happened, so the job status can
 * say that delivery failed (the `job-events` queue still carries the outcome).
 *
 * Retried: network errors, timeouts, 408, 429 and 5xx. Not retried: other 4xx (the receiver
 * rejected the callback; sending it again would not change its mind).
 */
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signCallback } from './sign.js';

export interface DeliveryOptions {
  /** HMAC secret; unsigned when absent. */
  secret?: string;
  maxAttempts?: number;
  /** Delay before the 2nd attempt, ms; doubles each time (default 1000). */
  firstRetryMs?: number;
  backoffCoefficient?: number;
  maxRetryMs?: number;
  /** Per-attempt timeout, ms (default 10 000). */
  timeoutMs?: number;
  /** Idempotency key sent as X-Stemflow-Event-Id. */
  eventId?: string;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Unix seconds (default: the clock); the signature timestamp of each attempt. */
  nowSec?: () => number;
}

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  statusCode?: number;
  lastError?: string;
}

const RETRYABLE_STATUS = (s: number) => s === 408 || s === 429 || s >= 500;

/** POST `body` (already serialised JSON) to `url` with signature and bounded retries. */
export async function deliverCallback(url: string, body: string, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const first = options.firstRetryMs ?? 1000;
  const coeff = options.backoffCoefficient ?? 2;
  const maxRetry = options.maxRetryMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetchImpl ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const nowSec = options.nowSec ?? (() => Math.floor(Date.now() / 1000));
  let lastError: string | undefined;
  let statusCode: number | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const t = nowSec();
    const headers: Record<string, string> = { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(t) };
    if (options.secret) headers[SIGNATURE_HEADER] = signCallback(body, options.secret, t);
    if (options.eventId) headers[EVENT_ID_HEADER] = options.eventId;
    let retryable = true;
    try {
      const res = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { delivered: true, attempts: attempt, statusCode };
      lastError = `HTTP ${res.status} from ${url}`;
      retryable = RETRYABLE_STATUS(res.status);
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string } };
      lastError = e?.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : `${e?.message ?? String(err)}${e?.cause?.code ? ` (${e.cause.code})` : ''}`;
    }
    if (!retryable) return { delivered: false, attempts: attempt, statusCode, lastError };
    if (attempt < maxAttempts) await sleep(Math.min(maxRetry, first * coeff ** (attempt - 1)));
  }
  return { delivered: false, attempts: maxAttempts, statusCode, lastError };
}
