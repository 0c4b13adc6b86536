import { describe, expect, it } from 'vitest';
import { dropBeatsInGaps, findSilentGaps } from '../../shared/mir/silence.js';

const SR = 22050;
/** Noise at `db` dBFS RMS for `sec` seconds (deterministic). */
function noise(sec: number, db: number, seed = 1): Float32Array {
  let x = seed;
  const g = 10 ** (db / 20) * Math.sqrt(3);
  return Float32Array.from({ length: Math.round(sec * SR) }, () => ((x = (x * 16807) % 2147483647) / 2147483647 * 2 - 1) * g);
}
const join = (...parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

describe('silent gaps', () => {
  it('finds a 2 s digital silence and a 3 s stretch 60 dB down, not a 1 s pause or a passage 30 dB down', () => {
    const x = join(noise(5, -10), new Float32Array(2 * SR), noise(3, -10, 2), new Float32Array(SR), noise(3, -10, 3), noise(4, -40, 4), noise(2, -10, 5), noise(3, -70, 6), noise(2, -10, 7));
    const gaps = findSilentGaps(x, SR);
    expect(gaps).toHaveLength(2);
    expect(gaps[0][0]).toBeCloseTo(5, 1);
    expect(gaps[0][1]).toBeCloseTo(7, 1);
    expect(gaps[1][0]).toBeCloseTo(20, 1);
    expect(gaps[1][1]).toBeCloseTo(23, 1);
  });

  it('gives no gap for an empty signal or a 1 s silence, and one gap over 3 s of silence', () => {
    expect(findSilentGaps(new Float32Array(0), SR)).toEqual([]);
    expect(findSilentGaps(new Float32Array(SR), SR)).toEqual([]);
    const [gap, ...more] = findSilentGaps(new Float32Array(3 * SR), SR);
    expect(more).toEqual([]);
    expect(gap[0]).toBe(0);
    expect(gap[1]).toBeGreaterThan(2.9);
  });

  it('drops only the beats inside a gap, keeping those on its edges', () => {
    const beats = [4.5, 5.05, 5.5, 6.5, 6.95, 7.5].map((timeSec, i) => ({ timeSec, positionInBar: (i % 4) + 1, confidence: 1 }));
    expect(dropBeatsInGaps(beats, [[5, 7]]).map((b) => b.timeSec)).toEqual([4.5, 5.05, 6.95, 7.5]);
    expect(dropBeatsInGaps(beats, [])).toBe(beats);
  });
});
