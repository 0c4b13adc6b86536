/**
 * Soft stem masks from spectral cues, Wiener-style: each stem j gets a non-negative power
 * estimate V_j per time-frequency bin and its mask is V_j / Σ_i V_i, so the four masks lie in
 * [0, 1] and sum to one in every bin (a bin with no estimate at all goes to "other").
 *
 * Cues and the stems they feed:
 * - drums: the percussive enhancement P (median over frequency, Fitzgerald 2010, plus the
 *   low-band transient rule of hpss.ts), with a prior gain (default 2);
 * - bass: the harmonic enhancement H (median over time) below a low-pass crossover (90–400 Hz),
 *   with an overtone cap below ~120 Hz (bassOvertones.ts): the part of H without the 2nd/3rd
 *   partials a bass note has is a kick drum's body and goes to the drums; and in frames where a
 *   bass line is found, by its harmonic comb (harmonicComb.ts on the low register): the bass
 *   band's harmonic energy between the line's partials goes to the drums (low, a kick's body)
 *   or to "other" (higher up); and by the centre cue (a bass line is mixed in the centre, like
 *   the lead voice): the off-centre part of that low harmonic energy goes to "other";
 * - vocals: harmonic energy above the bass band, inside the voice band, weighted by the
 *   centre cue (Avendano & Jot 2004) — a lead voice is mixed in the centre — and, in frames
 *   where a lead f0 is found, by its harmonic comb (harmonicComb.ts): centre energy between the
 *   voice's partials goes to "other";
 * - other: the remaining harmonic energy (panned, off the lead's partials or outside the voice band).
 *
 * Units: frequencies in Hz. Degenerate input: silence gives vocals = drums = bass = 0 and
 * other = 1 (the other stem is then mix − 0 = silence too).
 */
import { binHz, type SpectrogramGeometry } from './geometry.js';
import type { BassShare } from './bassOvertones.js';
import type { HarmonicComb } from './harmonicComb.js';

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
  /** Harmonic energy above this is never bass, in Hz. Default 400. */
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
  /** On the lead comb's partials in voiced frames, the centre weight c becomes c + leadBoost·(1 − c). Default 0. */
  leadBoost?: number;
  /** Weight of the bass estimate. Default 1.5. */
  bassGain?: number;
  /**
   * Width σ_b (pan units) of the centre window for the bass: a bass line is mixed in the centre,
   * so the bass estimate is weighted by exp(−½ (p̂/σ_b)²) of the bin's panning distance p̂ (from
   * the centre cue) and the off-centre rest of the low harmonic energy goes to "other" (a panned
   * keyboard's or guitar's low notes). 0 turns it off. Default 0.2, the lead vocal's window
   * (centre.ts): dev songs (bench/separation-dev.ts, 60 s) mean SDR 5.11 → 5.30 dB on seeds 1–10
   * (bass +0.22, other +0.52) and 4.68 → 4.86 on seeds 11–25; 0.1 and 0.4 score lower. Mono
   * input (no centre cue) is unchanged.
   */
  bassPanWidth?: number;
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
  const bassEndHz = options.bassEndHz ?? 400;
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
  /** Width σ of the centre window the centre weight was computed with (centre.ts `panWidth`). Default 0.2. */
  centrePanWidth?: number;
  /**
   * Cap on the bass share of the low harmonic estimate (bassOvertones.ts); the rest of that
   * harmonic energy counts as drums (a kick's sustained body). Absent: no cap.
   */
  bassShare?: BassShare | null;
  /** Lead-line comb (leadComb.ts), frame-major with `bins` columns: the centre energy off the comb goes to "other". Absent: none. */
  leadComb?: HarmonicComb | null;
  /**
   * Bass-line comb (harmonicComb.ts on the low register), frame-major with `bins` columns: in
   * voiced frames the bass band's harmonic energy off the comb goes to the drums (in proportion
   * to the bass band weight) and to "other" (the rest). Absent: none.
   */
  bassComb?: HarmonicComb | null;
}

/** Four soft masks in [0, 1] that sum to one in every bin. */
export function computeStemMasks(cues: MaskCues, options: StemMaskOptions = {}): StemMasks {
  const { geometry, harmonic, percussive, centre } = cues;
  const bassShare = cues.bassShare ?? null;
  const shareBins = bassShare?.bins ?? 0;
  const lead = cues.leadComb ?? null;
  const combBins = lead?.bins ?? 0;
  const bassComb = cues.bassComb ?? null;
  const bassCombBins = bassComb?.bins ?? 0;
  const leadBoost = options.leadBoost ?? 0;
  const { numFrames, numBins } = geometry;
  const power = options.power ?? 2;
  const vocalShare = options.vocalPercussiveShare ?? 0;
  const vocalGain = options.vocalGain ?? 1;
  const drumGain = options.drumGain ?? 2;
  const bassGain = options.bassGain ?? 1.5;
  const { bass: bassBand, voice: voiceBand } = bandWeights(geometry, options);
  // w = exp(−p̂²/2σ²) ⇒ w^(σ²/σ_b²) = exp(−p̂²/2σ_b²): the bass's centre weight from the same cue.
  const bassPanWidth = options.bassPanWidth ?? 0.2;
  const bassCentreExponent = centre !== null && bassPanWidth > 0 ? ((cues.centrePanWidth ?? 0.2) / bassPanWidth) ** 2 : 0;
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
      // Frames with a bass line: the bass band's harmonic energy off the line's partials is not
      // the bass's (weight 1 − onBass); in the bass band itself (weight b again) it is a kick
      // drum's sustained body, above it the other instruments'.
      const onBass = k < bassCombBins ? (bassComb as HarmonicComb).comb[t * bassCombBins + k] : 1;
      let c = centre === null ? 0 : centre[i];
      if (k < combBins) {
        const on = (lead as HarmonicComb).comb[t * combBins + k];
        c = on === 1 && (lead as HarmonicComb).voiced[t] === 1 ? c + leadBoost * (1 - c) : c * on;
      }
      c *= voiceBand[k];
      const low = k < shareBins;
      const hBass = low ? (bassShare as BassShare).bass[t * shareBins + k] : h;
      const cBass = bassCentreExponent === 0 || b === 0 ? 1 : bassCentreExponent === 1 ? (centre as Float32Array)[i] : (centre as Float32Array)[i] ** bassCentreExponent;
      const vBass = bassGain * hBass * b * onBass * cBass;
      const offBass = h * b * (1 - onBass);
      const hUpper = h * (1 - b) + offBass * (1 - b);
      const vVocals = vocalGain * (hUpper * c + vocalShare * p * c);
      const vOther = hUpper * (1 - c) + hBass * b * onBass * (1 - cBass);
      const vDrums = drumGain * p * (1 - vocalShare * c) + (low ? (bassShare as BassShare).excess[t * shareBins + k] * b : 0) + offBass * b;
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
