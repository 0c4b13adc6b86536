/**
 * Real-world damage to a song with exact truth: hard clipping, heavy limiting, a silence gap,
 * fades. The analysis must still find the tempo, the beats (mir_eval F at ±70 ms), the key and
 * the tuning; the beats must not run through the silence. Each case is one degradation of the
 * same rendered song, so a failure names what the analysis cannot take.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { renderSong, type RenderedSong } from '../../shared/generation/song.js';
import { analyzeMix } from '../../shared/pipeline/analyze.js';
import { scoreMusicDescription } from '../../bench/metrics/score.js';

const SR = 44100;
let song: RenderedSong;

function map(mix: AudioBuffer, f: (x: number, i: number) => number): AudioBuffer {
  return { sampleRate: mix.sampleRate, channels: mix.channels.map((ch) => ch.map((x, i) => f(x, i))) };
}

function peakOf(mix: AudioBuffer): number {
  let p = 0;
  for (const ch of mix.channels) for (const x of ch) p = Math.max(p, Math.abs(x));
  return p;
}

beforeAll(() => {
  song = renderSong(17, { durationSec: 45 });
});

const GAP: [number, number] = [18, 24];

const cases: Array<[string, (mix: AudioBuffer) => AudioBuffer]> = [
  ['hard-clipped: +12 dB into a 0 dBFS wall', (mix) => {
    const g = 4 / peakOf(mix);
    return map(mix, (x) => Math.max(-1, Math.min(1, x * g)));
  }],
  ['heavily limited: tanh saturation with 20 dB of drive', (mix) => {
    const g = 10 / peakOf(mix);
    return map(mix, (x) => Math.tanh(x * g) * 0.9);
  }],
  [`a silence gap from ${GAP[0]} to ${GAP[1]} s`, (mix) => map(mix, (x, i) => (i >= GAP[0] * SR && i < GAP[1] * SR ? 0 : x))],
  ['faded in and out over 8 s each', (mix) => {
    const n = mix.channels[0].length;
    const ramp = 8 * SR;
    return map(mix, (x, i) => x * Math.min(1, i / ramp, (n - i) / ramp));
  }],
  ['30 dB quieter', (mix) => map(mix, (x) => x * 10 ** (-30 / 20))],
];

describe('analysis of damaged audio against the truth', () => {
  for (const [name, damage] of cases) {
    it(name, async () => {
      const est = await analyzeMix(damage(song.mix));
      const gap = name.startsWith('a silence gap');
      const truth = gap ? { ...song.truth, beats: song.truth.beats.filter((b) => b.timeSec < GAP[0] || b.timeSec >= GAP[1]) } : song.truth;
      const s = scoreMusicDescription(truth, est);
      expect({ name, tempoAcc1: s.tempoAcc1 }).toEqual({ name, tempoAcc1: 1 });
      expect(s.beatF!).toBeGreaterThanOrEqual(0.9);
      expect(s.keyWeighted!).toBeGreaterThanOrEqual(0.9);
      expect(Math.abs(s.tuningErrorCents!)).toBeLessThan(5);
      if (gap) {
        // no beats in the silence (a beat on its edges is fine)
        expect(est.beats.filter((b) => b.timeSec > GAP[0] + 0.5 && b.timeSec < GAP[1] - 0.5)).toEqual([]);
      }
    }, 30_000);
  }
});

describe('analysis at another input level', () => {
  it('describes the mix 20 dB quieter exactly as the mix: beats, tempo, key, tuning, chords and sections', async () => {
    const loud = await analyzeMix(song.mix);
    const quiet = await analyzeMix(map(song.mix, (x) => x * 0.1));
    expect(quiet.beats).toHaveLength(loud.beats.length);
    for (let i = 0; i < loud.beats.length; i++) {
      expect(Math.abs(quiet.beats[i].timeSec - loud.beats[i].timeSec)).toBeLessThan(1e-4);
      expect(quiet.beats[i].positionInBar).toBe(loud.beats[i].positionInBar);
    }
    expect(quiet.tempo?.bpm).toBeCloseTo(loud.tempo!.bpm, 3);
    expect(quiet.key).toMatchObject({ tonic: loud.key!.tonic, mode: loud.key!.mode });
    expect(quiet.tuningHz).toBeCloseTo(loud.tuningHz, 3);
    expect(quiet.chords.map((c) => c.label)).toEqual(loud.chords.map((c) => c.label));
    expect(quiet.sections.map((s) => [s.label, s.letter, Math.round(s.startSec * 100)])).toEqual(loud.sections.map((s) => [s.label, s.letter, Math.round(s.startSec * 100)]));
  }, 30_000);
});
