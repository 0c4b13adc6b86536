import { describe, expect, it } from 'vitest';
import { buildMusicGenPrompt, musicGenTokenCount, MUSICGEN_TOKENS_PER_SECOND } from '../../shared/generation/musicgen/index.js';

describe('buildMusicGenPrompt', () => {
  it('puts mood, style, key, tempo, chords and free text into one description', () => {
    expect(
      buildMusicGenPrompt({ style: 'funk', mood: 'happy', key: 'A:minor', bpm: 104, chordProgression: 'Am7 D7', prompt: 'slap bass and horns' }),
    ).toBe('upbeat happy funk track in A minor at 104 bpm, chord progression Am7 - D7, slap bass and horns');
  });

  it('turns Harte chords into plain names, drops N and bar lines, keeps spelling of plain names', () => {
    expect(buildMusicGenPrompt({ chordProgression: '|A:min F:maj|C:maj7 N|G:7 B:hdim7|' })).toBe(
      'instrumental music track, chord progression Am - F - Cmaj7 - G7 - Bm7b5',
    );
    expect(buildMusicGenPrompt({ style: 'jazz', chordProgression: 'Bbmaj7 Eb7' })).toBe('jazz track, chord progression Bbmaj7 - Eb7');
  });

  it('normalises key spellings and rounds the tempo; unknown moods are used as words', () => {
    expect(buildMusicGenPrompt({ style: 'ballad', mood: 'dreamy', key: 'F#m', bpm: 71.6 })).toBe('dreamy ballad track in F# minor at 72 bpm');
    expect(buildMusicGenPrompt({ mood: 'neutral', style: 'rock' })).toBe('rock track');
    expect(buildMusicGenPrompt({})).toBe('instrumental music track');
  });

  it('rejects a bad key, tempo or chord, naming the value', () => {
    expect(() => buildMusicGenPrompt({ key: 'H minor' })).toThrow(/H minor/);
    expect(() => buildMusicGenPrompt({ bpm: 900 })).toThrow(/got 900/);
    expect(() => buildMusicGenPrompt({ chordProgression: 'Am Qx' })).toThrow(/Qx/);
  });
});

describe('musicGenTokenCount', () => {
  it('is round(durationSec × 50)', () => {
    expect(MUSICGEN_TOKENS_PER_SECOND).toBe(50);
    const cases: Array<[number, number]> = [[1, 50], [2.5, 125], [7.33, 367], [10.01, 501], [0.01, 1], [30, 1500]];
    for (const [d, n] of cases) expect(musicGenTokenCount(d)).toBe(n);
  });

  it('refuses durations outside (0, 30] s', () => {
    expect(() => musicGenTokenCount(0)).toThrow(/got 0/);
    expect(() => musicGenTokenCount(31)).toThrow(/got 31/);
    expect(() => musicGenTokenCount(Number.NaN)).toThrow(/NaN/);
  });
});
