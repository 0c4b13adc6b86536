import { describe, expect, it } from 'vitest';
import { AnalysisSignal } from '../../shared/mir/signal.js';
import { analyzeRhythm, tempoFromBeats } from '../../shared/mir/rhythm.js';
import { shiftHalfBeat } from '../../shared/mir/rhythm-phase.js';
import { percussiveMel } from '../../shared/mir/rhythm-hpss.js';
import { SR, addClick, beatTimes, rng } from './rhythm-synth.js';

/**
 * Syncopated material: loud clicks on the off-beats, soft ones on the beats, and a chord (three
 * sine tones) that changes at every bar line (every 4 beats), as in off-beat house bass or funk.
 */
function syncopated(durationSec: number, bpm: number): { x: Float32Array; beats: number[] } {
  const beats = beatTimes(durationSec, bpm);
  const x = new Float32Array(Math.round(durationSec * SR));
  const rand = rng(5);
  const period = 60 / bpm;
  const chords = [[261.6, 329.6, 392.0], [220.0, 261.6, 329.6], [174.6, 220.0, 261.6], [196.0, 246.9, 293.7]];
  beats.forEach((t, i) => {
    addClick(x, t, 0.25, rand);
    addClick(x, t + period / 2, 0.8, rand, 0.4);
    if (i % 4 === 0) {
      const chord = chords[(i / 4) % chords.length];
      const start = Math.round(t * SR);
      const end = Math.min(x.length, Math.round((t + 4 * period) * SR));
      for (let n = start; n < end; n++) for (const f of chord) x[n] += 0.08 * Math.sin((2 * Math.PI * f * (n - start)) / SR);
    }
  });
  return { x, beats };
}

describe('beat phase by harmonic change', () => {
  it('puts the beats where the chords change, not on louder off-beat onsets', () => {
    const { x, beats } = syncopated(24, 110);
    const r = analyzeRhythm(new AnalysisSignal(x, SR));
    expect(Math.abs(r.tempo!.bpm - 110) / 110).toBeLessThan(0.01);
    const est = r.beats.map((b) => b.timeSec);
    const inner = beats.filter((t) => t > 1.5 && t < 22.5);
    const hits = inner.filter((t) => est.some((e) => Math.abs(e - t) < 0.05)).length;
    expect(hits / inner.length).toBeGreaterThan(0.95);
    // without the check, the tracker follows the loud off-beats
    const r0 = analyzeRhythm(new AnalysisSignal(x, SR), { phase: false });
    const offHits = inner.filter((t) => r0.beats.some((b) => Math.abs(b.timeSec - (t + 60 / 220)) < 0.05)).length;
    expect(offHits / inner.length).toBeGreaterThan(0.9);
  });

  it('shiftHalfBeat gives the midpoints and keeps inside the signal', () => {
    expect(shiftHalfBeat([1, 2, 3], 3.2)).toEqual([0.5, 1.5, 2.5]);
    expect(shiftHalfBeat([1, 2, 3], 10)).toEqual([0.5, 1.5, 2.5, 3.5]);
  });
});

describe('median-filter HPSS on the mel spectrogram', () => {
  it('sends a sustained tone to the harmonic part and a broadband click to the percussive part', () => {
    const bands = 40;
    const frames = 60;
    const mel = new Float32Array(bands * frames);
    for (let t = 0; t < frames; t++) mel[t * bands + 10] = 1; // steady tone in band 10
    for (let b = 0; b < bands; b++) mel[30 * bands + b] += 1; // click at frame 30
    const p = percussiveMel(mel, bands, frames, 17, 9);
    expect(p[20 * bands + 10]).toBeLessThan(0.01);
    expect(p[30 * bands + 25]).toBeGreaterThan(0.99);
    for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
  });
});

describe('tempo from beats', () => {
  it('is not halved by a missed beat', () => {
    const beats = beatTimes(20, 123).filter((_, i) => i !== 7);
    expect(tempoFromBeats(beats)).toBeCloseTo(123, 0);
  });
});
