/**
 * Input level: renders generator songs, analyses each mix as it is and scaled by the given gains
 * (the same audio, quieter or louder), and prints how far the analysis moved: beats (max |Δ| of
 * matched beats within 70 ms, and the beats left unmatched), tempo, key, tuning, the share of
 * time whose chord label changed, and the section boundaries (max |Δ|, or a changed count).
 * Every number should be 0: a quieter master is the same song.
 *
 *   npx tsx bench/level.ts [--seeds 1-10] [--duration 60] [--gains 0.1,0.5,2] [--write]
 *
 * --write stores the table in BENCHMARKS.md (section 'level').
 */
import type { AudioBuffer } from '../shared/audio/types.js';
import type { ChordEvent, MusicDescription } from '../shared/contracts/music.js';
import { renderSong } from '../shared/generation/song.js';
import { analyzeMix } from '../shared/pipeline/analyze.js';
import { matchBeatOffsets } from '../shared/mir/beats-match.js';
import { argValue, hasFlag, parseSeedRange } from './args.js';
import { markdownTable, writeBenchmarkSection } from './report.js';

const seeds = parseSeedRange(argValue('--seeds') ?? '1-10');
const durationSec = Number(argValue('--duration') ?? 60);
const gains = (argValue('--gains') ?? '0.1,0.5,2').split(',').map(Number);

const scaled = (mix: AudioBuffer, gain: number): AudioBuffer => ({ sampleRate: mix.sampleRate, channels: mix.channels.map((c) => c.map((v) => v * gain)) });

/** Seconds of [0, end) where the chord labels of `a` and `b` differ, as a share of end. */
function chordChange(a: ChordEvent[], b: ChordEvent[], end: number): number {
  const at = (cs: ChordEvent[], t: number) => cs.find((c) => t >= c.startSec && t < c.endSec)?.label ?? 'N';
  let differ = 0;
  const step = 0.05;
  for (let t = 0; t < end; t += step) if (at(a, t) !== at(b, t)) differ += step;
  return differ / end;
}

/** Largest move of a section boundary, s; Infinity when the count differs. */
function boundaryMove(a: MusicDescription, b: MusicDescription): number {
  if (a.sections.length !== b.sections.length) return Infinity;
  return Math.max(0, ...a.sections.map((s, i) => Math.abs(s.startSec - b.sections[i].startSec)));
}

const rows: (string | number)[][] = [];
let worstBeatMs = 0;
let changed = 0;
for (const seed of seeds) {
  const mix = renderSong(seed, { durationSec }).mix;
  const ref = await analyzeMix(mix);
  for (const gain of gains) {
    const est = await analyzeMix(scaled(mix, gain));
    const m = matchBeatOffsets(ref.beats.map((b) => b.timeSec), est.beats.map((b) => b.timeSec));
    const beatMs = m.maxAbsSec * 1000;
    const unmatched = m.unmatchedA + m.unmatchedB;
    const tempo = Math.abs((est.tempo?.bpm ?? 0) - (ref.tempo?.bpm ?? 0));
    const key = `${ref.key?.tonic}${ref.key?.mode}` === `${est.key?.tonic}${est.key?.mode}` ? 'same' : 'changed';
    const tuning = Math.abs(1200 * Math.log2(est.tuningHz / ref.tuningHz));
    const chords = chordChange(ref.chords, est.chords, durationSec);
    const bounds = boundaryMove(ref, est);
    worstBeatMs = Math.max(worstBeatMs, beatMs);
    if (beatMs > 1 || unmatched > 0 || tempo > 0.01 || key !== 'same' || tuning > 0.01 || chords > 0 || bounds > 0.001) changed++;
    const db = (20 * Math.log10(gain)).toFixed(0);
    rows.push([seed, `${db} dB`, beatMs, unmatched, tempo, key, tuning, chords, Number.isFinite(bounds) ? bounds : 'count']);
    console.log(`seed ${seed} ${db} dB: beats max |Δ| ${beatMs.toFixed(2)} ms, unmatched ${unmatched}, tempo Δ ${tempo.toFixed(3)}, key ${key}, tuning Δ ${tuning.toFixed(3)} c, chords changed ${(100 * chords).toFixed(1)} %, boundaries Δ ${bounds}`);
  }
}
const summary = `ALL seeds ${seeds[0]}..${seeds[seeds.length - 1]} (${durationSec} s), gains ${gains.join(', ')}: ${changed} of ${rows.length} song-gains changed anything; largest beat move ${worstBeatMs.toFixed(2)} ms`;
console.log(summary);
if (hasFlag('--write')) {
  const command = `npx tsx bench/level.ts --seeds ${argValue('--seeds') ?? '1-10'} --duration ${durationSec} --gains ${gains.join(',')} --write`;
  const table = markdownTable(['seed', 'gain', 'beats: largest move (ms)', 'beats unmatched', 'tempo Δ (BPM)', 'key', 'tuning Δ (cents)', 'chord time changed', 'boundaries: largest move (s)'], rows);
  await writeBenchmarkSection('level', 'Analysis at another input level (the same mix, scaled)', command, `${table}\n\n${summary}`);
}
