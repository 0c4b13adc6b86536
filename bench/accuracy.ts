/**
 * Accuracy benchmark: stemflow's analysis, essentia.js (every variant) and aubio (tempo and beats)
 * on songs with exact truth from the project's generator, scored with mir_eval definitions (bench/metrics/).
 * Seeds 1..40 are the development corpus; seeds ≥ 1000 are held out (never tuned on) and reported
 * separately. Songs are rendered in-process (the same audio `npm run corpus` writes).
 *
 *   npx tsx bench/accuracy.ts [--seeds 1-40] [--heldout 1000-1009] [--jobs 2] [--no-essentia] [--write]
 *
 * `--write` records the tables in BENCHMARKS.md. Each song runs in a child process (`--jobs` at a
 * time) so that the two systems see the same decoded audio and a crash cannot lose the run.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { toMono } from '../shared/audio/types.js';
import { renderSong } from '../shared/generation/song.js';
import { analyzeMix } from '../shared/pipeline/analyze.js';
import { argValue, hasFlag, parseSeedRange } from './args.js';
import { type DescriptionScores, scoreMusicDescription, summarizeScores } from './metrics/score.js';
import { analyzeWithEssentia, essentiaVariants } from './peers/essentia.js';
import { analyzeWithAubio } from './peers/aubio.js';
import { markdownTable, writeBenchmarkSection } from './report.js';

interface SongResult {
  seed: number;
  style: string;
  durationSec: number;
  scores: Record<string, DescriptionScores>;
  wallSec: Record<string, number>;
}

const OURS = 'stemflow';

async function evaluateSong(seed: number, withEssentia: boolean): Promise<SongResult> {
  const song = renderSong(seed);
  const scores: Record<string, DescriptionScores> = {};
  const wallSec: Record<string, number> = {};
  let t0 = performance.now();
  const est = await analyzeMix(song.mix);
  wallSec[OURS] = (performance.now() - t0) / 1000;
  scores[OURS] = scoreMusicDescription(song.truth, est);
  if (withEssentia) {
    t0 = performance.now();
    const mono = toMono(song.mix);
    const peer = analyzeWithEssentia(mono, song.mix.sampleRate);
    wallSec.essentia = (performance.now() - t0) / 1000;
    for (const v of essentiaVariants(peer)) scores[v.name] = scoreMusicDescription(song.truth, v.description);
    const tracked = await analyzeWithAubio(mono, song.mix.sampleRate);
    wallSec.aubio = tracked.wallSec;
    scores.aubio = scoreMusicDescription(song.truth, { tempo: tracked.tempo, beats: tracked.beats });
  }
  return { seed, style: song.meta.style, durationSec: song.truth.durationSec, scores, wallSec };
}

/** Runs songs in child processes, `jobs` at a time. */
async function runAll(seeds: number[], jobs: number, withEssentia: boolean): Promise<SongResult[]> {
  const results: SongResult[] = [];
  const queue = [...seeds];
  const self = fileURLToPath(import.meta.url);
  const worker = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const child = fork(self, ['--child', String(seed), ...(withEssentia ? [] : ['--no-essentia'])], { execArgv: ['--import', 'tsx'] });
      const result = await new Promise<SongResult>((resolve, reject) => {
        child.on('message', (m) => resolve(m as SongResult));
        child.on('exit', (code) => code !== 0 && reject(new Error(`song ${seed} failed (exit ${code})`)));
      });
      results.push(result);
      const s = result.scores[OURS];
      process.stderr.write(
        `seed ${seed} (${result.style}): acc1 ${s.tempoAcc1} beatF ${s.beatF?.toFixed(3)} dbF ${s.downbeatF?.toFixed(3)} key ${s.keyWeighted} ` +
          `majmin ${s.chordMajmin?.toFixed(3)} 7ths ${s.chordSevenths?.toFixed(3)} F@3 ${s.boundaryF3?.toFixed(3)} pw ${s.pairwiseF?.toFixed(3)} ` +
          `tuning ${s.tuningErrorCents?.toFixed(1)}c (${result.wallSec[OURS].toFixed(2)} s)\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return results.sort((a, b) => a.seed - b.seed);
}

const COLUMNS: [keyof DescriptionScores, string, 'mean' | 'median'][] = [
  ['tempoAcc1', 'tempo Acc1', 'mean'],
  ['tempoAcc2', 'Acc2', 'mean'],
  ['beatF', 'beat F', 'mean'],
  ['downbeatF', 'downbeat F', 'mean'],
  ['keyWeighted', 'key weighted', 'mean'],
  ['tuningErrorCents', 'tuning err (median, cents)', 'median'],
  ['chordMajmin', 'majmin', 'mean'],
  ['chordSevenths', 'sevenths', 'mean'],
  ['boundaryF05', 'F@0.5', 'mean'],
  ['boundaryF3', 'F@3', 'mean'],
  ['pairwiseF', 'pairwise F', 'mean'],
];

/** Metrics a system does not estimate at all (essentia has no downbeats or sections; aubio only tempo and beats). */
function notEstimated(system: string, key: keyof DescriptionScores): boolean {
  if (system === 'aubio') return !['tempoAcc1', 'tempoAcc2', 'beatF'].includes(key);
  return system !== OURS && ['downbeatF', 'boundaryF05', 'boundaryF3', 'pairwiseF'].includes(key);
}

function table(results: SongResult[]): string {
  const systems = Object.keys(results[0].scores);
  const rows = systems.map((sys) => {
    const summary = summarizeScores(results.map((r) => r.scores[sys]));
    return [sys, ...COLUMNS.map(([k, , stat]) => (notEstimated(sys, k) ? '—' : (summary[k][stat] ?? NaN)))];
  });
  return markdownTable(['system', ...COLUMNS.map(([, label]) => label)], rows as (string | number)[][]);
}

function timing(results: SongResult[]): string {
  const audio = results.reduce((a, r) => a + r.durationSec, 0);
  const ours = results.reduce((a, r) => a + r.wallSec[OURS], 0);
  const ess = results.reduce((a, r) => a + (r.wallSec.essentia ?? 0), 0);
  const lines = [`Audio analysed: ${audio.toFixed(0)} s in ${results.length} songs. stemflow MIR: ${ours.toFixed(1)} s (${(ours / audio).toFixed(3)} × real time).`];
  if (ess > 0) lines.push(`essentia.js (2 rhythm methods, 4 key profiles, tuning, chords): ${ess.toFixed(1)} s (${(ess / audio).toFixed(3)} × real time); ratio ${(ess / ours).toFixed(1)}×.`);
  const aub = results.reduce((a, r) => a + (r.wallSec.aubio ?? 0), 0);
  if (aub > 0) lines.push(`aubio (tempo and beats): ${aub.toFixed(1)} s (${(aub / audio).toFixed(3)} × real time).`);
  return lines.join(' ');
}

async function main(): Promise<void> {
  const child = argValue('--child');
  if (child !== undefined) {
    const result = await evaluateSong(Number(child), !hasFlag('--no-essentia'));
    process.send!(result);
    return;
  }
  const seeds = parseSeedRange(argValue('--seeds') ?? '1-40');
  const heldout = parseSeedRange(argValue('--heldout') ?? '1000-1009');
  const jobs = Number(argValue('--jobs') ?? 2);
  const withEssentia = !hasFlag('--no-essentia');
  const dev = await runAll(seeds, jobs, withEssentia);
  const held = heldout.length ? await runAll(heldout, jobs, withEssentia) : [];
  const body = [
    `### Development corpus (seeds ${seeds[0]}–${seeds[seeds.length - 1]}, ${dev.length} songs)`,
    table(dev),
    timing(dev),
    ...(held.length ? [`### Held-out songs (seeds ${heldout[0]}–${heldout[heldout.length - 1]}, ${held.length} songs, never tuned on)`, table(held), timing(held)] : []),
    'Means over songs (tuning: median). Metrics follow mir_eval: beat F at ±70 ms after trimming the first 5 s; key MIREX weighted; chords WCSR; boundaries with trimming; pairwise labels on repetition letters. "—": the system does not estimate it (essentia.js has no downbeats or sections; aubio estimates only tempo and beats).',
  ].join('\n\n');
  process.stdout.write(body + '\n');
  if (hasFlag('--write')) {
    const cmd = `npx tsx bench/accuracy.ts --seeds ${argValue('--seeds') ?? '1-40'} --heldout ${argValue('--heldout') ?? '1000-1009'}${withEssentia ? '' : ' --no-essentia'}`;
    await writeBenchmarkSection('accuracy', 'Analysis accuracy against exact truth', cmd, body);
  }
}

await main();
