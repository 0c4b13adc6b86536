import { describe, expect, it } from 'vitest';
import { chordWcsr, tempoAccuracy1, tuningErrorCents } from '../../bench/metrics/index.js';
import { analyzeWithEssentia, ESSENTIA_SAMPLE_RATE, essentiaVariants } from '../../bench/peers/essentia.js';

/** 10 s at 44.1 kHz: a C major triad (C4 E4 G4, A4 = 440 Hz) under a 1 kHz click every beat. */
function clickTrackWithTriad(bpm: number, durationSec = 10): Float32Array {
  const sr = ESSENTIA_SAMPLE_RATE;
  const x = new Float32Array(Math.round(durationSec * sr));
  const triadHz = [261.626, 329.628, 391.995];
  for (let i = 0; i < x.length; i++) {
    let v = 0;
    for (const f of triadHz) v += Math.sin((2 * Math.PI * f * i) / sr);
    x[i] = 0.1 * v;
  }
  const clickLen = Math.round(0.01 * sr);
  for (let t = 0; t < durationSec; t += 60 / bpm) {
    const start = Math.round(t * sr);
    for (let k = 0; k < clickLen && start + k < x.length; k++) x[start + k] += 0.8 * (1 - k / clickLen) * Math.sin((2 * Math.PI * 1000 * k) / sr);
  }
  return x;
}

describe('essentia.js peer', () => {
  it('finds the tempo, key, tuning and chord of a click track over a C major triad', () => {
    const bpm = 110;
    const r = analyzeWithEssentia(clickTrackWithTriad(bpm), ESSENTIA_SAMPLE_RATE);
    expect(tempoAccuracy1(bpm, r.rhythm.multifeature?.tempo?.bpm ?? null)).toBe(1);
    expect(tempoAccuracy1(bpm, r.rhythm.degara?.tempo?.bpm ?? null)).toBe(1);
    for (const profile of ['bgate', 'edma', 'krumhansl', 'temperley'] as const) {
      expect(r.key[profile]?.key, profile).toMatchObject({ tonic: 0, mode: 'major' });
    }
    expect(r.description.key).toMatchObject({ tonic: 0, mode: 'major' });
    expect(r.description.beats.length).toBeGreaterThan(12);
    expect(tuningErrorCents(440, r.tuningHz)).toBeLessThan(10);
    expect(chordWcsr([{ startSec: 0, endSec: 10, label: 'C:maj' }], r.chords.map((c) => ({ ...c })))).toBeGreaterThan(0.8);
    const variants = essentiaVariants(r);
    expect(variants.map((v) => v.name)).toContain('essentia:degara/temperley');
    expect(variants).toHaveLength(8);
    for (const name of ['rhythm:multifeature', 'rhythm:degara', 'key:bgate', 'key:edma', 'tuning', 'chords']) {
      expect(r.wallTimeSec[name], name).toBeGreaterThan(0);
    }
  });

  it('survives silence (degenerate BPM reported as null, no key) and refuses other sample rates', () => {
    const silence = new Float32Array(ESSENTIA_SAMPLE_RATE * 3);
    const r = analyzeWithEssentia(silence, ESSENTIA_SAMPLE_RATE, { rhythmMethods: ['degara', 'multifeature'], keyProfiles: ['edma'] });
    expect(r.rhythm.degara?.tempo).toBeNull();
    expect(r.rhythm.degara?.beats).toEqual([]);
    expect(r.key.edma?.key).toBeNull();
    expect(r.tuningHz).toBe(440);
    // The module still works after whatever the silent run did.
    const again = analyzeWithEssentia(clickTrackWithTriad(120, 6), ESSENTIA_SAMPLE_RATE, { rhythmMethods: ['degara'], keyProfiles: ['edma'], chords: false });
    expect(tempoAccuracy1(120, again.description.tempo?.bpm ?? null)).toBe(1);
    expect(() => analyzeWithEssentia(new Float32Array(100), 22050)).toThrow(/22050/);
  });
});
