/**
 * The weight-free separator ('dsp-masks'): vocals, drums, bass and other from soft time-frequency
 * masks built from signal cues (DESIGN §7):
 * - median-filter harmonic/percussive enhancement (Fitzgerald 2010; soft masks as in Driedger,
 *   Müller & Disch 2014) for drums vs. pitched sounds;
 * - a low-pass harmonic crossover for the bass, narrowed to the bass line's partials where a
 *   bass f0 is found (harmonicComb.ts on the low register);
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
import { stftPair, istftPairInto } from './pairStft.js';
import { enhanceHarmonicPercussive, hpssKernel, type HpssOptions } from './hpss.js';
import { estimateCentreWeight, measureStereoSpread, type CentreOptions } from './centre.js';
import { computeStemMasks, type StemMaskOptions, type StemMasks } from './masks.js';
import { refineMasksWiener, type WienerOptions } from './wiener.js';
import { bassOvertoneShare, type BassOvertoneOptions } from './bassOvertones.js';
import { harmonicComb, type HarmonicCombOptions } from './harmonicComb.js';
import { fftSizeFor, type SpectrogramGeometry } from './geometry.js';
import type { SeparateOptions, SeparationRegion, Separator, StemName } from './types.js';

export const DSP_STEMS = ['vocals', 'drums', 'bass', 'other'] as const satisfies readonly StemName[];
export type DspStem = (typeof DSP_STEMS)[number];

export interface DspSeparatorOptions {
  /**
   * Analysis window length in seconds; the FFT size is the nearest power of two. Default 0.093
   * (4096 at 44.1 kHz, 10.8 Hz bins): it resolves the bass's and the kick's low partials and the
   * partials of pitched instruments against drums, +0.25 dB mean SDR over 0.046 (2048) on the dev
   * songs (bench/separation-dev.ts; drums +0.5, bass +0.2, other +0.5, vocals −0.25), at the
   * same cost (the frequency median reads every 2nd bin, HpssOptions.percussiveStepHz).
   */
  windowSec?: number;
  /** Hop as a fraction of the FFT size (1/4 or 1/2 are sensible). Default 0.5: half the cost of 1/4 for ≈0.05 dB SDR. */
  hopFraction?: number;
  /** Core length of a processing chunk in seconds (memory bound). Default 15 s. */
  chunkSec?: number;
  hpss?: HpssOptions;
  centre?: CentreOptions;
  masks?: StemMaskOptions;
  wiener?: WienerOptions;
  /** Overtone cap on the bass below ~120 Hz (kick vs bass; bassOvertones.ts). `overtoneGain: 0` turns it off. */
  bassOvertones?: BassOvertoneOptions;
  /**
   * f0-guided comb for the bass line (harmonicComb.ts on the low register, no centre cue;
   * defaults {@link BASS_COMB_DEFAULTS}). `floor: 1` turns it off.
   */
  bassComb?: HarmonicCombOptions;
  /** f0-guided comb for the lead vocal (harmonicComb.ts). `floor: 1` turns it off. */
  leadComb?: HarmonicCombOptions;
  /**
   * Below this stereo spread of a chunk (centre.ts `measureStereoSpread`, 0 = mono) the centre
   * cue carries no information and the vocal estimate is off for that chunk. Default 0.02.
   */
  minStereoSpread?: number;
}

/**
 * The bass-line comb (predominant f0 of the low register by harmonic summation, harmonicComb.ts):
 * f0 from 35 Hz (below E1, 41 Hz, allowing detuning) to 220 Hz (A3, the top of a bass line),
 * 8 partials, salience and comb up to 500 Hz (the bass crossover ends at 400 Hz), comb half-width
 * two bins (the Hann main lobe) plus 30 cents (the f0 grid step is 33 cents; a bass has no
 * vibrato), 0.3 between the partials as for the lead. Frames are left alone (unvoiced) when less
 * than 30 % of the register's harmonic energy is on the comb, or when the f0's own fundamental
 * carries less than 30 % of its salience (a virtual pitch under a chord, not a bass note).
 * Dev songs (bench/separation-dev.ts, seeds 1–10, 60 s, 4096 window): mean SDR 5.03 → 5.08 dB
 * (drums +0.06, bass +0.14, other +0.02, vocals −0.02); 5.12 with the f0 read from the short
 * low-band median ({@link bassLineComb}). A one-bin half-width scored 5.13 there by
 * giving the skirts of every low partial's main lobe to the drums, but splits a steady sine bass
 * (test/separation/quality.test.ts), so it is not used.
 */
export const BASS_COMB_DEFAULTS: Readonly<HarmonicCombOptions> = {
  minHz: 35,
  maxHz: 220,
  harmonics: 8,
  topHz: 500,
  combTopHz: 500,
  vibratoCents: 30,
  floor: 0.3,
  widthBins: 2,
  minFundamentalShare: 0.3,
};

interface ResolvedPlan {
  geometryBase: Omit<SpectrogramGeometry, 'numFrames'>;
  chunkSamples: number;
  haloSamples: number;
}

function planChunks(sampleRate: number, options: DspSeparatorOptions): ResolvedPlan {
  const nFft = fftSizeFor(sampleRate, options.windowSec ?? 0.093);
  const hopLength = Math.max(1, Math.round(nFft * (options.hopFraction ?? 0.5)));
  const numBins = (nFft >> 1) + 1;
  const geometryBase = { nFft, hopLength, numBins, sampleRate };
  const kernel = hpssKernel(geometryBase, options.hpss);
  // The bass overtone cap's steadiness test reads the mix ±steadySec around a frame.
  const steadyFrames = Math.round(((options.bassOvertones?.steadySec ?? 0.2) * sampleRate) / hopLength);
  const lengthFrames = Math.max(kernel.lengthFrames, kernel.lowBins > 0 ? kernel.lowFrames : 1, 2 * steadyFrames + 1);
  const iterations = options.wiener?.iterations ?? 0;
  const smooth = options.centre?.smoothFrames ?? 2;
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

/** out = (|L| + |R|) / 2 per bin, each magnitude rounded to float32 first (as stored by {@link magnitudeOf}). */
function meanMagnitudeOf(left: Stft, right: Stft, out: Float32Array): void {
  const lr = left.re, li = left.im, rr = right.re, ri = right.im;
  for (let i = 0; i < out.length; i++) {
    out[i] = 0.5 * (Math.fround(Math.sqrt(lr[i] * lr[i] + li[i] * li[i])) + Math.fround(Math.sqrt(rr[i] * rr[i] + ri[i] * ri[i])));
  }
}

/**
 * The bass-line comb, with the f0 read from the short (0.2 s) time median in the low band rather
 * than the long one the masks use there (hpss.ts): the long median lags a note change by up to
 * 0.4 s, the short one follows the line note by note (dev songs: 5.08 → 5.12 dB mean SDR).
 * Reads only the bins up to the comb's `topHz`.
 */
function bassLineComb(harmonic: Float32Array, shortLow: Float32Array | null, lowBins: number, geometry: SpectrogramGeometry, options: HarmonicCombOptions) {
  if (shortLow === null) return harmonicComb(harmonic, null, geometry, options);
  const { numFrames, numBins } = geometry;
  const width = Math.min(numBins, Math.ceil(((options.topHz ?? 500) * geometry.nFft) / geometry.sampleRate) + 1);
  const shortLowWidth = Math.min(lowBins, width);
  const low = new Float32Array(numFrames * width);
  for (let t = 0; t < numFrames; t++) {
    low.set(harmonic.subarray(t * numBins, t * numBins + width), t * width);
    low.set(shortLow.subarray(t * lowBins, t * lowBins + shortLowWidth), t * width);
  }
  return harmonicComb(low, null, { ...geometry, numBins: width }, options);
}

/**
 * Masks for one chunk of one channel pair (`right` null for a single channel). Exposed for tests
 * and benchmarks; `separateByMasks` is the entry point.
 */
export function computeChunkMasks(left: Stft, right: Stft | null, sampleRate: number, options: DspSeparatorOptions = {}): StemMasks {
  const geometry: SpectrogramGeometry = { numFrames: left.numFrames, numBins: left.numBins, nFft: left.nFft, hopLength: left.hopLength, sampleRate };
  const size = left.numFrames * left.numBins;
  const mag = new Float32Array(size);
  let centre: Float32Array | null = null;
  if (right === null) magnitudeOf(left, mag);
  else {
    meanMagnitudeOf(left, right, mag);
    if (measureStereoSpread(left, right) >= (options.minStereoSpread ?? 0.02)) {
      centre = estimateCentreWeight(left, right, options.centre);
    }
  }
  const { harmonic, percussive, shortLow, lowBins } = enhanceHarmonicPercussive(mag, geometry, options.hpss);
  const bassShare = options.bassOvertones?.overtoneGain !== 0 ? bassOvertoneShare(mag, harmonic, shortLow, lowBins, geometry, options.bassOvertones) : null;
  const lead = centre === null || (options.leadComb?.floor ?? 0.3) >= 1 ? null : harmonicComb(harmonic, centre, geometry, options.leadComb);
  const bassCombOptions: HarmonicCombOptions = { ...BASS_COMB_DEFAULTS, ...options.bassComb };
  const bassLine = (bassCombOptions.floor ?? 0.3) >= 1 ? null : bassLineComb(harmonic, shortLow, lowBins, geometry, bassCombOptions);
  const masks = computeStemMasks({ geometry, harmonic, percussive, centre, centrePanWidth: options.centre?.panWidth, bassShare, leadComb: lead, bassComb: bassLine }, options.masks);
  if ((options.wiener?.iterations ?? 0) > 0) return refineMasksWiener(mag, masks, { geometry, centre }, options.wiener, options.hpss, options.masks);
  return masks;
}

/**
 * Throw a clear error for a mix the separator cannot take: a bad sample rate, channels of unequal
 * length, or a sample that is not a finite number.
 */
export function assertSeparable(mix: AudioBuffer): void {
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
 * other = mix − (vocals + drums + bass) for `count` frames (mix from `mixAt`, stems from `at`).
 * A plain function rather than a loop in the async body: V8 optimises hot loops in async
 * functions poorly.
 */
function writeRemainder(m: Float32Array, mixAt: number, v: Float32Array, d: Float32Array, b: Float32Array, o: Float32Array, at: number, count: number): void {
  for (let i = 0; i < count; i++) o[at + i] = m[mixAt + i] - (v[at + i] + d[at + i] + b[at + i]);
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Split a mix of `length` frames into regions of about `regionSec` seconds (at least one internal
 * chunk each), with boundaries on the separator's chunk grid. An empty mix has no regions.
 */
export function planRegions(length: number, sampleRate: number, regionSec: number, options: DspSeparatorOptions = {}): SeparationRegion[] {
  if (!(regionSec > 0)) throw new RangeError(`regionSec must be positive, got ${regionSec}`);
  const plan = planChunks(sampleRate, options);
  const chunksPerRegion = Math.max(1, Math.round((regionSec * sampleRate) / plan.chunkSamples));
  const regionSamples = chunksPerRegion * plan.chunkSamples;
  const regions: SeparationRegion[] = [];
  for (let coreStart = 0; coreStart < length; coreStart += regionSamples) {
    const coreEnd = Math.min(length, coreStart + regionSamples);
    regions.push({ coreStart, coreEnd, readStart: Math.max(0, coreStart - plan.haloSamples), readEnd: Math.min(length, coreEnd + plan.haloSamples) });
  }
  return regions;
}

/** Where a region's input comes from and its output goes. */
interface RegionIO {
  /** Input channels holding mix frames [spanStart, spanStart + span length). */
  span: Float32Array[];
  spanStart: number;
  /** Frames of the whole mix. */
  totalLength: number;
  coreStart: number;
  coreEnd: number;
  /** Output channels per stem, and the output index of frame `coreStart`. */
  out: Record<DspStem, Float32Array[]>;
  outStart: number;
}

/**
 * Separate the internal chunks of [coreStart, coreEnd) (chunk-grid aligned) into `io.out`, with
 * the same frame grid and halo as a one-shot run of the whole mix.
 */
async function separateInto(io: RegionIO, sampleRate: number, options: DspSeparatorOptions, run: SeparateOptions): Promise<void> {
  const plan = planChunks(sampleRate, options);
  const { nFft, hopLength } = plan.geometryBase;
  const { span, spanStart, totalLength, coreStart: regionStart, coreEnd: regionEnd, out } = io;
  if (regionStart % plan.chunkSamples !== 0 || (regionEnd % plan.chunkSamples !== 0 && regionEnd !== totalLength)) {
    throw new RangeError(`region [${regionStart}, ${regionEnd}) is not on the ${plan.chunkSamples}-frame chunk grid`);
  }
  const spanEnd = spanStart + (span[0]?.length ?? 0);
  const needStart = Math.max(0, regionStart - plan.haloSamples);
  const needEnd = Math.min(totalLength, regionEnd + plan.haloSamples);
  if (spanStart > needStart || spanEnd < needEnd) {
    throw new RangeError(`region [${regionStart}, ${regionEnd}) needs input frames [${needStart}, ${needEnd}), got [${spanStart}, ${spanEnd})`);
  }
  const channelCount = span.length;
  const pairs: Array<[number, number | null]> = [];
  for (let c = 0; c < channelCount; c += 2) pairs.push([c, c + 1 < channelCount ? c + 1 : null]);
  const firstChunk = regionStart / plan.chunkSamples;
  const numChunks = Math.ceil((regionEnd - regionStart) / plan.chunkSamples);
  const steps = numChunks * pairs.length;
  let done = 0;
  run.onProgress?.(0);
  for (let chunk = firstChunk; chunk < firstChunk + numChunks; chunk++) {
    const coreStart = chunk * plan.chunkSamples;
    const coreEnd = Math.min(regionEnd, coreStart + plan.chunkSamples);
    const readStart = Math.max(0, coreStart - plan.haloSamples);
    const readEnd = Math.min(totalLength, coreEnd + plan.haloSamples);
    const readLength = readEnd - readStart;
    const offset = coreStart - readStart;
    const coreLength = coreEnd - coreStart;
    const outAt = io.outStart + (coreStart - regionStart);
    for (const [cl, cr] of pairs) {
      run.signal?.throwIfAborted();
      const left = span[cl].subarray(readStart - spanStart, readEnd - spanStart);
      const right = cr === null ? null : span[cr].subarray(readStart - spanStart, readEnd - spanStart);
      const [specL, specR] = stftPair(left, right ?? left, { nFft, hopLength });
      const masks = computeChunkMasks(specL, right === null ? null : specR, sampleRate, options);
      // Each stem's core samples are resynthesised straight into its output channels.
      const into = (outA: Float32Array, outB: Float32Array | null) => ({ length: readLength, from: offset, count: coreLength, outA, outB, at: outAt });
      if (cr === null) {
        istftPairInto(specL, specL, into(out.vocals[cl], out.drums[cl]), masks.vocals, masks.drums);
        istftPairInto(specL, specL, into(out.bass[cl], null), masks.bass);
      } else {
        for (const stem of ['vocals', 'drums', 'bass'] as const) istftPairInto(specL, specR, into(out[stem][cl], out[stem][cr]), masks[stem]);
      }
      for (const c of cr === null ? [cl] : [cl, cr]) {
        writeRemainder(span[c], coreStart - spanStart, out.vocals[c], out.drums[c], out.bass[c], out.other[c], outAt, coreLength);
      }
      done++;
      run.onProgress?.(done / steps);
      if (done < steps) await yieldToEventLoop();
    }
  }
}

function emptyStems(sampleRate: number, channelCount: number, length: number): Record<DspStem, AudioBuffer> {
  const out = {} as Record<DspStem, AudioBuffer>;
  for (const stem of DSP_STEMS) out[stem] = { sampleRate, channels: Array.from({ length: channelCount }, () => new Float32Array(length)) };
  return out;
}

const channelsOf = (stems: Record<DspStem, AudioBuffer>) =>
  Object.fromEntries(DSP_STEMS.map((s) => [s, stems[s].channels])) as Record<DspStem, Float32Array[]>;

/**
 * Separate one region (see {@link SeparationRegion}): `span` holds the mix frames
 * [region.readStart, region.readEnd). Returns the stems of the core, coreEnd − coreStart frames.
 */
export async function separateRegion(
  span: AudioBuffer,
  region: SeparationRegion,
  totalLength: number,
  options: DspSeparatorOptions = {},
  run: SeparateOptions = {},
): Promise<Record<DspStem, AudioBuffer>> {
  assertSeparable(span);
  const out = emptyStems(span.sampleRate, span.channels.length, region.coreEnd - region.coreStart);
  if (region.coreEnd > region.coreStart && span.channels.length > 0) {
    await separateInto(
      { span: span.channels, spanStart: region.readStart, totalLength, coreStart: region.coreStart, coreEnd: region.coreEnd, out: channelsOf(out), outStart: 0 },
      span.sampleRate,
      options,
      run,
    );
  } else {
    run.onProgress?.(1);
  }
  return out;
}

/**
 * Separate one region of the whole `mix` straight into whole-length stem channels `out` (frames
 * [coreStart, coreEnd) of each): for threads that share the mix and the stems in memory.
 */
export async function separateRegionInPlace(
  mix: AudioBuffer,
  region: SeparationRegion,
  out: Record<DspStem, Float32Array[]>,
  options: DspSeparatorOptions = {},
  run: SeparateOptions = {},
): Promise<void> {
  if (region.coreEnd <= region.coreStart || mix.channels.length === 0) return;
  const totalLength = frameCount(mix);
  await separateInto({ span: mix.channels, spanStart: 0, totalLength, coreStart: region.coreStart, coreEnd: region.coreEnd, out, outStart: region.coreStart }, mix.sampleRate, options, run);
}

/**
 * Separate a mix into vocals, drums, bass and other with soft masks (see the module comment).
 * The stems sum to the mix; each has the mix's sample rate, channel count and length.
 */
export async function separateByMasks(
  mix: AudioBuffer,
  options: DspSeparatorOptions = {},
  run: SeparateOptions = {},
): Promise<Record<DspStem, AudioBuffer>> {
  const length = frameCount(mix);
  return separateRegion(mix, { coreStart: 0, coreEnd: length, readStart: 0, readEnd: length }, length, options, run);
}

/** The weight-free separator: id 'dsp-masks', stems vocals, drums, bass, other. */
export function createDspSeparator(options: DspSeparatorOptions = {}): Separator {
  return {
    id: 'dsp-masks',
    stemNames: DSP_STEMS,
    separate: (mix, run) => separateByMasks(mix, options, run),
    regions: {
      plan: (length, sampleRate, regionSec) => planRegions(length, sampleRate, regionSec, options),
      separate: (span, region, totalLength, run) => separateRegion(span, region, totalLength, options, run),
    },
  };
}
