/**
 * joinStems: the parts of a chunked separation (separateChunk) → `{id}/stems/{stem}.wav`. Each
 * stem's WAV is written as staged blocks: the header, then each part's samples in order, so the
 * instance holds one part per stem at a time, whatever the song's length. Stems are written
 * side by side (the work is mostly waiting on storage).
 */
import { z } from 'zod';
import { encodeWavSamples, wavHeader } from '../../shared/audio/wav.js';
import { BadInputError } from '../../shared/errors.js';
import { CONTENT_TYPES, layout } from '../../shared/storage/layout.js';
import { decodeWorkPcm, readWorkPcmHeader, WORK_PCM_HEADER_BYTES, type WorkPcmHeader } from '../../shared/storage/pcm.js';
import type { BlobStore } from '../../shared/storage/blobStore.js';
import type { SeparateStemsOutput } from './separateStems.js';
import { BlobPathSchema, SafeIdSchema, defineActivity } from './common.js';

const InputSchema = z.object({
  audioFileId: SafeIdSchema,
  /** One entry per chunk, in time order: stem name → part blob path. */
  parts: z.array(z.object({ parts: z.record(z.string(), BlobPathSchema) })).min(1),
});

/** Headers of a stem's parts; every part must have the first one's rate and channel count. */
async function partHeaders(blobs: BlobStore, stem: string, paths: string[]): Promise<WorkPcmHeader[]> {
  const headers = await Promise.all(paths.map(async (p) => readWorkPcmHeader(await blobs.readRange(p, 0, WORK_PCM_HEADER_BYTES))));
  for (const [i, h] of headers.entries()) {
    if (h.sampleRate !== headers[0].sampleRate || h.channelCount !== headers[0].channelCount) {
      throw new BadInputError(`part ${i} of stem ${stem} is ${h.sampleRate} Hz × ${h.channelCount}, part 0 is ${headers[0].sampleRate} Hz × ${headers[0].channelCount}`, 'bad_chunk');
    }
  }
  return headers;
}

export const joinStemsActivity = defineActivity('joinStems', InputSchema, async (input, ctx): Promise<SeparateStemsOutput> => {
  const { blobs, config } = ctx.services;
  const stemNames = Object.keys(input.parts[0].parts);
  const bitDepth = config.stemBitDepth;
  const written = await Promise.all(
    stemNames.map(async (stem): Promise<[string, string]> => {
      const paths = input.parts.map((chunk, i) => {
        const path = chunk.parts[stem];
        if (!path) throw new BadInputError(`chunk ${i} has no part for stem ${stem}`, 'bad_chunk');
        return path;
      });
      const headers = await partHeaders(blobs, stem, paths);
      const frames = headers.reduce((n, h) => n + h.frames, 0);
      const dataBytes = frames * headers[0].channelCount * (bitDepth / 8);
      async function* pieces(): AsyncGenerator<Uint8Array> {
        yield wavHeader(headers[0].sampleRate, headers[0].channelCount, frames, { bitDepth });
        for (const path of paths) yield encodeWavSamples(decodeWorkPcm((await blobs.read(path)).bytes).channels, bitDepth);
        if (dataBytes & 1) yield new Uint8Array(1); // RIFF pad byte
      }
      const path = layout.stem(input.audioFileId, stem);
      await blobs.writeBlocks(path, pieces(), CONTENT_TYPES.wav);
      return [stem, path];
    }),
  );
  return { stems: Object.fromEntries(written) };
});
