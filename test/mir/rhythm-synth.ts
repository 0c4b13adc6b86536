/** Synthetic rhythm signals with known answers for the rhythm tests (22050 Hz mono). */
export const SR = 22050;

import { seededRandom as rng } from '../helpers/random.js';
export { rng };

/** Add a click at timeSec: a 20 ms noise burst (gain) plus, when `thump`, a 70 Hz decaying sine. */
export function addClick(x: Float32Array, timeSec: number, gain: number, rand: () => number, thump = 0): void {
  const start = Math.round(timeSec * SR);
  const len = Math.round(0.02 * SR);
  for (let i = 0; i < len && start + i < x.length; i++) {
    if (start + i < 0) continue;
    x[start + i] += gain * (rand() * 2 - 1) * Math.exp(-i / (0.004 * SR));
  }
  if (thump > 0) {
    const tl = Math.round(0.15 * SR);
    for (let i = 0; i < tl && start + i < x.length; i++) x[start + i] += thump * Math.sin((2 * Math.PI * 70 * i) / SR) * Math.exp(-i / (0.04 * SR));
  }
}

/** Beat times of a steady pulse from `startSec`, or with a tempo ramp from bpm0 to bpm1 (linear in time). */
export function beatTimes(durationSec: number, bpm0: number, bpm1 = bpm0, startSec = 0.5): number[] {
  const out: number[] = [];
  let t = startSec;
  while (t < durationSec - 0.3) {
    out.push(t);
    const bpm = bpm0 + ((bpm1 - bpm0) * t) / durationSec;
    t += 60 / bpm;
  }
  return out;
}

/**
 * Click track at the given beat times; beat i has bar position ((i + pickup) mod meter) + 1,
 * positions 1 get accent gain and a low thump. Light seeded noise underneath.
 */
export function renderClicks(durationSec: number, times: number[], options: { meter?: number; pickup?: number; accent?: number; seed?: number; noise?: number } = {}): Float32Array {
  const x = new Float32Array(Math.round(durationSec * SR));
  const rand = rng(options.seed ?? 1);
  const meter = options.meter ?? 4;
  const pickup = options.pickup ?? 0;
  const noise = options.noise ?? 0.002;
  for (let i = 0; i < x.length; i++) x[i] = noise * (rand() * 2 - 1);
  times.forEach((t, i) => {
    const down = (i + pickup) % meter === 0;
    addClick(x, t, down ? (options.accent ?? 0.9) : 0.4, rand, down ? 0.5 : 0);
  });
  return x;
}

/** Bar positions matching {@link renderClicks}. */
export function positions(count: number, meter: number, pickup = 0): number[] {
  return Array.from({ length: count }, (_, i) => ((i + pickup) % meter) + 1);
}
