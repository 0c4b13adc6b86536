/**
 * `stemflow corpus --out DIR`: the project's benchmark corpus of songs with known truth.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WavBitDepth } from '../../shared/audio/wav.js';
import { renderSong, HELD_OUT_FIRST_SEED } from '../../shared/generation/song.js';
import { VERSION } from '../../shared/version.js';
import { choiceOption, integerOption, numberOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import { BIT_DEPTHS, writeSong } from './renderSong.js';
import { InvalidRequestError } from '../../shared/errors.js';

const help = `usage: stemflow corpus --out DIR [options]

Renders songs with known truth (see 'stemflow render-song --help') into
  DIR/song-<seed>/{mix,vocals,drums,bass,other}.wav, truth.jams, song.json
and DIR/manifest.json listing every song with its style, tempo, meter, key, tuning and files.
Every truth JAMS is validated against the JAMS schema before it is written.

Seeds 1..999 are the development corpus. Seeds >= ${HELD_OUT_FIRST_SEED} are the held-out set: nothing in
this project is tuned on them; use --first-seed ${HELD_OUT_FIRST_SEED} only to report final figures.

options:
  --out DIR              output folder (required)
  --count N              number of songs, 1..1000 (default: 40)
  --first-seed N         seed of the first song; songs use consecutive seeds (default: 1)
  --duration SEC         length of every song, 5..900 (default: 60-100 s, chosen per seed)
  --sample-rate HZ       8000..192000 (default: 44100)
  --bit-depth 16|24|32   WAV sample format; 32 = float (default: 16)
  --jobs N               songs rendered in parallel by worker threads, 1..16
                         (default: min(2, available cores) from 8 songs on, else 1)
  --quiet                no progress on stderr
  -h, --help             this help
`;

interface CorpusTask {
  out: string;
  seeds: number[];
  durationSec?: number;
  sampleRate?: number;
  bitDepth: WavBitDepth;
}

export interface SongEntry {
  seed: number;
  dir: string;
  title: string;
  style: string;
  bpm: number;
  beatsPerBar: number;
  key: string;
  tuningHz: number;
  tempoDrift: number;
  durationSec: number;
  heldOut: boolean;
  files: Record<string, string>;
}

/** Render one corpus song into OUT/song-NNNN and describe it for the manifest. */
export async function renderCorpusSong(seed: number, task: CorpusTask): Promise<SongEntry> {
  const song = renderSong(seed, { durationSec: task.durationSec, sampleRate: task.sampleRate });
  const dirName = `song-${String(seed).padStart(4, '0')}`;
  const files = await writeSong(song, join(task.out, dirName), task.bitDepth);
  const m = song.meta;
  return {
    seed, dir: dirName, title: m.title, style: m.style, bpm: m.bpm, beatsPerBar: m.beatsPerBar, key: m.key, tuningHz: m.tuningHz,
    tempoDrift: m.tempoDrift, durationSec: song.truth.durationSec, heldOut: seed >= HELD_OUT_FIRST_SEED, files,
  };
}

/**
 * Worker threads, each importing this module (through tsx's loader when running from sources) and
 * rendering the seeds handed to it one at a time.
 */
async function runInWorkers(seeds: number[], jobs: number, task: CorpusTask, onDone: (e: SongEntry) => void): Promise<void> {
  const self = import.meta.url;
  const fromSources = self.endsWith('.ts');
  // The ESM build of tsx's API (its CJS build cannot register hooks from a worker).
  const tsxApi = fromSources ? pathToFileURL(createRequire(self).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href : '';
  const code = `(async () => {
  const { workerData, parentPort } = require('node:worker_threads');
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  const mod = await import(workerData.self);
  parentPort.on('message', async (seed) => {
    try { parentPort.postMessage({ entry: await mod.renderCorpusSong(seed, workerData.task) }); }
    catch (e) { parentPort.postMessage({ error: String(e && e.stack || e) }); }
  });
  parentPort.postMessage({ ready: true });
})().catch((e) => { throw e; });`;
  const queue = [...seeds];
  await Promise.all(
    Array.from({ length: Math.min(jobs, seeds.length) }, () => new Promise<void>((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { tsxApi, self, task } });
      const next = () => {
        const seed = queue.shift();
        if (seed === undefined) {
          void worker.terminate().then(() => resolve());
        } else {
          worker.postMessage(seed);
        }
      };
      worker.on('message', (msg: { ready?: boolean; entry?: SongEntry; error?: string }) => {
        if (msg.error) {
          void worker.terminate();
          reject(new Error(msg.error));
          return;
        }
        if (msg.entry) onDone(msg.entry);
        next();
      });
      worker.on('error', reject);
    })),
  );
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: raw } = parseCliArgs(argv, {
    out: { type: 'string' },
    count: { type: 'string' },
    'first-seed': { type: 'string' },
    duration: { type: 'string' },
    'sample-rate': { type: 'string' },
    'bit-depth': { type: 'string' },
    jobs: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : v === true ? 'true' : undefined])) as Record<string, string | undefined>;
  if (!values.out) throw new InvalidRequestError('--out is required (the corpus folder)');
  const count = integerOption('count', values.count, 1, 1000) ?? 40;
  const firstSeed = integerOption('first-seed', values['first-seed'], 0, 4294967295 - 1000) ?? 1;
  const durationSec = numberOption('duration', values.duration, 5, 900);
  const sampleRate = integerOption('sample-rate', values['sample-rate'], 8000, 192000);
  const bitDepth = Number(choiceOption('bit-depth', values['bit-depth'], BIT_DEPTHS) ?? '16') as WavBitDepth;
  await mkdir(values.out, { recursive: true });
  // Worker start-up (loading the sources) costs seconds, so small corpora render in-process.
  const jobs = integerOption('jobs', values.jobs, 1, 16) ?? (count >= 8 ? Math.min(2, availableParallelism()) : 1);
  const t0 = performance.now();
  const seeds = Array.from({ length: count }, (_, k) => firstSeed + k);
  const songs: SongEntry[] = [];
  const onDone = (entry: SongEntry) => {
    songs.push(entry);
    if (!values.quiet) io.stderr(`corpus: ${songs.length}/${count} song ${entry.seed} (${entry.style}, ${entry.bpm} BPM, ${entry.key}) ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  };
  const task: CorpusTask = { out: values.out, seeds: [], durationSec, sampleRate, bitDepth };
  if (jobs <= 1 || count === 1) {
    for (const seed of seeds) onDone(await renderCorpusSong(seed, task));
  } else {
    await runInWorkers(seeds, jobs, task, onDone);
  }
  songs.sort((x, y) => x.seed - y.seed);
  const manifest = {
    generator: 'stemflow',
    version: VERSION,
    command: `stemflow corpus --out ${values.out} --count ${count} --first-seed ${firstSeed}${durationSec ? ` --duration ${durationSec}` : ''}`,
    heldOutFirstSeed: HELD_OUT_FIRST_SEED,
    sampleRate: sampleRate ?? 44100,
    bitDepth,
    stemsSumToMix: 'exact: stems are on the 16-bit grid and mix = vocals + drums + bass + other',
    songs,
  };
  await writeFile(join(values.out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  io.stdout(`corpus: ${count} songs (seeds ${firstSeed}..${firstSeed + count - 1}) in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${values.out}/manifest.json\n`);
  return 0;
}

export const command: CliCommand = { name: 'corpus', summary: 'render the benchmark corpus (songs with known truth)', help, run };
