/**
 * Seeded pseudo-random numbers for the generator. Never use Math.random here: the same seed and
 * parameters must give byte-identical audio.
 *
 * Method: mulberry32 (Tommy Ettinger's 32-bit mixer), a small, fast generator with a full 2^32
 * period; good enough for musical choices and noise bursts (not for cryptography).
 */

/** FNV-1a hash of the parts' text, as an unsigned 32-bit seed. Used to derive independent streams. */
export function deriveSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0001');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seeded random stream. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed >>> 0) ^ 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Integer uniform in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. Always consumes one draw, so streams stay aligned. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Pick by non-negative weights. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }
  /** Approximately normal (sum of three uniforms), mean 0, sd 1. */
  gauss(): number {
    return (this.next() + this.next() + this.next() - 1.5) * 2;
  }
}

/** A new stream for (seed, ...labels): independent of the draws made elsewhere. */
export function createRng(seed: number, ...labels: Array<string | number>): Rng {
  return new Rng(labels.length === 0 ? seed : deriveSeed(seed, ...labels));
}

/** White noise in [-1, 1) from a seed, as a Float32Array of `length` samples. */
export function whiteNoise(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = (seed >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    let t = (s = (s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
  }
  return out;
}
