/**
 * Long files: wall time and peak memory of `stemflow analyze` as the input grows to an hour.
 * Each case runs in a fresh child process (start-up excluded, as in bench/speed.ts), so its peak
 * RSS (VmHWM) is its own.
 *
 *   npx tsx bench/long-file.ts [--durations 30,180,600,3600] [--write]
 *
 * Input per duration: a rendered song (seed 4; beyond 300 s, its first 300 s repeated) as a
 * 16-bit WAV, encoded to MP3 with Debian's `lame -V2`. Cases:
 *   full            the CLI's default: one-shot up to 10 min, piece by piece (analyzeLong) beyond
 *   full --stream   always piece by piece: decode, MIR, windowed separation, stems appended
 *   MIR --stream    piece by piece, `--stems none`
 */
import { execFileSync, fork } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWavSamples, wavHeader } from '../shared/audio/wav.js';
import { decodeAudio } from '../shared/audio/decode.js';
import { renderSong } from '../shared/generation/song.js';
import { main as cli } from '../cli/main.js';
import { argValue, hasFlag } from './args.js';
import { markdownTable, peakRssMb, writeBenchmarkSection } from './report.js';

interface CaseResult {
  wallSec: number;
  peakRssMb: number;
}

const CASES: Record<string, string[]> = {
  full: [],
  'full --stream': ['--stream'],
  'MIR --stream': ['--stream', '--stems', 'none'],
};

async function runCase(name: string, file: string, outDir: string): Promise<CaseResult> {
  // Start-up, as a warm worker has paid it: the command's modules and the decoder's compile.
  await import('../cli/commands/analyze.js');
  await decodeAudio(new Uint8Array(readFileSync(file)).subarray(0, 32768)).catch(() => undefined);
  const t0 = performance.now();
  const io = { stdout: () => {}, stderr: (t: string) => process.stderr.write(t), isTTY: false };
  const code = await cli(['analyze', file, '--out', outDir, '--quiet', ...CASES[name]], io);
  if (code !== 0) throw new Error(`analyze exited ${code}`);
  return { wallSec: (performance.now() - t0) / 1000, peakRssMb: peakRssMb() };
}

function inChild(name: string, file: string, outDir: string): Promise<CaseResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', name, file, outDir], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.on('message', (m) => resolve(m as CaseResult));
    child.on('exit', (code) => code !== 0 && reject(new Error(`${name} failed (exit ${code})`)));
  });
}

/** A 16-bit stereo WAV of `durationSec`, repeating a 300 s rendering beyond that, written as it goes. */
function writeLongWav(path: string, durationSec: number): void {
  const song = renderSong(4, { durationSec: Math.min(durationSec, 300) });
  const { sampleRate, channels } = song.mix;
  const frames = Math.round(durationSec * sampleRate);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, wavHeader(sampleRate, channels.length, frames, { bitDepth: 16 }));
    for (let done = 0; done < frames; ) {
      const n = Math.min(channels[0].length, frames - done);
      writeSync(fd, encodeWavSamples(channels.map((c) => c.subarray(0, n)), 16));
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

async function main(): Promise<void> {
  const childIdx = process.argv.indexOf('--child');
  if (childIdx >= 0) {
    const [name, file, outDir] = process.argv.slice(childIdx + 1);
    process.send!(await runCase(name, file, outDir));
    return;
  }
  const durations = (argValue('--durations') ?? '30,180,600,3600').split(',').map(Number);
  const work = mkdtempSync(join(tmpdir(), 'stemflow-long-'));
  const rows: (string | number)[][] = [];
  try {
    for (const durationSec of durations) {
      const wav = join(work, `song-${durationSec}.wav`);
      const mp3 = join(work, `song-${durationSec}.mp3`);
      writeLongWav(wav, durationSec);
      execFileSync('lame', ['--quiet', '-V2', wav, mp3]);
      rmSync(wav);
      const row: (string | number)[] = [`${durationSec / 60} min`];
      for (const name of Object.keys(CASES)) {
        const out = join(work, 'out');
        const r = await inChild(name, mp3, out);
        rmSync(out, { recursive: true, force: true });
        process.stderr.write(`${durationSec} s ${name}: ${r.wallSec.toFixed(2)} s, ${r.peakRssMb.toFixed(0)} MB\n`);
        row.push(r.wallSec.toFixed(1), ((r.wallSec / durationSec) * 60).toFixed(2), r.peakRssMb.toFixed(0));
      }
      rmSync(mp3);
      rows.push(row);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const header = ['input (MP3)'];
  for (const name of Object.keys(CASES)) header.push(`${name} s`, `${name} s per min`, `${name} peak RSS MB`);
  const body = [
    markdownTable(header, rows),
    'One run per case, each in a fresh process (start-up excluded), wall clock; peak RSS is the process VmHWM. "full" is what `stemflow analyze` does by default: the one-shot path (MIR and separation side by side, everything in memory) up to 10 minutes, the piece-by-piece path beyond. `--stream` forces the piece-by-piece path (shared/pipeline/analyzeLong.ts): decode 1 MiB of MP3 at a time into the analysis signal, the loudness meter and a temporary spill file; MIR with spectrograms over 256 MiB visited in blocks; then separation 60 s at a time on every core, stems appended to their files. Stems and JAMS equal the one-shot results exactly (test/pipeline/long.test.ts).',
  ].join('\n\n');
  process.stdout.write(body + '\n');
  if (hasFlag('--write')) await writeBenchmarkSection('long-files', 'Long files: time and memory up to an hour', `npx tsx bench/long-file.ts --durations ${durations.join(',')}`, body);
}

await main();
