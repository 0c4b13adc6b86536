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
}
