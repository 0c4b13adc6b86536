/**
 * Robustness bench: the analysis of generator songs after real-world damage, scored against the
 * exact truth with the mir_eval definitions of bench/metrics (the accuracy bench's metrics). Each
 * damage (bench/damage.ts) is applied to the same rendered mix, so a row against the clean row
 * says what that damage costs:
 * - hard clipping (+12 dB into 0 dBFS) and heavy limiting (tanh, 20 dB of drive);
 * - a 6 s digital silence from 40 % of the song (truth beats inside it are dropped; beats the
 *   analysis puts more than 0.5 s inside it are counted);
 * - 8 s linear fades at both ends;
 * - 30 dB less level;
 * - MP3 at 128 kbps CBR (lame, then the project's decoder; needs `lame` on the PATH);
 * - a live tempo drift of ±5 %: the same seed rendered by the generator on a grid whose tempo
 *   swings ±5 % (sinusoidally, with the seed's drift period or 24 s), the truth being that grid.
 *   Its other random choices are the seed's, but its bar count follows the drift, so this row
 *   compares with the clean one as a close variant of each song, not the same audio.
 *
 *   npx tsx bench/real-world.ts [--seeds 41-60] [--write]
 *
 * Seeds 41–120 are validation songs; seeds ≥ 1000 are held-out: report on them, never tune on them.
 */
import type { AudioBuffer } from '../shared/audio/types.js';
import type { MusicDescription } from '../shared/contracts/music.js';
import { renderSong, type RenderedSong } from '../shared/generation/song.js';
import { analyzeMix } from '../shared/pipeline/analyze.js';
import { argValue, hasFlag, parseSeedRange } from './args.js';
import { fadeInOut, gainDb, hardClip, mp3RoundTrip, saturate, silenceGap } from './damage.js';
import { type DescriptionScores, scoreMusicDescription, summarizeScores } from './metrics/score.js';
import { markdownTable, writeBenchmarkSection } from './report.js';

interface Damaged {
  mix: AudioBuffer;
  truth: MusicDescription;
  gap?: [number, number];
}

interface Damage {
  name: string;
  apply: (mix: AudioBuffer, truth: MusicDescription) => Promise<Damaged> | Damaged;
  /** A rendering of its own instead of the seed's default one. */
  render?: (seed: number) => RenderedSong;
}

const GAP_SEC = 6;

const DAMAGES: Damage[] = [
  { name: 'clean', apply: (mix, truth) => ({ mix, truth }) },
  { name: 'hard-clipped (+12 dB into 0 dBFS)', apply: (mix, truth) => ({ mix: hardClip(mix, 12), truth }) },
  { name: 'limited (tanh, 20 dB drive)', apply: (mix, truth) => ({ mix: saturate(mix, 20), truth }) },
  {
    name: `${GAP_SEC} s silence gap`,
    apply: (mix, truth) => {
      const start = Math.round(0.4 * truth.durationSec);
      const gap: [number, number] = [start, start + GAP_SEC];
      const kept = truth.beats.filter((b) => b.timeSec < gap[0] || b.timeSec >= gap[1]);
      return { mix: silenceGap(mix, gap[0], gap[1]), truth: { ...truth, beats: kept }, gap };
    },
  },
  { name: '8 s fade in and out', apply: (mix, truth) => ({ mix: fadeInOut(mix, 8), truth }) },
  { name: '30 dB quieter', apply: (mix, truth) => ({ mix: gainDb(mix, -30), truth }) },
  { name: 'MP3 128 kbps CBR', apply: async (mix, truth) => ({ mix: await mp3RoundTrip(mix, 128), truth }) },
  { name: 'live tempo drift ±5 %', apply: (mix, truth) => ({ mix, truth }), render: (seed) => renderSong(seed, { tempoDrift: 0.05 }) },
];

const seeds = parseSeedRange(argValue('--seeds') ?? '41-60');
const scores = DAMAGES.map(() => [] as DescriptionScores[]);
const beatsInGap: number[] = [];
const t0 = performance.now();
for (const seed of seeds) {
  const song = renderSong(seed);
  for (let d = 0; d < DAMAGES.length; d++) {
    const source = DAMAGES[d].render?.(seed) ?? song;
    const { mix, truth, gap } = await DAMAGES[d].apply(source.mix, source.truth);
    const est = await analyzeMix(mix);
    const s = scoreMusicDescription(truth, est);
    scores[d].push(s);
    if (gap) beatsInGap.push(est.beats.filter((b) => b.timeSec > gap[0] + 0.5 && b.timeSec < gap[1] - 0.5).length);
    console.log(`seed ${seed} ${DAMAGES[d].name}: tempo ${s.tempoAcc1} beatF ${s.beatF?.toFixed(3)} downF ${s.downbeatF?.toFixed(3)} key ${s.keyWeighted?.toFixed(2)} tuning ${s.tuningErrorCents?.toFixed(2)} c majmin ${s.chordMajmin?.toFixed(3)} F@3 ${s.boundaryF3?.toFixed(3)}`);
  }
}
const minutes = (performance.now() - t0) / 60000;

const f = (v: number | null): string | number => (v === null ? '—' : v);
const rows = DAMAGES.map((dmg, d) => {
  const m = summarizeScores(scores[d]);
  const tuning = m.tuningErrorCents.median === null ? null : Math.abs(m.tuningErrorCents.median);
  return [dmg.name, f(m.tempoAcc1.mean), f(m.beatF.mean), f(m.downbeatF.mean), f(m.keyWeighted.mean), f(tuning), f(m.chordMajmin.mean), f(m.chordSevenths.mean), f(m.boundaryF3.mean), f(m.pairwiseF.mean)];
});
const table = markdownTable(['damage', 'tempo Acc1', 'beat F', 'downbeat F', 'key weighted', 'tuning err (median, cents)', 'majmin', 'sevenths', 'F@3', 'pairwise F'], rows);
const gapLine = `Beats more than 0.5 s inside the ${GAP_SEC} s silence: ${beatsInGap.reduce((a, b) => a + b, 0)} over ${beatsInGap.length} songs.`;
const body = `${table}\n\nSeeds ${seeds[0]}–${seeds[seeds.length - 1]} (${seeds.length} songs, full length), means over songs (tuning: median of the signed error, shown absolute). ${gapLine} Run time ${minutes.toFixed(1)} min.`;
console.log(`\n${body}`);
if (hasFlag('--write')) {
  await writeBenchmarkSection('real-world', 'Analysis of damaged audio against the truth', `npx tsx bench/real-world.ts --seeds ${argValue('--seeds') ?? '41-60'} --write`, body);
}
