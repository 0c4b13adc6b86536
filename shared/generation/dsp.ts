/**
 * Small synthesis building blocks shared by the instrument modules: decaying-partial oscillators
 * (two-pole resonator recursion), PolyBLEP sawtooth, RBJ biquads, a TPT state-variable low-pass
 * with a cutoff envelope, click-free ramps, constant-power panning into a stereo bus, and a note
 * cache. All work on Float32Array in place; nothing allocates per sample.
 */

/**
 * Added to the input of recursive filters so that decaying states never become subnormal floats
 * (which are very slow on x86); 1e-20 is far below audibility (−400 dBFS).
 */
export const DENORMAL_GUARD = 1e-20;

/** A stereo render target: two equally long channels. */
export interface StereoBus {
  left: Float32Array;
  right: Float32Array;
}

export function createBus(length: number): StereoBus {
  return { left: new Float32Array(length), right: new Float32Array(length) };
}

/**
 * Add a mono note into the bus at `startSample` with a gain and a constant-power pan
 * (-1 = left, +1 = right). Samples outside the bus are dropped.
 */
export function addToBus(bus: StereoBus, mono: Float32Array, startSample: number, gain: number, pan = 0): void {
  const angle = ((Math.max(-1, Math.min(1, pan)) + 1) * Math.PI) / 4;
  const gl = gain * Math.cos(angle) * Math.SQRT2;
  const gr = gain * Math.sin(angle) * Math.SQRT2;
  const n = bus.left.length;
  const from = Math.max(0, -startSample);
  const to = Math.min(mono.length, n - startSample);
  const L = bus.left;
  const R = bus.right;
  for (let i = from; i < to; i++) {
    const v = mono[i];
    L[startSample + i] += v * gl;
    R[startSample + i] += v * gr;
  }
}

/** Add a mono note with separate left and right gains (for stereo spreads). */
export function addToBusLR(bus: StereoBus, mono: Float32Array, startSample: number, gainL: number, gainR: number): void {
  const n = bus.left.length;
  const from = Math.max(0, -startSample);
  const to = Math.min(mono.length, n - startSample);
  for (let i = from; i < to; i++) {
    const v = mono[i];
    bus.left[startSample + i] += v * gainL;
    bus.right[startSample + i] += v * gainR;
  }
}

/**
 * Fade in over `attackSamples` (linear) and out over the last `releaseSamples` (raised cosine), so
 * that a note starts and ends at exactly zero: no clicks at note boundaries.
 */
export function applyRamps(buf: Float32Array, attackSamples: number, releaseSamples: number): void {
  const n = buf.length;
  const a = Math.min(n, Math.max(1, Math.round(attackSamples)));
  for (let i = 0; i < a; i++) buf[i] *= i / a;
  const r = Math.min(n, Math.max(1, Math.round(releaseSamples)));
  for (let i = 0; i < r; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / r);
    buf[n - 1 - i] *= g;
  }
}

/** One partial of an additive voice: frequency ratio to f0, amplitude, exponential decay time. */
export interface Partial {
  ratio: number;
  amp: number;
  /** Time for the partial to fall by 1/e, in seconds; Infinity for a steady partial. */
  decaySec: number;
}

/**
 * Add decaying sinusoids into `out[0..]`. Each partial is a two-pole resonator recursion
 * s[n] = 2 r cos(w) s[n-1] - r^2 s[n-2] (exact damped sine, three multiplies per sample).
 * Partials at or above 0.45 × sampleRate are skipped (no aliasing).
 */
export function addPartials(out: Float32Array, f0Hz: number, partials: readonly Partial[], sampleRate: number, gain = 1): void {
  const n = out.length;
  for (const p of partials) {
    const f = f0Hz * p.ratio;
    if (f >= 0.45 * sampleRate || p.amp === 0) continue;
    const w = (2 * Math.PI * f) / sampleRate;
    const r = Number.isFinite(p.decaySec) ? Math.exp(-1 / (p.decaySec * sampleRate)) : 1;
    const c1 = 2 * r * Math.cos(w);
    const c2 = -r * r;
    // Stop once the partial is 70 dB below its start (masked by then; the voice fades anyway).
    const life = Number.isFinite(p.decaySec) ? Math.min(n, Math.ceil(p.decaySec * sampleRate * 8)) : n;
    let s2 = 0;
    let s1 = p.amp * gain * r * Math.sin(w);
    if (life > 1) out[1] += s1;
    for (let i = 2; i < life; i++) {
      const s = c1 * s1 + c2 * s2;
      out[i] += s;
      s2 = s1;
      s1 = s;
    }
  }
}

/**
 * Band-limited sawtooth (PolyBLEP, Välimäki 2007) at a constant frequency, added into `out`.
 * Returns the phase at the end, so that voices can continue.
 */
export function addSaw(out: Float32Array, freqHz: number, sampleRate: number, gain: number, phase0 = 0): number {
  const dt = freqHz / sampleRate;
  if (dt <= 0 || dt >= 0.5) return phase0;
  let ph = phase0;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    let v = 2 * ph - 1;
    if (ph < dt) {
      const t = ph / dt;
      v -= t + t - t * t - 1;
    } else if (ph > 1 - dt) {
      const t = (ph - 1) / dt;
      v -= t * t + t + t + 1;
    }
    out[i] += gain * v;
    ph += dt;
    if (ph >= 1) ph -= 1;
  }
  return ph;
}

/** Biquad coefficients (RBJ Audio EQ Cookbook), normalised so that a0 = 1. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

export type BiquadKind = 'lowpass' | 'highpass' | 'bandpass' | 'peak';

/** RBJ cookbook biquad design. `gainDb` is used by 'peak' only; bandpass has 0 dB peak gain. */
export function designBiquad(kind: BiquadKind, freqHz: number, q: number, sampleRate: number, gainDb = 0): Biquad {
  const f = Math.min(freqHz, 0.49 * sampleRate);
  const w = (2 * Math.PI * f) / sampleRate;
  const cw = Math.cos(w);
  const alpha = Math.sin(w) / (2 * q);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  if (kind === 'lowpass') {
    b0 = (1 - cw) / 2; b1 = 1 - cw; b2 = (1 - cw) / 2; a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
  } else if (kind === 'highpass') {
    b0 = (1 + cw) / 2; b1 = -(1 + cw); b2 = (1 + cw) / 2; a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
  } else if (kind === 'bandpass') {
    b0 = alpha; b1 = 0; b2 = -alpha; a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
  } else {
    const A = Math.pow(10, gainDb / 40);
    b0 = 1 + alpha * A; b1 = -2 * cw; b2 = 1 - alpha * A; a0 = 1 + alpha / A; a1 = -2 * cw; a2 = 1 - alpha / A;
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** Run a biquad over `buf` in place (transposed direct form II), from zero state. */
export function filterBiquad(buf: Float32Array, c: Biquad): void {
  let z1 = 0;
  let z2 = 0;
  const { b0, b1, b2, a1, a2 } = c;
  for (let i = 0; i < buf.length; i++) {
    const x = buf[i] + DENORMAL_GUARD;
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    buf[i] = y;
  }
}

/** Run a biquad from `src` and add `gain` × output into `dst` (same length). */
export function addFilteredBiquad(dst: Float32Array, src: Float32Array, c: Biquad, gain: number): void {
  let z1 = 0;
  let z2 = 0;
  const { b0, b1, b2, a1, a2 } = c;
  for (let i = 0; i < src.length; i++) {
    const x = src[i] + DENORMAL_GUARD;
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    dst[i] += gain * y;
  }
}

/**
 * Resonant low-pass (topology-preserving state-variable filter, Zavalishin 2012) in place, with an
 * exponential cutoff envelope: cutoff(t) = endHz + (startHz - endHz) · exp(-t / tauSec). The
 * coefficients are updated every 16 samples. `resonance` in [0, 0.95].
 */
export function lowpassSweep(
  buf: Float32Array,
  sampleRate: number,
  startHz: number,
  endHz: number,
  tauSec: number,
  resonance = 0.2,
): void {
  const k = 2 - 2 * Math.min(0.95, Math.max(0, resonance));
  let ic1 = 0;
  let ic2 = 0;
  const n = buf.length;
  const block = 16;
  const decayPerBlock = Math.exp(-block / Math.max(1e-4, tauSec * sampleRate));
  let env = 1;
  const nyqLimit = 0.45 * sampleRate;
  for (let b = 0; b < n; b += block) {
    const fc = Math.min(nyqLimit, endHz + (startHz - endHz) * env);
    env *= decayPerBlock;
    const g = Math.tan((Math.PI * fc) / sampleRate);
    const a1 = 1 / (1 + g * (g + k));
    const a2 = g * a1;
    const a3 = g * a2;
    const end = Math.min(n, b + block);
    for (let i = b; i < end; i++) {
      const v3 = buf[i] + DENORMAL_GUARD - ic2;
      const v1 = a1 * ic1 + a2 * v3;
      const v2 = ic2 + a2 * ic1 + a3 * v3;
      ic1 = 2 * v1 - ic1;
      ic2 = 2 * v2 - ic2;
      buf[i] = v2;
    }
  }
}

/** Soft saturation x(27 + x²)/(27 + 9x²) (a Padé tanh), after a drive gain; in place. */
export function saturate(buf: Float32Array, drive: number, outGain = 1): void {
  for (let i = 0; i < buf.length; i++) {
    let x = buf[i] * drive;
    if (x > 3) x = 3;
    else if (x < -3) x = -3;
    const x2 = x * x;
    buf[i] = (outGain * x * (27 + x2)) / (27 + 9 * x2);
  }
}

/** Multiply by an exponential decay exp(-t/tauSec) from the first sample; in place. */
export function applyDecay(buf: Float32Array, tauSec: number, sampleRate: number): void {
  const r = Math.exp(-1 / (tauSec * sampleRate));
  let g = 1;
  for (let i = 0; i < buf.length; i++) {
    buf[i] *= g;
    g *= r;
  }
}

/** Largest absolute sample over all channels. */
export function peakOf(channels: readonly Float32Array[]): number {
  let peak = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) {
      const a = Math.abs(ch[i]);
      if (a > peak) peak = a;
    }
  }
  return peak;
}

/** Scale all channels in place so the peak is at most `maxPeak` (never amplifies). Returns the gain. */
export function limitPeak(channels: readonly Float32Array[], maxPeak: number): number {
  const peak = peakOf(channels);
  if (peak <= maxPeak || peak === 0) return 1;
  const g = maxPeak / peak;
  for (const ch of channels) for (let i = 0; i < ch.length; i++) ch[i] *= g;
  return g;
}

/** Linear gain of a level in dB. */
export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/**
 * Cheap stereo room: a feedback delay network of four delay lines (Jot 1991 style, Householder
 * feedback), fed from a mono sum of the bus and added back at `wet`. Deterministic and linear.
 */
export function addRoom(bus: StereoBus, sampleRate: number, wet: number, decaySec = 1.2): void {
  if (wet <= 0) return;
  const n = bus.left.length;
  const lengths = [1031, 1327, 1523, 1787].map((l) => Math.max(8, Math.round((l * sampleRate) / 44100)));
  const lines = lengths.map((l) => new Float32Array(l));
  const idx = [0, 0, 0, 0];
  const gains = lengths.map((l) => Math.pow(10, (-3 * l) / (decaySec * sampleRate)));
  let lp0 = 0, lp1 = 0, lp2 = 0, lp3 = 0;
  const damp = 0.35;
  const L = bus.left;
  const R = bus.right;
  const d0 = lines[0], d1 = lines[1], d2 = lines[2], d3 = lines[3];
  const g0 = gains[0], g1 = gains[1], g2 = gains[2], g3 = gains[3];
  const n0 = lengths[0], n1 = lengths[1], n2 = lengths[2], n3 = lengths[3];
  let i0 = idx[0], i1 = idx[1], i2 = idx[2], i3 = idx[3];
  for (let i = 0; i < n; i++) {
    const x = (L[i] + R[i]) * 0.25 + DENORMAL_GUARD;
    const o0 = d0[i0], o1 = d1[i1], o2 = d2[i2], o3 = d3[i3];
    lp0 += (1 - damp) * (o0 - lp0);
    lp1 += (1 - damp) * (o1 - lp1);
    lp2 += (1 - damp) * (o2 - lp2);
    lp3 += (1 - damp) * (o3 - lp3);
    const s = (lp0 + lp1 + lp2 + lp3) * 0.5;
    d0[i0] = x + g0 * (lp0 - s);
    d1[i1] = x + g1 * (lp1 - s);
    d2[i2] = x + g2 * (lp2 - s);
    d3[i3] = x + g3 * (lp3 - s);
    L[i] += wet * (o0 + o2 - o1 * 0.5);
    R[i] += wet * (o1 + o3 - o2 * 0.5);
    if (++i0 === n0) i0 = 0;
    if (++i1 === n1) i1 = 0;
    if (++i2 === n2) i2 = 0;
    if (++i3 === n3) i3 = 0;
  }
}

/**
 * The voice without its inaudible end: cut after the last sample above 1e-5 (−100 dBFS).
 * Shares memory with the input.
 */
export function trimSilence(voice: Float32Array, threshold = 1e-5): Float32Array {
  let end = voice.length;
  while (end > 0 && Math.abs(voice[end - 1]) < threshold) end--;
  return end === voice.length ? voice : voice.subarray(0, end);
}

/** A memo of rendered notes keyed by their parameters: repeated notes are rendered once. */
export class NoteCache {
  private readonly map = new Map<string, Float32Array>();
  constructor(private readonly maxEntries = 4096) {}
  get(key: string, render: () => Float32Array): Float32Array {
    const hit = this.map.get(key);
    if (hit) return hit;
    const value = trimSilence(render());
    if (this.map.size < this.maxEntries) this.map.set(key, value);
    return value;
  }
}
