/**
 * Speed and peak memory of the full analysis as the input grows, against essentia.js in the same
 * run. Each case runs in a fresh child process, so its peak RSS (getrusage maxRSS) is its own.
 *
 *   npx tsx bench/speed.ts [--durations 30,180,600] [--repeat 3] [--cold] [--no-essentia] [--write]
 *
 * Cases, per duration (a rendered song encoded to MP3 with Debian's `lame -V2`):
 *   full      stemflow analyze: decode MP3, separate 4 stems, all MIR, write stems (16-bit WAV) + JAMS
 *   mir       stemflow analyze --stems none: decode, all MIR, write the JAMS
 *   mir-tsx   (--cold only) the same as mir, run from the TypeScript sources through tsx
 *   essentia  decode (stemflow's decoder), then essentia.js RhythmExtractor2013 (multifeature),
 *             KeyExtractor (edma), TuningFrequencyExtractor, HPCP + ChordsDetectionBeats
 *
 * With --cold, full and mir run the compiled app (dist/, built first by `npm run build`) in
 * a plain Node process (bench/cold-child.mjs), timed from the process's start, as a Functions
 * worker's cold start runs it.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../shared/audio/decode.js';
import { toMono } from '../shared/audio/types.js';
import { encodeWav } from '../shared/audio/wav.js';
import { renderSong } from '../shared/generation/song.js';
import { main as cli } from '../cli/main.js';
import { argValue, hasFlag } from './args.js';
import { analyzeWithEssentia } from './peers/essentia.js';
import { markdownTable, peakRssMb, writeBenchmarkSection } from './report.js';

interface CaseResult {
  wallSec: number;
  peakRssMb: number;
  /** The MIR steps alone (the CLI's mir_time_s), for the stemflow cases. */
  mirStepsSec?: number;
}

/**
 * Start-up, done before the clock starts in every case alike, as a warm Functions worker has done
 * it: loading the analyze command's modules, the decoder's first use (its WebAssembly compile),
 * and one job of the same kind on a 20 s song (the hot code compiled by V8, and for stemflow the
 * kept separation thread warm; essentia.js runs its own 20 s job). A one-shot CLI run pays all
 * of that ("cold", `--cold`).
 */
async function startUp(kind: string, file: string, outDir: string): Promise<void> {
  await import('../cli/commands/analyze.js');
  await decodeAudio(new Uint8Array(readFileSync(file)).subarray(0, 32768)).catch(() => undefined);
  const warm = renderSong(9, { durationSec: 20 }).mix;
  if (kind === 'essentia') {
    analyzeWithEssentia(toMono(warm), warm.sampleRate, { rhythmMethods: ['multifeature'], keyProfiles: ['edma'] });
    return;
  }
  const warmFile = `${outDir}-warm.wav`;
  writeFileSync(warmFile, encodeWav(warm, { bitDepth: 16 }));
  const io = { stdout: () => undefined, stderr: (t: string) => process.stderr.write(t), isTTY: false };
  await cli(['analyze', warmFile, '--out', `${outDir}-warm`, '--quiet', ...(kind === 'mir' ? ['--stems', 'none'] : [])], io);
}

async function runCase(kind: string, file: string, outDir: string, cold: boolean): Promise<CaseResult> {
  if (!cold) await startUp(kind, file, outDir);
  const t0 = performance.now();
  if (kind === 'full' || kind === 'mir') {
    let out = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => process.stderr.write(t), isTTY: false };
    const code = await cli(['analyze', file, '--out', outDir, '--quiet', '--json', ...(kind === 'mir' ? ['--stems', 'none'] : [])], io);
    if (code !== 0) throw new Error(`analyze exited ${code}`);
    return { wallSec: (performance.now() - t0) / 1000, peakRssMb: peakRssMb(), mirStepsSec: JSON.parse(out).mir_time_s };
  } else if (kind === 'essentia') {
    const { audio } = await decodeAudio(new Uint8Array(readFileSync(file)));
    analyzeWithEssentia(toMono(audio), audio.sampleRate, { rhythmMethods: ['multifeature'], keyProfiles: ['edma'] });
  } else {
    throw new Error(`unknown case ${kind}`);
  }
  return { wallSec: (performance.now() - t0) / 1000, peakRssMb: peakRssMb() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function inChild(kind: string, file: string, outDir: string, cold: boolean): Promise<CaseResult> {
  const child =
    cold && (kind === 'full' || kind === 'mir')
      ? fork(fileURLToPath(new URL('./cold-child.mjs', import.meta.url)), [kind, file, outDir], { execArgv: [] })
      : fork(fileURLToPath(import.meta.url), ['--child', kind === 'mir-tsx' ? 'mir' : kind, file, outDir, ...(cold ? ['--cold'] : [])], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.on('message', (m) => resolve(m as CaseResult));
    child.on('exit', (code) => code !== 0 && reject(new Error(`${kind} failed (exit ${code})`)));
  });
}

async function main(): Promise<void> {
  const childIdx = process.argv.indexOf('--child');
  if (childIdx >= 0) {
    const [kind, file, outDir] = process.argv.slice(childIdx + 1);
    process.send!(await runCase(kind, file, outDir, hasFlag('--cold')));
    return;
  }
  const durations = (argValue('--durations') ?? '30,180,600').split(',').map(Number);
  const repeats = Math.max(1, Number(argValue('--repeat') ?? 3));
  const cold = hasFlag('--cold');
  const kinds = ['full', 'mir', ...(cold ? ['mir-tsx'] : []), ...(hasFlag('--no-essentia') ? [] : ['essentia'])];
  // A cold start runs what is deployed: the compiled app.
  if (cold) execFileSync('npm', ['run', '--silent', 'build'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'stemflow-speed-'));
  const rows: (string | number)[][] = [];
  try {
    for (const durationSec of durations) {
      const song = renderSong(4, { durationSec });
      const wav = join(work, `song-${durationSec}.wav`);
      const mp3 = join(work, `song-${durationSec}.mp3`);
      writeFileSync(wav, encodeWav(song.mix, { bitDepth: 16 }));
      execFileSync('lame', ['--quiet', '-V2', wav, mp3]);
      const results: Record<string, CaseResult> = {};
      for (const kind of kinds) {
        // Runs interleave with nothing else; the median damps the machine's noise.
        const runs: CaseResult[] = [];
        for (let r = 0; r < repeats; r++) {
          runs.push(await inChild(kind, mp3, join(work, `out-${kind}-${durationSec}`), cold));
          process.stderr.write(`${durationSec} s ${kind} #${r + 1}: ${runs[r].wallSec.toFixed(2)} s, ${runs[r].peakRssMb.toFixed(0)} MB\n`);
        }
        results[kind] = {
          wallSec: median(runs.map((x) => x.wallSec)),
          peakRssMb: Math.max(...runs.map((x) => x.peakRssMb)),
          mirStepsSec: runs[0].mirStepsSec === undefined ? undefined : median(runs.map((x) => x.mirStepsSec!)),
        };
      }
      const ess = results.essentia;
      rows.push([
        `${durationSec} s`,
        results.full.wallSec, results.full.peakRssMb.toFixed(0),
        results.mir.wallSec, results.mir.mirStepsSec ?? '—', results.mir.peakRssMb.toFixed(0),
        ...(cold ? [results['mir-tsx'].wallSec] : []),
        ess ? ess.wallSec : '—', ess ? ess.peakRssMb.toFixed(0) : '—',
        ess ? `${(ess.wallSec / results.full.wallSec).toFixed(1)}×` : '—',
        ess ? `${(ess.wallSec / results.mir.wallSec).toFixed(1)}×` : '—',
      ]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const body = [
    markdownTable(
      ['input (MP3)', 'full analysis s', 'full peak RSS MB', 'MIR only s', 'of which MIR steps s', 'MIR peak RSS MB', ...(cold ? ['MIR only from TS sources (tsx) s'] : []), 'essentia.js MIR s', 'essentia peak RSS MB', 'essentia ÷ full', 'essentia ÷ MIR'],
      rows,
    ),
    'Full analysis = decode + 4 stems + all MIR + stems and JAMS written. MIR only = decode + all MIR + JAMS written (`--stems none`); "of which MIR steps" is the MIR computation alone (resample, rhythm, tonal, structure, descriptors; the CLI\'s `mir_time_s`). essentia.js MIR = decode (stemflow\'s decoder) + RhythmExtractor2013, KeyExtractor, TuningFrequencyExtractor, HPCP + ChordsDetectionBeats. Times are the median of ' + repeats + ' runs, each in a fresh process, wall clock; ' + (cold ? 'cold: stemflow runs the compiled app (dist/) in a fresh Node process, timed from the process\'s start, so Node\'s start-up, module loading and the decoder\'s WebAssembly compile are inside the timing; "from TS sources (tsx)" is the MIR-only job run from the TypeScript sources through tsx\'s loader (as `node bin/stemflow.js` runs it), timed from the analyze command\'s start (its module loading is inside); essentia.js is timed after its module has loaded' : 'warm: before the clock starts, each process has loaded its modules and run one job of its kind on a 20 s song, as a Functions worker that has served a job (stemflow keeps its separation thread between jobs); `--cold` times a fresh process') + '. Peak RSS (VmHWM) is the largest of the runs.',
  ].join('\n\n');
  process.stdout.write(body + '\n');
  if (hasFlag('--write')) {
    await writeBenchmarkSection(cold ? 'speed-cold' : 'speed', `Analysis speed and memory against essentia.js${cold ? ' (cold process)' : ''}`, `npx tsx bench/speed.ts --durations ${durations.join(',')} --repeat ${repeats}${cold ? ' --cold' : ''}`, body);
  }
}

await main();
