/**
 * Development bench for the rhythm path: renders generator songs with known truth, resamples the
 * mix to the analysis rate, runs analyzeRhythm and prints tempo Acc1/Acc2, beat F (±70 ms) and
 * downbeat F per song and on average, with the per-song meter and the mean signed beat offset
 * (estimate − truth, ms, over beats paired within ±70 ms) with its spread (standard deviation).
 *
 *   npx tsx bench/rhythm-dev.ts [first=1] [last=20] [--duration 60] [--verbose]
 *     [--speed 1.4] [--stems drums,bass,other,vocals] [--set validation --write]
 *
 * `--set NAME --write` stores the means in BENCHMARKS.md (section 'rhythm-NAME'), with the songs
 * that miss a bar of the analysis issue (tempo Acc1 1, beat F 0.96, downbeat F 0.90) listed.
 *
 * Stress material beyond the generator's tempo ranges and mixes (development only):
 * `--speed k` plays the song k times faster (the samples are read as if recorded at k × the
 * rate, so tempo × k, pitch × k, truth times ÷ k); `--stems` mixes only the listed stems.
 *
 * Seeds ≥ 1000 are the held-out set: report on them, never tune on them.
 */
import { AnalysisSignal, ANALYSIS_SAMPLE_RATE } from '../shared/mir/signal.js';
import { analyzeRhythm } from '../shared/mir/rhythm.js';
import { resampleMono } from '../shared/audio/resample.js';
import { toMono } from '../shared/audio/types.js';
import { tempoAccuracy1, tempoAccuracy2 } from './metrics/tempo.js';
import { beatFMeasure, downbeatFMeasure } from './metrics/beat.js';
import { renderSong, type RenderedSong } from '../shared/generation/song.js';
import { matchBeatOffsets } from '../shared/mir/beats-match.js';
import { argValue, hasFlag } from './args.js';
import { markdownTable, writeBenchmarkSection } from './report.js';

const args = process.argv.slice(2);
const VALUE_FLAGS = ['--duration', '--speed', '--stems', '--set'];
const positional = args.filter((a, i) => !a.startsWith('--') && !VALUE_FLAGS.includes(args[i - 1] ?? ''));
const first = Number(positional[0] ?? 1);
const last = Number(positional[1] ?? 20);
const durIdx = args.indexOf('--duration');
const durationSec = durIdx >= 0 ? Number(args[durIdx + 1]) : undefined;
const verbose = args.includes('--verbose');
const speedIdx = args.indexOf('--speed');
const speed = speedIdx >= 0 ? Math.round(44100 * Number(args[speedIdx + 1])) / 44100 : 1;
const stemsIdx = args.indexOf('--stems');
const stems = stemsIdx >= 0 ? (args[stemsIdx + 1].split(',') as (keyof RenderedSong['stems'])[]) : null;

/** Mono mix of the song (or of the chosen stems) at the analysis rate, played `speed` times faster. */
function monoOf(song: RenderedSong): Float32Array {
  let mono: Float32Array;
  if (stems) {
    mono = new Float32Array(song.mix.channels[0].length);
    for (const s of stems) {
      const m = toMono(song.stems[s]);
      for (let i = 0; i < mono.length; i++) mono[i] += m[i];
    }
  } else mono = toMono(song.mix);
  return resampleMono(mono, Math.round(song.mix.sampleRate * speed), ANALYSIS_SAMPLE_RATE);
}

const rows: { acc1: number; acc2: number; beatF: number; downF: number; ms: number; offMs: number; spreadMs: number }[] = [];
/** Songs that miss a bar: seed, style, truth tempo and meter, estimate, Acc1, beat F, downbeat F. */
const misses: (string | number)[][] = [];
for (let seed = first; seed <= last; seed++) {
  const song = renderSong(seed, durationSec ? { durationSec } : {});
  const mono = monoOf(song);
  const t0 = performance.now();
  const signal = new AnalysisSignal(mono, ANALYSIS_SAMPLE_RATE);
  signal.magnitude(2048, 512);
  const t1 = performance.now();
  const r = analyzeRhythm(signal);
  const ms = performance.now() - t1;
  const truth = speed === 1 ? song.truth : { ...song.truth, durationSec: song.truth.durationSec / speed, beats: song.truth.beats.map((b) => ({ ...b, timeSec: b.timeSec / speed })), tempo: song.truth.tempo ? { ...song.truth.tempo, bpm: song.truth.tempo.bpm * speed } : song.truth.tempo };
  const refBpm = truth.tempo?.bpm ?? 0;
  const acc1 = tempoAccuracy1(refBpm, r.tempo?.bpm ?? null);
  const acc2 = tempoAccuracy2(refBpm, r.tempo?.bpm ?? null);
  const beatF = beatFMeasure(truth.beats.map((b) => b.timeSec), r.beats.map((b) => b.timeSec)).fMeasure;
  const downF = downbeatFMeasure(truth.beats, r.beats).fMeasure;
  // Mean signed offset (estimate − truth) of the beats paired within the ±70 ms window, ms.
  const pairs = matchBeatOffsets(truth.beats.map((b) => b.timeSec), r.beats.map((b) => b.timeSec)).offsetsSec;
  const offMs = pairs.length ? (1000 * pairs.reduce((s, v) => s + v, 0)) / pairs.length : 0;
  // Spread: standard deviation of those offsets about their mean, ms (how evenly the beats sit on their attacks).
  const spreadMs = pairs.length ? Math.sqrt(pairs.reduce((s, v) => s + (1000 * v - offMs) ** 2, 0) / pairs.length) : 0;
  rows.push({ acc1, acc2, beatF, downF, ms, offMs, spreadMs });
  const style = song.meta.style;
  if (acc1 < 1 || beatF < 0.96 || downF < 0.9) {
    misses.push([seed, style, `${refBpm.toFixed(1)} ${truth.beatsPerBar}/4`, `${(r.tempo?.bpm ?? 0).toFixed(1)} ${r.beatsPerBar}/4`, acc1, beatF, downF]);
  }
  console.log(
    `seed ${String(seed).padStart(4)} ${style.padEnd(10)} ref ${refBpm.toFixed(1).padStart(6)} ${truth.beatsPerBar}/4 drift ${song.meta.tempoDrift.toFixed(3)} ` +
      `est ${(r.tempo?.bpm ?? 0).toFixed(1).padStart(6)} ${r.beatsPerBar}/4  acc1 ${acc1} acc2 ${acc2}  beatF ${beatF.toFixed(3)}  downF ${downF.toFixed(3)}  off ${offMs.toFixed(1).padStart(5)} ms spread ${spreadMs.toFixed(1).padStart(4)} ms  ` +
      `rhythm ${ms.toFixed(0)} ms (stft ${(t1 - t0).toFixed(0)} ms) ${truth.durationSec.toFixed(0)} s`,
  );
  if (verbose) {
    const firstTruth = truth.beats.slice(0, 6).map((b) => `${b.timeSec.toFixed(2)}/${b.positionInBar}`).join(' ');
    const firstEst = r.beats.slice(0, 6).map((b) => `${b.timeSec.toFixed(2)}/${b.positionInBar}`).join(' ');
    console.log(`   truth ${firstTruth}\n   est   ${firstEst}`);
  }
}
const mean = (k: keyof (typeof rows)[number]): number => rows.reduce((s, r) => s + r[k], 0) / Math.max(1, rows.length);
const summary =
  `MEAN seeds ${first}..${last} (n=${rows.length}): acc1 ${mean('acc1').toFixed(3)} acc2 ${mean('acc2').toFixed(3)} beatF ${mean('beatF').toFixed(3)} downF ${mean('downF').toFixed(3)} offset ${mean('offMs').toFixed(1)} ms spread ${mean('spreadMs').toFixed(2)} ms rhythm ${mean('ms').toFixed(0)} ms`;
console.log(summary);
const set = argValue('--set');
if (set && hasFlag('--write')) {
  const command = `npx tsx bench/rhythm-dev.ts ${first} ${last}${durationSec ? ` --duration ${durationSec}` : ''} --set ${set} --write`;
  const table = misses.length
    ? markdownTable(['seed', 'style', 'truth', 'estimate', 'tempo Acc1', 'beat F', 'downbeat F'], misses)
    : 'Every song meets every bar.';
  await writeBenchmarkSection(`rhythm-${set}`, `Beats and downbeats, ${set} songs (the songs under a bar)`, command, `${table}\n\n${summary} (offset: mean signed estimate − truth of the paired beats; spread: their standard deviation)`);
}
