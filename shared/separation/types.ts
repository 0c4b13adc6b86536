import type { AudioBuffer } from '../audio/types.js';

/** Stem names any separator may produce. 4-stem models give the first four; 6-stem add guitar, piano. */
export const STEM_NAMES = ['vocals', 'drums', 'bass', 'other', 'guitar', 'piano'] as const;
export type StemName = (typeof STEM_NAMES)[number];

/** The four stems every analysis writes. */
export const CORE_STEMS = ['vocals', 'drums', 'bass', 'other'] as const satisfies readonly StemName[];

export interface SeparateOptions {
  /** Called with the fraction done, 0..1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * A stretch of a mix separated as one unit (all positions in frames of the whole mix): the stems
 * of its core [coreStart, coreEnd) are kept; it reads [readStart, readEnd), the core plus the
 * context (halo) the separator needs. Joining the cores of a separator's planned regions gives
 * its one-shot result, so regions can run on other threads or as other activities.
 */
export interface SeparationRegion {
  coreStart: number;
  coreEnd: number;
  readStart: number;
  readEnd: number;
}

/** Region-wise separation, for separators whose output does not depend on how the mix is split. */
export interface RegionSeparation {
  /** Regions of about `regionSec` seconds covering a mix of `length` frames (none when empty). */
  plan(length: number, sampleRate: number, regionSec: number): SeparationRegion[];
  /** Stems of one region's core; `span` holds the mix frames [readStart, readEnd). */
  separate(span: AudioBuffer, region: SeparationRegion, totalLength: number, options?: SeparateOptions): Promise<Record<string, AudioBuffer>>;
}

/**
 * A source separator. Input: the mix at its own sample rate and channel count. Output: one buffer
 * per stem in `stemNames`, each with the input's sample rate, channel count (stereo in → stereo
 * out) and length. DSP separators guarantee the stems sum to the mix; model separators sum to it
 * approximately.
 */
export interface Separator {
  /** e.g. 'dsp-masks', 'onnx:htdemucs'. */
  readonly id: string;
  readonly stemNames: readonly StemName[];
  separate(mix: AudioBuffer, options?: SeparateOptions): Promise<Record<string, AudioBuffer>>;
  /** Present when the mix can be separated region by region with the same result. */
  readonly regions?: RegionSeparation;
}
