/**
 * The weight-free separator ('dsp-masks'): vocals, drums, bass and other from soft time-frequency
 * masks built from signal cues (DESIGN §7):
 * - median-filter harmonic/percussive enhancement (Fitzgerald 2010; soft masks as in Driedger,
 *   Müller & Disch 2014) for drums vs. pitched sounds;
 * - a low-pass harmonic crossover for the bass;
 * - centre-channel extraction (Avendano & Jot 2004) for the lead vocal of a stereo mix;
 * - Wiener-style masks V_j / Σ V_i, optionally refined by re-smoothing each stem's estimate with
 *   its own kernel (kernel additive modelling, Liutkus et al. 2014).
 *
 * Each channel pair's STFT is computed once per chunk (one complex FFT per frame for both
 * channels), all masks derive from it, and vocals, drums and bass are resynthesised by ISTFT;
 * other = mix − (vocals + drums + bass) in the time domain, so the stems sum to the mix exactly
 * (to float32 rounding). The signal is processed in chunks with a halo of frames wide enough for
 * every filter, so memory stays bounded and the output equals a one-shot run.
 *
 * Output: one AudioBuffer per stem with the input's sample rate, channel count and length.
 * Degenerate input: no channels or no samples give empty stems; silence gives silent stems.
 */
import type { AudioBuffer } from '../audio/types.js';
import { frameCount } from '../audio/types.js';
import { BadInputError, InvalidAudioParametersError } from '../errors.js';
import type { Stft } from '../dsp/stft.js';
import { stftPair, istftPair } from './pairStft.js';
import { enhanceHarmonicPercussive, hpssKernel, type HpssOptions } from './hpss.js';
import { estimateCentreWeight, measureStereoSpread, type CentreOptions } from './centre.js';
import { computeStemMasks, type StemMaskOptions, type StemMasks } from './masks.js';
import { refineMasksWiener, type WienerOptions } from './wiener.js';
import { fftSizeFor, type SpectrogramGeometry } from './geometry.js';
import type { SeparateOptions, Separator, StemName } from './types.js';

export const DSP_STEMS = ['vocals', 'drums', 'bass', 'other'] as const satisfies readonly StemName[];
export type DspStem = (typeof DSP_STEMS)[number];

export interface DspSeparatorOptions {
  /** Analysis window length in seconds; the FFT size is the nearest power of two. Default 0.046 (2048 at 44.1 kHz). */
  windowSec?: number;
  /** Hop as a fraction of the FFT size (1/4 or 1/2 are sensible). Default 0.5: half the cost of 1/4 for ≈0.05 dB SDR. */
  hopFraction?: number;
  /** Core length of a processing chunk in seconds (memory bound). Default 15 s. */
  chunkSec?: number;
  hpss?: HpssOptions;
  centre?: CentreOptions;
  masks?: StemMaskOptions;
  wiener?: WienerOptions;
  /**
   * Below this stereo spread of a chunk (centre.ts `measureStereoSpread`, 0 = mono) the centre
   * cue carries no information and the vocal estimate is off for that chunk. Default 0.02.
   */
  minStereoSpread?: number;
}

interface ResolvedPlan {
  geometryBase: Omit<SpectrogramGeometry, 'numFrames'>;
  chunkSamples: number;
  haloSamples: number;
}

function planChunks(sampleRate: number, options: DspSeparatorOptions): ResolvedPlan {
  const nFft = fftSizeFor(sampleRate, options.windowSec ?? 0.046);
  const hopLength = Math.max(1, Math.round(nFft * (options.hopFraction ?? 0.5)));
  const numBins = (nFft >> 1) + 1;
  const geometryBase = { nFft, hopLength, numBins, sampleRate };
  const kernel = hpssKernel(geometryBase, options.hpss);
  const lengthFrames = Math.max(kernel.lengthFrames, kernel.lowBins > 0 ? kernel.lowFrames : 1);
  const iterations = options.wiener?.iterations ?? 0;
  const smooth = options.centre?.smoothFrames ?? 1;
  // Frames whose values can reach a chunk's core: the filters' reach plus a frame's own span.
  const reachFrames = Math.ceil(nFft / 2 / hopLength) + (lengthFrames >> 1) * (1 + iterations) + smooth + 2;
  const haloSamples = (reachFrames + Math.ceil(nFft / 2 / hopLength)) * hopLength;
  const chunkFrames = Math.max(1, Math.round(((options.chunkSec ?? 15) * sampleRate) / hopLength));
  return { geometryBase, chunkSamples: chunkFrames * hopLength, haloSamples };
}

function magnitudeOf(spec: Stft, out: Float32Array): void {
  const { re, im } = spec;
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(re[i] * re[i] + im[i] * im[i]);
}

/**
 * Masks for one chunk of one channel pair (`right` null for a single channel). Exposed for tests
 * and benchmarks; `separateByMasks` is the entry point.
 */
export function computeChunkMasks(left: Stft, right: Stft | null, sampleRate: number, options: DspSeparatorOptions = {}): StemMasks {
  const geometry: SpectrogramGeometry = { numFrames: left.numFrames, numBins: left.numBins, nFft: left.nFft, hopLength: left.hopLength, sampleRate };
  const size = left.numFrames * left.numBins;
  const mag = new Float32Array(size);
  magnitudeOf(left, mag);
  let centre: Float32Array | null = null;
  if (right !== null) {
    const magR = new Float32Array(size);
    magnitudeOf(right, magR);
    for (let i = 0; i < size; i++) mag[i] = 0.5 * (mag[i] + magR[i]);
    if (measureStereoSpread(left, right) >= (options.minStereoSpread ?? 0.02)) {
      centre = estimateCentreWeight(left, right, options.centre);
    }
  }
  const { harmonic, percussive } = enhanceHarmonicPercussive(mag, geometry, options.hpss);
  const masks = computeStemMasks({ geometry, harmonic, percussive, centre }, options.masks);
  if ((options.wiener?.iterations ?? 0) > 0) return refineMasksWiener(mag, masks, { geometry, centre }, options.wiener, options.hpss, options.masks);
  return masks;
}

function assertUsable(mix: AudioBuffer): void {
  if (!Number.isFinite(mix.sampleRate) || mix.sampleRate <= 0) {
    throw new InvalidAudioParametersError(`sample rate must be a positive number of Hz, got ${mix.sampleRate}`);
  }
  const n = frameCount(mix);
  mix.channels.forEach((ch, c) => {
    if (ch.length !== n) throw new InvalidAudioParametersError(`channel ${c} has ${ch.length} samples, channel 0 has ${n}`);
  });
  for (let c = 0; c < mix.channels.length; c++) {
    const ch = mix.channels[c];
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i])) throw new BadInputError(`sample ${i} of channel ${c} is ${ch[i]}, not a finite number`, 'non_finite_samples');
    }
  }
}

/**
 * other = mix − (vocals + drums + bass) over [start, end). A plain function rather than a loop in
 * the async body: V8 optimises hot loops in async functions poorly.
 */
function writeRemainder(m: Float32Array, v: Float32Array, d: Float32Array, b: Float32Array, o: Float32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) o[i] = m[i] - (v[i] + d[i] + b[i]);
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Separate a mix into vocals, drums, bass and other with soft masks (see the module comment).
 * The stems sum to the mix; each has the mix's sample rate, channel count and length.
 */
export async function separateByMasks(
  mix: AudioBuffer,
  options: DspSeparatorOptions = {},
  run: SeparateOptions = {},
): Promise<Record<DspStem, AudioBuffer>> {
  assertUsable(mix);
  const length = frameCount(mix);
  const channelCount = mix.channels.length;
  const out = {} as Record<DspStem, AudioBuffer>;
  for (const stem of DSP_STEMS) {
    out[stem] = { sampleRate: mix.sampleRate, channels: mix.channels.map(() => new Float32Array(length)) };
  }
  if (length === 0 || channelCount === 0) {
    run.onProgress?.(1);
    return out;
  }
  const plan = planChunks(mix.sampleRate, options);
  const { nFft, hopLength } = plan.geometryBase;
  const numChunks = Math.ceil(length / plan.chunkSamples);
  const pairs: Array<[number, number | null]> = [];
  for (let c = 0; c < channelCount; c += 2) pairs.push([c, c + 1 < channelCount ? c + 1 : null]);
  const steps = numChunks * pairs.length;
  let done = 0;
  run.onProgress?.(0);
  for (let chunk = 0; chunk < numChunks; chunk++) {
    const coreStart = chunk * plan.chunkSamples;
    const coreEnd = Math.min(length, coreStart + plan.chunkSamples);
    const readStart = Math.max(0, coreStart - plan.haloSamples);
    const readEnd = Math.min(length, coreEnd + plan.haloSamples);
    const readLength = readEnd - readStart;
    for (const [cl, cr] of pairs) {
      run.signal?.throwIfAborted();
      const left = mix.channels[cl].subarray(readStart, readEnd);
      const right = cr === null ? null : mix.channels[cr].subarray(readStart, readEnd);
      const [specL, specR] = stftPair(left, right ?? new Float32Array(readLength), { nFft, hopLength });
      const masks = computeChunkMasks(specL, right === null ? null : specR, mix.sampleRate, options);
      const offset = coreStart - readStart;
      const coreLength = coreEnd - coreStart;
      const write = (stem: DspStem, channel: number, signal: Float32Array): void => {
        out[stem].channels[channel].set(signal.subarray(offset, offset + coreLength), coreStart);
      };
      if (right === null) {
        const [vocals, drums] = istftPair(specL, specL, readLength, masks.vocals, masks.drums);
        const [bass] = istftPair(specL, specR, readLength, masks.bass);
        write('vocals', cl, vocals);
        write('drums', cl, drums);
        write('bass', cl, bass);
      } else {
        for (const stem of ['vocals', 'drums', 'bass'] as const) {
          const [l, r] = istftPair(specL, specR, readLength, masks[stem]);
          write(stem, cl, l);
          write(stem, cr as number, r);
        }
      }
      for (const c of cr === null ? [cl] : [cl, cr]) {
        writeRemainder(mix.channels[c], out.vocals.channels[c], out.drums.channels[c], out.bass.channels[c], out.other.channels[c], coreStart, coreEnd);
      }
      done++;
      run.onProgress?.(done / steps);
      if (done < steps) await yieldToEventLoop();
    }
  }
  return out;
}

/** The weight-free separator: id 'dsp-masks', stems vocals, drums, bass, other. */
export function createDspSeparator(options: DspSeparatorOptions = {}): Separator {
  return {
    id: 'dsp-masks',
    stemNames: DSP_STEMS,
    separate: (mix, run) => separateByMasks(mix, options, run),
  };
}
