/**
 * generateOrchestrator: renderStem × N in parallel (each with transient retries) → notify.
 * Each renderStem writes its WAV and returns the path; audio never enters the history.
 */
import type { OrchestrationContext } from 'durable-functions';
import type { JobOutputs, JobSummary } from '../../shared/contracts/http.js';
import { callAllWithRetry, callWithRetry } from '../durable/retry.js';
import { buildJobEvent, setProgress, type NotifyResult } from '../durable/progress.js';
import { failJob, type JobResult } from '../analyzeOrchestrator/index.js';
import type { GenerateJobInput } from '../jobs.js';
import type { OrchestrationFunctionDefinition } from '../types.js';
import type { RenderStemOutput } from '../activities/renderStem.js';

export function* generateOrchestrator(ctx: OrchestrationContext): Generator<any, JobResult, any> {
  const input = ctx.df.getInput() as GenerateJobInput;
  const base = { jobId: input.jobId, kind: 'generation' as const, audioFileId: input.audioFileId, generationRequestId: input.generationRequestId };
  let step = 'renderStem';
  let percent = 5;
  try {
    setProgress(ctx, 'generation', 'rendering', percent);
    const rendered = (yield* callAllWithRetry(
      ctx,
      input.stems.map((stem) => ({
        name: 'renderStem',
        input: { generationRequestId: input.generationRequestId, audioFileId: input.audioFileId, stem, params: input.params },
      })),
      input.retry,
      (done, total) => {
        percent = 5 + (85 * done) / total;
        setProgress(ctx, 'generation', 'rendering', percent);
      },
    )) as RenderStemOutput[];
    const stems: Record<string, string> = {};
    for (const r of rendered) stems[r.stem] = r.path;
    const outputs: JobOutputs = { stems };
    const summary: JobSummary = { duration_seconds: rendered[0]?.durationSec ?? input.params.durationSec };
    if (input.params.bpm !== undefined) summary.bpm = input.params.bpm;
    if (input.params.key !== undefined) summary.key = input.params.key;
    const fitted = rendered.find((r) => r.fittedTo);
    if (fitted?.fittedTo) summary.fitted_to = fitted.fittedTo;
    step = 'notify';
    percent = 95;
    setProgress(ctx, 'generation', 'notifying', percent);
    const event = buildJobEvent(ctx, base, 'completed', outputs, summary);
    const notified = (yield* callWithRetry(ctx, { name: 'notify', input: { event, callbackUrl: input.callbackUrl } }, input.retry)) as NotifyResult;
    const result: JobResult = { outputs, summary };
    if (notified.callback) result.callback = notified.callback;
    setProgress(ctx, 'generation', 'completed', 100, notified.callback ? { callback: notified.callback } : {});
    return result;
  } catch (err) {
    const jobError = yield* failJob(ctx, base, step, percent, err, input.callbackUrl, input.retry);
    throw new Error(`generation ${input.jobId} failed in ${jobError.step}: [${jobError.code}] ${jobError.message}`);
  }
}

export const generateOrchestratorDefinition: OrchestrationFunctionDefinition = {
  kind: 'orchestration',
  name: 'generateOrchestrator',
  handler: generateOrchestrator,
};
