/**
 * Callback signatures: HMAC-SHA256 over `"{t}.{raw body}"` with the shared secret, sent as
 * `X-Stemflow-Signature: t={unix seconds},v1={lower-case hex}` (the Stripe-style scheme: the
 * timestamp is inside the MAC, so a captured callback cannot be replayed later than the
 * receiver's tolerance). See docs/callbacks.md for the receiving side (C#).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Stemflow-Signature';
export const TIMESTAMP_HEADER = 'X-Stemflow-Timestamp';
export const EVENT_ID_HEADER = 'X-Stemflow-Event-Id';

/** Hex HMAC-SHA256 of `${timestampSec}.${body}`. */
export function computeSignature(body: string, secret: string, timestampSec: number): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
}

/** The header value `t=...,v1=...`. */
export function signCallback(body: string, secret: string, timestampSec: number): string {
  return `t=${timestampSec},v1=${computeSignature(body, secret, timestampSec)}`;
}

export interface VerifyOptions {
  /** Accept timestamps this far from now, seconds (default 300). */
  toleranceSec?: number;
  /** Current time, unix seconds (default: the clock). */
  nowSec?: number;
}

/** Why a signature was rejected, or `ok`. */
export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Verify a `t=...,v1=...` header against the raw body. Constant-time comparison. */
export function verifyCallbackSignature(header: string | null | undefined, body: string, secret: string, options: VerifyOptions = {}): VerifyResult {
  if (!header) return { ok: false, reason: 'missing signature header' };
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const i = item.indexOf('=');
    if (i <= 0) continue;
    const key = item.slice(0, i).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(i + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t)) return { ok: false, reason: `bad timestamp in "${header}"` };
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSec ?? 300;
  if (Math.abs(now - t) > tolerance) return { ok: false, reason: `timestamp ${t} is more than ${tolerance} s from now (${now})` };
  const expected = Buffer.from(computeSignature(body, secret, t), 'hex');
  for (const candidate of parts.get('v1') ?? []) {
    const got = Buffer.from(candidate, 'hex');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no v1 signature matches' };
}
