/** The shape of a frame-major spectrogram and the clock it runs on. */
export interface SpectrogramGeometry {
  numFrames: number;
  numBins: number;
  /** FFT size in samples. */
  nFft: number;
  /** Hop between frames in samples. */
  hopLength: number;
  /** Sample rate of the analysed signal in Hz. */
  sampleRate: number;
}

/** Frequency in Hz of bin k. */
export function binHz(geometry: SpectrogramGeometry, k: number): number {
  return (k * geometry.sampleRate) / geometry.nFft;
}

/** FFT size for a sample rate: the power of two nearest (in log scale) to `windowSec` seconds. */
export function fftSizeFor(sampleRate: number, windowSec: number): number {
  const exponent = Math.round(Math.log2(Math.max(16, sampleRate * windowSec)));
  return 2 ** Math.max(4, exponent);
}
