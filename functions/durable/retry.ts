/**
 * Orchestrator-side retries: exponential backoff with durable timers, for TRANSIENT failures only.
 *
 * Why not `callActivityWithRetry`: Durable's RetryOptions retry every failure (durable-functions
 * JS has no `handle` predicate), so a corrupt upload would be decoded again and again. Instead
 * the orchestrator calls the activity plainly, classifies the failure ({@link classifyActivityFailure}),
 * and on a retryable one waits on `createTimer(currentUtcDateTime + delay)` and calls again.
 * A fatal failure (BadInputError) fails the step at once. Everything is deterministic: the
 * delay depends only on the attempt number and the replayed orchestration clock.
 *
 * {@link callAllWithRetry} fans out: each call is retried on its own (a transient failure of one
 * branch does not restart the other), and a fatal failure of any branch fails fast.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import type { RetryPolicy } from '../../shared/config.js';
import { JobStepError, classifyActivityFailure } from './errors.js';

export interface ActivityCall {
  name: string;
  /** Always an object (a known durable-functions bug mangles bare arrays). */
  input: Record<string, unknown>;
}

/** Delay before attempt `attempt + 1`, ms. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxRetryMs, policy.firstRetryMs * policy.backoffCoefficient ** (attempt - 1));
}

function timerAfter(ctx: OrchestrationContext, delayMs: number): Task {
  return ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + delayMs));
}

/** Call one activity, retrying transient failures. Returns its result or throws JobStepError. */
export function* callWithRetry(ctx: OrchestrationContext, call: ActivityCall, policy: RetryPolicy, firstAttempt = 1): Generator<Task, unknown, any> {
  for (let attempt = firstAttempt; ; attempt++) {
    try {
      return yield ctx.df.callActivity(call.name, call.input);
    } catch (err) {
      const failure = classifyActivityFailure(err);
      if (!failure.retryable || attempt >= policy.maxAttempts) throw new JobStepError(call.name, failure, attempt);
      yield timerAfter(ctx, retryDelayMs(policy, attempt));
    }
  }
}

/**
 * Call activities in parallel, each with its own transient retries; results in call order.
 *
 * The happy path is one `Task.all`. When it fails (fail-fast), every branch is settled one by
 * one: a finished branch keeps its result, a running one is awaited ALONE (re-yielding an
 * already-scheduled atomic task schedules nothing new), a fatal failure throws at once, and a
 * transient one is retried via {@link callWithRetry} from its second attempt. Compound tasks
 * (Task.any/Task.all) are never re-built over already-scheduled tasks: with replay schema V1
 * durable-functions would emit their actions again and the host would run the activity twice.
 * `onSettled(done, total)` runs once, deterministically, when every branch has succeeded.
 */
export function* callAllWithRetry(
  ctx: OrchestrationContext,
  calls: readonly ActivityCall[],
  policy: RetryPolicy,
  onSettled?: (done: number, total: number) => void,
): Generator<Task, unknown[], any> {
  const tasks = calls.map((c) => ctx.df.callActivity(c.name, c.input));
  try {
    const results = (yield ctx.df.Task.all(tasks)) as unknown[];
    onSettled?.(calls.length, calls.length);
    return results;
  } catch {
    // fall through: settle branch by branch
  }
  const results: unknown[] = new Array(calls.length);
  const retryLater: number[] = [];
  // fatal failures first (fail fast), in call order, among the branches already settled
  for (let i = 0; i < tasks.length; i++) {
    if (tasks[i].isFaulted) {
      const failure = classifyActivityFailure(tasks[i].result);
      if (!failure.retryable || policy.maxAttempts <= 1) throw new JobStepError(calls[i].name, failure, 1);
    }
  }
  for (let i = 0; i < tasks.length; i++) {
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    if (tasks[i].isCompleted) outcome = { ok: true, value: tasks[i].result };
    else if (tasks[i].isFaulted) outcome = { ok: false, error: tasks[i].result };
    else {
      try {
        outcome = { ok: true, value: yield tasks[i] };
      } catch (err) {
        outcome = { ok: false, error: err };
      }
    }
    if (outcome.ok) {
      results[i] = outcome.value;
      continue;
    }
    const failure = classifyActivityFailure(outcome.error);
    if (!failure.retryable || policy.maxAttempts <= 1) throw new JobStepError(calls[i].name, failure, 1);
    retryLater.push(i);
  }
  for (const i of retryLater) {
    yield timerAfter(ctx, retryDelayMs(policy, 1));
    results[i] = yield* callWithRetry(ctx, calls[i], policy, 2);
  }
  onSettled?.(calls.length, calls.length);
  return results;
}
