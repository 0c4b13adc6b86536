/**
 * analyzeOrchestrator: prepareAudio → [separateStems ∥ analyzeMix] → (transcribeStems, when on) →
 * writeJams → notify. A long mix (prepareAudio planned separation regions) is separated as
 * [separateChunk × n ∥ analyzeMix] → joinStems instead: the chunks fan out as parallel activities
 * (on Azure, over instances) and join into the same stems as one run. The MIR stays one global
 * activity, so the beats and sections of a long file read as one song.
 *
 * A deterministic generator: no clock but `currentUtcDateTime`, no I/O, no await. Steps pass
 * blob paths and small summaries, never audio. Progress is the custom status {kind, stage,
 * percent} (0–100 as in seed 004). Transient failures are retried with exponential backoff
 * (durable/retry.ts); a bad input fails at once. On failure: the custom status carries the
 * readable error, a failure callback + job event is sent, and the orchestration ends Failed
 * with the reason as its message. The upload is only ever read.
 */
import type { OrchestrationContext } from 'durable-functions';
import type { CallbackDelivery, JobError, JobOutputs, JobSummary } from '../../shared/contracts/http.js';
import { callAllWithRetry, callWithRetry } from '../durable/retry.js';
import { buildJobEvent, setProgress, toJobError, type NotifyResult } from '../durable/progress.js';
import type { AnalyzeJobInput } from '../jobs.js';
import type { OrchestrationFunctionDefinition } from '../types.js';
import type { PrepareAudioOutput } from '../activities/prepareAudio.js';
import type { SeparateStemsOutput } from '../activities/separateStems.js';
import type { SeparateChunkOutput } from '../activities/separateChunk.js';
import type { AnalyzeMixOutput } from '../activities/analyzeMix.js';
import type { TranscribeStemsOutput } from '../activities/transcribeStems.js';
import type { WriteJamsOutput } from '../activities/writeJams.js';

/** The orchestration output of a completed job (analysis or generation). */
export interface JobResult {
  outputs: JobOutputs;
  summary?: JobSummary;
  callback?: CallbackDelivery;
}

export function* analyzeOrchestrator(ctx: OrchestrationContext): Generator<any, JobResult, any> {
  const input = ctx.df.getInput() as AnalyzeJobInput;
  const startedAt = ctx.df.currentUtcDateTime.toISOString();
  const base = { jobId: input.jobId, kind: 'analysis' as const, audioFileId: input.audioFileId };
  let step = 'prepareAudio';
  let percent = 0;
  const progress = (stage: Parameters<typeof setProgress>[2], p: number, extra = {}) => {
    percent = p;
    setProgress(ctx, 'analysis', stage, p, extra);
  };
  try {
    progress('preparing', 5);
    const prepared = (yield* callWithRetry(
      ctx,
      { name: 'prepareAudio', input: { audioFileId: input.audioFileId, blobName: input.blobName, etag: input.etag } },
      input.retry,
    )) as PrepareAudioOutput;

    const regions = prepared.separationRegions ?? null;
    const source = { audioFileId: input.audioFileId, mixPath: prepared.mixPath };
    const separation = regions
      ? regions.map((region, index) => ({ name: 'separateChunk', input: { ...source, index, region } }))
      : [{ name: 'separateStems', input: source }];
    step = `${regions ? 'separateChunk' : 'separateStems'}+analyzeMix`;
    progress('separating_and_analyzing', 20);
    const results = (yield* callAllWithRetry(
      ctx,
      [...separation, { name: 'analyzeMix', input: source }],
      input.retry,
      (done, total) => progress('separating_and_analyzing', 20 + (55 * done) / total), // 75 once all are done
    )) as unknown[];
    const analysed = results.at(-1) as AnalyzeMixOutput;
    let separated = results[0] as SeparateStemsOutput;
    if (regions) {
      step = 'joinStems';
      const parts = results.slice(0, -1) as SeparateChunkOutput[];
      separated = (yield* callWithRetry(ctx, { name: 'joinStems', input: { audioFileId: input.audioFileId, parts } }, input.retry)) as SeparateStemsOutput;
    }

    let notes: TranscribeStemsOutput | undefined;
    if (input.transcribe) {
      step = 'transcribeStems';
      progress('transcribing', 76);
      notes = (yield* callWithRetry(ctx, { name: 'transcribeStems', input: { audioFileId: input.audioFileId, stems: separated.stems } }, input.retry)) as TranscribeStemsOutput;
    }

    step = 'writeJams';
    progress('writing_annotation', 80);
    const jamsInput: Record<string, unknown> = { audioFileId: input.audioFileId, descriptionPath: analysed.descriptionPath, infoPath: prepared.infoPath, startedAt };
    if (notes) jamsInput.notesPath = notes.notesPath;
    const jams = (yield* callWithRetry(ctx, { name: 'writeJams', input: jamsInput }, input.retry)) as WriteJamsOutput;

    const outputs: JobOutputs = { stems: separated.stems, annotation: jams.annotationPath };
    if (notes) outputs.midi = notes.midi;
    const summary: JobSummary = { ...analysed.summary, duration_seconds: prepared.durationSec };
    step = 'notify';
    progress('notifying', 95);
    const event = buildJobEvent(ctx, base, 'completed', outputs, summary);
    const notified = (yield* callWithRetry(ctx, { name: 'notify', input: { event, callbackUrl: input.callbackUrl } }, input.retry)) as NotifyResult;
    const result: JobResult = { outputs, summary };
    if (notified.callback) result.callback = notified.callback;
    progress('completed', 100, notified.callback ? { callback: notified.callback } : {});
    return result;
  } catch (err) {
    const jobError = yield* failJob(ctx, base, step, percent, err, input.callbackUrl, input.retry);
    throw new Error(`analysis ${input.jobId} failed in ${jobError.step}: [${jobError.code}] ${jobError.message}`);
  }
}

/** Shared failure path: readable error in the status, then a failure callback + job event (best effort). */
export function* failJob(
  ctx: OrchestrationContext,
  base: Parameters<typeof buildJobEvent>[1],
  step: string,
  percent: number,
  err: unknown,
  callbackUrl: string | undefined,
  retry: AnalyzeJobInput['retry'],
): Generator<any, JobError, any> {
  const jobError = toJobError(err, step);
  setProgress(ctx, base.kind, 'failed', percent, { error: jobError });
  if (step === 'notify') return jobError; // notifying itself failed: do not loop
  try {
    const event = buildJobEvent(ctx, base, 'failed', {}, undefined, jobError);
    const notified = (yield* callWithRetry(ctx, { name: 'notify', input: { event, callbackUrl } }, retry)) as NotifyResult;
    setProgress(ctx, base.kind, 'failed', percent, notified.callback ? { error: jobError, callback: notified.callback } : { error: jobError });
  } catch {
    // the failure is already recorded in the status; nothing more can be done here
  }
  return jobError;
}

export const analyzeOrchestratorDefinition: OrchestrationFunctionDefinition = {
  kind: 'orchestration',
  name: 'analyzeOrchestrator',
  handler: analyzeOrchestrator,
};
