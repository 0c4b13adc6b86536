/**
 * transcribeStems (optional step, STEMFLOW_TRANSCRIBE_NOTES): the vocals, bass and other stems →
 * notes with Basic Pitch → `{id}/stems/{stem}.mid` (audio/midi) and the JAMS note_midi
 * annotations in `{id}/work/notes.json`, which writeJams adds to the annotation.
 */
import { z } from 'zod';
import { CONTENT_TYPES, layout } from '../../shared/storage/layout.js';
import { BlobPathSchema, SafeIdSchema, defineActivity, jsonBytes } from './common.js';

/** The stems with pitched lines worth transcribing. */
export const TRANSCRIBED_STEMS = ['vocals', 'bass', 'other'] as const;

const InputSchema = z.object({ audioFileId: SafeIdSchema, stems: z.record(z.string(), BlobPathSchema) });

export interface TranscribeStemsOutput {
  /** stem name → blob path of its MIDI file */
  midi: Record<string, string>;
  notesPath: string;
  noteCounts: Record<string, number>;
}

export const transcribeStemsActivity = defineActivity('transcribeStems', InputSchema, async (input, ctx): Promise<TranscribeStemsOutput> => {
  const { blobs, config } = ctx.services;
  const core = await ctx.services.core();
  const midi: Record<string, string> = {};
  const noteCounts: Record<string, number> = {};
  const annotations: object[] = [];
  for (const stem of TRANSCRIBED_STEMS) {
    const path = input.stems[stem];
    if (!path) continue;
    const { audio } = await core.decodeAudio((await blobs.read(path)).bytes, { maxDurationSec: config.maxDurationSec });
    const result = await core.transcribeStem(audio, stem);
    const midiPath = layout.stemMidi(input.audioFileId, stem);
    await blobs.write(midiPath, result.midi, CONTENT_TYPES.midi);
    midi[stem] = midiPath;
    noteCounts[stem] = result.noteCount;
    annotations.push(result.annotation);
  }
  const notesPath = layout.workNotes(input.audioFileId);
  await blobs.write(notesPath, jsonBytes(annotations), CONTENT_TYPES.json);
  return { midi, notesPath, noteCounts };
});
