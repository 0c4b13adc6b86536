import { describe, expect, it } from 'vitest';
import { alignToTempo } from '../../shared/generation/musicgen/align.js';
import { stretchWsola } from '../../shared/generation/musicgen/wsola.js';
import { clickTrack, detectClicks } from './clicks.js';

const SR = 44100;

describe('stretchWsola', () => {
  it('keeps pitch and scales length (a 440 Hz tone stays 440 Hz at ratio 0.8 and 1.25)', () => {
    const x = new Float32Array(SR);
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / SR);
    for (const ratio of [0.8, 1.25]) {
      const [y] = stretchWsola([x], SR, ratio);
      expect(y.length).toBe(Math.round(SR * ratio));
      // Zero crossings in the steady middle part → frequency.
      let crossings = 0;
      const a = Math.round(0.1 * y.length);
      const b = Math.round(0.9 * y.length);
      for (let i = a + 1; i < b; i++) if (y[i - 1] < 0 && y[i] >= 0) crossings++;
      const hz = crossings / ((b - a) / SR);
      expect(Math.abs(hz - 440) / 440).toBeLessThan(0.01);
    }
  });

  it('moves clicks to the stretched times within the tolerance', () => {
    const { samples, clickSec } = clickTrack(SR, 4, 100, 0.2);
    const ratio = 100 / 120;
    const [y] = stretchWsola([samples], SR, ratio);
    const found = detectClicks(y, SR);
    expect(found.length).toBe(clickSec.length);
    found.forEach((t, i) => expect(Math.abs(t - clickSec[i] * ratio)).toBeLessThan(0.01));
  });

  it('empty in → empty out; a bad ratio throws with the value', () => {
    expect(stretchWsola([new Float32Array(0)], SR, 0.5)[0].length).toBe(0);
    expect(() => stretchWsola([new Float32Array(10)], SR, 10)).toThrow(/got 10/);
  });
});

describe('alignToTempo', () => {
  it('a 100 BPM click track asked at 120 BPM lands on a 120 BPM grid (±10 ms), first downbeat at 0, exact length', () => {
    const durationSec = 6;
    const { samples } = clickTrack(SR, 9, 100, 0.37);
    const r = alignToTempo({ sampleRate: SR, channels: [samples, samples] }, { bpm: 120, durationSec });
    expect(r.estimatedBpm).not.toBeNull();
    expect(Math.abs(r.estimatedBpm! - 100)).toBeLessThan(0.5);
    expect(r.stretchRatio).toBeCloseTo(100 / 120, 2);
    expect(r.audio.channels).toHaveLength(2);
    for (const c of r.audio.channels) expect(c.length).toBe(durationSec * SR);
    const clicks = detectClicks(r.audio.channels[0], SR);
    expect(clicks.length).toBeGreaterThanOrEqual(11);
    expect(clicks[0]).toBeLessThan(0.01);
    for (const t of clicks) {
      const k = Math.round(t / 0.5);
      expect(Math.abs(t - k * 0.5)).toBeLessThan(0.01);
    }
  });

  it('folds a half-time estimate instead of stretching by 2 (60 BPM clicks asked at 120 BPM stay unstretched)', () => {
    const { samples } = clickTrack(SR, 8, 60, 0.1, 2);
    const r = alignToTempo({ sampleRate: SR, channels: [samples] }, { bpm: 120, durationSec: 4 });
    expect(r.stretchRatio).toBeCloseTo(1, 2);
  });

  it('silence: no stretch, exact length, stays silent', () => {
    const r = alignToTempo({ sampleRate: SR, channels: [new Float32Array(3 * SR)] }, { bpm: 120, durationSec: 4 });
    expect(r.estimatedBpm).toBeNull();
    expect(r.stretchRatio).toBe(1);
    expect(r.audio.channels[0].length).toBe(4 * SR);
    expect(r.paddedSamples).toBe(SR);
    expect(r.audio.channels[0].every((v) => v === 0)).toBe(true);
  });
});
