/**
 * notify: post the job event to the `job-events` queue, then deliver the signed callback.
 *
 * Order matters: the queue message goes first, and a failure to enqueue is transient (the
 * orchestrator retries the whole activity before any callback was sent). The callback is then
 * tried with bounded retries inside this activity (shared/callbacks/deliver.ts) and NEVER throws:
 * an undeliverable callback is reported in the result (and so in the job status) while the
 * outcome stays safe on the queue. Receivers de-duplicate by `event_id`.
 */
import { z } from 'zod';
import { JobEventSchema } from '../../shared/contracts/http.js';
import { deliverCallback } from '../../shared/callbacks/deliver.js';
import { isCallbackHostAllowed } from '../../shared/callbacks/allowList.js';
import type { NotifyResult } from '../durable/progress.js';
import { defineActivity } from './common.js';

const InputSchema = z.object({ event: JobEventSchema, callbackUrl: z.string().optional() });

export const notifyActivity = defineActivity('notify', InputSchema, async (input, ctx): Promise<NotifyResult> => {
  const { config, queues } = ctx.services;
  const body = JSON.stringify(input.event);
  let eventQueued = false;
  if (config.queues.enabled) {
    await queues.send(config.queues.jobEvents, body);
    eventQueued = true;
  }
  if (!input.callbackUrl) return { eventQueued };
  if (!isCallbackHostAllowed(input.callbackUrl, config.callbacks.allowedHosts)) {
    // re-checked here: the allow-list may have changed since the job started
    return { eventQueued, callback: { delivered: false, attempts: 0, last_error: 'callback host no longer in the allow-list' } };
  }
  const r = await deliverCallback(input.callbackUrl, body, {
    secret: config.callbacks.secret,
    maxAttempts: config.callbacks.maxAttempts,
    firstRetryMs: config.callbacks.firstRetryMs,
    timeoutMs: config.callbacks.timeoutMs,
    eventId: input.event.event_id,
    fetchImpl: ctx.services.fetch,
  });
  if (!r.delivered) ctx.log.warn(`notify ${input.event.job_id}: callback not delivered after ${r.attempts} attempt(s): ${r.lastError}`);
  const callback: NotifyResult['callback'] = { delivered: r.delivered, attempts: r.attempts };
  if (r.statusCode !== undefined) callback.status_code = r.statusCode;
  if (r.lastError !== undefined) callback.last_error = r.lastError;
  return { eventQueued, callback };
});
