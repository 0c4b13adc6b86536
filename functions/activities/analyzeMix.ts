/**
 * analyzeMix: work PCM → MusicDescription (tempo, beats, key, tuning, chords, sections,
 * descriptors) written to `{id}/work/description.json`; returns only a small summary (the full
 * description can exceed Durable's 45 KB history payload budget).
 */
import { z } from 'zod';
import type { MusicDescription } from '../../shared/contracts/music.js';
import type { JobSummary } from '../../shared/contracts/http.js';
import { PITCH_CLASS_NAMES_FOR_SUMMARY } from './keyNames.js';
import { CONTENT_TYPES, layout } from '../../shared/storage/layout.js';
import { decodeWorkPcm } from '../../shared/storage/pcm.js';
import { BlobPathSchema, SafeIdSchema, defineActivity, jsonBytes } from './common.js';

const InputSchema = z.object({ audioFileId: SafeIdSchema, mixPath: BlobPathSchema });

export interface AnalyzeMixOutput {
  descriptionPath: string;
  summary: JobSummary;
}

/** The callback/status summary of a description. */
export function summarizeDescription(desc: MusicDescription): JobSummary {
  return {
    duration_seconds: desc.durationSec,
    bpm: desc.tempo ? Math.round(desc.tempo.bpm * 100) / 100 : null,
    key: desc.key ? `${PITCH_CLASS_NAMES_FOR_SUMMARY[desc.key.tonic % 12]} ${desc.key.mode}` : null,
    beats_per_bar: desc.beatsPerBar,
    beat_count: desc.beats.length,
    chord_count: desc.chords.length,
    section_count: desc.sections.length,
  };
}

export const analyzeMixActivity = defineActivity('analyzeMix', InputSchema, async (input, ctx): Promise<AnalyzeMixOutput> => {
  const { blobs } = ctx.services;
  const mix = decodeWorkPcm((await blobs.read(input.mixPath)).bytes);
  const core = await ctx.services.core();
  const desc = await core.analyzeMix(mix);
  const descriptionPath = layout.workDescription(input.audioFileId);
  await blobs.write(descriptionPath, jsonBytes(desc), CONTENT_TYPES.json);
  return { descriptionPath, summary: summarizeDescription(desc) };
});
