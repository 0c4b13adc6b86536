/**
 * prepareAudio: read the upload by path (never modified), decode it once, write the working PCM
 * (`{id}/work/mix.pcm`, shared/storage/pcm.ts) and the probe info (`{id}/work/info.json`).
 * For a mix longer than `STEMFLOW_SEPARATION_CHUNK_SEC` it also plans the separation chunks
 * (regions whose separate results join into the one-run stems), when the separator allows it.
 * The upload's ETag must still be the one the job was started for: a file replaced in between
 * belongs to another job.
 */
import { z } from 'zod';
import { BadInputError } from '../../shared/errors.js';
import { CONTENT_TYPES, layout, parseUploadName } from '../../shared/storage/layout.js';
import { encodeWorkPcm } from '../../shared/storage/pcm.js';
import type { SeparationRegion } from '../../shared/separation/types.js';
import { SafeIdSchema, defineActivity, jsonBytes } from './common.js';

const InputSchema = z.object({ audioFileId: SafeIdSchema, blobName: z.string().min(1).max(200), etag: z.string().min(1) });

export interface PrepareAudioOutput {
  mixPath: string;
  infoPath: string;
  durationSec: number;
  sampleRate: number;
  channelCount: number;
  format: string;
  /** Frames per channel of the working PCM. */
  frames: number;
  /** Separation chunks (more than one), or null: separate in one activity. */
  separationRegions: SeparationRegion[] | null;
}

const normEtag = (e: string) => e.replace(/"/g, '');

export const prepareAudioActivity = defineActivity('prepareAudio', InputSchema, async (input, ctx): Promise<PrepareAudioOutput> => {
  if (!parseUploadName(input.blobName)) throw new BadInputError(`upload name "${input.blobName}" is not a top-level audio file`, 'bad_upload_name');
  const { blobs, config } = ctx.services;
  const { bytes, properties } = await blobs.read(input.blobName);
  if (normEtag(properties.etag) !== normEtag(input.etag))
    throw new BadInputError(`upload "${input.blobName}" changed since the job started (ETag ${properties.etag}, expected ${input.etag})`, 'upload_changed');
  const core = await ctx.services.core();
  const { audio, info } = await core.decodeAudio(bytes, { maxDurationSec: config.maxDurationSec });
  const mixPath = layout.workMix(input.audioFileId);
  const infoPath = layout.workInfo(input.audioFileId);
  await blobs.write(mixPath, encodeWorkPcm(audio, config.workPcmFormat), CONTENT_TYPES.pcm);
  await blobs.write(infoPath, jsonBytes(info), CONTENT_TYPES.json);
  const frames = audio.channels[0]?.length ?? 0;
  const chunkSec = config.separationChunkSec;
  const planned = chunkSec > 0 && frames > chunkSec * audio.sampleRate ? await core.planSeparation(frames, audio.sampleRate, chunkSec) : null;
  const separationRegions = planned && planned.length > 1 ? planned : null;
  const chunks = separationRegions ? `, separation in ${separationRegions.length} chunks` : '';
  ctx.log.info(`prepareAudio ${input.audioFileId}: ${info.format} ${info.sampleRate} Hz × ${info.channelCount}, ${(frames / audio.sampleRate).toFixed(1)} s${chunks}`);
  return {
    mixPath,
    infoPath,
    durationSec: audio.sampleRate > 0 ? frames / audio.sampleRate : 0,
    sampleRate: audio.sampleRate,
    channelCount: audio.channels.length,
    format: info.format,
    frames,
    separationRegions,
  };
});
