/**
 * prepareAudio: read the upload by path (never modified), decode it once, write the working PCM
 * (`{id}/work/mix.pcm`, shared/storage/pcm.ts) and the probe info (`{id}/work/info.json`). The
 * upload is read in ranges and decoded a piece at a time, and the working PCM is written as
 * staged blocks, so the instance never holds the decoded mix whatever its length.
 * For a mix longer than `STEMFLOW_SEPARATION_CHUNK_SEC` it also plans the separation chunks
 * (regions whose separate results join into the one-run stems), when the separator allows it.
 * The upload's ETag must still be the one the job was started for: a file replaced in between
 * belongs to another job.
 */
import { z } from 'zod';
import { BadInputError } from '../../shared/errors.js';
import { CONTENT_TYPES, layout, parseUploadName } from '../../shared/storage/layout.js';
import { encodeWorkPcmHeader, encodeWorkPcmSamples } from '../../shared/storage/pcm.js';
import type { ArrangedPiece } from '../../shared/storage/blobStore.js';
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

/** Places per channel in the work PCM's block order: far more pieces than any allowed length decodes into. */
const PLACES_PER_CHANNEL = 1_000_000;

export const prepareAudioActivity = defineActivity('prepareAudio', InputSchema, async (input, ctx): Promise<PrepareAudioOutput> => {
  if (!parseUploadName(input.blobName)) throw new BadInputError(`upload name "${input.blobName}" is not a top-level audio file`, 'bad_upload_name');
  const { blobs, config } = ctx.services;
  const properties = await blobs.properties(input.blobName);
  if (!properties) throw new BadInputError(`upload "${input.blobName}" no longer exists`, 'upload_missing');
  if (normEtag(properties.etag) !== normEtag(input.etag))
    throw new BadInputError(`upload "${input.blobName}" changed since the job started (ETag ${properties.etag}, expected ${input.etag})`, 'upload_changed');
  const core = await ctx.services.core();
  // The upload is read in ranges and decoded a piece at a time; each piece of each channel is
  // staged as it comes and the blocks are committed in the work PCM's planar order, header first.
  const source = { size: properties.contentLength, read: (offset: number, count: number) => blobs.readRange(input.blobName, offset, count) };
  const stream = await core.openAudio(source, { maxDurationSec: config.maxDurationSec });
  const { info, pieces } = stream;
  const format = config.workPcmFormat;
  const mixPath = layout.workMix(input.audioFileId);
  const infoPath = layout.workInfo(input.audioFileId);
  let frames = 0;
  let sampleRate = info.sampleRate;
  async function* arranged(): AsyncGenerator<ArrangedPiece> {
    let index = 0;
    for await (const piece of pieces) {
      sampleRate = piece.sampleRate;
      for (const [c, ch] of piece.channels.entries()) yield { bytes: encodeWorkPcmSamples(ch, format), order: (c + 1) * PLACES_PER_CHANNEL + index };
      frames += piece.channels[0]?.length ?? 0;
      if (++index >= PLACES_PER_CHANNEL) throw new BadInputError(`upload "${input.blobName}" decodes into more than ${PLACES_PER_CHANNEL} pieces`, 'upload_too_long');
    }
    yield { bytes: encodeWorkPcmHeader({ format, sampleRate, channelCount: info.channelCount, frames }), order: 0 };
  }
  await blobs.writeArranged(mixPath, arranged(), CONTENT_TYPES.pcm);
  // Read in ranges, the upload must have stayed the same throughout.
  const after = await blobs.properties(input.blobName);
  if (!after || normEtag(after.etag) !== normEtag(properties.etag)) throw new BadInputError(`upload "${input.blobName}" changed while it was being decoded`, 'upload_changed');
  const decodedInfo = { ...info, sampleRate, durationSec: sampleRate > 0 ? frames / sampleRate : 0 };
  await blobs.write(infoPath, jsonBytes(decodedInfo), CONTENT_TYPES.json);
  const chunkSec = config.separationChunkSec;
  const planned = chunkSec > 0 && frames > chunkSec * sampleRate ? await core.planSeparation(frames, sampleRate, chunkSec) : null;
  const separationRegions = planned && planned.length > 1 ? planned : null;
  const chunks = separationRegions ? `, separation in ${separationRegions.length} chunks` : '';
  ctx.log.info(`prepareAudio ${input.audioFileId}: ${info.format} ${info.sampleRate} Hz × ${info.channelCount}, ${(frames / sampleRate).toFixed(1)} s${chunks}`);
  return {
    mixPath,
    infoPath,
    durationSec: sampleRate > 0 ? frames / sampleRate : 0,
    sampleRate: sampleRate,
    channelCount: info.channelCount,
    format: info.format,
    frames,
    separationRegions,
  };
});
