import { describe, expect, it } from 'vitest';
import { AnalysisSignal } from '../../shared/mir/signal.js';
import { melFilterbank, signalLogMel } from '../../shared/mir/onset.js';
import { correctBeatPhaseBySegment, gridOffset, phaseJumps } from '../../shared/mir/rhythm-segments.js';
import { beatSpectralChange } from '../../shared/mir/downbeats.js';
import { computeOnsetEnvelope } from '../../shared/mir/onset.js';
import { SR, addClick, rng } from './rhythm-synth.js';

/** A steady grid of `count` beats of `period` s from `start`, moved by `slide` periods from beat `from` on. */
function slidGrid(count: number, period: number, from: number, slide: number, start = 0.5): number[] {
  return Array.from({ length: count }, (_, i) => start + i * period + (i >= from ? slide * period : 0));
}

describe('phase slides of the tracked beats', () => {
  it('gridOffset measures a half-period offset between two stretches of one grid', () => {
    const t = slidGrid(40, 0.5, 20, 0.5);
    expect(Math.abs(gridOffset(t, 10, 18, 22, 30, 20)!)).toBeCloseTo(0.5, 5);
    expect(gridOffset(t, 0, 8, 9, 17, 8)).toBeCloseTo(0, 5);
  });

  it('finds a half-period slide (also spread over a few beats) and no slide in a drifting tempo', () => {
    expect(phaseJumps(slidGrid(60, 0.5, 30, 0.5))).toEqual([30]);
    // the same slide spread over four beats: the stretch starts where the beats reach the new grid
    const spread = slidGrid(60, 0.5, 60, 0).map((x, i) => x + 0.5 * 0.5 * Math.min(1, Math.max(0, (i - 28) / 4)));
    const j = phaseJumps(spread);
    expect(j.length).toBe(1);
    expect(j[0]).toBeGreaterThanOrEqual(30);
    expect(j[0]).toBeLessThanOrEqual(32);
    // ±3 % sinusoidal tempo drift and a whole-beat shift are no half-period slides
    const drift: number[] = [0.5];
    for (let i = 1; i < 120; i++) drift.push(drift[i - 1] + 0.5 * (1 + 0.03 * Math.sin(i / 10)));
    expect(phaseJumps(drift)).toEqual([]);
    expect(phaseJumps(slidGrid(60, 0.5, 30, 1))).toEqual([]);
  });

  it('puts the stretches back on one grid, whose phase the chords then choose', () => {
    // Clicks on every half beat (so both phases are plausible), a chord change every 4 beats on
    // the beat; the "tracked" beats follow the beats for 10 s, then slide onto the off-beats.
    const bpm = 120;
    const period = 60 / bpm;
    const dur = 24;
    const x = new Float32Array(dur * SR);
    const rand = rng(3);
    const chords = [[261.6, 329.6, 392.0], [220.0, 261.6, 329.6], [174.6, 220.0, 261.6], [196.0, 246.9, 293.7]];
    const truth: number[] = [];
    for (let i = 0; 0.5 + i * period < dur - 0.5; i++) {
      const t = 0.5 + i * period;
      truth.push(t);
      addClick(x, t, 0.5, rand);
      addClick(x, t + period / 2, 0.5, rand);
      if (i % 4 === 0) {
        const chord = chords[(i / 4) % 4];
        const s0 = Math.round(t * SR);
        const s1 = Math.min(x.length, Math.round((t + 4 * period) * SR));
        for (let n = s0; n < s1; n++) for (const f of chord) x[n] += 0.08 * Math.sin((2 * Math.PI * f * (n - s0)) / SR);
      }
    }
    const tracked = truth.map((t, i) => (i >= 20 ? t + period / 2 : t)).filter((t) => t < dur - 0.3);
    const signal = new AnalysisSignal(x, SR);
    const r = correctBeatPhaseBySegment(signal, computeOnsetEnvelope(signal), tracked);
    expect(r.shifted).toBe(true);
    const inner = truth.filter((t) => t > 1 && t < dur - 1);
    const hits = inner.filter((t) => r.beats.some((b) => Math.abs(b - t) < 0.03)).length;
    expect(hits / inner.length).toBeGreaterThan(0.95);
    // no beat is doubled where the stretches meet
    for (let i = 1; i < r.beats.length; i++) expect(r.beats[i] - r.beats[i - 1]).toBeGreaterThan(0.5 * period);
  });
});

describe('beat-synchronous spectral change (downbeat cue)', () => {
  it('peaks at the beat where the timbre changes', () => {
    // 16 frames per beat, 12 beats; the spectrum changes (band 5 lights up) from beat 8 on.
    const bands = 8;
    const framesPerBeat = 16;
    const nb = 12;
    const logMel = new Float32Array(nb * framesPerBeat * bands);
    for (let t = 8 * framesPerBeat; t < nb * framesPerBeat; t++) logMel[t * bands + 5] = 2;
    const frames = Array.from({ length: nb }, (_, i) => i * framesPerBeat);
    const cue = beatSpectralChange(logMel, bands, frames, (i) => (i + 1) * framesPerBeat);
    let best = 0;
    for (let i = 0; i < nb; i++) if (cue[i] > cue[best]) best = i;
    expect(best).toBe(8);
    expect(cue[4]).toBe(0);
  });

  it('is computed from the shared log-mel spectrogram of a signal', () => {
    const signal = new AnalysisSignal(new Float32Array(SR * 2), SR);
    const fb = melFilterbank(2048, SR, 96, 30, 11000);
    const lm = signalLogMel(signal, 2048, 512, fb, 1000);
    const cue = beatSpectralChange(lm, 96, [0, 20, 40, 60], (i) => (i + 1) * 20);
    expect(Array.from(cue)).toEqual([0, 0, 0, 0]);
  });
});
