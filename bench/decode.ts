/**
 * Decode (and resample) timings for a 3-minute 44.1 kHz stereo file in every format.
 * Run: npx tsx bench/decode.ts   (needs sox, lame, flac, vorbis-tools; RUNS=n to repeat)
 * Not a test: prints the best of RUNS for wall time and for process CPU time (user + system),
 * which is less disturbed by other processes on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudio, probeAudio } from '../shared/audio/decode.js';
import { resample, resampleMono } from '../shared/audio/resample.js';
import { toMono } from '../shared/audio/types.js';

/** Run `fn` `runs` times; best wall ms and best CPU ms. */
async function timeBest(runs: number, fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}
const fmt = (t: { wall: number; cpu: number }) => `wall ${t.wall.toFixed(0).padStart(5)} ms  cpu ${t.cpu.toFixed(0).padStart(5)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'stemflow-time-'));
try {
  const wav = join(dir, 'long.wav');
  execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', wav, 'synth', '180', 'pinknoise', 'sine', '440', 'vol', '0.5']);
  execFileSync('lame', ['--quiet', '-b', '192', wav, join(dir, 'long.mp3')]);
  execFileSync('flac', ['-s', '-f', wav, '-o', join(dir, 'long.flac')]);
  execFileSync('oggenc', ['-Q', wav, '-o', join(dir, 'long.ogg')]);
  const runs = Number(process.env.RUNS ?? 3);
  for (const name of ['long.wav', 'long.mp3', 'long.flac', 'long.ogg']) {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    let frames = 0;
    const t = await timeBest(runs, async () => {
      frames = (await decodeAudio(bytes)).audio.channels[0].length;
    });
    const p = await timeBest(runs, () => probeAudio(bytes));
    console.log(`decode ${name.padEnd(10)} ${(bytes.length / 1e6).toFixed(1).padStart(5)} MB  ${fmt(t)}  (probe ${p.wall.toFixed(1)} ms)  frames ${frames}`);
  }
  const { audio } = await decodeAudio(new Uint8Array(readFileSync(wav)));
  const mono = toMono(audio);
  for (const [from, to] of [[44100, 22050], [48000, 22050], [44100, 48000]] as const) {
    const x = from === 44100 ? mono : resampleMono(mono, 44100, from);
    console.log(`resampleMono ${from}->${to} (fast) 3 min mono: ${fmt(await timeBest(runs, () => resampleMono(x, from, to)))}`);
  }
  for (const q of ['fast', 'medium', 'best'] as const) {
    console.log(`resample ${q.padEnd(6)} 44100->48000 3 min stereo: ${fmt(await timeBest(1, () => resample(audio, 48000, { quality: q })))}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
