/**
 * Jobs: orchestration inputs, deterministic instance ids, and the one start routine used by the
 * HTTP starters, the queue starters and the blob trigger (so all three behave the same).
 */
import { createHash } from 'node:crypto';
import type { RetryPolicy } from '../shared/config.js';
import type { AcceptedResponse, GenerateRequest } from '../shared/contracts/http.js';
import type { CoreGenerationParams } from './core.js';
import type { HandlerContext, JobClient } from './types.js';

export const ORCHESTRATORS = { analysis: 'analyzeOrchestrator', generation: 'generateOrchestrator' } as const;

/** Input of analyzeOrchestrator (small: paths and ids only). */
export interface AnalyzeJobInput {
  kind: 'analysis';
  jobId: string;
  audioFileId: string;
  /** The upload, relative to the container. */
  blobName: string;
  /** ETag of the upload when the job was started. */
  etag: string;
  callbackUrl?: string;
  retry: RetryPolicy;
  /** Transcribe the vocals, bass and other stems to notes (STEMFLOW_TRANSCRIBE_NOTES). */
  transcribe?: boolean;
}

/** Input of generateOrchestrator. */
export interface GenerateJobInput {
  kind: 'generation';
  jobId: string;
  generationRequestId: string;
  audioFileId?: string;
  stems: string[];
  params: CoreGenerationParams;
  callbackUrl?: string;
  retry: RetryPolicy;
}

/**
 * The analysis instance id: `analysis-{audio_file_id}-{16 hex of sha256(container, name, etag)}`.
 * The same upload (same ETag) always maps to the same id, whether it arrives by blob event,
 * HTTP or queue; a re-upload (new ETag) is a new job.
 */
export function analysisInstanceId(container: string, blobName: string, etag: string, audioFileId: string): string {
  const h = createHash('sha256').update(`${container}\n${blobName}\n${etag.replace(/"/g, '')}`).digest('hex').slice(0, 16);
  return `analysis-${audioFileId}-${h}`;
}

export function generationInstanceId(generationRequestId: string): string {
  return `generation-${generationRequestId}`;
}

/** Job ids as they appear in URLs: our own instance ids only. */
export const JOB_ID_PATTERN = /^(analysis|generation)-[A-Za-z0-9_-]{1,200}$/;

/**
 * The chord progression as the generator reads it (one space-separated string, "|…|" bars kept).
 * Accepts an array, or one string separated by spaces, commas or dashes ("C-G-Am-F", the .NET
 * API's habit). Bar lines are passed through untouched.
 */
export function normalizeChordProgression(p: string | string[] | undefined): string | undefined {
  if (p === undefined) return undefined;
  const text = Array.isArray(p) ? p.join(' ') : p;
  const out = text.includes('|')
    ? text.trim()
    : text
        .split(/[\s,]+|\s*-\s*(?=[A-GN])/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .join(' ');
  return out.length > 0 ? out : undefined;
}

/** Map the seed's snake_case parameters to the core's GenerationParams. */
export function toCoreGenerationParams(req: GenerateRequest): CoreGenerationParams {
  const p = req.parameters;
  const out: CoreGenerationParams = { durationSec: p.duration_seconds };
  if (p.target_bpm !== undefined) out.bpm = p.target_bpm;
  if (p.key !== undefined) out.key = p.key;
  const chords = normalizeChordProgression(p.chord_progression);
  if (chords) out.chordProgression = chords;
  if (p.style !== undefined) out.style = p.style;
  if (p.prompt !== undefined) out.prompt = p.prompt;
  if (p.temperature !== undefined) out.temperature = p.temperature;
  if (p.random_seed !== undefined) out.seed = p.random_seed;
  return out;
}

const RESTARTABLE = new Set(['failed', 'terminated']);

/**
 * Start an orchestration unless the same job already exists. Durable refuses an id that is
 * running and REPLACES one that has finished, so the existing status is checked first: an
 * existing pending/running/completed job is left alone (idempotent starts; the blob trigger is
 * at-least-once), a failed or terminated one is started again.
 */
export async function startJob(
  jobs: JobClient,
  ctx: Pick<HandlerContext, 'log'>,
  orchestratorName: string,
  instanceId: string,
  input: AnalyzeJobInput | GenerateJobInput,
): Promise<{ instanceId: string; alreadyExists: boolean }> {
  const existing = await jobs.getStatus(instanceId);
  if (existing && !RESTARTABLE.has(existing.runtimeStatus)) {
    ctx.log.info(`job ${instanceId} already exists (${existing.runtimeStatus}); not starting again`);
    return { instanceId, alreadyExists: true };
  }
  try {
    await jobs.startNew(orchestratorName, { instanceId, input });
  } catch (err) {
    // a concurrent duplicate start lost the race: the job exists, which is what was asked
    const now = await jobs.getStatus(instanceId).catch(() => undefined);
    if (now && !RESTARTABLE.has(now.runtimeStatus)) return { instanceId, alreadyExists: true };
    throw err;
  }
  ctx.log.info(`started ${orchestratorName} ${instanceId}`);
  return { instanceId, alreadyExists: false };
}

/** The 202 body: Durable's management URLs (createCheckStatusResponse-compatible) plus ours. */
export function acceptedBody(jobs: JobClient, instanceId: string, kind: 'analysis' | 'generation', requestUrl: string, alreadyExists: boolean): AcceptedResponse {
  const urls = jobs.managementUrls(instanceId, requestUrl);
  const origin = new URL(requestUrl).origin;
  return {
    job_id: instanceId,
    kind,
    status_url: `${origin}/api/jobs/${encodeURIComponent(instanceId)}`,
    already_exists: alreadyExists,
    id: instanceId,
    statusQueryGetUri: urls.statusQueryGetUri,
    sendEventPostUri: urls.sendEventPostUri,
    terminatePostUri: urls.terminatePostUri,
    purgeHistoryDeleteUri: urls.purgeHistoryDeleteUri,
  };
}
