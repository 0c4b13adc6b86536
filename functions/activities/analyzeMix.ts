/**
 * analyzeMix: work PCM (read in ranges, a few seconds at a time) → MusicDescription (tempo, beats, key, tuning, chords, sections,
 * descriptors) written to `{id}/work/description.json`; returns only a small summary (the full
 * description can exceed Durable's 45 KB history payload budget).
 */
import { z } from 'zod';
import type { MusicDescription } from '../../shared/contracts/music.js';
import type { JobSummary } from '../../shared/contracts/http.js';
import { PITCH_CLASS_NAMES_FOR_SUMMARY } from './keyNames.js';
import { CONTENT_TYPES, layout } from '../../shared/storage/layout.js';
import { BadInputError } from '../../shared/errors.js';
import { decodeWorkPcmSamples, readWorkPcmHeader, WORK_PCM_HEADER_BYTES, workPcmByteLength, workPcmChannelRange } from '../../shared/storage/pcm.js';
import { BlobPathSchema, SafeIdSchema, defineActivity, jsonBytes } from './common.js';

/** Seconds of mix read per ranged read. */
const PIECE_SEC = 10;

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
  const header = readWorkPcmHeader(await blobs.readRange(input.mixPath, 0, WORK_PCM_HEADER_BYTES));
  const expected = workPcmByteLength(header);
  const size = (await blobs.properties(input.mixPath))?.contentLength;
  if (size !== expected) throw new BadInputError(`${input.mixPath} is ${size} bytes, its header says ${expected}`, 'bad_work_pcm');
  /** The mix, PIECE_SEC at a time: the instance never holds the whole mix, whatever its length. */
  async function* pieces(): AsyncGenerator<Float32Array[]> {
    const step = Math.max(1, PIECE_SEC * header.sampleRate);
    for (let start = 0; start < header.frames; start += step) {
      const end = Math.min(header.frames, start + step);
      const channels: Float32Array[] = [];
      for (let c = 0; c < header.channelCount; c++) {
        const { offset, count } = workPcmChannelRange(header, c, start, end);
        channels.push(decodeWorkPcmSamples(await blobs.readRange(input.mixPath, offset, count), header.format));
      }
      yield channels;
    }
  }
  const core = await ctx.services.core();
  const desc = await core.analyzeMix({ sampleRate: header.sampleRate, channelCount: header.channelCount, frames: header.frames, pieces: pieces() });
  const descriptionPath = layout.workDescription(input.audioFileId);
  await blobs.write(descriptionPath, jsonBytes(desc), CONTENT_TYPES.json);
  return { descriptionPath, summary: summarizeDescription(desc) };
});
