/**
 * Band-limited sample-rate conversion: a Kaiser-windowed sinc low-pass in polyphase form
 * (Crochiere & Rabiner, "Multirate Digital Signal Processing", 1983; Kaiser window design
 * formulas from Kaiser 1974 / Oppenheim & Schafer). Zero-phase: output sample n sits exactly at
 * time n / targetRate, so nothing shifts in time.
 *
 * Design per quality, with band edges as fractions of the lower of the two sample rates, fsLow
 * (so 0.5 = its Nyquist frequency):
 *   fast:   passband ≤ 0.45·fsLow, stopband ≥ 0.55·fsLow,  70 dB  (resampleMono default)
 *   medium: passband ≤ 0.45·fsLow, stopband ≥ 0.55·fsLow,  90 dB  (resample default)
 *   best:   passband ≤ 0.45·fsLow, stopband ≥ 0.50·fsLow, 110 dB  (no alias band at all)
 * Passband ripple is at most 10^(-A/20) (≪ 0.01 dB). Content between fsLow/2 and 0.55·fsLow
 * (fast, medium) folds into 0.45–0.5·fsLow only, above the passband.
 *
 * The ratio is reduced to L/M; when L ≤ 2048 every output phase has its own exact filter row,
 * otherwise rows are linearly interpolated from a 1024-phase table. Exact 2:1 decimation with
 * the symmetric designs uses a half-band loop (every other tap is zero), which is what the
 * analysis path (44.1 kHz → 22.05 kHz) hits. The signal is treated as zero outside its ends.
 *
 * Output length: ceil(inputLength · targetRate / sourceRate). Equal rates return the input
 * unchanged (same arrays, no copy). Empty input gives empty output.
 */
import { type AudioBuffer, frameCount, toMono } from './types.js';
import { sharedFloat32 } from './codec-common.js';
import { InvalidAudioParametersError } from '../errors.js';

export type ResampleQuality = 'best' | 'medium' | 'fast';

export interface ResampleOptions {
  /** Filter length/attenuation trade-off; default 'medium' for resample, 'fast' for resampleMono. */
  quality?: ResampleQuality;
}

interface FilterDesign {
  passEdge: number;
  stopEdge: number;
  attenuationDb: number;
}

const DESIGNS: Record<ResampleQuality, FilterDesign> = {
  fast: { passEdge: 0.45, stopEdge: 0.55, attenuationDb: 70 },
  medium: { passEdge: 0.45, stopEdge: 0.55, attenuationDb: 90 },
  best: { passEdge: 0.45, stopEdge: 0.5, attenuationDb: 110 },
};

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function kaiserBeta(a: number): number {
  if (a > 50) return 0.1102 * (a - 8.7);
  if (a >= 21) return 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21);
  return 0;
}

interface Kernel {
  /** Cut-off (−6 dB, centre of the transition) in cycles per input sample. */
  fc: number;
  /** Half-width of the kernel in input samples. */
  halfWidth: number;
  beta: number;
  i0Beta: number;
}

function makeKernel(fromRate: number, toRate: number, design: FilterDesign): Kernel {
  const low = Math.min(fromRate, toRate);
  const fc = (((design.passEdge + design.stopEdge) / 2) * low) / fromRate;
  const delta = ((design.stopEdge - design.passEdge) * low) / fromRate;
  const taps = Math.ceil((design.attenuationDb - 7.95) / (14.36 * delta)) + 1;
  const beta = kaiserBeta(design.attenuationDb);
  return { fc, halfWidth: taps / 2, beta, i0Beta: besselI0(beta) };
}

/** Windowed-sinc impulse response at time t (input samples). */
function kernelAt(k: Kernel, t: number): number {
  const r = t / k.halfWidth;
  if (r <= -1 || r >= 1) return 0;
  const w = besselI0(k.beta * Math.sqrt(1 - r * r)) / k.i0Beta;
  const x = 2 * k.fc * t;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  return 2 * k.fc * sinc * w;
}

/** One row of T taps for fractional offset `frac` ∈ [0,1), normalised to unit DC gain. */
function fillRow(k: Kernel, frac: number, T: number, out: Float32Array, at: number): void {
  const K = T / 2;
  let sum = 0;
  for (let j = 0; j < T; j++) {
    const v = kernelAt(k, frac + K - 1 - j);
    out[at + j] = v;
    sum += v;
  }
  if (sum !== 0) for (let j = 0; j < T; j++) out[at + j] /= sum;
}

interface Plan {
  L: number;
  M: number;
  T: number;
  /** Exact rows (L of them) or interpolation rows (P + 1 of them). */
  table: Float32Array;
  interpolated: boolean;
  phases: number;
  halfBand: Float32Array | null;
}

const planCache = new Map<string, Plan>();
const MAX_EXACT_PHASES = 2048;
const INTERP_PHASES = 1024;

function makePlan(fromRate: number, toRate: number, quality: ResampleQuality): Plan {
  const key = `${fromRate}:${toRate}:${quality}`;
  const cached = planCache.get(key);
  if (cached) return cached;
  const design = DESIGNS[quality];
  const g = gcd(fromRate, toRate);
  const L = toRate / g;
  const M = fromRate / g;
  const kernel = makeKernel(fromRate, toRate, design);
  const T = 2 * Math.ceil(kernel.halfWidth);
  let plan: Plan;
  if (L === 1 && M === 2 && Math.abs(kernel.fc - 0.25) < 1e-12) {
    // Half-band: taps at even offsets ≠ 0 vanish; keep the odd-offset pairs.
    const K = Math.ceil(kernel.halfWidth);
    const pairs = Math.ceil(K / 2);
    const hb = new Float32Array(pairs + 1);
    let sum = kernelAt(kernel, 0);
    for (let m = 0; m < pairs; m++) {
      const v = kernelAt(kernel, 2 * m + 1);
      hb[m + 1] = v;
      sum += 2 * v;
    }
    hb[0] = kernelAt(kernel, 0);
    for (let i = 0; i < hb.length; i++) hb[i] /= sum;
    plan = { L, M, T: 2 * (2 * pairs + 1), table: new Float32Array(0), interpolated: false, phases: 1, halfBand: hb };
  } else if (L <= MAX_EXACT_PHASES) {
    const table = new Float32Array(L * T);
    for (let p = 0; p < L; p++) fillRow(kernel, p / L, T, table, p * T);
    plan = { L, M, T, table, interpolated: false, phases: L, halfBand: null };
  } else {
    const P = INTERP_PHASES;
    const table = new Float32Array((P + 1) * T);
    for (let p = 0; p <= P; p++) fillRow(kernel, p / P, T, table, p * T);
    plan = { L, M, T, table, interpolated: true, phases: P, halfBand: null };
  }
  if (planCache.size > 32) planCache.clear();
  planCache.set(key, plan);
  return plan;
}

function checkRate(rate: number, what: string): void {
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new InvalidAudioParametersError(`${what} sample rate must be a positive integer in Hz, got ${rate}`);
  }
}

/** Output samples per block of the half-band loop (its input scratch then stays in cache). */
const HALF_BAND_BLOCK = 4096;

/**
 * 2:1 half-band decimation of the channel average g·Σ_c x_c (g = 1/channel count):
 * y[n] = h0·x[2n] + Σ_m h_m·(x[2n−(2m−1)] + x[2n+(2m−1)]), zeros outside the signal.
 * Works in blocks of {@link HALF_BAND_BLOCK} outputs: the block's input span is mixed to mono
 * into a small reused scratch array, then each output is one symmetric dot product accumulated
 * in float64. The only large allocation is the output itself.
 */
function runHalfBand(channels: Float32Array[], hb32: Float32Array, outLen: number): Float32Array {
  const hb = Float64Array.from(hb32); // same values; spares a conversion per tap load
  const pairs = hb.length - 1;
  const reach = 2 * pairs - 1; // farthest input offset of a tap
  const len = channels[0].length;
  const count = channels.length;
  const g = 1 / count;
  const scratch = new Float64Array(2 * HALF_BAND_BLOCK + 2 * reach + 1);
  const y = new Float32Array(outLen);
  const c0 = hb[0];
  for (let n0 = 0; n0 < outLen; n0 += HALF_BAND_BLOCK) {
    const nb = Math.min(HALF_BAND_BLOCK, outLen - n0);
    // scratch[i] = mono x[lo + i] for i in 0..span-1
    const lo = 2 * n0 - reach;
    const span = 2 * (nb - 1) + 2 * reach + 1;
    const from = Math.max(0, -lo);
    const to = Math.min(span, len - lo);
    scratch.fill(0, 0, from);
    if (to < span) scratch.fill(0, Math.max(from, to), span);
    if (count === 1) {
      if (to > from) scratch.set(channels[0].subarray(lo + from, lo + to), from);
    } else if (count === 2) {
      const a = channels[0];
      const b = channels[1];
      for (let i = from, k = lo + from; i < to; i++, k++) scratch[i] = Math.fround((a[k] + b[k]) * 0.5);
    } else {
      for (let i = from, k = lo + from; i < to; i++, k++) {
        let sum = 0;
        for (let c = 0; c < count; c++) sum += channels[c][k];
        scratch[i] = Math.fround(sum * g);
      }
    }
    // Four outputs per pass over the taps: four independent float64 sums (no chain of dependent
    // additions), one coefficient load per tap pair.
    let n = 0;
    for (let centre = reach; n + 8 <= nb; n += 8, centre += 16) {
      let s0 = c0 * scratch[centre];
      let s1 = c0 * scratch[centre + 2];
      let s2 = c0 * scratch[centre + 4];
      let s3 = c0 * scratch[centre + 6];
      let s4 = c0 * scratch[centre + 8];
      let s5 = c0 * scratch[centre + 10];
      let s6 = c0 * scratch[centre + 12];
      let s7 = c0 * scratch[centre + 14];
      for (let m = 1, d = 1; m <= pairs; m++, d += 2) {
        const h = hb[m];
        const l = centre - d;
        const r = centre + d;
        s0 += h * (scratch[l] + scratch[r]);
        s1 += h * (scratch[l + 2] + scratch[r + 2]);
        s2 += h * (scratch[l + 4] + scratch[r + 4]);
        s3 += h * (scratch[l + 6] + scratch[r + 6]);
        s4 += h * (scratch[l + 8] + scratch[r + 8]);
        s5 += h * (scratch[l + 10] + scratch[r + 10]);
        s6 += h * (scratch[l + 12] + scratch[r + 12]);
        s7 += h * (scratch[l + 14] + scratch[r + 14]);
      }
      const o = n0 + n;
      y[o] = s0;
      y[o + 1] = s1;
      y[o + 2] = s2;
      y[o + 3] = s3;
      y[o + 4] = s4;
      y[o + 5] = s5;
      y[o + 6] = s6;
      y[o + 7] = s7;
    }
    for (let centre = reach + 2 * n; n < nb; n++, centre += 2) {
      let acc = c0 * scratch[centre];
      for (let m = 1, d = 1; m <= pairs; m++, d += 2) acc += hb[m] * (scratch[centre - d] + scratch[centre + d]);
      y[n0 + n] = acc;
    }
  }
  return y;
}

function runPolyphase(x: Float32Array, plan: Plan, fromRate: number, toRate: number, outLen: number): Float32Array {
  const { L, M, T, table } = plan;
  const K = T / 2;
  const xp = new Float32Array(x.length + T + 2);
  xp.set(x, K);
  const y = new Float32Array(outLen);
  if (!plan.interpolated) {
    let i0 = 0;
    let p = 0;
    for (let n = 0; n < outLen; n++) {
      // taps cover input k = i0-K+1 .. i0+K  →  xp index i0+1 .. i0+T
      const row = p * T;
      const base = i0 + 1;
      let acc = 0;
      for (let j = 0; j < T; j++) acc += table[row + j] * xp[base + j];
      y[n] = acc;
      p += M;
      if (p >= L) {
        i0 += Math.floor(p / L);
        p %= L;
      }
    }
    return y;
  }
  const P = plan.phases;
  for (let n = 0; n < outLen; n++) {
    // exact integer arithmetic for the position: n·from/to = i0 + r/to
    const num = n * fromRate;
    const i0 = Math.floor(num / toRate);
    const pf = ((num - i0 * toRate) / toRate) * P;
    const p0 = Math.floor(pf);
    const w = pf - p0;
    const r0 = p0 * T;
    const r1 = r0 + T;
    const base = i0 + 1;
    let acc = 0;
    for (let j = 0; j < T; j++) {
      const h = table[r0 + j] + w * (table[r1 + j] - table[r0 + j]);
      acc += h * xp[base + j];
    }
    y[n] = acc;
  }
  return y;
}

/**
 * Resample one channel from `fromRate` to `toRate` (Hz, integers). Returns `x` itself when the
 * rates match. Default quality 'fast' (≥ 70 dB alias rejection, flat within 0.01 dB to
 * 0.45·fsLow): this is the analysis path (44.1 kHz → 22.05 kHz), where speed matters.
 */
export function resampleMono(x: Float32Array, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  checkRate(fromRate, 'source');
  checkRate(toRate, 'target');
  if (fromRate === toRate) return x;
  const outLen = Math.ceil((x.length * toRate) / fromRate);
  if (x.length === 0) return new Float32Array(0);
  const plan = makePlan(fromRate, toRate, options.quality ?? 'fast');
  if (plan.halfBand) return runHalfBand([x], plan.halfBand, outLen);
  return runPolyphase(x, plan, fromRate, toRate, outLen);
}

/**
 * Resample every channel of `audio` to `targetRate` Hz (see the module comment for the filter).
 * Default quality 'medium'. Returns `audio` itself when the rates already match.
 */
export function resample(audio: AudioBuffer, targetRate: number, options: ResampleOptions = {}): AudioBuffer {
  if (audio.sampleRate === targetRate) return audio;
  const quality = options.quality ?? 'medium';
  return {
    sampleRate: targetRate,
    channels: audio.channels.map((ch) => resampleMono(ch, audio.sampleRate, targetRate, { quality })),
  };
}

/**
 * The analysis signal of a mix: the average of its channels at `targetRate` Hz, with the
 * resampleMono 'fast' filter; equal to resampleMono(toMono(mix), mix.sampleRate, targetRate) up to
 * float32 rounding (|difference| ≤ 1e-6 of full scale). For an exact 2:1 ratio (44.1 → 22.05 kHz)
 * the channels are mixed on the fly inside the half-band loop, without a full-rate mono copy.
 */
export function mixToAnalysisMono(mix: AudioBuffer, targetRate: number): Float32Array {
  checkRate(mix.sampleRate, 'source');
  checkRate(targetRate, 'target');
  const n = frameCount(mix);
  if (mix.channels.length === 0 || n === 0 || mix.sampleRate !== 2 * targetRate) {
    return resampleMono(toMono(mix), mix.sampleRate, targetRate);
  }
  const plan = makePlan(mix.sampleRate, targetRate, 'fast');
  if (!plan.halfBand) return resampleMono(toMono(mix), mix.sampleRate, targetRate);
  return runHalfBand(mix.channels, plan.halfBand, Math.ceil((n * targetRate) / mix.sampleRate));
}

/**
 * The input window [start, end) that outputs [n0, n1) of {@link mixToAnalysisMono} read: every
 * tap they reach, from a multiple of the ratio's denominator M so that the filter phases line up
 * with the one-shot run (0 at the very start). `reach` = input frames a tap can reach beyond an
 * output's own position; `frames` = input frames there are.
 */
function analysisWindow(n0: number, n1: number, L: number, M: number, reach: number, frames: number): { start: number; end: number } {
  return {
    start: Math.max(0, Math.floor((Math.floor((n0 * M) / L) - reach) / M) * M),
    end: Math.min(frames, Math.ceil(((n1 - 1) * M) / L) + reach + 1),
  };
}

function analysisRatio(sourceRate: number, targetRate: number): { L: number; M: number; reach: number } {
  const g = gcd(sourceRate, targetRate);
  return { L: targetRate / g, M: sourceRate / g, reach: sourceRate === targetRate ? 0 : makePlan(sourceRate, targetRate, 'fast').T / 2 + 2 };
}

/**
 * Outputs [n0, n1) of {@link mixToAnalysisMono}(mix, targetRate), written to `out[n0..n1)`: the
 * same samples bit for bit, computed from the window of the input they read. Two threads can so
 * each compute part of one analysis signal. `mix` may be a window itself: `offset` is the
 * input frame its first sample has in the whole signal, and it must hold every frame the range
 * reads (see {@link analysisWindow}) or run to the signal's end.
 */
export function mixToAnalysisMonoRange(mix: AudioBuffer, targetRate: number, n0: number, n1: number, out: Float32Array, offset = 0): void {
  if (n1 <= n0) return;
  checkRate(mix.sampleRate, 'source');
  checkRate(targetRate, 'target');
  const { L, M, reach } = analysisRatio(mix.sampleRate, targetRate);
  const { start, end } = analysisWindow(n0, n1, L, M, reach, offset + frameCount(mix));
  if (start < offset) throw new RangeError(`analysis outputs from ${n0} need input frame ${start}, before the window's first (${offset})`);
  const window = mix.channels.map((ch) => ch.subarray(start - offset, end - offset));
  const y = mixToAnalysisMono({ sampleRate: mix.sampleRate, channels: window }, targetRate);
  const local = (start / M) * L;
  out.set(y.subarray(n0 - local, n1 - local), n0);
}

/** Analysis-signal samples computed per step of {@link AnalysisMonoStream} (~3 s at 22 050 Hz). */
const STREAM_BLOCK = 65536;

/**
 * {@link mixToAnalysisMono} of audio that arrives in pieces (a long file being decoded), sample for
 * sample the same output: each block of output is computed from a window of the input that holds
 * every tap it reaches, starting on a multiple of the ratio's denominator so that the filter
 * phases line up with the one-shot run. Holds only the input still needed (a few thousand
 * frames) besides the output.
 */
export class AnalysisMonoStream {
  private readonly L: number;
  private readonly M: number;
  /** Input frames a tap can reach beyond an output's own position, with a frame to spare. */
  private readonly reach: number;
  private pending: Float32Array[];
  /** Global input frame of pending[c][0], and frames held. */
  private origin = 0;
  private held = 0;
  private received = 0;
  private out: Float32Array;
  private produced = 0;

  /**
   * @param sourceRate input rate, Hz
   * @param channelCount input channels (averaged)
   * @param targetRate output rate, Hz
   * @param expectedFrames input frames expected (sizes the output once; it grows if more come)
   */
  constructor(
    private readonly sourceRate: number,
    private readonly channelCount: number,
    private readonly targetRate: number,
    expectedFrames = 0,
  ) {
    checkRate(sourceRate, 'source');
    checkRate(targetRate, 'target');
    ({ L: this.L, M: this.M, reach: this.reach } = analysisRatio(sourceRate, targetRate));
    this.pending = Array.from({ length: channelCount }, () => new Float32Array(1 << 16));
    this.out = sharedFloat32(Math.ceil((expectedFrames * targetRate) / sourceRate));
  }

  /** The next frames of every channel (equal lengths). */
  push(channels: Float32Array[]): void {
    if (channels.length !== this.channelCount) throw new InvalidAudioParametersError(`expected ${this.channelCount} channels, got ${channels.length}`);
    const n = channels[0]?.length ?? 0;
    this.reserve(n);
    channels.forEach((ch, c) => this.pending[c].set(ch, this.held));
    this.held += n;
    this.received += n;
    // Emit every block whose taps are all in.
    for (;;) {
      const n1 = this.produced + STREAM_BLOCK;
      if (this.inputEndFor(n1) > this.received) break;
      this.emit(n1);
    }
  }

  /** The whole analysis signal: ceil(frames · targetRate / sourceRate) samples, on shared memory (threads read it without a copy). */
  finish(): Float32Array {
    const total = Math.ceil((this.received * this.targetRate) / this.sourceRate);
    if (this.channelCount > 0 && this.received > 0) while (this.produced < total) this.emit(Math.min(total, this.produced + STREAM_BLOCK));
    const out = this.out.subarray(0, total);
    this.out = new Float32Array(0);
    this.pending = [];
    return out;
  }

  /** Input frames [0, end) needed by outputs below n1. */
  private inputEndFor(n1: number): number {
    return analysisWindow(0, n1, this.L, this.M, this.reach, Infinity).end;
  }

  /** Compute outputs [produced, n1) from the pending input. */
  private emit(n1: number): void {
    this.reserveOut(n1);
    const held = this.pending.map((ch) => ch.subarray(0, this.held));
    mixToAnalysisMonoRange({ sampleRate: this.sourceRate, channels: held }, this.targetRate, this.produced, n1, this.out, this.origin);
    this.produced = n1;
  }

  /** Room for `n` more input frames, dropping frames no later output needs. */
  private reserve(n: number): void {
    const keepFrom = analysisWindow(this.produced, this.produced + 1, this.L, this.M, this.reach, Infinity).start;
    const drop = Math.min(this.held, Math.max(0, keepFrom - this.origin));
    const need = this.held - drop + n;
    const cap = this.pending[0]?.length ?? 0;
    if (drop === 0 && need <= cap) return;
    const next = need <= cap ? cap : Math.max(need, 2 * cap);
    this.pending = this.pending.map((ch) => {
      if (next === cap) return ch.copyWithin(0, drop, this.held);
      const grown = new Float32Array(next);
      grown.set(ch.subarray(drop, this.held));
      return grown;
    });
    this.origin += drop;
    this.held -= drop;
  }

  private reserveOut(n1: number): void {
    if (n1 <= this.out.length) return;
    const grown = sharedFloat32(Math.max(n1, Math.ceil(this.out.length * 1.5)));
    grown.set(this.out.subarray(0, this.produced));
    this.out = grown;
  }
}
