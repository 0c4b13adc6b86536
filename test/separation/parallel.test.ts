/**
 * Region-wise and multi-threaded separation must give exactly the one-shot stems: the regions sit
 * on the separator's chunk grid and read the same halo, so the split is invisible in the output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { BadInputError } from '../../shared/errors.js';
import { createDspSeparator, DSP_STEMS, planRegions, separateByMasks } from '../../shared/separation/dsp.js';
import { feedSeparationToWav, separateWindowsToWav, startParallelSeparation, startParallelSeparationToWav, startSeparationCrew } from '../../shared/separation/parallel.js';
import { encodeWav, wavHeader } from '../../shared/audio/wav.js';
import { renderSyntheticMix } from './fixtures.js';

/** Small chunks, so a few seconds of audio already make several regions. */
const OPTIONS = { chunkSec: 0.5 };

function expectSameStems(a: Record<string, AudioBuffer>, b: Record<string, AudioBuffer>): void {
  for (const stem of DSP_STEMS) {
    expect(b[stem].channels.length).toBe(a[stem].channels.length);
    a[stem].channels.forEach((ch, c) => {
      const other = b[stem].channels[c];
      expect(other.length).toBe(ch.length);
      let worst = 0;
      for (let i = 0; i < ch.length; i++) worst = Math.max(worst, Math.abs(ch[i] - other[i]));
      expect({ stem, c, worst }).toEqual({ stem, c, worst: 0 });
    });
  }
}

describe('region-wise separation', () => {
  const { mix } = renderSyntheticMix({ durationSec: 3.3, seed: 5 });
  const length = mix.channels[0].length;

  it('plans regions on the chunk grid that cover the mix once, each reading its halo', () => {
    const regions = planRegions(length, mix.sampleRate, 1.2, OPTIONS);
    expect(regions.length).toBeGreaterThan(2);
    expect(regions[0].coreStart).toBe(0);
    expect(regions.at(-1)!.coreEnd).toBe(length);
    for (let i = 1; i < regions.length; i++) expect(regions[i].coreStart).toBe(regions[i - 1].coreEnd);
    for (const r of regions.slice(1, -1)) {
      expect(r.readStart).toBeLessThan(r.coreStart);
      expect(r.readEnd).toBeGreaterThan(r.coreEnd);
    }
    expect(planRegions(0, mix.sampleRate, 1.2, OPTIONS)).toEqual([]);
    expect(() => planRegions(length, mix.sampleRate, 0, OPTIONS)).toThrow(/regionSec/);
  });

  it('joins the cores of separately separated regions into exactly the one-shot stems', async () => {
    const sep = createDspSeparator(OPTIONS);
    const oneShot = await sep.separate(mix);
    const joined = Object.fromEntries(DSP_STEMS.map((s) => [s, { sampleRate: mix.sampleRate, channels: mix.channels.map(() => new Float32Array(length)) }]));
    for (const region of sep.regions!.plan(length, mix.sampleRate, 1.2)) {
      // Each region sees only its own span of the mix, as a chunk activity reading a byte range would.
      const span = { sampleRate: mix.sampleRate, channels: mix.channels.map((ch) => ch.slice(region.readStart, region.readEnd)) };
      const part = await sep.regions!.separate(span, region, length);
      for (const stem of DSP_STEMS) part[stem].channels.forEach((ch, c) => joined[stem].channels[c].set(ch, region.coreStart));
    }
    expectSameStems(oneShot, joined);
  });

  it('rejects a span that does not hold the region and its halo, naming the frames it needs', async () => {
    const sep = createDspSeparator(OPTIONS);
    const [, second] = sep.regions!.plan(length, mix.sampleRate, 1.2);
    const short = { sampleRate: mix.sampleRate, channels: mix.channels.map((ch) => ch.slice(second.coreStart, second.coreEnd)) };
    await expect(sep.regions!.separate(short, { ...second, readStart: second.coreStart, readEnd: second.coreEnd }, length)).rejects.toThrow(/needs input frames/);
  });
});

describe('parallel separation', () => {
  const { mix } = renderSyntheticMix({ durationSec: 4.1, seed: 9 });

  it('lets the worker threads do all the work while the caller is busy elsewhere', async () => {
    const oneShot = await separateByMasks(mix, OPTIONS);
    const run = startParallelSeparation(mix, { threads: 2, regionSec: 0.5, options: OPTIONS });
    const regions = planRegions(mix.channels[0].length, mix.sampleRate, 0.5, OPTIONS).length;
    expect(await run.workers).toEqual({ regions, failures: [] });
    expectSameStems(oneShot, await run.result());
  }, 60_000);

  for (const threads of [0, 1, 2]) {
    it(`gives exactly the one-shot stems with ${threads} worker thread(s), whether or not the caller helps`, async () => {
      const oneShot = await separateByMasks(mix, OPTIONS);
      const run = startParallelSeparation(mix, { threads, regionSec: 0.5, options: OPTIONS });
      if (threads !== 1) await run.help();
      expectSameStems(oneShot, await run.result());
    }, 60_000);
  }

  it('reads mono and stereo mixes on shared memory and leaves the caller\'s mix untouched', async () => {
    const mono = { sampleRate: mix.sampleRate, channels: [mix.channels[0].slice()] };
    const before = mono.channels[0].slice();
    const oneShot = await separateByMasks(mono, OPTIONS);
    const stems = await startParallelSeparation(mono, { threads: 1, regionSec: 0.5, options: OPTIONS }).result();
    expectSameStems(oneShot, stems);
    expect(mono.channels[0]).toEqual(before);
  }, 60_000);

  it('rejects a mix with a non-finite sample with the one-shot error, before starting any thread', async () => {
    const bad = { sampleRate: mix.sampleRate, channels: mix.channels.map((ch) => ch.slice()) };
    bad.channels[1][12345] = Number.NaN;
    const run = startParallelSeparation(bad, { threads: 2, regionSec: 0.5, options: OPTIONS });
    await expect(run.result()).rejects.toBeInstanceOf(BadInputError);
    await expect(run.result()).rejects.toThrow(/sample 12345 of channel 1/);
  });

  it('encodes the stems straight into WAV files equal to encoding the one-shot stems (mono, odd length, every depth)', async () => {
    const mono = { sampleRate: mix.sampleRate, channels: [mix.channels[0].subarray(0, mix.channels[0].length - 1)] };
    expect(mono.channels[0].length % 2).toBe(1);
    const oneShot = await separateByMasks(mono, OPTIONS);
    for (const bitDepth of [16, 24, 32] as const) {
      const files = await startParallelSeparationToWav(mono, bitDepth, { threads: 1, regionSec: 0.5, options: OPTIONS }).result();
      for (const stem of DSP_STEMS) {
        expect({ stem, bitDepth, same: Buffer.from(files[stem]).equals(encodeWav(oneShot[stem], { bitDepth })) }).toEqual({ stem, bitDepth, same: true });
      }
    }
  }, 60_000);

  describe('fed while the mix decodes', () => {
    const frames = mix.channels[0].length;
    const format = { sampleRate: mix.sampleRate, channelCount: 2, frames };
    /** Feed `audio` in pieces of `step` frames, pausing between them as a decoder would. */
    async function feedPieces(feed: ReturnType<typeof feedSeparationToWav>, audio: AudioBuffer, step: number): Promise<void> {
      for (let a = 0; a < frameCountOf(audio); a += step) {
        feed.piece({ sampleRate: audio.sampleRate, channels: audio.channels.map((ch) => ch.subarray(a, Math.min(ch.length, a + step))) });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    const frameCountOf = (audio: AudioBuffer) => audio.channels[0].length;
    const silence: AudioBuffer = { sampleRate: mix.sampleRate, channels: [new Float32Array(frames), new Float32Array(frames)] };
    const expectFiles = (files: Record<string, Uint8Array>, stems: Record<string, AudioBuffer>) => {
      for (const stem of DSP_STEMS) expect({ stem, same: Buffer.from(files[stem]).equals(encodeWav(stems[stem], { bitDepth: 16 })) }).toEqual({ stem, same: true });
    };

    it('separates the pieces as they come, into the WAV files of the one-shot run', async () => {
      const oneShot = await separateByMasks(mix, OPTIONS);
      const feed = feedSeparationToWav(16, { crew: startSeparationCrew(1), regionSec: 0.5, options: OPTIONS });
      feed.start(format);
      await feedPieces(feed, mix, 7919);
      // What was fed is separated (the decoded audio handed over at the end is not read again).
      const run = feed.separation(silence);
      expectFiles(await run.result(), oneShot);
      expect((await run.workers).failures).toEqual([]);
    }, 60_000);

    it('separates the decoded audio instead when the decode gives other frames than announced', async () => {
      const oneShot = await separateByMasks(mix, OPTIONS);
      for (const announced of [frames + 100, frames - 100]) {
        const feed = feedSeparationToWav(16, { crew: startSeparationCrew(1), regionSec: 0.5, options: OPTIONS });
        feed.start({ ...format, frames: announced });
        await feedPieces(feed, mix, 7919);
        expectFiles(await feed.separation(mix).result(), oneShot);
      }
    }, 60_000);

    it('separates the decoded audio when the header does not tell the length', async () => {
      const oneShot = await separateByMasks(mix, OPTIONS);
      const feed = feedSeparationToWav(16, { crew: startSeparationCrew(1), regionSec: 0.5, options: OPTIONS });
      feed.start({ ...format, frames: null });
      await feedPieces(feed, silence, 7919);
      expectFiles(await feed.separation(mix).result(), oneShot);
    }, 60_000);
  });

  it('hands the job to a crew started ahead, which does all the work while the caller is busy', async () => {
    const crew = startSeparationCrew(2);
    expect(crew.size).toBe(2);
    const oneShot = await separateByMasks(mix, OPTIONS);
    const run = startParallelSeparation(mix, { crew, regionSec: 0.5, options: OPTIONS });
    const regions = planRegions(mix.channels[0].length, mix.sampleRate, 0.5, OPTIONS).length;
    expect(await run.workers).toEqual({ regions, failures: [] });
    expectSameStems(oneShot, await run.result());
  }, 60_000);

  it('gives the right stems from the caller alone when the crew was released', async () => {
    const crew = startSeparationCrew(1);
    crew.release();
    const oneShot = await separateByMasks(mix, OPTIONS);
    const run = startParallelSeparation(mix, { crew, regionSec: 0.5, options: OPTIONS });
    expectSameStems(oneShot, await run.result());
    expect(await run.workers).toEqual({ regions: 0, failures: [] });
  }, 60_000);

  it('stops the workers and rejects when the run is aborted', async () => {
    const controller = new AbortController();
    const run = startParallelSeparation(mix, { threads: 2, regionSec: 0.5, options: OPTIONS, run: { signal: controller.signal } });
    controller.abort(new Error('job cancelled'));
    await expect(run.result()).rejects.toThrow('job cancelled');
    // terminated early: the workers did not get through every region
    const { regions } = await run.workers;
    expect(regions).toBeLessThan(planRegions(mix.channels[0].length, mix.sampleRate, 0.5, OPTIONS).length);
  }, 60_000);

  it('keeps finished threads for the next separation without keeping the process alive', () => {
    // Two separations in a fresh process: the second takes the kept thread; then the process
    // must end by itself (an idle kept thread is unref'd), with the stems of both runs equal.
    const dir = mkdtempSync(join(tmpdir(), 'stemflow-crew-'));
    const file = join(dir, 'two-runs.mjs');
    writeFileSync(
      file,
      [
        `import { startParallelSeparation } from ${JSON.stringify(pathToFileURL(resolve('shared/separation/parallel.ts')).href)};`,
        'const n = 44100 * 3;',
        'const mix = { sampleRate: 44100, channels: [0, 1].map((c) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * (0.01 + c * 0.003)) * 0.3)) };',
        'const run = () => startParallelSeparation(mix, { threads: 1, regionSec: 0.5, options: { chunkSec: 0.5 } }).result();',
        'const a = await run();',
        'const b = await run();',
        "const same = ['vocals', 'drums', 'bass', 'other'].every((s) => a[s].channels.every((ch, c) => ch.every((v, i) => v === b[s].channels[c][i])));",
        "process.stdout.write(same ? 'same' : 'different');",
      ].join('\n'),
    );
    let out: string;
    try {
      out = execFileSync(process.execPath, ['--import', 'tsx', file], { timeout: 30_000, encoding: 'utf8' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(out).toBe('same');
  }, 40_000);

  it('gives empty stems for an empty mix', async () => {
    const stems = await startParallelSeparation({ sampleRate: 44100, channels: [new Float32Array(0), new Float32Array(0)] }).result();
    for (const stem of DSP_STEMS) expect(stems[stem].channels.map((c) => c.length)).toEqual([0, 0]);
  });

  it('separates a mix it never holds whole, window by window, into bytes equal to the one-shot WAV files', async () => {
    const length = mix.channels[0].length;
    const reads: Array<[number, number]> = [];
    const source = {
      sampleRate: mix.sampleRate,
      channelCount: 2,
      frames: length,
      read: async (start: number, end: number) => {
        reads.push([start, end]);
        return mix.channels.map((ch) => ch.slice(start, end));
      },
    };
    const parts = Object.fromEntries(DSP_STEMS.map((s) => [s, [] as Uint8Array[]]));
    await startWindows(source, parts);
    // Each window reads a bounded span: its own core plus the halo, never the whole mix.
    expect(reads.length).toBeGreaterThan(2);
    for (const [start, end] of reads) expect(end - start).toBeLessThan(length);
    const whole = await startParallelSeparationToWav(mix, 16, { threads: 1, regionSec: 0.5, options: OPTIONS }).result();
    for (const stem of DSP_STEMS) {
      const joined = Buffer.concat([wavHeader(mix.sampleRate, 2, length, { bitDepth: 16 }), ...parts[stem]]);
      expect({ stem, same: joined.equals(Buffer.from(whole[stem])) }).toEqual({ stem, same: true });
    }
  }, 60_000);

  it('fails the windowed separation with the reader\'s error and lets its threads go', async () => {
    const source = { sampleRate: mix.sampleRate, channelCount: 2, frames: mix.channels[0].length, read: async () => Promise.reject(new Error('spill is gone')) };
    await expect(separateWindowsToWav(source, 16, async () => {}, { threads: 1, regionSec: 0.5, windowSec: 1, options: OPTIONS })).rejects.toThrow('spill is gone');
  });
});

/** Window-by-window separation of `source` (1 s windows of 0.5 s regions, one worker thread), collecting each stem's bytes. */
async function startWindows(source: Parameters<typeof separateWindowsToWav>[0], parts: Record<string, Uint8Array[]>): Promise<void> {
  await separateWindowsToWav(source, 16, async (stem, bytes) => void parts[stem].push(bytes.slice()), { threads: 1, regionSec: 0.5, windowSec: 1, options: OPTIONS });
}

