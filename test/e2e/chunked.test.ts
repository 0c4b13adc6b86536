/**
 * Chunked separation through the local host and Azurite with the REAL core: a song longer than
 * STEMFLOW_SEPARATION_CHUNK_SEC is separated as parallel separateChunk activities (ranged reads
 * of the working PCM, one part blob per stem and chunk) joined by joinStems into block-staged
 * WAVs. The stems must equal a one-run separation of the same decoded mix: the acceptance asks
 * for a residual under −60 dB; the regions share the one-run frame grid and halo, so it is exact.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../shared/audio/wav.js';
import { renderSong } from '../../shared/generation/song.js';
import { separateByMasks } from '../../shared/separation/dsp.js';
import { signalToDistortionRatio } from '../../bench/metrics/separation.js';
import type { LocalHost } from '../../devhost/host.js';
import type { BlobStore } from '../../shared/storage/blobStore.js';
import { e2eEnv, startTestHost, upload, waitForJob } from './harness.js';

let host: LocalHost;
let blobs: BlobStore;

beforeAll(async () => {
  // 32-bit float stems, so that the comparison sees the separator's exact output.
  ({ host, blobs } = await startTestHost(e2eEnv({ STEMFLOW_SEPARATION_CHUNK_SEC: '15', STEMFLOW_STEM_BIT_DEPTH: '32' }), { coreModule: undefined, workers: 2 }));
}, 60_000);

afterAll(async () => {
  await host?.stop();
});

it('separates a 40 s song in 15 s chunk activities into exactly the one-run stems', async () => {
  const song = renderSong(21, { durationSec: 40 });
  const wav = encodeWav(song.mix, { bitDepth: 16 });
  const { jobId } = await upload(blobs, 'long21.wav', wav);
  const status = await waitForJob(host.url, jobId, 120_000);
  expect(status.runtime_status, JSON.stringify(status.error)).toBe('completed');
  // the chunked path ran: one part per stem and chunk (3 chunks of 15 s for 40 s)
  const parts = await blobs.list('long21/work/stems/');
  expect(parts).toHaveLength(12);
  expect(parts.filter((p) => p.startsWith('long21/work/stems/vocals.'))).toEqual(['long21/work/stems/vocals.00000.pcm', 'long21/work/stems/vocals.00001.pcm', 'long21/work/stems/vocals.00002.pcm']);

  const oneRun = await separateByMasks(decodeWav(wav).audio);
  for (const stem of ['vocals', 'drums', 'bass', 'other'] as const) {
    const chunked = decodeWav((await blobs.read(`long21/stems/${stem}.wav`)).bytes).audio;
    expect(chunked.sampleRate).toBe(44100);
    expect(chunked.channels.map((c) => c.length)).toEqual(oneRun[stem].channels.map((c) => c.length));
    expect(signalToDistortionRatio(oneRun[stem].channels, chunked.channels)).toBeGreaterThan(60);
    let worst = 0;
    oneRun[stem].channels.forEach((ch, c) => {
      for (let i = 0; i < ch.length; i++) worst = Math.max(worst, Math.abs(ch[i] - chunked.channels[c][i]));
    });
    expect({ stem, worst }).toEqual({ stem, worst: 0 });
  }
  // the upload itself is untouched
  expect(Buffer.from((await blobs.read('long21.wav')).bytes).equals(wav)).toBe(true);
}, 180_000);
