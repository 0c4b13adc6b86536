/**
 * Development bench for the rhythm path: renders generator songs with known truth, resamples the
 * mix to the analysis rate, runs analyzeRhythm and prints tempo Acc1/Acc2, beat F (±70 ms) and
 * downbeat F per song and on average, with the per-song meter.
 *
 *   npx tsx bench/rhythm-dev.ts [first=1] [last=20] [--duration 60] [--verbose]
 *
 * Seeds ≥ 1000 are the held-out set: report on them, never tune on them.
 */
import { AnalysisSignal, ANALYSIS_SAMPLE_RATE } from '../shared/mir/signal.js';
import { analyzeRhythm } from '../shared/mir/rhythm.js';
import { resampleMono } from '../shared/audio/resample.js';
import { toMono } from '../shared/audio/types.js';
import { tempoAccuracy1, tempoAccuracy2 } from './metrics/tempo.js';
import { beatFMeasure, downbeatFMeasure } from './metrics/beat.js';
import { renderSong } from '../shared/generation/song.js';

const args = process.argv.slice(2);
const positional = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--duration'));
const first = Number(positional[0] ?? 1);
const last = Number(positional[1] ?? 20);
const durIdx = args.indexOf('--duration');
const durationSec = durIdx >= 0 ? Number(args[durIdx + 1]) : undefined;
const verbose = args.includes('--verbose');

const rows: { acc1: number; acc2: number; beatF: number; downF: number; ms: number }[] = [];
for (let seed = first; seed <= last; seed++) {
  const song = renderSong(seed, durationSec ? { durationSec } : {});
  const mono = resampleMono(toMono(song.mix), song.mix.sampleRate, ANALYSIS_SAMPLE_RATE);
  const t0 = performance.now();
  const signal = new AnalysisSignal(mono, ANALYSIS_SAMPLE_RATE);
  signal.magnitude(2048, 512);
  const t1 = performance.now();
  const r = analyzeRhythm(signal);
  const ms = performance.now() - t1;
  const truth = song.truth;
  const refBpm = truth.tempo?.bpm ?? 0;
  const acc1 = tempoAccuracy1(refBpm, r.tempo?.bpm ?? null);
  const acc2 = tempoAccuracy2(refBpm, r.tempo?.bpm ?? null);
  const beatF = beatFMeasure(truth.beats.map((b) => b.timeSec), r.beats.map((b) => b.timeSec)).fMeasure;
  const downF = downbeatFMeasure(truth.beats, r.beats).fMeasure;
  rows.push({ acc1, acc2, beatF, downF, ms });
  const style = song.meta.style;
  console.log(
    `seed ${String(seed).padStart(4)} ${style.padEnd(10)} ref ${refBpm.toFixed(1).padStart(6)} ${truth.beatsPerBar}/4 drift ${song.meta.tempoDrift.toFixed(3)} ` +
      `est ${(r.tempo?.bpm ?? 0).toFixed(1).padStart(6)} ${r.beatsPerBar}/4  acc1 ${acc1} acc2 ${acc2}  beatF ${beatF.toFixed(3)}  downF ${downF.toFixed(3)}  ` +
      `rhythm ${ms.toFixed(0)} ms (stft ${(t1 - t0).toFixed(0)} ms) ${truth.durationSec.toFixed(0)} s`,
  );
  if (verbose) {
    const firstTruth = truth.beats.slice(0, 6).map((b) => `${b.timeSec.toFixed(2)}/${b.positionInBar}`).join(' ');
    const firstEst = r.beats.slice(0, 6).map((b) => `${b.timeSec.toFixed(2)}/${b.positionInBar}`).join(' ');
    console.log(`   truth ${firstTruth}\n   est   ${firstEst}`);
  }
}
const mean = (k: keyof (typeof rows)[number]): number => rows.reduce((s, r) => s + r[k], 0) / Math.max(1, rows.length);
console.log(
  `MEAN seeds ${first}..${last} (n=${rows.length}): acc1 ${mean('acc1').toFixed(3)} acc2 ${mean('acc2').toFixed(3)} beatF ${mean('beatF').toFixed(3)} downF ${mean('downF').toFixed(3)} rhythm ${mean('ms').toFixed(0)} ms`,
);
