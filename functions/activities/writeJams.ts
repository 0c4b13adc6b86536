/**
 * writeJams: description + probe info → validated JAMS → `{id}/analysis/annotation.jams`
 * (application/json). The wall time is from the orchestration start to now.
 */
import { z } from 'zod';
import type { AudioInfo } from '../../shared/audio/types.js';
import type { MusicDescription } from '../../shared/contracts/music.js';
import { CONTENT_TYPES, layout } from '../../shared/storage/layout.js';
import { BlobPathSchema, SafeIdSchema, defineActivity, jsonBytes, parseJsonBytes } from './common.js';

const InputSchema = z.object({
  audioFileId: SafeIdSchema,
  descriptionPath: BlobPathSchema,
  infoPath: BlobPathSchema,
  startedAt: z.string().refine((s) => Number.isFinite(Date.parse(s)), { message: 'must be an ISO date' }),
  /** JAMS note_midi annotations from transcribeStems, when that step ran. */
  notesPath: BlobPathSchema.optional(),
});

export interface WriteJamsOutput {
  annotationPath: string;
}

export const writeJamsActivity = defineActivity('writeJams', InputSchema, async (input, ctx): Promise<WriteJamsOutput> => {
  const { blobs } = ctx.services;
  const desc = parseJsonBytes((await blobs.read(input.descriptionPath)).bytes, input.descriptionPath) as MusicDescription;
  const info = parseJsonBytes((await blobs.read(input.infoPath)).bytes, input.infoPath) as AudioInfo;
  const core = await ctx.services.core();
  const wallTimeSec = Math.max(0, (Date.now() - Date.parse(input.startedAt)) / 1000);
  const extraAnnotations = input.notesPath ? (parseJsonBytes((await blobs.read(input.notesPath)).bytes, input.notesPath) as object[]) : undefined;
  const jams = await core.buildAnnotation(desc, info, { wallTimeSec, extraAnnotations });
  const annotationPath = layout.annotation(input.audioFileId);
  await blobs.write(annotationPath, jsonBytes(jams), CONTENT_TYPES.json);
  return { annotationPath };
});
