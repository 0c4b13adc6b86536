/** Custom-status helpers shared by the orchestrators (deterministic; far below the 16 KB limit). */
import type { OrchestrationContext } from 'durable-functions';
import type { CallbackDelivery, JobError, JobEvent, JobOutputs, JobProgress, JobStage, JobSummary } from '../../shared/contracts/http.js';
import { JobStepError } from './errors.js';

export function setProgress(ctx: OrchestrationContext, kind: JobProgress['kind'], stage: JobStage, percent: number, extra: Partial<JobProgress> = {}): JobProgress {
  const status: JobProgress = { kind, stage, percent: Math.round(Math.max(0, Math.min(100, percent))), ...extra };
  ctx.df.setCustomStatus(status);
  return status;
}

/** A readable, internals-free description of why a job failed. */
export function toJobError(err: unknown, step: string): JobError {
  if (err instanceof JobStepError) return { code: err.failure.code, message: err.failure.message, step: err.step };
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return { code: 'internal', message, step };
}

export function buildJobEvent(
  ctx: OrchestrationContext,
  base: { jobId: string; kind: JobEvent['kind']; audioFileId?: string; generationRequestId?: string },
  status: JobEvent['status'],
  outputs: JobOutputs,
  summary?: JobSummary,
  error?: JobError,
): JobEvent {
  const event: JobEvent = {
    event_id: `${base.jobId}:${status}`,
    job_id: base.jobId,
    kind: base.kind,
    status,
    outputs,
    occurred_at: ctx.df.currentUtcDateTime.toISOString(),
  };
  if (base.audioFileId) event.audio_file_id = base.audioFileId;
  if (base.generationRequestId) event.generation_request_id = base.generationRequestId;
  if (summary) event.summary = summary;
  if (error) event.error = error;
  return event;
}

/** What notify returns: the callback delivery, or undefined when the job had no callback URL. */
export type NotifyResult = { callback?: CallbackDelivery; eventQueued: boolean };
