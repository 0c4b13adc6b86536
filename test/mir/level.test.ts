import { describe, expect, it } from 'vitest';
import { REFERENCE_LEVEL, frameRms, levelGain, loudLevel } from '../../shared/mir/level.js';

const SR = 22050;
const sine = (sec: number, amp: number): Float32Array => Float32Array.from({ length: Math.round(sec * SR) }, (_, i) => amp * Math.sin((2 * Math.PI * 440 * i) / SR));

describe('loud level', () => {
  it('is the RMS of the loud part: a 0.5 sine reads 0.5/√2, with or without long silences around it', () => {
    expect(loudLevel(sine(2, 0.5), SR)).toBeCloseTo(0.5 / Math.SQRT2, 3);
    const x = new Float32Array(20 * SR);
    x.set(sine(3, 0.5), 10 * SR);
    expect(loudLevel(x, SR)).toBeCloseTo(0.5 / Math.SQRT2, 3);
  });

  it('reads the music, not the hiss, when the music is under 5 % of the signal (a hidden track)', () => {
    for (const hiss of [3e-5, 5e-4]) {
      const x = new Float32Array(120 * SR);
      for (let i = 0; i < x.length; i++) x[i] = hiss * Math.sin(i * 0.37);
      x.set(sine(3, 0.5), 100 * SR);
      expect(loudLevel(x, SR)).toBeCloseTo(0.5 / Math.SQRT2, 3);
    }
  });

  it('frames the signal in 50 ms and drops a partial last frame', () => {
    expect(frameRms(new Float32Array(Math.round(0.125 * SR)), SR)).toHaveLength(2);
    expect(frameRms(new Float32Array(0), SR)).toHaveLength(0);
  });

  it('scales a gain to the reference level, and leaves it alone for silence', () => {
    expect(levelGain(REFERENCE_LEVEL)).toBe(1);
    expect(levelGain(REFERENCE_LEVEL / 10)).toBeCloseTo(10, 9);
    expect(levelGain(0)).toBe(1);
    expect(levelGain(10 ** (-95 / 20))).toBe(1);
    expect(levelGain(loudLevel(new Float32Array(SR), SR))).toBe(1);
  });
});
