/**
 * Soft stem masks from spectral cues, Wiener-style: each stem j gets a non-negative power
 * estimate V_j per time-frequency bin and its mask is V_j / Σ_i V_i, so the four masks lie in
 * [0, 1] and sum to one in every bin (a bin with no estimate at all goes to "other").
 *
 * Cues and the stems they feed:
 * - drums: the percussive enhancement P (median over frequency, Fitzgerald 2010, plus the
 *   low-band transient rule of hpss.ts), with a prior gain (default 2);
 * - bass: the harmonic enhancement H (median over time) below a low-pass crossover (90–250 Hz);
 * - vocals: harmonic energy above the bass band, inside the voice band, weighted by the
 *   centre cue (Avendano & Jot 2004) — a lead voice is mixed in the centre;
 * - other: the remaining harmonic energy (panned or outside the voice band).
 *
 * Units: frequencies in Hz. Degenerate input: silence gives vocals = drums = bass = 0 and
 * other = 1 (the other stem is then mix − 0 = silence too).
 */
import { binHz, type SpectrogramGeometry } from './geometry.js';

export interface StemMasks {
  vocals: Float32Array;
  drums: Float32Array;
  bass: Float32Array;
  other: Float32Array;
}

export interface StemMaskOptions {
  /** Exponent applied to the magnitude estimates (2 = Wiener, power spectra). Default 2. */
  power?: number;
  /** Harmonic energy below this is all bass, in Hz. Default 90. */
  bassFullHz?: number;
  /** Harmonic energy above this is never bass, in Hz. Default 250. */
  bassEndHz?: number;
  /** Voice band in Hz: below `vocalLowHz` nothing is vocal; tapers in over one octave (a low male voice starts near 100 Hz). Default 110. */
  vocalLowHz?: number;
  /** Voice band upper edge in Hz (taper over one octave above it). Default 8000. */
  vocalHighHz?: number;
  /** Fraction of the centre percussive energy in the voice band given to vocals. Default 0. */
  vocalPercussiveShare?: number;
  /** Weight of the vocal estimate relative to the others (a Wiener prior). Default 1. */
  vocalGain?: number;
  /** Weight of the drum estimate (a Wiener prior: percussive medians underestimate drum power). Default 2. */
  drumGain?: number;
  /** Weight of the bass estimate. Default 1. */
  bassGain?: number;
}

/** Raised-cosine weight over log frequency: 1 at or below `fullHz`, 0 at or above `endHz`. */
export function lowPassWeight(hz: number, fullHz: number, endHz: number): number {
  if (hz <= fullHz) return 1;
  if (hz >= endHz) return 0;
  const x = Math.log(hz / fullHz) / Math.log(endHz / fullHz);
  return 0.5 + 0.5 * Math.cos(Math.PI * x);
}

/** Per-bin band weights (length numBins) for the bass and the voice band. */
export function bandWeights(geometry: SpectrogramGeometry, options: StemMaskOptions = {}): { bass: Float32Array; voice: Float32Array } {
  const bassFullHz = options.bassFullHz ?? 90;
  const bassEndHz = options.bassEndHz ?? 250;
  const vocalLowHz = options.vocalLowHz ?? 110;
  const vocalHighHz = options.vocalHighHz ?? 8000;
  const bass = new Float32Array(geometry.numBins);
  const voice = new Float32Array(geometry.numBins);
  for (let k = 0; k < geometry.numBins; k++) {
    const hz = binHz(geometry, k);
    bass[k] = lowPassWeight(hz, bassFullHz, bassEndHz);
    const rise = 1 - lowPassWeight(hz, vocalLowHz, vocalLowHz * 2);
    const fall = lowPassWeight(hz, vocalHighHz, vocalHighHz * 2);
    voice[k] = rise * fall;
  }
  return { bass, voice };
}

export interface MaskCues {
  geometry: SpectrogramGeometry;
  /** Harmonic enhancement (magnitude), frame-major. */
  harmonic: Float32Array;
  /** Percussive enhancement (magnitude), frame-major. */
  percussive: Float32Array;
  /** Centre weight in [0, 1] per bin, or null when there is no stereo information. */
  centre: Float32Array | null;
}

/** Four soft masks in [0, 1] that sum to one in every bin. */
export function computeStemMasks(cues: MaskCues, options: StemMaskOptions = {}): StemMasks {
  const { geometry, harmonic, percussive, centre } = cues;
  const { numFrames, numBins } = geometry;
  const power = options.power ?? 2;
  const vocalShare = options.vocalPercussiveShare ?? 0;
  const vocalGain = options.vocalGain ?? 1;
  const drumGain = options.drumGain ?? 2;
  const bassGain = options.bassGain ?? 1;
  const { bass: bassBand, voice: voiceBand } = bandWeights(geometry, options);
  const size = numFrames * numBins;
  const masks: StemMasks = {
    vocals: new Float32Array(size),
    drums: new Float32Array(size),
    bass: new Float32Array(size),
    other: new Float32Array(size),
  };
  for (let t = 0; t < numFrames; t++) {
    const row = t * numBins;
    for (let k = 0; k < numBins; k++) {
      const i = row + k;
      const h = power === 2 ? harmonic[i] * harmonic[i] : harmonic[i] ** power;
      const p = power === 2 ? percussive[i] * percussive[i] : percussive[i] ** power;
      const b = bassBand[k];
      const c = centre === null ? 0 : centre[i] * voiceBand[k];
      const vBass = bassGain * h * b;
      const hUpper = h * (1 - b);
      const vVocals = vocalGain * (hUpper * c + vocalShare * p * c);
      const vOther = hUpper * (1 - c);
      const vDrums = drumGain * p * (1 - vocalShare * c);
      const total = vBass + vVocals + vOther + vDrums;
      if (total <= 1e-30) {
        masks.other[i] = 1;
        continue;
      }
      const g = 1 / total;
      const mv = vVocals * g, md = vDrums * g, mb = vBass * g;
      masks.vocals[i] = mv;
      masks.drums[i] = md;
      masks.bass[i] = mb;
      masks.other[i] = Math.max(0, 1 - mv - md - mb);
    }
  }
  return masks;
}
