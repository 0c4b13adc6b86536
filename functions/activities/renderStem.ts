/**
 * renderStem: plan + render one stem → `{id}/generated/{req}/{stem}.wav` (or
 * `generated/{req}/{stem}.wav` without a song). With an audio_file_id whose analysis exists,
 * the plan is fitted to it (tempo, beat grid, key, chords read from its JAMS); without one the
 * stem is rendered from the parameters alone and the log says so.
 */
import { z } from 'zod';
import { GENERATABLE_STEMS } from '../../shared/contracts/http.js';
import { CONTENT_TYPES, layout } from '../../shared/storage/layout.js';
import type { CoreGenerationParams } from '../core.js';
import { SafeIdSchema, defineActivity, parseJsonBytes } from './common.js';

const ParamsSchema = z.object({
  bpm: z.number().optional(),
  durationSec: z.number().positive(),
  key: z.string().optional(),
  chordProgression: z.string().optional(),
  style: z.string().optional(),
  prompt: z.string().optional(),
  temperature: z.number().optional(),
  seed: z.number().int().optional(),
  sampleRate: z.number().int().positive().optional(),
});

const InputSchema = z.object({
  generationRequestId: SafeIdSchema,
  audioFileId: SafeIdSchema.optional(),
  stem: z.enum(GENERATABLE_STEMS),
  params: ParamsSchema,
});

export interface RenderStemOutput {
  stem: string;
  path: string;
  durationSec: number;
  /** audio_file_id whose analysis the stem was fitted to. */
  fittedTo?: string;
}

export const renderStemActivity = defineActivity('renderStem', InputSchema, async (input, ctx): Promise<RenderStemOutput> => {
  const { blobs, config } = ctx.services;
  const core = await ctx.services.core();
  const params: CoreGenerationParams = { ...(input.params as CoreGenerationParams) };
  let fittedTo: string | undefined;
  if (input.audioFileId) {
    const annotationPath = layout.annotation(input.audioFileId);
    if (await blobs.properties(annotationPath)) {
      const doc = parseJsonBytes((await blobs.read(annotationPath)).bytes, annotationPath);
      params.fit = core.readJamsDescription(doc);
      fittedTo = input.audioFileId;
    } else {
      ctx.log.warn(`renderStem: no analysis at ${annotationPath}; rendering ${input.stem} from the parameters alone`);
    }
  }
  const audio = await core.renderGeneratedStem(params, input.stem);
  const path = layout.generatedStem(input.generationRequestId, input.stem, input.audioFileId);
  await blobs.write(path, core.encodeWav(audio, { bitDepth: config.stemBitDepth }), CONTENT_TYPES.wav);
  const frames = audio.channels[0]?.length ?? 0;
  const out: RenderStemOutput = { stem: input.stem, path, durationSec: audio.sampleRate > 0 ? frames / audio.sampleRate : 0 };
  if (fittedTo) out.fittedTo = fittedTo;
  return out;
});
