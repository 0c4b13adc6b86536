/** separateStems: work PCM → vocals, drums, bass, other → `{id}/stems/{stem}.wav` (audio/wav). */
import { z } from 'zod';
import { CONTENT_TYPES, layout } from '../../shared/storage/layout.js';
import { decodeWorkPcm } from '../../shared/storage/pcm.js';
import { BlobPathSchema, SafeIdSchema, defineActivity } from './common.js';

const InputSchema = z.object({ audioFileId: SafeIdSchema, mixPath: BlobPathSchema });

export interface SeparateStemsOutput {
  /** stem name → blob path */
  stems: Record<string, string>;
}

export const separateStemsActivity = defineActivity('separateStems', InputSchema, async (input, ctx): Promise<SeparateStemsOutput> => {
  const { blobs, config } = ctx.services;
  const mix = decodeWorkPcm((await blobs.read(input.mixPath)).bytes);
  const core = await ctx.services.core();
  const separated = await core.separateMix(mix);
  const stems: Record<string, string> = {};
  for (const [name, audio] of Object.entries(separated)) {
    const path = layout.stem(input.audioFileId, name);
    await blobs.write(path, core.encodeWav(audio, { bitDepth: config.stemBitDepth }), CONTENT_TYPES.wav);
    stems[name] = path;
  }
  return { stems };
});
