import { describe, expect, it } from 'vitest';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { designHighpassFilter, designShelfFilter, integratedLoudness, loudnessRange } from '../../shared/mir/loudness.js';

function sine(freqHz: number, peakDbfs: number, durationSec: number, sampleRate: number): Float32Array {
  const a = Math.pow(10, peakDbfs / 20);
  const n = Math.round(durationSec * sampleRate);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = a * Math.sin((2 * Math.PI * freqHz * i) / sampleRate);
  return x;
}

describe('K-weighting filters (BS.1770-4)', () => {
  it('reproduce the 48 kHz coefficient table from the analogue prototypes', () => {
    const s = designShelfFilter(48000);
    expect(s.b0).toBeCloseTo(1.53512485958697, 7);
    expect(s.b1).toBeCloseTo(-2.69169618940638, 7);
    expect(s.b2).toBeCloseTo(1.19839281085285, 7);
    expect(s.a1).toBeCloseTo(-1.69065929318241, 7);
    expect(s.a2).toBeCloseTo(0.73248077421585, 7);
    const h = designHighpassFilter(48000);
    expect(h.a1).toBeCloseTo(-1.99004745483398, 7);
    expect(h.a2).toBeCloseTo(0.99007225036621, 7);
  });
});

describe('integratedLoudness', () => {
  it('reads a 997 Hz sine at 0 dBFS peak in one channel as -3.01 LUFS (48 kHz and 44.1 kHz)', () => {
    for (const sr of [48000, 44100]) {
      const l = integratedLoudness({ sampleRate: sr, channels: [sine(997, 0, 5, sr)] });
      expect(l).toBeCloseTo(-3.01, 1);
    }
  });

  it('reads a 1 kHz sine at -20 dBFS as -23.0 LUFS mono and -20.0 LUFS stereo', () => {
    const sr = 44100;
    const x = sine(1000, -20, 5, sr);
    expect(integratedLoudness({ sampleRate: sr, channels: [x] })).toBeCloseTo(-23.0, 1);
    expect(integratedLoudness({ sampleRate: sr, channels: [x, x] })).toBeCloseTo(-20.0, 1);
  });

  it('passes EBU Tech 3341 test 1: stereo 1 kHz at -23 dBFS reads -23.0 ± 0.1 LUFS', () => {
    const sr = 48000;
    const x = sine(1000, -23, 20, sr);
    expect(Math.abs(integratedLoudness({ sampleRate: sr, channels: [x, x] }) + 23)).toBeLessThan(0.1);
  });

  it('gates: silence is -Infinity, and a silent stretch does not lower the reading', () => {
    const sr = 22050;
    expect(integratedLoudness({ sampleRate: sr, channels: [new Float32Array(sr * 3)] })).toBe(-Infinity);
    expect(integratedLoudness({ sampleRate: sr, channels: [] })).toBe(-Infinity);
    const tone = sine(1000, -20, 4, sr);
    const withGap = new Float32Array(tone.length * 3);
    withGap.set(tone, 0);
    withGap.set(tone, tone.length * 2);
    const a = integratedLoudness({ sampleRate: sr, channels: [tone] });
    const b = integratedLoudness({ sampleRate: sr, channels: [withGap] });
    // Ungated, a third of silence would read 1.76 dB lower; only the partly-silent edge blocks remain.
    expect(Math.abs(a - b)).toBeLessThan(0.3);
    // A -80 dBFS tone is below the absolute gate.
    expect(integratedLoudness({ sampleRate: sr, channels: [sine(1000, -80, 2, sr)] })).toBe(-Infinity);
  });

  it('weights a 100 Hz tone about 0.7 dB lower than K-weighting at 1 kHz would suggest, and 20 Hz far lower', () => {
    const sr = 48000;
    const l1k = integratedLoudness({ sampleRate: sr, channels: [sine(1000, -20, 3, sr)] });
    const l20 = integratedLoudness({ sampleRate: sr, channels: [sine(20, -20, 3, sr)] });
    expect(l1k - l20).toBeGreaterThan(8);
  });
});

describe('loudnessRange (EBU Tech 3342)', () => {
  it('passes test 1: 20 s at -20 dBFS then 20 s at -30 dBFS gives 10 ± 1 LU', () => {
    const sr = 22050;
    const a = sine(1000, -20, 20, sr);
    const b = sine(1000, -30, 20, sr);
    const x = new Float32Array(a.length + b.length);
    x.set(a);
    x.set(b, a.length);
    const lra = loudnessRange({ sampleRate: sr, channels: [x, x] });
    expect(Math.abs(lra - 10)).toBeLessThan(1);
  });

  it('is 0 for a steady tone, silence, and inputs shorter than 3 s', () => {
    const sr = 22050;
    const steady: AudioBuffer = { sampleRate: sr, channels: [sine(440, -10, 10, sr)] };
    expect(loudnessRange(steady)).toBeLessThan(0.1);
    expect(loudnessRange({ sampleRate: sr, channels: [new Float32Array(sr * 10)] })).toBe(0);
    expect(loudnessRange({ sampleRate: sr, channels: [sine(440, -10, 2, sr)] })).toBe(0);
  });
});
