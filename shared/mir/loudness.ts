/**
 * Programme loudness after ITU-R BS.1770-4 (integrated loudness, LUFS) and loudness range after
 * EBU Tech 3342 (LRA, LU).
 *
 * K-weighting is the BS.1770 two-stage filter (a high-shelf "pre-filter" and the RLB high-pass).
 * The standard tabulates coefficients only for 48 kHz; here both biquads are designed for the
 * actual sample rate from their analogue prototypes (centre frequency, gain, Q) with the
 * bilinear transform, which reproduces the 48 kHz table to ~1e-8.
 *
 * Gating (BS.1770-4 §2.8): mean squares over 400 ms blocks with 75 % overlap (100 ms step), an
 * absolute gate at −70 LUFS, then a relative gate 10 LU below the loudness of the blocks that
 * passed the absolute gate. Channel weights: 1.0 for L, R, C; 1.41 for the surrounds; the LFE of
 * a 6-channel (5.1, SMPTE order L R C LFE Ls Rs) input is excluded.
 *
 * Conformance facts checked in the tests: a 997 Hz sine at 0 dBFS peak in one channel reads
 * −3.01 LUFS; EBU Tech 3341 test 1 (stereo 1 kHz sine at −23 dBFS) reads −23.0 LUFS; EBU Tech
 * 3342 test 1 (20 s at −20 dBFS then 20 s at −30 dBFS) has LRA 10 LU.
 */
import type { AudioBuffer } from '../audio/types.js';

/** Biquad coefficients, a0 normalised to 1. */
interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** BS.1770 stage-1 high shelf (head effects): analogue prototype parameters. */
const SHELF_F0_HZ = 1681.974450955533;
const SHELF_GAIN_DB = 3.999843853973347;
const SHELF_Q = 0.7071752369554196;
/** BS.1770 stage-2 RLB high-pass: analogue prototype parameters. */
const HIGHPASS_F0_HZ = 38.13547087602444;
const HIGHPASS_Q = 0.5003270373238773;

/** The K-weighting high shelf designed for `sampleRate` Hz (bilinear transform). */
export function designShelfFilter(sampleRate: number): Biquad {
  const k = Math.tan((Math.PI * SHELF_F0_HZ) / sampleRate);
  const vh = Math.pow(10, SHELF_GAIN_DB / 20);
  const vb = Math.pow(vh, 0.4996667741545416);
  const a0 = 1 + k / SHELF_Q + k * k;
  return {
    b0: (vh + (vb * k) / SHELF_Q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / SHELF_Q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / SHELF_Q + k * k) / a0,
  };
}

/** The K-weighting RLB high-pass designed for `sampleRate` Hz (bilinear transform, unity passband). */
export function designHighpassFilter(sampleRate: number): Biquad {
  const k = Math.tan((Math.PI * HIGHPASS_F0_HZ) / sampleRate);
  const a0 = 1 + k / HIGHPASS_Q + k * k;
  return { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / HIGHPASS_Q + k * k) / a0 };
}

/**
 * Mean square of the K-weighted channel over consecutive 100 ms steps: element s is the sum of
 * squares over samples [s·step, (s+1)·step). The trailing partial step is dropped.
 */
function kWeightedStepEnergies(x: Float32Array, sampleRate: number, stepLength: number): Float64Array {
  const f1 = designShelfFilter(sampleRate);
  const f2 = designHighpassFilter(sampleRate);
  const numSteps = Math.floor(x.length / stepLength);
  const out = new Float64Array(numSteps);
  // Direct form I, two cascaded biquads, double precision state.
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0, z1 = 0, z2 = 0;
  for (let s = 0, i = 0; s < numSteps; s++) {
    let acc = 0;
    for (const end = i + stepLength; i < end; i++) {
      const xi = x[i];
      const y = f1.b0 * xi + f1.b1 * x1 + f1.b2 * x2 - f1.a1 * y1 - f1.a2 * y2;
      x2 = x1;
      x1 = xi;
      const z = y + f2.b1 * y1 + y2 - f2.a1 * z1 - f2.a2 * z2; // b0 = 1, b1 = -2, b2 = 1
      y2 = y1;
      y1 = y;
      z2 = z1;
      z1 = z;
      acc += z * z;
    }
    out[s] = acc;
  }
  return out;
}

/** BS.1770 channel weight for channel `index` of `count`. */
function channelWeight(index: number, count: number): number {
  if (count === 6) return [1, 1, 1, 0, 1.41, 1.41][index];
  if (count === 5) return [1, 1, 1, 1.41, 1.41][index];
  return 1;
}

/**
 * Channel-weighted sums of squares of the K-weighted channels over consecutive 100 ms steps,
 * and the step length in samples. Null when there is nothing to measure.
 */
function weightedStepEnergies(audio: AudioBuffer): { steps: Float64Array; stepLength: number } | null {
  const sampleRate = audio.sampleRate;
  const count = audio.channels.length;
  const stepLength = Math.round(sampleRate / 10);
  if (count === 0 || !(sampleRate > 0) || stepLength < 1) return null;
  let steps: Float64Array | null = null;
  for (let c = 0; c < count; c++) {
    const g = channelWeight(c, count);
    if (g === 0) continue;
    const e = kWeightedStepEnergies(audio.channels[c], sampleRate, stepLength);
    if (!steps) steps = new Float64Array(e.length);
    for (let s = 0; s < e.length; s++) steps[s] += g * e[s];
  }
  return steps ? { steps, stepLength } : null;
}

/**
 * Mean square of every block of `stepsPerBlock` 100 ms steps, advancing one step at a time
 * (75 % overlap for 400 ms, 96.7 % for 3 s).
 */
function blockPowers(weighted: { steps: Float64Array; stepLength: number } | null, stepsPerBlock: number): Float64Array {
  if (!weighted || weighted.steps.length < stepsPerBlock) return new Float64Array(0);
  const { steps, stepLength } = weighted;
  const numBlocks = steps.length - stepsPerBlock + 1;
  const out = new Float64Array(numBlocks);
  const blockLength = stepsPerBlock * stepLength;
  let acc = 0;
  for (let s = 0; s < stepsPerBlock; s++) acc += steps[s];
  for (let b = 0; b < numBlocks; b++) {
    out[b] = Math.max(0, acc) / blockLength;
    if (b + stepsPerBlock < steps.length) acc += steps[b + stepsPerBlock] - steps[b];
  }
  return out;
}

/** Loudness in LUFS of a (channel-weighted) mean square: −0.691 + 10·log10(z). */
function powerToLufs(z: number): number {
  return z > 0 ? -0.691 + 10 * Math.log10(z) : -Infinity;
}

const ABSOLUTE_GATE_LUFS = -70;

/**
 * Integrated loudness (ITU-R BS.1770-4), LUFS. Inputs shorter than one 400 ms block, silence,
 * and anything entirely below the −70 LUFS absolute gate return −Infinity.
 */
export function integratedLoudness(audio: AudioBuffer): number {
  return integratedFromBlocks(blockPowers(weightedStepEnergies(audio), 4));
}

/**
 * Integrated loudness (LUFS) and loudness range (LU) together, K-weighting each channel once.
 * Same definitions and degenerate results as {@link integratedLoudness} and {@link loudnessRange}.
 */
export function measureLoudness(audio: AudioBuffer): { integratedLufs: number; rangeLu: number } {
  const weighted = weightedStepEnergies(audio);
  return { integratedLufs: integratedFromBlocks(blockPowers(weighted, 4)), rangeLu: rangeFromBlocks(blockPowers(weighted, 30)) };
}

function integratedFromBlocks(blocks: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const z of blocks) {
    if (powerToLufs(z) > ABSOLUTE_GATE_LUFS) {
      sum += z;
      n++;
    }
  }
  if (n === 0) return -Infinity;
  const relativeGate = powerToLufs(sum / n) - 10;
  let gatedSum = 0;
  let gatedCount = 0;
  for (const z of blocks) {
    const l = powerToLufs(z);
    if (l > ABSOLUTE_GATE_LUFS && l > relativeGate) {
      gatedSum += z;
      gatedCount++;
    }
  }
  return gatedCount > 0 ? powerToLufs(gatedSum / gatedCount) : -Infinity;
}

/**
 * Loudness range (EBU Tech 3342), LU: the spread between the 10th and 95th percentiles of the
 * short-term (3 s, 100 ms step) loudness distribution, after an absolute gate at −70 LUFS and a
 * relative gate 20 LU below the energy mean of the absolutely gated blocks. Inputs shorter than
 * 3 s, silence, or a single surviving block return 0.
 */
export function loudnessRange(audio: AudioBuffer): number {
  return rangeFromBlocks(blockPowers(weightedStepEnergies(audio), 30));
}

function rangeFromBlocks(blocks: Float64Array): number {
  const above: number[] = [];
  let sum = 0;
  for (const z of blocks) {
    const l = powerToLufs(z);
    if (l > ABSOLUTE_GATE_LUFS) {
      above.push(l);
      sum += z;
    }
  }
  if (above.length === 0) return 0;
  const relativeGate = powerToLufs(sum / above.length) - 20;
  const kept = above.filter((l) => l > relativeGate).sort((a, b) => a - b);
  if (kept.length < 2) return 0;
  return percentile(kept, 0.95) - percentile(kept, 0.1);
}

/** Linear-interpolated percentile of an ascending array, q in [0, 1]. */
function percentile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}
