/**
 * Request validation shared by the HTTP starters and the queue starters: the zod shape
 * (shared/contracts/http.ts) plus the checks that need configuration. Every violation becomes
 * one reason line; any reason means 400 (or the poison queue) and nothing starts.
 */
import type { AppConfig } from '../shared/config.js';
import { isCallbackHostAllowed } from '../shared/callbacks/allowList.js';
import { AnalyzeRequestSchema, GenerateRequestSchema, describeIssues, type AnalyzeRequest, type GenerateRequest } from '../shared/contracts/http.js';
import { parseUploadName, type UploadName } from '../shared/storage/layout.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; reasons: string[] };

/**
 * Check that `blobUri` names a top-level audio blob in the configured account and container.
 * Accepted prefixes: the storage service URL from the connection string, and the configured
 * aliases (for example `http://azurite:10000/devstoreaccount1` inside docker-compose).
 */
export function checkBlobUri(blobUri: string, config: Readonly<AppConfig>, serviceUrl: string): { blobName: string; upload: UploadName } | { reason: string } {
  let u: URL;
  try {
    u = new URL(blobUri);
  } catch {
    return { reason: `blob_uri: not a URL (got ${JSON.stringify(blobUri)})` };
  }
  if (u.search || u.hash || u.username || u.password)
    return { reason: `blob_uri: must not carry a query, fragment or credentials (got ${JSON.stringify(blobUri)})` };
  const candidate = `${u.protocol}//${u.host.toLowerCase()}${u.pathname}`;
  const prefixes = [serviceUrl, ...config.blobEndpointAliases].map((p) => {
    const pu = new URL(p);
    return `${pu.protocol}//${pu.host.toLowerCase()}${pu.pathname.replace(/\/+$/, '')}/${config.containerName}/`;
  });
  const prefix = prefixes.find((p) => candidate.startsWith(p));
  if (!prefix) return { reason: `blob_uri: must point into ${prefixes[0]} (got ${JSON.stringify(blobUri)})` };
  let blobName: string;
  try {
    blobName = decodeURIComponent(candidate.slice(prefix.length));
  } catch {
    return { reason: `blob_uri: bad percent-encoding (got ${JSON.stringify(blobUri)})` };
  }
  const upload = parseUploadName(blobName);
  if (!upload)
    return {
      reason: `blob_uri: blob name ${JSON.stringify(blobName)} must be a top-level {id}.{mp3|wav|flac|ogg} with id a GUID or [A-Za-z0-9_-]{1,128}`,
    };
  return { blobName, upload };
}

export function checkCallbackUrl(url: string | undefined, config: Readonly<AppConfig>): string | undefined {
  if (url === undefined) return undefined;
  if (!isCallbackHostAllowed(url, config.callbacks.allowedHosts)) {
    const host = (() => {
      try {
        return new URL(url).host;
      } catch {
        return url;
      }
    })();
    return `callback_url: host "${host}" is not in the allow-list (${config.callbacks.allowedHosts.join(', ') || 'empty'})`;
  }
  return undefined;
}

export interface ValidatedAnalyze {
  request: AnalyzeRequest;
  blobName: string;
}

/** Shape + blob account/container + callback allow-list. (Blob existence is checked by the starter.) */
export function validateAnalyzeRequest(body: unknown, config: Readonly<AppConfig>, serviceUrl: string): Validated<ValidatedAnalyze> {
  const parsed = AnalyzeRequestSchema.safeParse(body);
  if (!parsed.success) {
    const reasons = describeIssues(parsed.error, body);
    // still report configuration-level problems of the fields that parsed
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.callback_url === 'string') {
      const r = checkCallbackUrl(b.callback_url, config);
      if (r && !reasons.some((x) => x.startsWith('callback_url'))) reasons.push(r);
    }
    return { ok: false, reasons };
  }
  const reasons: string[] = [];
  const blob = checkBlobUri(parsed.data.blob_uri, config, serviceUrl);
  if ('reason' in blob) reasons.push(blob.reason);
  const cb = checkCallbackUrl(parsed.data.callback_url, config);
  if (cb) reasons.push(cb);
  if (reasons.length > 0 || 'reason' in blob) return { ok: false, reasons };
  return { ok: true, value: { request: parsed.data, blobName: blob.blobName } };
}

export function validateGenerateRequest(body: unknown, config: Readonly<AppConfig>): Validated<GenerateRequest> {
  const parsed = GenerateRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reasons: describeIssues(parsed.error, body) };
  const reasons: string[] = [];
  const cb = checkCallbackUrl(parsed.data.callback_url, config);
  if (cb) reasons.push(cb);
  if (parsed.data.parameters.duration_seconds > config.maxDurationSec)
    reasons.push(`parameters.duration_seconds: at most ${config.maxDurationSec} (got ${parsed.data.parameters.duration_seconds})`);
  if (reasons.length > 0) return { ok: false, reasons };
  return { ok: true, value: parsed.data };
}
