/**
 * Median-filter harmonic/percussive enhancement (Fitzgerald 2010, "Harmonic/percussive
 * separation using median filtering"): a median along time keeps horizontal spectral lines
 * (sustained, pitched sounds); a median along frequency keeps vertical lines (onsets, drums).
 * The enhanced spectrograms feed soft (Wiener-like) masks H^p / (H^p + P^p); what neither
 * enhances much is the residual of Driedger, Müller & Disch (2014). Below `lowBandHz` a second,
 * longer time filter (an upper percentile rather than the median) separates sustained bass from
 * kick-drum bursts (see HpssOptions).
 *
 * Units: filter lengths are given in seconds and Hz and converted with the STFT geometry.
 * Degenerate input: an empty spectrogram gives empty arrays; silence gives zeros.
 */
import { medianFilterFrequency, medianFilterTime, oddLength } from './medianFilter.js';
import type { SpectrogramGeometry } from './geometry.js';

export interface HpssOptions {
  /** Length of the time median (harmonic enhancement) in seconds. Default 0.2 s. */
  harmonicLengthSec?: number;
  /** Length of the frequency median (percussive enhancement) in Hz. Default 1000 Hz. */
  percussiveWidthHz?: number;
  /**
   * Spacing in Hz of the bins the frequency median reads (at least one bin): with a long window
   * (fine bins) it reads every 2nd or 4th bin, so its cost follows the width in Hz, not in bins.
   * A drum onset is broadband and smooth across frequency, so the coarser sampling keeps it,
   * while a harmonic partial still fills few of the samples (4096-point window: the same dev SDR,
   * 5.03 dB, as reading every bin, at half the cost of the median). Default 30 Hz (every 3rd
   * bin of a 4096-point window at 44.1 kHz, 31 samples): dev songs (bench/separation-dev.ts,
   * 60 s) 5.37 dB mean SDR on seeds 1–10 as at 20 Hz and 5.00 → 4.99 on seeds 11–25, with the
   * whole separation 7 % faster; 40 Hz starts to cost (5.36 on seeds 1–10).
   */
  percussiveStepHz?: number;
  /**
   * Filter only every `percussiveStepHz`-spaced bin over frequency and interpolate the bins
   * between (medianFilterFrequency's `interpolate`). Default true.
   */
  percussiveInterpolate?: boolean;
  /**
   * Below this frequency (Hz) a longer time median models the harmonic part, and what it leaves
   * (S − H)₊ counts as percussive: a kick drum is a short low burst that a frequency median
   * cannot see (its neighbours across 1 kHz are empty), while bass notes are sustained.
   * 0 turns it off. Default 250 Hz.
   */
  lowBandHz?: number;
  /** Time median length in the low band, in seconds. Default 0.8 s. */
  lowBandHarmonicLengthSec?: number;
  /**
   * Rank of the low band's long time filter as a fraction of its window (0.5 = the median).
   * A bass line is not one steady tone over 0.8 s: its plucked notes decay and change, and short
   * notes leave gaps, so the median of a bin sits below the level the line holds and the early
   * part of every note lands in the transient residual (the drums). The level held in 40 % of
   * the window (0.6) follows the line better, while a kick's body, a burst of 0.1–0.4 s, still
   * stands above it. Default 0.6: dev songs (bench/separation-dev.ts, 60 s, with the bass centre
   * weight of masks.ts) 5.30 → 5.37 dB mean SDR on seeds 1–10 and 4.86 → 5.00 on seeds 11–25
   * (drums +0.3–0.4, bass +0.2–0.3, vocals −0.15: more low harmonic energy reaches the
   * voice band's lower edge); 0.7 and 0.4 score lower.
   */
  lowBandPercentile?: number;
}

export interface HarmonicPercussive {
  /** Time-median-filtered magnitude (same layout as the input). */
  harmonic: Float32Array;
  /** Frequency-median-filtered magnitude. */
  percussive: Float32Array;
  /**
   * The short time median of the bins below `lowBins` (frame-major, `lowBins` columns), kept
   * before the low band's long median replaced it in `harmonic`; null when there is no low band.
   */
  shortLow: Float32Array | null;
  /** Bins in the low band (0 = none). */
  lowBins: number;
}

/** Median lengths in frames and bins for a geometry. */
export function hpssKernel(
  geometry: Omit<SpectrogramGeometry, 'numFrames'>,
  options: HpssOptions = {},
): { lengthFrames: number; lengthBins: number; strideBins: number; lowBins: number; lowFrames: number } {
  const harmonicLengthSec = options.harmonicLengthSec ?? 0.2;
  const percussiveWidthHz = options.percussiveWidthHz ?? 1000;
  const lengthFrames = oddLength((harmonicLengthSec * geometry.sampleRate) / geometry.hopLength);
  const strideBins = Math.max(1, Math.round(((options.percussiveStepHz ?? 30) * geometry.nFft) / geometry.sampleRate));
  // lengthBins counts the samples the median reads, strideBins apart.
  const lengthBins = oddLength((percussiveWidthHz * geometry.nFft) / geometry.sampleRate / strideBins);
  const lowBins = Math.min(geometry.numBins, Math.ceil(((options.lowBandHz ?? 250) * geometry.nFft) / geometry.sampleRate));
  const lowFrames = oddLength(((options.lowBandHarmonicLengthSec ?? 0.8) * geometry.sampleRate) / geometry.hopLength);
  return { lengthFrames, lengthBins, strideBins, lowBins, lowFrames };
}

/** Harmonic and percussive enhancement of a magnitude spectrogram by median filtering. */
export function enhanceHarmonicPercussive(mag: Float32Array, geometry: SpectrogramGeometry, options: HpssOptions = {}): HarmonicPercussive {
  const { lengthFrames, lengthBins, strideBins, lowBins, lowFrames } = hpssKernel(geometry, options);
  const { numFrames, numBins } = geometry;
  const harmonic = medianFilterTime(mag, numFrames, numBins, lengthFrames);
  const percussive = medianFilterFrequency(mag, numFrames, numBins, lengthBins, undefined, strideBins, options.percussiveInterpolate ?? true);
  let shortLow: Float32Array | null = null;
  if (lowBins > 0) {
    shortLow = new Float32Array(numFrames * lowBins);
    for (let t = 0; t < numFrames; t++) shortLow.set(harmonic.subarray(t * numBins, t * numBins + lowBins), t * lowBins);
    medianFilterTime(mag, numFrames, numBins, lowFrames, harmonic, lowBins, options.lowBandPercentile ?? 0.6);
    for (let t = 0; t < numFrames; t++) {
      const row = t * numBins;
      for (let k = 0; k < lowBins; k++) {
        const rest = mag[row + k] - harmonic[row + k];
        if (rest > percussive[row + k]) percussive[row + k] = rest;
      }
    }
  }
  return { harmonic, percussive, shortLow, lowBins };
}
