/**
 * Development bench for the structure path (sections) on generated songs with exact truth.
 *
 *   npx tsx bench/structure-dev.ts [--seeds 1-20] [--held-out] [--beats truth|rhythm]
 *                                  [--duration 180] [--options '{"chromaWeight":0.6}'] [--verbose] [--oracle-k]
 *                                  [--shift-ms 10] [--jitter-ms 3]
 *
 * Renders each seed with shared/generation/song.ts (cached as 22 050 Hz mono under
 * $TMPDIR/stemflow-structure-cache so that repeated runs skip rendering), computes the chroma
 * with shared/mir/chroma.ts (at the truth tuning with truth beats; estimated tuning with
 * `--beats rhythm`), takes the truth beats (default) or the rhythm path's (analyzeRhythm), runs
 * estimateSections, and prints per song and mean: boundary F@0.5 and F@3 (inner boundaries,
 * mir_eval definitions via bench/metrics/segment.ts), pairwise label F on the repetition letters,
 * the letter strings (truth vs estimate), and the time of the structure step.
 * `--held-out` runs seeds 1000..1009: never tune on them. `--oracle-k` (diagnostic) tells the
 * clustering the true number of section types (Laplacian method only).
 * `--options '{"method":"laplacian"}'` runs the earlier Laplacian method for comparison (the
 * "k/eig" lines are then its cluster count and eigenvalues; with the default novelty method k is
 * the number of letters and no eigenvalues are printed). `--shift-ms` moves every beat by that
 * many milliseconds, `--jitter-ms` each beat by its own uniform offset within ± that many (robustness
 * checks: the sections should barely change).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resampleMono } from '../shared/audio/resample.js';
import type { BeatEvent, MusicDescription, SectionEvent } from '../shared/contracts/music.js';
import { renderSong } from '../shared/generation/song.js';
import { computeChroma } from '../shared/mir/chroma.js';
import { computeMfcc } from '../shared/mir/mfcc.js';
import { analyzeRhythm } from '../shared/mir/rhythm.js';
import { analyzeStructure, type SectionOptions } from '../shared/mir/segments.js';
import { ANALYSIS_SAMPLE_RATE, AnalysisSignal } from '../shared/mir/signal.js';
import { evaluateSegments } from './metrics/segment.js';

interface Args {
  seeds: number[];
  beats: 'truth' | 'rhythm';
  durationSec?: number;
  options: SectionOptions;
  verbose: boolean;
  /** Diagnostic only: give the clustering the true number of section types. */
  oracleK: boolean;
  /** Every beat moved by this much, s. */
  shiftSec: number;
  /** Every beat moved by its own uniform offset within ± this, s. */
  jitterSec: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seeds: Array.from({ length: 20 }, (_, i) => i + 1), beats: 'truth', options: {}, verbose: false, oracleK: false, shiftSec: 0, jitterSec: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--held-out') args.seeds = Array.from({ length: 10 }, (_, k) => 1000 + k);
    else if (a === '--seeds') {
      const [lo, hi] = argv[++i].split('-').map(Number);
      args.seeds = Array.from({ length: (hi ?? lo) - lo + 1 }, (_, k) => lo + k);
    } else if (a === '--beats') args.beats = argv[++i] === 'rhythm' ? 'rhythm' : 'truth';
    else if (a === '--duration') args.durationSec = Number(argv[++i]);
    else if (a === '--options') args.options = JSON.parse(argv[++i]) as SectionOptions;
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--oracle-k') args.oracleK = true;
    else if (a === '--shift-ms') args.shiftSec = Number(argv[++i]) / 1000;
    else if (a === '--jitter-ms') args.jitterSec = Number(argv[++i]) / 1000;
  }
  return args;
}

interface CachedSong {
  mono: Float32Array;
  truth: MusicDescription;
}

const cacheDir = join(tmpdir(), 'stemflow-structure-cache');

/** The song's analysis-rate mono mix and truth, rendered once and cached on disk. */
function loadSong(seed: number, durationSec: number | undefined): CachedSong {
  mkdirSync(cacheDir, { recursive: true });
  const base = join(cacheDir, `seed-${seed}-${durationSec ?? 'default'}`);
  if (existsSync(`${base}.json`) && existsSync(`${base}.f32`)) {
    const buf = readFileSync(`${base}.f32`);
    const mono = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return { mono, ...(JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Omit<CachedSong, 'mono'>) };
  }
  const { mix, truth } = renderSong(seed, durationSec ? { durationSec } : {});
  const n = mix.channels[0].length;
  const mono = new Float32Array(n);
  for (const ch of mix.channels) for (let i = 0; i < n; i++) mono[i] += ch[i] / mix.channels.length;
  const x = resampleMono(mono, mix.sampleRate, ANALYSIS_SAMPLE_RATE);
  writeFileSync(`${base}.f32`, Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  writeFileSync(`${base}.json`, JSON.stringify({ truth }));
  return { mono: x, truth };
}

/** The rhythm path's beats (not cached: they change with the code under development). */
function rhythmBeats(signal: AnalysisSignal): { beats: BeatEvent[]; beatsPerBar: number | null } {
  const r = analyzeRhythm(signal);
  return { beats: r.beats, beatsPerBar: r.beatsPerBar };
}

/** Letter string with section lengths in bars-ish seconds, e.g. "A8 B8 A8". */
function describe(sections: SectionEvent[]): string {
  return sections.map((s) => `${s.letter}${Math.round(s.endSec - s.startSec)}`).join(' ');
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

const args = parseArgs(process.argv.slice(2));
const rows: { f05: number; f3: number; pw: number; ms: number }[] = [];
console.log(`structure-dev: seeds ${args.seeds[0]}..${args.seeds[args.seeds.length - 1]}, beats=${args.beats}${args.shiftSec ? ` shifted ${args.shiftSec * 1000} ms` : ''}${args.jitterSec ? ` jittered ±${args.jitterSec * 1000} ms` : ''}, options=${JSON.stringify(args.options)}`);
console.log('seed   F@0.5  F@3   pairF  ms    truth | estimate');
for (const seed of args.seeds) {
  const song = loadSong(seed, args.durationSec);
  const signal = new AnalysisSignal(song.mono, ANALYSIS_SAMPLE_RATE);
  const found =
    args.beats === 'truth' ? { beats: song.truth.beats, beatsPerBar: song.truth.beatsPerBar } : rhythmBeats(signal);
  const beatsPerBar = found.beatsPerBar;
  // Jitter: each beat moved by its own uniform offset in ±jitter (a fixed sequence per seed).
  let state = seed * 2654435761;
  const uniform = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const beats = found.beats.map((b) => ({ ...b, timeSec: b.timeSec + args.shiftSec + args.jitterSec * uniform() }));
  // Truth mode isolates the structure step (truth beats and tuning); rhythm mode runs the real front end.
  const chroma = args.beats === 'truth' ? computeChroma(signal, { tuningHz: song.truth.tuningHz }) : computeChroma(signal);
  computeMfcc(signal.magnitude(2048, 512)); // shared with descriptors in the pipeline; not part of the step time
  const t0 = performance.now();
  const options = args.oracleK ? { ...args.options, numSectionTypes: new Set(song.truth.sections.map((s) => s.letter)).size } : args.options;
  const result = analyzeStructure(signal, beats, beatsPerBar, chroma, options);
  const ms = performance.now() - t0;
  const ref = song.truth.sections.map((s) => ({ startSec: s.startSec, endSec: s.endSec, label: s.letter }));
  const est = result.sections.map((s) => ({ startSec: s.startSec, endSec: s.endSec, label: s.letter }));
  const scores = evaluateSegments(ref, est);
  rows.push({ f05: scores.boundary05.fMeasure, f3: scores.boundary3.fMeasure, pw: scores.pairwise.fMeasure, ms });
  console.log(
    `${String(seed).padEnd(6)} ${scores.boundary05.fMeasure.toFixed(3)}  ${scores.boundary3.fMeasure.toFixed(3)} ${scores.pairwise.fMeasure.toFixed(3)}  ${ms.toFixed(0).padEnd(5)} ${describe(song.truth.sections)} | ${describe(result.sections)}`,
  );
  if (args.verbose) {
    console.log('   truth :', song.truth.sections.map((s) => `${s.startSec.toFixed(1)} ${s.letter} ${s.label}`).join(', '));
    console.log('   est   :', result.sections.map((s) => `${s.startSec.toFixed(1)} ${s.letter} ${s.label}`).join(', '));
    console.log('   k =', result.numSectionTypes, 'eig', Array.from(result.eigenvalues.slice(0, 10)).map((v) => v.toFixed(3)).join(' '));
    console.log('   bars :', result.barLabels.join(''));
  }
}
console.log(
  `mean   ${mean(rows.map((r) => r.f05)).toFixed(3)}  ${mean(rows.map((r) => r.f3)).toFixed(3)} ${mean(rows.map((r) => r.pw)).toFixed(3)}  ${mean(rows.map((r) => r.ms)).toFixed(0)}`,
);
