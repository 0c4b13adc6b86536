/**
 * Overtone support for the bass estimate below ~120 Hz: kick drum or bass? Both put sustained
 * energy into the lowest bins (a kick's body is a decaying low sine of 40–70 Hz lasting 0.1–0.4 s,
 * long enough for a time median to call it harmonic), but a bass note is a harmonic tone whose
 * 2nd and 3rd partials sit at 2·f0 and 3·f0, while a kick's body has almost none (Gillet & Richard
 * 2008 and FitzGerald et al. 2013 use the same contrast: drum sounds are inharmonic/sinusoidal,
 * pitched bass is a harmonic series). So the power the bass can claim at a low bin k is capped by
 * the harmonic energy found around bins 2k and 3k:
 *
 *   share(t, k) = min(1, g · O(t, k)² / H(t, k)²),   O = max over j ∈ {2, 3} of max H(t, j·k ± 1),
 *
 * with H the harmonic (time-median) enhancement, O read from the short (0.2 s) time median so that
 * note changes are not smeared, bins within 2 of k skipped (the Hann main lobe of k's own
 * partial), and g the assumed power ratio of a bass fundamental to its strongest upper partial
 * (the "overtone gain"). A pure sine bass (an 808-style sub) has no partials either, but it is
 * steady: the cap applies only in proportion to how far the mix magnitude dips below H within
 * ±`steadySec` (u = 1 − min|X| / H, clipped to [0, 1]; a kick's body decays within 0.2 s, a held
 * note does not), share' = 1 − u·(1 − share). The part of H the cap takes from the bass goes to
 * the drums (masks.ts). Above `fullHz` the cap fades out by `endHz`.
 *
 * Units: frequencies in Hz, times in seconds, `overtoneGain` as a power ratio (linear). Output:
 * bass and drum power for the low bins, frame-major with `bins` columns. Reach in time: the
 * harmonic medians' and ±`steadySec` (within the separator's halo). Silence gives zeros.
 */
import { binHz, type SpectrogramGeometry } from './geometry.js';
import { lowPassWeight } from './masks.js';

export interface BassOvertoneOptions {
  /** Power ratio g of a bass fundamental to its strongest 2nd/3rd partial that still counts as bass. 0 turns the cap off. Default 10. */
  overtoneGain?: number;
  /** The cap applies fully up to this frequency (Hz). Default 70. */
  fullHz?: number;
  /** ... and fades out by this frequency (Hz). Default 120. */
  endHz?: number;
  /**
   * Half-width in seconds of the steadiness test: the cap applies in proportion to how far the
   * mix magnitude dips below H within ±this time (a kick's body decays within it, a held bass
   * note, even a pure sine, does not). 0 applies the cap everywhere. Default 0.2 s.
   */
  steadySec?: number;
  /** Overtone evidence from the harmonic enhancement as used for the masks ('harmonic') or the short time median everywhere ('short', default). */
  overtones?: 'harmonic' | 'short';
}

export interface BassShare {
  /** Bass power estimate for the low bins, frame-major, `bins` columns (replaces H² there). */
  bass: Float32Array;
  /** Power the overtone cap took from the bass (kick body): goes to the drums. Same layout. */
  excess: Float32Array;
  /** Number of low bins covered. */
  bins: number;
}

/**
 * Overtone-capped bass power for the low bins. `harmonic`: the harmonic enhancement (frame-major
 * magnitudes, the long low-band median below `shortLowBins`); `shortLow`: the short time median
 * of bins below `shortLowBins` (frame-major, `shortLowBins` columns) or null.
 */
export function bassOvertoneShare(
  mag: Float32Array,
  harmonic: Float32Array,
  shortLow: Float32Array | null,
  shortLowBins: number,
  geometry: SpectrogramGeometry,
  options: BassOvertoneOptions = {},
): BassShare {
  const gain = options.overtoneGain ?? 10;
  const fullHz = options.fullHz ?? 70;
  const endHz = options.endHz ?? 120;
  const shortOvertones = (options.overtones ?? 'short') === 'short' && shortLow !== null;
  const steadyFrames = Math.round(((options.steadySec ?? 0.2) * geometry.sampleRate) / geometry.hopLength);
  const { numFrames, numBins } = geometry;
  let bins = 0;
  while (bins < numBins && binHz(geometry, bins) < endHz) bins++;
  // Partials of bin k up to 3k + 1 must exist.
  while (bins > 0 && 3 * (bins - 1) + 1 >= numBins) bins--;
  const bass = new Float32Array(numFrames * bins);
  const excess = new Float32Array(numFrames * bins);
  const weight = new Float32Array(bins);
  for (let k = 0; k < bins; k++) weight[k] = gain > 0 && bins >= 3 ? lowPassWeight(binHz(geometry, k), fullHz, endHz) : 0;
  const ratio = new Float32Array(bins);
  for (let t = 0; t < numFrames; t++) {
    const row = t * numBins;
    const srow = t * shortLowBins;
    for (let k = 2; k < bins; k++) {
      let o = 0;
      for (let j = 2; j <= 3; j++) {
        // Bins within 2 of k hold the main lobe of k's own partial (Hann), not an overtone.
        for (let m = Math.max(j * k - 1, k + 2); m <= j * k + 1; m++) {
          const v = shortOvertones && m < shortLowBins ? (shortLow as Float32Array)[srow + m] : harmonic[row + m];
          if (v > o) o = v;
        }
      }
      ratio[k] = o;
    }
    // Bins 0 and 1 (below ~40 Hz at common sizes) hold the skirts of bin 2's partial: same fraction.
    let fraction2 = 1;
    for (let k = bins - 1; k >= 0; k--) {
      const h2 = harmonic[row + k] * harmonic[row + k];
      const w = weight[k];
      const o2 = ratio[k] * ratio[k];
      const fraction = k >= 2 ? (h2 > 0 ? Math.min(1, (gain * o2) / h2) : 1) : fraction2;
      let unsteady = 1;
      if (steadyFrames > 0 && h2 > 0) {
        let low = Infinity;
        for (let u = Math.max(0, t - steadyFrames); u <= Math.min(numFrames - 1, t + steadyFrames); u++) low = Math.min(low, mag[u * numBins + k]);
        unsteady = Math.max(0, Math.min(1, 1 - low / Math.sqrt(h2)));
      }
      const capped = h2 * (1 - unsteady * (1 - fraction));
      bass[t * bins + k] = (1 - w) * h2 + w * capped;
      excess[t * bins + k] = w * (h2 - capped);
      if (k === 2) fraction2 = fraction;
    }
  }
  return { bass, excess, bins };
}
