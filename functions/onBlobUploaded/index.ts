/**
 * Blob trigger on `{container}/{name}`: start one analysis per upload.
 *
 * `{name}` also matches nested paths, and the outputs are written back into the same container,
 * so the handler skips every name containing '/' (stems, annotation, generated, work) and every
 * name that is not `{safe id}.{mp3|wav|flac|ogg}`. The instance id is derived from
 * (container, name, ETag): the at-least-once trigger firing twice for one upload starts one job.
 */
import type { AppConfig } from '../../shared/config.js';
import { parseUploadName } from '../../shared/storage/layout.js';
import { ORCHESTRATORS, analysisInstanceId, startJob, type AnalyzeJobInput } from '../jobs.js';
import type { BlobFunctionDefinition, BlobTriggerInput, HandlerContext } from '../types.js';

export async function onBlobUploaded(input: BlobTriggerInput, ctx: HandlerContext): Promise<{ started: boolean; instanceId?: string; reason?: string }> {
  const { config, blobs, jobs } = ctx.services;
  const skip = (reason: string) => {
    ctx.log.info(`onBlobUploaded: skipping "${input.name}": ${reason}`);
    return { started: false, reason };
  };
  if (input.container !== config.containerName) return skip(`container "${input.container}" is not "${config.containerName}"`);
  if (input.name.includes('/') || input.name.includes('\\')) return skip('nested name (an output or work file)');
  const upload = parseUploadName(input.name);
  if (!upload) return skip('not {id}.{mp3|wav|flac|ogg} with a safe id');
  let etag = input.etag;
  if (!etag) {
    const props = await blobs.properties(input.name);
    if (!props) return skip('blob no longer exists');
    etag = props.etag;
  }
  const instanceId = analysisInstanceId(config.containerName, input.name, etag, upload.audioFileId);
  const jobInput: AnalyzeJobInput = {
    kind: 'analysis',
    jobId: instanceId,
    audioFileId: upload.audioFileId,
    blobName: input.name,
    etag,
    retry: { ...config.activityRetry },
  };
  if (config.transcribeNotes) jobInput.transcribe = true;
  if (config.callbacks.uploadCallbackUrl) jobInput.callbackUrl = config.callbacks.uploadCallbackUrl;
  const started = await startJob(jobs, ctx, ORCHESTRATORS.analysis, instanceId, jobInput);
  return started.alreadyExists ? { started: false, instanceId, reason: 'already started for this upload (same ETag)' } : { started: true, instanceId };
}

export function onBlobUploadedDefinition(config: Readonly<AppConfig>): BlobFunctionDefinition {
  return {
    kind: 'blob',
    name: 'onBlobUploaded',
    path: `${config.containerName}/{name}`,
    source: config.blobTriggerSource,
    connection: config.storageConnectionSetting,
    usesDurableClient: true,
    handler: onBlobUploaded,
  };
}
