/**
 * MP3 against WAV: renders generator songs, writes each as 16-bit WAV, encodes it with Debian
 * `lame` (CBR 192 kb/s and VBR -V 4), decodes every file through shared/audio/decode.ts, runs
 * analyzeRhythm on each and prints, per song and encoding, the max and mean |Δ| between matched
 * beats (WAV beat ↔ nearest MP3 beat within 70 ms) and the beats left unmatched. A codec path
 * that shifts the audio (an untrimmed encoder/decoder delay) shows as a constant offset.
 *
 *   npx tsx bench/mp3-wav.ts [--seeds 1-40] [--duration 60] [--set validation] [--write]
 *
 * --write stores the table in BENCHMARKS.md (section 'mp3-vs-wav'). --set names a set of songs the
 * beat placement is not tuned on (validation, held-out): its table goes to its own section
 * ('mp3-vs-wav-<set>') and lists only the song-encodings that miss the tolerance.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudio } from '../shared/audio/decode.js';
import { encodeWav } from '../shared/audio/wav.js';
import { resampleMono } from '../shared/audio/resample.js';
import { toMono } from '../shared/audio/types.js';
import { renderSong } from '../shared/generation/song.js';
import { AnalysisSignal, ANALYSIS_SAMPLE_RATE } from '../shared/mir/signal.js';
import { analyzeRhythm } from '../shared/mir/rhythm.js';
import { matchBeatOffsets } from '../shared/mir/beats-match.js';
import { argValue, hasFlag, parseSeedRange } from './args.js';
import { markdownTable, writeBenchmarkSection } from './report.js';

const DEFAULT_SEEDS = '1-40';
/** The tolerance the summary counts against, s. */
const TOLERANCE_SEC = 0.005;
const seeds = parseSeedRange(argValue('--seeds') ?? DEFAULT_SEEDS);
const durationSec = Number(argValue('--duration') ?? 60);
const ENCODINGS: Array<[string, string[]]> = [
  ['cbr192', ['-b', '192']],
  ['vbr-V4', ['-V', '4']],
];

/** Beat times (s) of an encoded file, decoded and analysed as the pipeline does. */
async function beatsOf(path: string): Promise<number[]> {
  const { audio } = await decodeAudio(new Uint8Array(readFileSync(path)));
  const mono = resampleMono(toMono(audio), audio.sampleRate, ANALYSIS_SAMPLE_RATE);
  return analyzeRhythm(new AnalysisSignal(mono, ANALYSIS_SAMPLE_RATE)).beats.map((b) => b.timeSec);
}

const dir = mkdtempSync(join(tmpdir(), 'stemflow-mp3wav-'));
const rows: (string | number)[][] = [];
const all: number[] = [];
try {
  for (const seed of seeds) {
    const wavPath = join(dir, `${seed}.wav`);
    writeFileSync(wavPath, encodeWav(renderSong(seed, { durationSec }).mix, { bitDepth: 16 }));
    const ref = await beatsOf(wavPath);
    for (const [name, flags] of ENCODINGS) {
      const mp3Path = join(dir, `${seed}-${name}.mp3`);
      execFileSync('lame', ['--quiet', ...flags, wavPath, mp3Path], { stdio: 'pipe' });
      const m = matchBeatOffsets(ref, await beatsOf(mp3Path));
      all.push(...m.offsetsSec.map(Math.abs));
      const maxMs = m.maxAbsSec * 1000;
      const meanMs = m.meanAbsSec * 1000;
      rows.push([seed, name, ref.length, m.offsetsSec.length, m.unmatchedA + m.unmatchedB, maxMs, meanMs]);
      console.log(
        `seed ${String(seed).padStart(4)} ${name.padEnd(7)} beats ${ref.length} matched ${m.offsetsSec.length} unmatched ${m.unmatchedA}+${m.unmatchedB}  ` +
          `max |Δ| ${maxMs.toFixed(2)} ms  mean |Δ| ${meanMs.toFixed(2)} ms`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const maxAll = all.length ? Math.max(...all) * 1000 : 0;
const meanAll = all.length ? (all.reduce((s, v) => s + v, 0) / all.length) * 1000 : 0;
const within = all.filter((v) => v <= TOLERANCE_SEC).length;
const toleranceMs = TOLERANCE_SEC * 1000;
// A song-encoding misses when a beat is off by more than the tolerance or left unmatched; a song
// passes when neither of its encodings misses.
const misses = rows.filter((r) => (r[5] as number) > toleranceMs || (r[4] as number) > 0);
const failing = new Set(misses.map((r) => r[0]));
const summary =
  `ALL seeds ${seeds[0]}..${seeds[seeds.length - 1]} (${durationSec} s): max |Δbeat| ${maxAll.toFixed(2)} ms, mean |Δbeat| ${meanAll.toFixed(2)} ms over ${all.length} matched beats; ` +
  `${within} of them (${((100 * within) / Math.max(1, all.length)).toFixed(2)} %) within ${toleranceMs} ms; ` +
  `songs with every beat within ${toleranceMs} ms in both encodings: ${seeds.length - failing.size} of ${seeds.length}` +
  (failing.size ? ` (not: seed ${[...failing].join(', ')})` : '');
console.log(summary);
if (hasFlag('--write')) {
  const set = argValue('--set');
  const shown = set ? misses : rows;
  const table = markdownTable(['seed', 'encoding', 'WAV beats', 'matched', 'unmatched', 'largest Δ (ms)', 'mean Δ, absolute (ms)'], shown);
  const command = `npx tsx bench/mp3-wav.ts --seeds ${argValue('--seeds') ?? DEFAULT_SEEDS} --duration ${durationSec}${set ? ` --set ${set}` : ''} --write`;
  const name = set ? `mp3-vs-wav-${set}` : 'mp3-vs-wav';
  const title = set ? `Beats: MP3 against WAV, ${set} songs (only the song-encodings that miss)` : 'Beats: MP3 against WAV';
  await writeBenchmarkSection(name, title, command, `${table}\n\n${summary}`);
}
