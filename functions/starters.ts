/**
 * Turning a validated request (HTTP body or queue message) into a started job. Shared by the
 * HTTP starters and the queue starters so both apply exactly the same validation.
 */
import type { GenerateRequest } from '../shared/contracts/http.js';
import { BadInputError } from '../shared/errors.js';
import { layout } from '../shared/storage/layout.js';
import {
  ORCHESTRATORS,
  acceptedBody,
  analysisInstanceId,
  generationInstanceId,
  startJob,
  toCoreGenerationParams,
  type AnalyzeJobInput,
  type GenerateJobInput,
} from './jobs.js';
import { badRequest, json, readJsonBody } from './http.js';
import type { HandlerContext, HttpRequestLike, HttpResponseLike } from './types.js';
import { validateAnalyzeRequest, validateGenerateRequest, type Validated } from './validation.js';

export interface PlannedJob<I> {
  kind: 'analysis' | 'generation';
  orchestrator: string;
  instanceId: string;
  input: I;
}

/** Validate an analysis request and look the upload up (its ETag makes the instance id). */
export async function planAnalysis(body: unknown, ctx: HandlerContext): Promise<Validated<PlannedJob<AnalyzeJobInput>>> {
  const { config, blobs } = ctx.services;
  const v = validateAnalyzeRequest(body, config, blobs.serviceUrl);
  if (!v.ok) return v;
  const props = await blobs.properties(v.value.blobName);
  if (!props) return { ok: false, reasons: [`blob_uri: blob "${config.containerName}/${v.value.blobName}" does not exist`] };
  const audioFileId = v.value.request.audio_file_id;
  const instanceId = analysisInstanceId(config.containerName, v.value.blobName, props.etag, audioFileId);
  const input: AnalyzeJobInput = {
    kind: 'analysis',
    jobId: instanceId,
    audioFileId,
    blobName: v.value.blobName,
    etag: props.etag,
    retry: { ...config.activityRetry },
  };
  if (config.transcribeNotes) input.transcribe = true;
  if (v.value.request.callback_url) input.callbackUrl = v.value.request.callback_url;
  return { ok: true, value: { kind: 'analysis', orchestrator: ORCHESTRATORS.analysis, instanceId, input } };
}

/**
 * Validate a generation request: the contract, then the generator's own parameter checks (key,
 * chords, tempo, duration), so a request the generator would reject gets its 400 now.
 */
export async function planGeneration(body: unknown, ctx: HandlerContext): Promise<Validated<PlannedJob<GenerateJobInput>>> {
  const { config } = ctx.services;
  const v = validateGenerateRequest(body, config);
  if (!v.ok) return v;
  const req: GenerateRequest = v.value;
  const instanceId = generationInstanceId(req.generation_request_id);
  const input: GenerateJobInput = {
    kind: 'generation',
    jobId: instanceId,
    generationRequestId: req.generation_request_id,
    stems: [...req.target_stems],
    params: toCoreGenerationParams(req),
    retry: { ...config.activityRetry },
  };
  if (req.audio_file_id) input.audioFileId = req.audio_file_id;
  if (req.callback_url) input.callbackUrl = req.callback_url;
  // validate the output paths now, so a bad id can never reach an activity
  for (const stem of input.stems) layout.generatedStem(input.generationRequestId, stem, input.audioFileId);
  try {
    await (await ctx.services.core()).checkGenerationParams(input.params);
  } catch (err) {
    if (err instanceof BadInputError) return { ok: false, reasons: [`parameters: ${err.message}`] };
    throw err;
  }
  return { ok: true, value: { kind: 'generation', orchestrator: ORCHESTRATORS.generation, instanceId, input } };
}

export async function startPlanned(plan: PlannedJob<AnalyzeJobInput | GenerateJobInput>, ctx: HandlerContext) {
  return startJob(ctx.services.jobs, ctx, plan.orchestrator, plan.instanceId, plan.input);
}

/**
 * An HTTP starter: read the JSON body (bounded), plan the job (400 with every reason when the
 * request is invalid: nothing starts), start it idempotently, answer 202 with the status URLs.
 */
export function httpStarter<I extends AnalyzeJobInput | GenerateJobInput>(
  kind: 'analysis' | 'generation',
  plan: (body: unknown, ctx: HandlerContext) => Promise<Validated<PlannedJob<I>>>,
  retryAfterSec: number,
): (request: HttpRequestLike, ctx: HandlerContext) => Promise<HttpResponseLike> {
  return async (request, ctx) => {
    const body = await readJsonBody(request, ctx.services.config.maxBodyBytes);
    if (!body.ok) return badRequest(body.reasons);
    const planned = await plan(body.value, ctx);
    if (!planned.ok) return badRequest(planned.reasons);
    const started = await startPlanned(planned.value, ctx);
    const accepted = acceptedBody(ctx.services.jobs, started.instanceId, kind, request.url, started.alreadyExists);
    return json(202, accepted, { location: accepted.status_url, 'retry-after': String(retryAfterSec) });
  };
}
