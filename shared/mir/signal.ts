/**
 * The analysis signal: mono audio at the analysis sample rate, with memoised magnitude
 * spectrograms, so every MIR algorithm shares the same STFTs instead of computing its own.
 */
import { stftMagnitude } from '../dsp/stft.js';

/** Sample rate every MIR algorithm works at, Hz. Inputs are resampled to it once. */
export const ANALYSIS_SAMPLE_RATE = 22050;

export interface MagnitudeSpectrogram {
  sampleRate: number;
  nFft: number;
  hopLength: number;
  numFrames: number;
  numBins: number;
  /** |X|, frame-major: mag[t * numBins + k]. */
  mag: Float32Array;
}

export class AnalysisSignal {
  private readonly cache = new Map<string, MagnitudeSpectrogram>();

  /**
   * @param mono mono samples in [-1, 1]
   * @param sampleRate Hz (normally {@link ANALYSIS_SAMPLE_RATE})
   */
  constructor(readonly mono: Float32Array, readonly sampleRate: number) {}

  get durationSec(): number {
    return this.mono.length / this.sampleRate;
  }

  /** Magnitude spectrogram with a periodic Hann window and centred frames; computed once per (nFft, hop). */
  magnitude(nFft: number, hopLength: number): MagnitudeSpectrogram {
    const key = `${nFft}/${hopLength}`;
    let m = this.cache.get(key);
    if (!m) {
      const s = stftMagnitude(this.mono, { nFft, hopLength });
      m = { sampleRate: this.sampleRate, nFft, hopLength, numFrames: s.numFrames, numBins: s.numBins, mag: s.mag };
      this.cache.set(key, m);
    }
    return m;
  }
}
