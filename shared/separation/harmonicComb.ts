/**
 * f0-guided harmonic comb for the lead line (predominant-melody masking as in Durrieu, Richard,
 * David & Févotte 2010 and the harmonic-summation salience of Klapuri 2006 / Salamon & Gómez
 * 2012): per frame, the f0 whose harmonics collect the most centre-weighted harmonic magnitude
 * is taken as the lead voice's pitch, and a comb over its partials tells which bins of the centre
 * energy belong to the voice (near a partial) and which to the accompaniment (between partials).
 *
 *   salience(f0) = Σ_{h=1..H} ρ^(h−1) · E(h·f0),   E = harmonic magnitude × centre weight,
 *
 * with f0 on a log grid (`stepsPerOctave`) between `minHz` and `maxHz`, E read at the nearest
 * bin. A frame is voiced when the comb of the best f0 covers at least `minShare` of the frame's
 * centre energy E above `minHz`. The comb is 1 within `widthBins` bins (plus `vibratoCents` of
 * the partial's frequency) of each partial h·f0 and `floor` elsewhere; unvoiced frames get 1
 * everywhere (no change). Each frame is handled on its own (no tracking), so the result does not
 * depend on how a signal is cut into chunks.
 *
 * Units: Hz, cents, bins. Output: frame-major weights in [floor, 1] with `bins` columns (bins at
 * or above `bins` get 1). Degenerate input: silence is unvoiced.
 */
import type { SpectrogramGeometry } from './geometry.js';

export interface HarmonicComb {
  /** Comb weights in [floor, 1], frame-major, `bins` columns. */
  comb: Float32Array;
  bins: number;
  /** 1 for frames where a lead f0 was found, else 0. */
  voiced: Uint8Array;
}

export interface HarmonicCombOptions {
  /** Lowest and highest lead f0 in Hz. Defaults 100 and 900. */
  minHz?: number;
  maxHz?: number;
  /** f0 grid density. Default 36 per octave. */
  stepsPerOctave?: number;
  /** Partials summed. Default 10. */
  harmonics?: number;
  /** Weight decay ρ per partial. Default 0.8. */
  decay?: number;
  /** Comb half-width in bins around each partial. Default 1. */
  widthBins?: number;
  /** Extra half-width as a fraction of the partial's frequency, in cents (vibrato). Default 100. */
  vibratoCents?: number;
  /** Comb value between partials (0 = voice only on partials). Default 0.3. 1 turns the comb off. */
  floor?: number;
  /** Voicing threshold: share of the frame's centre energy on the comb. Default 0.3. */
  minShare?: number;
  /** Highest frequency the salience reads, Hz. Default 8000. */
  topHz?: number;
  /** Highest frequency the comb covers, Hz. Default `topHz`. */
  combTopHz?: number;
  /**
   * Share of the best f0's salience its own fundamental (h = 1) must carry for the frame to be
   * voiced. A line whose fundamental is sounding (a bass line) passes; a "virtual pitch" below a
   * chord (C3 under C4–E4–G4: its 2nd–4th partials) has an empty fundamental and fails. Default 0.
   */
  minFundamentalShare?: number;
}

/**
 * Comb of the predominant harmonic series per frame. `harmonic`: frame-major magnitudes (the
 * harmonic enhancement); `centre`: weights in [0, 1] of the same layout, or null for none.
 */
export function harmonicComb(harmonic: Float32Array, centre: Float32Array | null, geometry: SpectrogramGeometry, options: HarmonicCombOptions = {}): HarmonicComb {
  const { numFrames, numBins, sampleRate, nFft } = geometry;
  const minHz = options.minHz ?? 100;
  const maxHz = options.maxHz ?? 900;
  const steps = Math.max(1, Math.round((options.stepsPerOctave ?? 36) * Math.log2(maxHz / minHz)));
  const harmonics = Math.max(1, Math.round(options.harmonics ?? 10));
  const decay = options.decay ?? 0.8;
  const widthBins = options.widthBins ?? 1;
  const vibrato = 2 ** ((options.vibratoCents ?? 100) / 1200) - 1;
  const floor = options.floor ?? 0.3;
  const minShare = options.minShare ?? 0.3;
  const minFundamental = options.minFundamentalShare ?? 0;
  const binHzStep = sampleRate / nFft;
  const bins = Math.min(numBins, Math.ceil((options.topHz ?? 8000) / binHzStep));
  const combBins = Math.min(numBins, Math.ceil((options.combTopHz ?? options.topHz ?? 8000) / binHzStep));
  const comb = new Float32Array(numFrames * combBins).fill(1);
  const voiced = new Uint8Array(numFrames);
  if (floor >= 1 || bins < 4) return { comb, bins: combBins, voiced };
  // Candidate partial bins (nearest) per f0 and harmonic; -1 beyond the band.
  const f0s = new Float64Array(steps + 1);
  const partialBin = new Int32Array((steps + 1) * harmonics);
  for (let s = 0; s <= steps; s++) {
    f0s[s] = minHz * 2 ** (s / (steps / Math.log2(maxHz / minHz)));
    for (let h = 0; h < harmonics; h++) {
      const k = Math.round(((h + 1) * f0s[s]) / binHzStep);
      partialBin[s * harmonics + h] = k < bins ? k : -1;
    }
  }
  const weights = new Float64Array(harmonics);
  for (let h = 0; h < harmonics; h++) weights[h] = decay ** h;
  const e = new Float32Array(bins);
  const lowBin = Math.max(1, Math.floor(minHz / binHzStep));
  for (let t = 0; t < numFrames; t++) {
    const row = t * numBins;
    let total = 0;
    for (let k = 0; k < bins; k++) {
      e[k] = centre === null ? harmonic[row + k] : harmonic[row + k] * centre[row + k];
      if (k >= lowBin) total += e[k];
    }
    if (total <= 1e-12) continue;
    let best = -1, bestSal = 0;
    for (let s = 0; s <= steps; s++) {
      let sal = 0;
      for (let h = 0; h < harmonics; h++) {
        const k = partialBin[s * harmonics + h];
        if (k < 0) break;
        sal += weights[h] * e[k];
      }
      if (sal > bestSal) {
        bestSal = sal;
        best = s;
      }
    }
    if (best < 0) continue;
    const fundamental = partialBin[best * harmonics];
    if (minFundamental > 0 && (fundamental < 0 || e[fundamental] < minFundamental * bestSal)) continue;
    const out = t * combBins;
    for (let k = 0; k < combBins; k++) comb[out + k] = floor;
    for (let h = 1; ; h++) {
      const f = h * f0s[best];
      const centreBin = f / binHzStep;
      if (centreBin >= combBins + widthBins) break;
      const half = widthBins + (f * vibrato) / binHzStep;
      const k0 = Math.max(0, Math.ceil(centreBin - half));
      const k1 = Math.min(combBins - 1, Math.floor(centreBin + half));
      for (let k = k0; k <= k1; k++) comb[out + k] = 1;
    }
    let onComb = 0;
    for (let k = lowBin; k < bins; k++) if (comb[out + k] === 1) onComb += e[k];
    if (onComb < minShare * total) comb.fill(1, out, out + combBins);
    else voiced[t] = 1;
  }
  return { comb, bins: combBins, voiced };
}

