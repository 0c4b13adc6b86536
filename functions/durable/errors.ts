/**
 * How an activity failure crosses the Durable boundary and keeps its class.
 *
 * Durable serialises an activity's exception to text (TaskFailed Reason/Details or FailureDetails,
 * depending on the extension version), so `instanceof` is lost. Every activity handler is wrapped
 * by {@link wrapActivity}, which rethrows failures as an Error whose message starts with a marker:
 * `[stemflow:<code>:<retryable|fatal>] <message>`. The orchestrator finds the marker anywhere in
 * the failure text ({@link classifyActivityFailure}) and retries only retryable failures.
 *
 * Classification at the source: StemflowError subclasses carry `retryable`; Azure SDK/network
 * errors are mapped by classifyStorageError; anything else (a bug) is fatal.
 */
import { StemflowError, describeError } from '../../shared/errors.js';
import { classifyStorageError } from '../../shared/storage/blobStore.js';

const MARKER = /\[stemflow:([a-z0-9_]+):(retryable|fatal)\] ?([^\n]*)/;

export interface ActivityFailure {
  code: string;
  retryable: boolean;
  message: string;
}

/** The wire form of an error thrown out of an activity. */
export function encodeActivityError(err: unknown): Error {
  let failure: ActivityFailure;
  if (err instanceof StemflowError) failure = { code: err.code, retryable: err.retryable, message: err.message };
  else if (err && typeof err === 'object' && ('statusCode' in err || 'code' in err) && !(err instanceof TypeError) && !(err instanceof RangeError)) {
    const c = classifyStorageError(err, 'storage');
    failure = { code: c.code, retryable: c.retryable, message: c.message };
  } else failure = { code: 'internal', retryable: false, message: describeError(err) };
  const out = new Error(`[stemflow:${failure.code}:${failure.retryable ? 'retryable' : 'fatal'}] ${failure.message.replace(/\s*\n\s*/g, ' ')}`);
  out.name = 'StemflowActivityError';
  return out;
}

/** Read the marker back from whatever Durable handed the orchestrator. Unmarked failures are fatal. */
export function classifyActivityFailure(err: unknown): ActivityFailure {
  const texts: string[] = [];
  if (err instanceof Error) texts.push(err.message);
  const details = (err as { failureDetails?: { errorMessage?: string } })?.failureDetails;
  if (details?.errorMessage) texts.push(details.errorMessage);
  if (typeof err === 'string') texts.push(err);
  for (const t of texts) {
    const m = MARKER.exec(t);
    if (m) return { code: m[1], retryable: m[2] === 'retryable', message: m[3].trim() };
  }
  return { code: 'internal', retryable: false, message: texts[0]?.split('\n')[0]?.trim() || 'unknown failure' };
}

/** Wrap an activity implementation so its failures carry the marker. */
export function wrapActivity<I, O>(fn: (input: I, ...rest: any[]) => Promise<O>): (input: I, ...rest: any[]) => Promise<O> {
  return async (input: I, ...rest: any[]) => {
    try {
      return await fn(input, ...rest);
    } catch (err) {
      throw encodeActivityError(err);
    }
  };
}

/** Thrown by the orchestrator when a step has failed for good. */
export class JobStepError extends Error {
  constructor(
    readonly step: string,
    readonly failure: ActivityFailure,
    readonly attempts: number,
  ) {
    super(`${step} failed after ${attempts} attempt(s): [${failure.code}] ${failure.message}`);
    this.name = 'JobStepError';
  }
}
