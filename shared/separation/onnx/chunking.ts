/**
 * Reference chunking for fixed-segment separation models, as in Demucs `apply_model`
 * (Défossez et al., "Hybrid Transformers for Music Source Separation", ICASSP 2023; demucs/apply.py):
 *
 * - segments of `segmentSamples` (7.8 s = 343980 samples at 44.1 kHz for htdemucs), stepping by
 *   stride = floor((1 − overlap)·segment) (25 % overlap → 257985);
 * - the last segment, and any input shorter than one segment, is centred in a full-length model
 *   input with the neighbouring mix as context and zeros beyond the track's ends, and the centre
 *   is cut back out of the output (demucs TensorChunk.padded + center_trim);
 * - every segment's output is weighted by a triangular window (a linear ramp 1..S/2 up and back
 *   down, divided by its maximum, raised to `transitionPower`) and the overlap-add is divided by
 *   the summed weights, so where segments overlap the result cross-fades and a time-invariant
 *   linear model reproduces itself exactly;
 * - whole-track normalisation: ref = mean over channels; x' = (x − mean(ref)) / (std(ref) + 1e-8),
 *   and each output is mapped back with × (std + 1e-8) + mean (demucs/api.py, separate.py).
 *
 * Pure: no I/O. Degenerate input: length 0 → zero-length stems and no model call.
 */

export interface ChunkingOptions {
  /** Samples per model call. */
  segmentSamples: number;
  /** Fraction of a segment shared by neighbours, in [0, 1). Default 0.25. */
  overlap?: number;
  /** Exponent of the triangular weight. Default 1 (linear ramps). */
  transitionPower?: number;
  /** Called with the fraction of segments done, 0..1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs the model on one zero-padded segment: `segment[c]` has `segmentSamples` samples.
 * Returns outputs[stem][channel], each `segmentSamples` long.
 */
export type SegmentRunner = (segment: Float32Array[], index: number) => Promise<Float32Array[][]>;

/** Demucs' transition weight: [1..⌊S/2⌋, ⌈S/2⌉..1] / max, to the power `transitionPower`. */
export function triangularWeights(segmentSamples: number, transitionPower = 1): Float32Array {
  const w = new Float32Array(segmentSamples);
  const half = segmentSamples >> 1;
  for (let i = 0; i < half; i++) w[i] = i + 1;
  for (let i = half; i < segmentSamples; i++) w[i] = segmentSamples - i;
  let max = 0;
  for (let i = 0; i < segmentSamples; i++) if (w[i] > max) max = w[i];
  for (let i = 0; i < segmentSamples; i++) w[i] = Math.pow(w[i] / max, transitionPower);
  return w;
}

/** Segment start offsets (samples) covering `length`: 0, stride, 2·stride, … < length. */
export function segmentOffsets(length: number, segmentSamples: number, overlap = 0.25): number[] {
  if (!(overlap >= 0 && overlap < 1)) throw new RangeError(`overlap must be in [0, 1), got ${overlap}`);
  const stride = Math.max(1, Math.floor((1 - overlap) * segmentSamples));
  const offsets: number[] = [];
  for (let o = 0; o < length; o += stride) offsets.push(o);
  return offsets;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new DOMException('separation aborted', 'AbortError');
}

/**
 * Split `channels` into overlapping segments, run each through `run`, and overlap-add the
 * weighted outputs (see the module comment). Returns stems[stem][channel], each as long as the
 * input.
 */
export async function overlapAddSegments(channels: Float32Array[], numStems: number, run: SegmentRunner, options: ChunkingOptions): Promise<Float32Array[][]> {
  const { segmentSamples } = options;
  const length = channels[0]?.length ?? 0;
  const numChannels = channels.length;
  const out: Float32Array[][] = Array.from({ length: numStems }, () => Array.from({ length: numChannels }, () => new Float32Array(length)));
  if (length === 0) return out;
  const weights = triangularWeights(segmentSamples, options.transitionPower ?? 1);
  const sumWeight = new Float32Array(length);
  const offsets = segmentOffsets(length, segmentSamples, options.overlap ?? 0.25);
  const segment = Array.from({ length: numChannels }, () => new Float32Array(segmentSamples));
  for (let s = 0; s < offsets.length; s++) {
    if (options.signal?.aborted) throw abortError(options.signal);
    const offset = offsets[s];
    const chunkLength = Math.min(segmentSamples, length - offset);
    // A short chunk sits centred in its segment, with the mix around it as context where it
    // exists and zeros beyond the track (demucs TensorChunk.padded + center_trim).
    const lead = (segmentSamples - chunkLength) >> 1;
    const start = offset - lead;
    const from = Math.max(0, start);
    const to = Math.min(length, start + segmentSamples);
    for (let c = 0; c < numChannels; c++) {
      segment[c].fill(0);
      segment[c].set(channels[c].subarray(from, to), from - start);
    }
    const result = await run(segment, s);
    if (result.length !== numStems) throw new Error(`segment runner returned ${result.length} stems, expected ${numStems}`);
    for (let k = 0; k < numStems; k++) {
      for (let c = 0; c < numChannels; c++) {
        const y = result[k][c];
        const acc = out[k][c];
        for (let i = 0; i < chunkLength; i++) acc[offset + i] += weights[i] * y[lead + i];
      }
    }
    for (let i = 0; i < chunkLength; i++) sumWeight[offset + i] += weights[i];
    options.onProgress?.((s + 1) / offsets.length);
  }
  for (let k = 0; k < numStems; k++) {
    for (let c = 0; c < numChannels; c++) {
      const acc = out[k][c];
      for (let i = 0; i < length; i++) acc[i] /= sumWeight[i];
    }
  }
  return out;
}

export interface TrackNormalization {
  mean: number;
  /** std(ref) + 1e-8: divides the input, multiplies the outputs. */
  scale: number;
}

/** Whole-track statistics of the channel-mean reference signal (unbiased std, as torch.std). */
export function measureTrackNormalization(channels: Float32Array[]): TrackNormalization {
  const n = channels[0]?.length ?? 0;
  if (n === 0) return { mean: 0, scale: 1 };
  const C = channels.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let c = 0; c < C; c++) r += channels[c][i];
    sum += r / C;
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let c = 0; c < C; c++) r += channels[c][i];
    const d = r / C - mean;
    ss += d * d;
  }
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return { mean, scale: std + 1e-8 };
}

/** (x − mean) / scale, per channel (new arrays). */
export function normalizeChannels(channels: Float32Array[], norm: TrackNormalization): Float32Array[] {
  return channels.map((ch) => {
    const y = new Float32Array(ch.length);
    for (let i = 0; i < ch.length; i++) y[i] = (ch[i] - norm.mean) / norm.scale;
    return y;
  });
}

/** In place: y × scale + mean. */
export function denormalizeInPlace(signal: Float32Array, norm: TrackNormalization): void {
  for (let i = 0; i < signal.length; i++) signal[i] = signal[i] * norm.scale + norm.mean;
}
