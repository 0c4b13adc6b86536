/**
 * Beats on their attacks: the fine flux locates hard and soft attacks where they begin, and the
 * alignment removes a tracker's lag without letting one stray or missing attack move a beat, or a
 * small change of the signal move the beats by much.
 */
import { describe, expect, it } from 'vitest';
import { alignBeatsToAttacks, findAttack } from '../../shared/mir/beat-attack.js';
import { seededRandom } from '../helpers/random.js';

const SR = 22050;

/** 3 s of quiet noise with one sound starting at `onsetSec`. */
function withOnset(kind: string, onsetSec: number): Float32Array {
  const rand = seededRandom(7);
  const x = new Float32Array(3 * SR);
  for (let i = 0; i < x.length; i++) x[i] = 0.01 * (2 * rand() - 1);
  const on = Math.round(onsetSec * SR);
  for (let i = on; i < x.length; i++) {
    const d = i - on;
    if (kind === 'impulse' && d === 0) x[i] += 0.8;
    if (kind === 'tone') x[i] += 0.5 * Math.sin((2 * Math.PI * 440 * d) / SR);
    if (kind === 'noise burst') x[i] += 0.5 * (2 * rand() - 1) * Math.exp(-d / (0.05 * SR));
    if (kind === 'kick') x[i] += 0.8 * Math.sin(2 * Math.PI * ((50 * d) / SR + 3 * (1 - Math.exp(-d / (0.03 * SR))))) * Math.exp(-d / (0.15 * SR));
    if (kind === '5 ms ramp') x[i] += 0.5 * Math.min(1, d / (0.005 * SR)) * Math.sin((2 * Math.PI * 220 * d) / SR);
  }
  return x;
}

/** A drum-like click track: decaying noise bursts at `times` (s), over quiet noise. */
function clickTrack(times: number[], durationSec: number, gain: (i: number) => number = () => 1): Float32Array {
  const rand = seededRandom(11);
  const x = new Float32Array(Math.round(durationSec * SR));
  for (let i = 0; i < x.length; i++) x[i] = 0.005 * (2 * rand() - 1);
  times.forEach((t, k) => {
    const on = Math.round(t * SR);
    for (let d = 0; d < 0.2 * SR && on + d < x.length; d++) x[on + d] += gain(k) * 0.6 * (2 * rand() - 1) * Math.exp(-d / (0.03 * SR));
  });
  return x;
}

describe('findAttack', () => {
  it.each(['impulse', 'tone', 'noise burst', 'kick'])('puts a sharp %s within 0.5 ms of its onset, from a guess up to 20 ms off', (kind) => {
    const x = withOnset(kind, 1.5);
    for (const guess of [-0.02, 0, 0.02]) {
      const a = findAttack(x, SR, 1.5 + guess);
      expect(Math.abs(a.timeSec - 1.5)).toBeLessThan(0.0005);
      expect(a.strength).toBeGreaterThan(0);
    }
  });

  it('puts a 5 ms linear ramp within 4 ms after its start, never before', () => {
    const a = findAttack(withOnset('5 ms ramp', 1.5), SR, 1.5);
    expect(a.timeSec - 1.5).toBeGreaterThan(-0.0005);
    expect(a.timeSec - 1.5).toBeLessThan(0.004);
  });
});

describe('alignBeatsToAttacks', () => {
  const period = 0.5;
  const truth = Array.from({ length: 24 }, (_, i) => 0.5 + i * period);

  it('removes a tracker lag of 20 ms to within 1 ms', () => {
    const x = clickTrack(truth, 13);
    const late = truth.map((t) => t + 0.02);
    const aligned = alignBeatsToAttacks(x, SR, late);
    for (let i = 0; i < truth.length; i++) expect(Math.abs(aligned[i] - truth[i])).toBeLessThan(0.001);
  });

  it('moves a beat with a missing hit, or with a stray early hit, with its neighbours', () => {
    // Hit 10 is missing; hit 15 comes 30 ms early (a flam).
    const hits = truth.map((t, i) => (i === 15 ? t - 0.03 : t)).filter((_, i) => i !== 10);
    const x = clickTrack(hits, 13);
    const late = truth.map((t) => t + 0.015);
    const aligned = alignBeatsToAttacks(x, SR, late);
    for (let i = 0; i < truth.length; i++) expect(Math.abs(aligned[i] - truth[i])).toBeLessThan(0.002);
  });

  it('moves little when the signal changes little, even between two attacks of equal strength', () => {
    // Every beat is a double hit 576 samples (26 ms) apart, a flam on every beat, of one and the
    // same short burst, so the two flux peaks are equal; a quiet noise (46 dB below the hits) is
    // added: which peak is higher is then a coin toss, and a choice of peak moves beats by 26 ms.
    // The alignment may move them by two milliseconds. (The log gain of the flux is set at the
    // track's loud level, −22 dBFS for these sparse bursts: 2.5 times the gain at the reference
    // level, so more of each burst's decay, and of the noise, counts than on a dense mix.)
    const rand = seededRandom(3);
    const burst = Float32Array.from({ length: Math.round(0.02 * SR) }, (_, d) => 0.6 * (2 * rand() - 1) * Math.exp(-d / (0.003 * SR)));
    const x = new Float32Array(13 * SR);
    for (const t of truth) for (const on of [Math.round(t * SR) - 576, Math.round(t * SR)]) for (let d = 0; d < burst.length; d++) x[on + d] += burst[d];
    const late = truth.map((t) => (Math.round(t * SR) + 192) / SR);
    const a = alignBeatsToAttacks(x, SR, late);
    for (let seed = 1; seed <= 6; seed++) {
      const noise = seededRandom(seed);
      const b = alignBeatsToAttacks(x.map((v) => v + 3e-3 * (2 * noise() - 1)), SR, late);
      for (let i = 0; i < truth.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(0.002);
    }
    // Between (or on) the two hits.
    for (let i = 0; i < truth.length; i++) {
      expect(a[i]).toBeGreaterThan(truth[i] - 0.027);
      expect(a[i]).toBeLessThan(truth[i] + 0.002);
    }
  });

  it("moves beats whose neighbourhood has no clear attack with the song, not with that neighbourhood's noise", () => {
    // 48 beats: the first 24 have one clear hit each; around the last 24 only soft bursts
    // scattered at random (brushes, a busy texture), whose summed flux is nearly flat. The
    // tracker put every beat 15 ms late.
    const beats = Array.from({ length: 48 }, (_, i) => 0.5 + i * period);
    const rand = seededRandom(5);
    const x = clickTrack(beats.slice(0, 24), 25);
    for (let k = 0; k < 24 * 30; k++) {
      const on = Math.round((12.5 + rand() * 12) * SR);
      for (let d = 0; d < 0.2 * SR && on + d < x.length; d++) x[on + d] += 0.05 * (2 * rand() - 1) * Math.exp(-d / (0.1 * SR));
    }
    const late = beats.map((t) => t + 0.015);
    const movesMs = (a: number[]) => a.map((t, i) => (t - late[i]) * 1000);
    const moves = movesMs(alignBeatsToAttacks(x, SR, late));
    for (let i = 0; i < 16; i++) expect(Math.abs(moves[i] + 15)).toBeLessThan(1);
    // More than 8 beats from the hits, the beats all move about as the song does (early)…
    const far = moves.slice(33);
    for (const m of far) expect(m).toBeLessThan(-8);
    expect(Math.max(...far) - Math.min(...far)).toBeLessThan(6);
    // …where each on its own would follow its own neighbourhood's noise.
    const own = movesMs(alignBeatsToAttacks(x, SR, late, { contrast: [0, 1e-9] })).slice(33);
    expect(Math.max(...own) - Math.min(...own)).toBeGreaterThan(12);
  });

  it('leaves beats alone where there are no attacks at all, and keeps an empty list empty', () => {
    const silent = new Float32Array(13 * SR);
    expect(alignBeatsToAttacks(silent, SR, truth)).toEqual(truth);
    expect(alignBeatsToAttacks(silent, SR, [])).toEqual([]);
  });
});
