/**
 * Development bench for the tonal path (tuning, key, chords) on generated songs with exact truth.
 *
 *   npx tsx bench/tonal-dev.ts [--seeds 1-20] [--held-out] [--beats truth|rhythm] [--duration 60] [--verbose]
 *                              [--options '{"chords":{"subdivisions":2}}'] [--cache DIR]
 *
 * Renders each seed with shared/generation/song.ts, resamples the mix to 22050 Hz mono, runs
 * analyzeTonal with the truth beats (default) or the rhythm path's beats, and prints per song and
 * mean: key MIREX weighted score, tuning error (cents), chord WCSR majmin and sevenths, time.
 * `--held-out` runs seeds 1000..1009 (never tune on them). `--verbose` lists the chord confusions
 * by duration.
 */
import { renderSong } from '../shared/generation/song.js';
import { resampleMono } from '../shared/audio/resample.js';
import { AnalysisSignal, ANALYSIS_SAMPLE_RATE } from '../shared/mir/signal.js';
import { analyzeTonal, type TonalOptions } from '../shared/mir/tonal.js';
import { analyzeRhythm } from '../shared/mir/rhythm.js';
import { chordWcsr, compareChordLabels, mergeLabeledIntervals, adjustIntervals } from './metrics/chord.js';
import { keyWeightedScore } from './metrics/key.js';
import { tuningErrorCents } from './metrics/tuning.js';
import { formatKey } from '../shared/music/key.js';
import type { MusicDescription } from '../shared/contracts/music.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function parseArgs(argv: string[]): { seeds: number[]; beats: 'truth' | 'rhythm'; durationSec?: number; verbose: boolean; options: TonalOptions; cacheDir?: string } {
  let options: TonalOptions = {};
  let cacheDir: string | undefined;
  let seeds = Array.from({ length: 20 }, (_, i) => i + 1);
  let beats: 'truth' | 'rhythm' = 'truth';
  let durationSec: number | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--held-out') seeds = Array.from({ length: 10 }, (_, k) => 1000 + k);
    else if (a === '--seeds') {
      const [lo, hi] = argv[++i].split('-').map(Number);
      seeds = Array.from({ length: (hi ?? lo) - lo + 1 }, (_, k) => lo + k);
    } else if (a === '--beats') beats = argv[++i] === 'rhythm' ? 'rhythm' : 'truth';
    else if (a === '--duration') durationSec = Number(argv[++i]);
    else if (a === '--verbose') verbose = true;
    else if (a === '--options') options = JSON.parse(argv[++i]) as TonalOptions;
    else if (a === '--cache') cacheDir = argv[++i];
  }
  return { seeds, beats, durationSec, verbose, options, cacheDir };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}
function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

const args = parseArgs(process.argv.slice(2));

/**
 * Render a seed and resample its mono mix to 22050 Hz. With --cache DIR the result is kept on
 * disk, so that A/B comparisons run on identical audio while the generator changes.
 */
function loadSong(seed: number): { x: Float32Array; truth: MusicDescription } {
  const base = args.cacheDir ? join(args.cacheDir, `song-${seed}-${args.durationSec ?? 'default'}`) : undefined;
  if (base && existsSync(`${base}.json`)) {
    const buf = readFileSync(`${base}.f32`);
    const x = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return { x, truth: JSON.parse(readFileSync(`${base}.json`, 'utf8')) as MusicDescription };
  }
  const { mix, truth } = renderSong(seed, args.durationSec ? { durationSec: args.durationSec } : {});
  const n = mix.channels[0].length;
  const mono = new Float32Array(n);
  for (const ch of mix.channels) for (let i = 0; i < n; i++) mono[i] += ch[i] / mix.channels.length;
  const x = resampleMono(mono, mix.sampleRate, ANALYSIS_SAMPLE_RATE);
  if (base && args.cacheDir) {
    mkdirSync(args.cacheDir, { recursive: true });
    writeFileSync(`${base}.f32`, Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    writeFileSync(`${base}.json`, JSON.stringify(truth));
  }
  return { x, truth };
}
const rows: { key: number; tuning: number; majmin: number; sevenths: number; ms: number }[] = [];
const confusions = new Map<string, number>();
for (const seed of args.seeds) {
  const { x, truth } = loadSong(seed);
  const signal = new AnalysisSignal(x, ANALYSIS_SAMPLE_RATE);
  const t0 = performance.now();
  let beatTimes = truth.beats.map((b) => b.timeSec);
  if (args.beats === 'rhythm') beatTimes = analyzeRhythm(signal).beats.map((b) => b.timeSec);
  const t1 = performance.now();
  const tonal = analyzeTonal(signal, beatTimes, args.options);
  const ms = performance.now() - t1;
  const keyScore = keyWeightedScore(truth.key, tonal.key);
  const tuningErr = tuningErrorCents(truth.tuningHz, tonal.tuningHz);
  const ref = truth.chords.map((c) => ({ startSec: c.startSec, endSec: c.endSec, label: c.label }));
  const est = tonal.chords.map((c) => ({ startSec: c.startSec, endSec: c.endSec, label: c.label }));
  const majmin = chordWcsr(ref, est, 'majmin');
  const sevenths = chordWcsr(ref, est, 'sevenths');
  rows.push({ key: keyScore, tuning: tuningErr, majmin, sevenths, ms });
  const keyText = `${truth.key ? formatKey(truth.key) : '-'} → ${tonal.key ? formatKey(tonal.key) : '-'} (${tonal.key?.confidence.toFixed(2) ?? ''})`;
  console.log(
    `seed ${String(seed).padStart(4)} key ${keyScore.toFixed(1)} ${keyText.padEnd(34)} tuning ${truth.tuningHz.toFixed(2)}→${tonal.tuningHz.toFixed(2)} err ${tuningErr.toFixed(2)}c  majmin ${majmin.toFixed(3)} sevenths ${sevenths.toFixed(3)}  ${ms.toFixed(0)} ms${args.beats === 'rhythm' ? ` (+rhythm ${(t1 - t0).toFixed(0)} ms)` : ''}`,
  );
  if (args.verbose) {
    const tMax = Math.max(...ref.map((r) => r.endSec));
    const merged = mergeLabeledIntervals(ref, adjustIntervals(est, 0, tMax, 'N'));
    const local = new Map<string, number>();
    for (let i = 0; i < merged.startSec.length; i++) {
      const a = merged.startSec[i];
      const b = merged.endSec[i];
      const r = merged.referenceLabels[i];
      const e = merged.estimatedLabels[i];
      if (compareChordLabels(r, e, 'sevenths') === 0) {
        const k = `${r} ≠ ${e}`;
        local.set(k, (local.get(k) ?? 0) + (b - a));
        confusions.set(k, (confusions.get(k) ?? 0) + (b - a));
      }
    }
    const top = [...local.entries()].sort((p, q) => q[1] - p[1]).slice(0, 6);
    console.log('    ' + top.map(([k, v]) => `${k} ${v.toFixed(1)}s`).join(' | '));
  }
}
console.log(
  `MEAN over ${rows.length} songs: key weighted ${mean(rows.map((r) => r.key)).toFixed(3)}  tuning median ${medianOf(rows.map((r) => r.tuning)).toFixed(2)}c mean ${mean(rows.map((r) => r.tuning)).toFixed(2)}c  majmin ${mean(rows.map((r) => r.majmin)).toFixed(3)}  sevenths ${mean(rows.map((r) => r.sevenths)).toFixed(3)}  tonal time ${mean(rows.map((r) => r.ms)).toFixed(0)} ms`,
);
