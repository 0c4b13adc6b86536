/**
 * separateChunk: one region of a long mix → its stems' frames, as working-PCM parts
 * (`{id}/work/stems/{stem}.{index}.pcm`, float32). Reads only the region's frames and halo from
 * `{id}/work/mix.pcm` (ranged reads), so an instance holds a chunk, never the whole song; joinStems
 * then writes the stem WAVs. The parts join into exactly the stems of a one-run separation.
 */
import { z } from 'zod';
import { CONTENT_TYPES, layout } from '../../shared/storage/layout.js';
import { decodeWorkPcmSamples, encodeWorkPcm, readWorkPcmHeader, WORK_PCM_HEADER_BYTES, workPcmChannelRange } from '../../shared/storage/pcm.js';
import { BadInputError } from '../../shared/errors.js';
import { BlobPathSchema, SafeIdSchema, defineActivity } from './common.js';

const frame = z.number().int().nonnegative();
const RegionSchema = z
  .object({ coreStart: frame, coreEnd: frame, readStart: frame, readEnd: frame })
  .refine((r) => r.readStart <= r.coreStart && r.coreStart < r.coreEnd && r.coreEnd <= r.readEnd, {
    message: 'needs readStart ≤ coreStart < coreEnd ≤ readEnd',
  });

const InputSchema = z.object({
  audioFileId: SafeIdSchema,
  mixPath: BlobPathSchema,
  index: z.number().int().min(0).max(99999),
  region: RegionSchema,
});

export interface SeparateChunkOutput {
  /** stem name → blob path of this chunk's part */
  parts: Record<string, string>;
}

export const separateChunkActivity = defineActivity('separateChunk', InputSchema, async (input, ctx): Promise<SeparateChunkOutput> => {
  const { blobs } = ctx.services;
  const { region } = input;
  const header = readWorkPcmHeader(await blobs.readRange(input.mixPath, 0, WORK_PCM_HEADER_BYTES));
  if (region.readEnd > header.frames) {
    throw new BadInputError(`chunk ${input.index} reads up to frame ${region.readEnd}, but ${input.mixPath} has ${header.frames} frames`, 'bad_chunk');
  }
  const channels: Float32Array[] = [];
  for (let c = 0; c < header.channelCount; c++) {
    const { offset, count } = workPcmChannelRange(header, c, region.readStart, region.readEnd);
    channels.push(decodeWorkPcmSamples(await blobs.readRange(input.mixPath, offset, count), header.format));
  }
  const core = await ctx.services.core();
  const stems = await core.separateRegion({ sampleRate: header.sampleRate, channels }, region, header.frames);
  const parts: Record<string, string> = {};
  for (const [name, audio] of Object.entries(stems)) {
    const path = layout.workStemPart(input.audioFileId, name, input.index);
    await blobs.write(path, encodeWorkPcm(audio, 'f32'), CONTENT_TYPES.pcm);
    parts[name] = path;
  }
  return { parts };
});
