import { afterEach, describe, expect, it } from 'vitest';
import { computeSignature, signCallback, verifyCallbackSignature } from '../../shared/callbacks/sign.js';
import { deliverCallback } from '../../shared/callbacks/deliver.js';
import { isCallbackHostAllowed } from '../../shared/callbacks/allowList.js';
import { startCallbackServer } from './callbackServer.js';

describe('callback signatures', () => {
  const body = JSON.stringify({ job_id: 'j1', status: 'completed' });
  it('verifies a signature made with the same secret and timestamp', () => {
    const header = signCallback(body, 's3cret', 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyCallbackSignature(header, body, 's3cret', { nowSec: 1_700_000_100 })).toEqual({ ok: true });
  });
  it('matches an independent HMAC-SHA256 of "t.body" (what the C# snippet computes)', async () => {
    const { createHmac } = await import('node:crypto');
    expect(computeSignature(body, 'k', 42)).toBe(createHmac('sha256', 'k').update(`42.${body}`).digest('hex'));
  });
  it('rejects a tampered body, a wrong secret, a stale timestamp and a missing header', () => {
    const header = signCallback(body, 's3cret', 1_700_000_000);
    expect(verifyCallbackSignature(header, body.replace('completed', 'failed'), 's3cret', { nowSec: 1_700_000_000 }).ok).toBe(false);
    expect(verifyCallbackSignature(header, body, 'other', { nowSec: 1_700_000_000 }).ok).toBe(false);
    expect(verifyCallbackSignature(header, body, 's3cret', { nowSec: 1_700_000_000 + 301 })).toMatchObject({ ok: false, reason: expect.stringMatching(/more than 300 s/) });
    expect(verifyCallbackSignature(undefined, body, 's3cret').ok).toBe(false);
  });
});

describe('callback allow-list', () => {
  it('matches exact hosts, wildcard sub-domains and pinned ports only', () => {
    const list = ['api.example.com', '*.trusted.test', 'localhost:5000'];
    expect(isCallbackHostAllowed('https://api.example.com/cb', list)).toBe(true);
    expect(isCallbackHostAllowed('https://API.EXAMPLE.COM/cb', list)).toBe(true);
    expect(isCallbackHostAllowed('https://a.trusted.test/cb', list)).toBe(true);
    expect(isCallbackHostAllowed('https://trusted.test/cb', list)).toBe(false);
    expect(isCallbackHostAllowed('https://eviltrusted.test/cb', list)).toBe(false);
    expect(isCallbackHostAllowed('https://api.example.com.evil.net/cb', list)).toBe(false);
    expect(isCallbackHostAllowed('https://user:pw@api.example.com/cb', list)).toBe(false);
    expect(isCallbackHostAllowed('http://localhost:5000/cb', list)).toBe(true);
    expect(isCallbackHostAllowed('http://localhost:5001/cb', list)).toBe(false);
    expect(isCallbackHostAllowed('ftp://api.example.com/cb', list)).toBe(false);
    expect(isCallbackHostAllowed('https://api.example.com/cb', [])).toBe(false);
  });
});

describe('callback delivery against a local HTTP server', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('retries with exponential backoff after failures, then delivers one signed body', async () => {
    const server = await startCallbackServer({ failFirst: 2 });
    close = server.close;
    const body = JSON.stringify({ job_id: 'j2', status: 'completed' });
    const t0 = Date.now();
    const r = await deliverCallback(server.url, body, { secret: 'k', firstRetryMs: 100, maxAttempts: 5, eventId: 'j2:completed' });
    expect(r).toMatchObject({ delivered: true, attempts: 3, statusCode: 200 });
    expect(server.received).toHaveLength(3);
    // backoff: ≥100 ms before the 2nd attempt, ≥200 ms before the 3rd
    expect(server.received[1].atMs - server.received[0].atMs).toBeGreaterThanOrEqual(95);
    expect(server.received[2].atMs - server.received[1].atMs).toBeGreaterThanOrEqual(195);
    expect(Date.now() - t0).toBeLessThan(5000);
    const last = server.received[2];
    expect(last.body).toBe(body);
    expect(last.headers['x-stemflow-event-id']).toBe('j2:completed');
    expect(verifyCallbackSignature(String(last.headers['x-stemflow-signature']), last.body, 'k').ok).toBe(true);
  });

  it('gives up after maxAttempts and reports the failure instead of throwing', async () => {
    const server = await startCallbackServer({ failFirst: 100 });
    close = server.close;
    const r = await deliverCallback(server.url, '{}', { firstRetryMs: 10, maxAttempts: 3 });
    expect(r).toMatchObject({ delivered: false, attempts: 3, statusCode: 503, lastError: expect.stringMatching(/HTTP 503/) });
    expect(server.received).toHaveLength(3);
  });

  it('does not retry a 4xx rejection', async () => {
    const server = await startCallbackServer({ failFirst: 100, failStatus: 400 });
    close = server.close;
    const r = await deliverCallback(server.url, '{}', { firstRetryMs: 10, maxAttempts: 5 });
    expect(r).toMatchObject({ delivered: false, attempts: 1, statusCode: 400 });
  });

  it('is bounded when nothing listens', async () => {
    const r = await deliverCallback('http://127.0.0.1:1/cb', '{}', { firstRetryMs: 10, maxAttempts: 2, timeoutMs: 1000 });
    expect(r.delivered).toBe(false);
    expect(r.attempts).toBe(2);
    expect(r.lastError).toBeTruthy();
  });
});
