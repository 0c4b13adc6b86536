/**
 * The same song read from WAV and from MP3 must give the same beats: the MP3 path (gapless
 * trimming of the LAME encoder delay and the decoder delay, shared/audio/mp3.ts) must not shift
 * the audio, and the rhythm path must not be thrown off by the codec's band limit and artefacts.
 * MP3s are made at test time with Debian `lame` (a missing encoder fails the suite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../shared/audio/decode.js';
import { encodeWav } from '../../shared/audio/wav.js';
import { resampleMono } from '../../shared/audio/resample.js';
import { toMono } from '../../shared/audio/types.js';
import { renderSong } from '../../shared/generation/song.js';
import { AnalysisSignal, ANALYSIS_SAMPLE_RATE } from '../../shared/mir/signal.js';
import { analyzeRhythm } from '../../shared/mir/rhythm.js';
import { matchBeatOffsets } from '../../shared/mir/beats-match.js';
import { requireTool, ToolDir } from '../audio/helpers.js';

const dir = new ToolDir();
/**
 * Seed 3 at 30 s; seed 4 at 60 s, whose MP3 beats once sat 58–65 ms from the WAV ones: the MP3's
 * smeared kick attacks, the noise of its quiet tail (three extra beats) and a beat tracker that
 * followed envelope noise through onset-free beats. Seed 81 at 60 s, whose outro beats without
 * onsets sat on weak bumps that the VBR encoding moved (41 ms apart) until they were settled onto
 * the grid of the beats with onsets (beat-settle.ts).
 */
const CASES: Array<{ seed: number; durationSec: number }> = [
  { seed: 3, durationSec: 30 },
  { seed: 4, durationSec: 60 },
  { seed: 81, durationSec: 60 },
];
const SEEDS = CASES.map((c) => c.seed);
const beats = new Map<string, number[]>();

async function beatsOf(file: string): Promise<number[]> {
  const { audio } = await decodeAudio(dir.read(file));
  const mono = resampleMono(toMono(audio), audio.sampleRate, ANALYSIS_SAMPLE_RATE);
  return analyzeRhythm(new AnalysisSignal(mono, ANALYSIS_SAMPLE_RATE)).beats.map((b) => b.timeSec);
}

beforeAll(async () => {
  requireTool('lame', 'lame');
  for (const { seed, durationSec } of CASES) {
    const song = renderSong(seed, { durationSec });
    dir.write(`${seed}.wav`, encodeWav(song.mix, { bitDepth: 16 }));
    dir.run('lame', ['--quiet', '-b', '192', `${seed}.wav`, `${seed}-cbr.mp3`]);
    dir.run('lame', ['--quiet', '-V', '4', `${seed}.wav`, `${seed}-vbr.mp3`]);
    for (const kind of ['wav', 'cbr.mp3', 'vbr.mp3']) {
      const file = kind === 'wav' ? `${seed}.wav` : `${seed}-${kind}`;
      beats.set(`${seed}/${kind}`, await beatsOf(file));
    }
  }
}, 120_000);

afterAll(() => dir.dispose());

describe('beats of MP3 against WAV of the same song', () => {
  for (const seed of SEEDS) {
    for (const kind of ['cbr.mp3', 'vbr.mp3']) {
      it(`seed ${seed}, ${kind}: every beat matched, max |Δ| ≤ 5 ms`, () => {
        const wav = beats.get(`${seed}/wav`)!;
        const mp3 = beats.get(`${seed}/${kind}`)!;
        expect(wav.length).toBeGreaterThan(30);
        const m = matchBeatOffsets(wav, mp3);
        // Matched beats cover (almost) all of both sequences: the codec does not change the grid.
        expect(m.offsetsSec.length).toBeGreaterThanOrEqual(Math.max(wav.length, mp3.length) - 1);
        expect(m.maxAbsSec).toBeLessThanOrEqual(0.005);
      });
    }
  }
});

describe('matchBeatOffsets', () => {
  it('pairs each beat with its nearest partner within the tolerance and reports the offsets', () => {
    const a = [1, 2, 3, 4, 5];
    const b = [1.004, 2.0, 2.5, 2.998, 4.2, 5.01];
    const m = matchBeatOffsets(a, b, 0.07);
    expect(m.offsetsSec.map((o) => Math.round(o * 1000))).toEqual([4, 0, -2, 10]);
    expect(m.unmatchedA).toBe(1);
    expect(m.unmatchedB).toBe(2);
    expect(m.maxAbsSec).toBeCloseTo(0.01, 9);
  });
});
