/**
 * `GET /api/jobs/{id}` → status, stage, percent, outputs, summary, error, callback delivery.
 * Built from the orchestration's custom status and output only: never its input, history or
 * stack traces.
 */
import { JobProgressSchema, type JobStatus } from '../../shared/contracts/http.js';
import { JOB_ID_PATTERN } from '../jobs.js';
import { badRequest, guardHttp, json } from '../http.js';
import type { HandlerContext, HttpFunctionDefinition, HttpRequestLike, HttpResponseLike, JobRuntimeInfo } from '../types.js';
import type { JobResult } from '../analyzeOrchestrator/index.js';

const RUNTIME = new Set(['pending', 'running', 'completed', 'failed', 'terminated', 'suspended', 'continued_as_new']);

/** Map Durable's status to our public JobStatus. */
export function toJobStatus(info: JobRuntimeInfo): JobStatus {
  const runtime = info.runtimeStatus.toLowerCase();
  const status: JobStatus = {
    job_id: info.instanceId,
    runtime_status: (RUNTIME.has(runtime) ? runtime : 'unknown') as JobStatus['runtime_status'],
  };
  if (info.createdTime) status.created_at = new Date(info.createdTime).toISOString();
  if (info.lastUpdatedTime) status.updated_at = new Date(info.lastUpdatedTime).toISOString();
  const progress = JobProgressSchema.safeParse(info.customStatus);
  if (progress.success) {
    status.kind = progress.data.kind;
    status.stage = progress.data.stage;
    status.percent = progress.data.percent;
    if (progress.data.error) status.error = progress.data.error;
    if (progress.data.callback) status.callback = progress.data.callback;
  } else if (info.instanceId.startsWith('analysis-')) status.kind = 'analysis';
  else if (info.instanceId.startsWith('generation-')) status.kind = 'generation';
  if (runtime === 'completed' && info.output && typeof info.output === 'object') {
    const out = info.output as JobResult;
    if (out.outputs) status.outputs = out.outputs;
    if (out.summary) status.summary = out.summary;
    if (out.callback) status.callback = out.callback;
  }
  if ((runtime === 'failed' || runtime === 'terminated') && !status.error) {
    status.error = { code: runtime === 'terminated' ? 'terminated' : 'failed', message: runtime === 'terminated' ? 'the job was terminated' : 'the job failed' };
  }
  return status;
}

export async function jobStatus(request: HttpRequestLike, ctx: HandlerContext): Promise<HttpResponseLike> {
  const id = request.params.id ?? '';
  if (!JOB_ID_PATTERN.test(id)) return badRequest([`id: must be a job id like analysis-<id>-<hash> or generation-<id> (got ${JSON.stringify(id.slice(0, 80))})`]);
  const info = await ctx.services.jobs.getStatus(id);
  if (!info) return json(404, { error: 'not_found', message: `no job "${id}"`, reasons: [`id: no job "${id}"`] });
  return json(200, toJobStatus(info));
}

export const jobStatusDefinition: HttpFunctionDefinition = {
  kind: 'http',
  name: 'jobStatus',
  route: 'jobs/{id}',
  methods: ['GET'],
  authLevel: 'function',
  usesDurableClient: true,
  handler: guardHttp(jobStatus),
};
