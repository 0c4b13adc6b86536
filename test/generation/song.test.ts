import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../shared/audio/wav.js';
import { planSong, renderSong, SONG_STEMS } from '../../shared/generation/song.js';
import { sampleAtBeat } from '../../shared/generation/index.js';
import { buildJams } from '../../shared/jams/build.js';
import { assertValidJams } from '../../shared/jams/validate.js';
import { parseHarte } from '../../shared/music/harte.js';
import { hzToMidi } from '../../shared/music/pitch.js';
import { detectOnsets, estimateF0, monoOf, peakDb } from './audioChecks.js';

const SHORT = { durationSec: 14, sampleRate: 22050 };

describe('renderSong', () => {
  const song = renderSong(7, SHORT); // jazz waltz with tempo drift

  it('has four stems that sum exactly to the mix, in float32 and in 16-bit WAV', () => {
    const n = Math.round(14 * 22050);
    expect(song.mix.channels[0].length).toBe(n);
    for (let c = 0; c < 2; c++) {
      const m = song.mix.channels[c];
      const [v, d, b, o] = SONG_STEMS.map((s) => song.stems[s].channels[c]);
      for (let i = 0; i < n; i++) {
        const sum = Math.fround(Math.fround(Math.fround(v[i] + d[i]) + b[i]) + o[i]);
        if (sum !== m[i]) throw new Error(`channel ${c} sample ${i}: ${sum} != ${m[i]}`);
      }
    }
    const decoded = [song.mix, ...SONG_STEMS.map((s) => song.stems[s])].map((a) => decodeWav(encodeWav(a, { bitDepth: 16 })).audio.channels[0]);
    for (let i = 0; i < n; i++) {
      const ints = decoded.map((ch) => Math.round(ch[i] * 32768));
      if (ints[0] !== ints[1] + ints[2] + ints[3] + ints[4]) throw new Error(`16-bit sum differs at ${i}`);
    }
  });

  it('keeps the mix and every stem below −1 dBFS, with every stem audible', () => {
    expect(peakDb(song.mix)).toBeLessThan(-1);
    for (const s of SONG_STEMS) {
      expect(peakDb(song.stems[s])).toBeLessThan(-1);
      expect(peakDb(song.stems[s])).toBeGreaterThan(-40);
    }
  });

  it('writes truth that is consistent and valid JAMS', () => {
    const t = song.truth;
    expect(t.durationSec).toBe(14);
    expect(t.beatsPerBar).toBe(3);
    expect(t.beats.length).toBeGreaterThan(10);
    t.beats.forEach((b, i) => {
      expect(b.positionInBar).toBe((i % 3) + 1);
      if (i > 0) expect(b.timeSec).toBeGreaterThan(t.beats[i - 1].timeSec);
    });
    expect(t.beats[t.beats.length - 1].timeSec).toBeLessThan(t.durationSec);
    // Chords and sections tile [0, duration].
    for (const list of [t.chords, t.sections]) {
      expect(list[0].startSec).toBe(0);
      expect(list[list.length - 1].endSec).toBeCloseTo(t.durationSec, 9);
      for (let i = 1; i < list.length; i++) expect(list[i].startSec).toBeCloseTo(list[i - 1].endSec, 9);
    }
    for (const c of t.chords) expect(() => parseHarte(c.label)).not.toThrow();
    const doc = buildJams(t, { title: song.meta.title, annotationType: 'truth' });
    expect(() => assertValidJams(doc)).not.toThrow();
  });

  it('drifts by a forced depth (tempoDrift: ±5 %) and keeps the seed\'s other choices', () => {
    const steady = planSong(2);
    const drifting = planSong(2, { tempoDrift: 0.05 });
    expect(steady.meta.tempoDrift).toBe(0);
    expect(drifting.meta.tempoDrift).toBe(0.05);
    const period = 60 / steady.meta.bpm;
    const ibi = drifting.truth.beats.slice(1).map((b, i) => b.timeSec - drifting.truth.beats[i].timeSec);
    // The beat period swings ±5 % around the seed's (over 24 s, within a 60–100 s song).
    expect(Math.min(...ibi) / period).toBeLessThan(0.96);
    expect(Math.max(...ibi) / period).toBeGreaterThan(1.04);
    for (const d of ibi) expect(Math.abs(d / period - 1)).toBeLessThan(0.056);
    const same = (m: typeof steady.meta) => [m.style, m.bpm, m.key, m.beatsPerBar, m.tuningHz, m.programs];
    expect(same(drifting.meta)).toEqual(same(steady.meta));
    // A seed that drifts of its own keeps its period: only the depth changes.
    expect(planSong(7, { tempoDrift: 0.05 }).meta.style).toBe(planSong(7).meta.style);
  });

  it('puts the drum onsets of a drifting song on its truth beat grid (subdivisions) within 1 ms', () => {
    const rock = renderSong(19, SHORT); // rock, tempo drift 1.7 %
    expect(rock.meta.tempoDrift).toBeGreaterThan(0.01);
    const onsets = detectOnsets(monoOf(rock.stems.drums), 22050);
    expect(onsets.length).toBeGreaterThan(10);
    const plan = rock.plan;
    // The truth beats are the grid the instruments played.
    rock.truth.beats.forEach((b, i) => expect(b.timeSec).toBe(plan.grid.beatTimesSec[i]));
    const grid: number[] = [];
    for (let q = 0; q < rock.truth.beats.length * 4; q++) grid.push(sampleAtBeat(plan, q / 4));
    for (const s of onsets) {
      const err = Math.min(...grid.map((g) => Math.abs(g - s))) / 22.05;
      expect(err).toBeLessThanOrEqual(1);
    }
  });

  it('is deterministic per seed and different across seeds', () => {
    const again = renderSong(7, SHORT);
    expect(Buffer.from(again.mix.channels[0].buffer).equals(Buffer.from(song.mix.channels[0].buffer))).toBe(true);
    const other = renderSong(8, { durationSec: 6, sampleRate: 22050 });
    expect(other.meta.title).not.toBe(song.meta.title);
  });

  it('detunes every instrument consistently: the bass of a −26 cent song sits 26 cents flat', () => {
    const s = renderSong(36, SHORT);
    expect(s.meta.detuneCents).toBe(-26);
    expect(s.truth.tuningHz).toBeCloseTo(440 * Math.pow(2, -26 / 1200), 9);
    const bass = monoOf(s.stems.bass);
    const devs: number[] = [];
    for (let from = 0; from + 4410 < bass.length; from += 2205) {
      const f0 = estimateF0(bass.subarray(from, from + 4410), 22050, 35, 200);
      if (f0 <= 0) continue;
      const midi = hzToMidi(f0, 440);
      devs.push((midi - Math.round(midi)) * 100);
    }
    devs.sort((a, b) => a - b);
    expect(devs.length).toBeGreaterThan(20);
    expect(Math.abs(devs[Math.floor(devs.length / 2)] - -26)).toBeLessThan(4);
  });
});

describe('planSong over the development seeds 1..40', () => {
  const songs = Array.from({ length: 40 }, (_, i) => planSong(i + 1));

  it('varies meter, tuning, style, tempo and harmony with the seed', () => {
    const metas = songs.map((s) => s.meta);
    expect(metas.filter((m) => m.beatsPerBar === 3)).toHaveLength(8);
    const detuned = metas.filter((m) => m.detuneCents !== 0);
    expect(detuned).toHaveLength(13);
    for (const m of detuned) expect(Math.abs(m.detuneCents)).toBeLessThanOrEqual(40);
    expect(new Set(metas.map((m) => m.style)).size).toBeGreaterThanOrEqual(7);
    expect(Math.min(...metas.map((m) => m.bpm))).toBeLessThan(90);
    expect(Math.max(...metas.map((m) => m.bpm))).toBeGreaterThan(130);
    expect(new Set(metas.map((m) => m.key)).size).toBeGreaterThanOrEqual(10);
    const withSevenths = songs.filter((s) => s.truth.chords.some((c) => /:(maj7|min7|7)$/.test(c.label)));
    expect(withSevenths.length).toBeGreaterThanOrEqual(8);
    expect(withSevenths.length).toBeLessThan(40);
    expect(metas.filter((m) => m.tempoDrift > 0).length).toBeGreaterThanOrEqual(4);
  });

  it('arranges sections with their own progressions, repeats sharing a letter', () => {
    for (const { meta, truth } of songs) {
      const labels = truth.sections.map((s) => s.label);
      expect(labels[0]).toBe('intro');
      expect(labels[labels.length - 1]).toBe('outro');
      expect(labels).toContain('verse');
      expect(labels).toContain('chorus');
      const letterOf = new Map<string, string>();
      for (const s of truth.sections) {
        if (letterOf.has(s.label)) expect(s.letter).toBe(letterOf.get(s.label));
        letterOf.set(s.label, s.letter);
      }
      expect(new Set(letterOf.values()).size).toBe(letterOf.size);
      const verse = meta.structure.find((s) => s.label === 'verse')!.progression.join(' ');
      const chorus = meta.structure.find((s) => s.label === 'chorus')!.progression.join(' ');
      expect(verse).not.toBe(chorus);
      expect(truth.durationSec).toBeGreaterThanOrEqual(60);
      expect(truth.durationSec).toBeLessThanOrEqual(100);
    }
  });
});
