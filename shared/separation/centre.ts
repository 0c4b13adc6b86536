/**
 * Centre-channel extraction cues (Avendano & Jot 2004, "A frequency-domain approach to
 * multichannel upmix"): per time-frequency bin, the inter-channel similarity
 * ψ = 2·Re(Φ_LR) / (Φ_LL + Φ_RR), with the auto- and cross-spectra Φ averaged over a few frames.
 * For one source panned with constant power at pan p ∈ [−1, 1], ψ = cos(p·π/2): 1 in the centre,
 * 0 hard left or right, negative when the channels are out of phase (wide, decorrelated
 * ambience). The panning distance p̂ = (2/π)·acos ψ is mapped to a centre weight
 * exp(−½ (p̂/σ)²) in [0, 1].
 *
 * Units: σ (`panWidth`) in pan units (1 = hard pan). Degenerate input: bins with no energy get
 * weight 0; mono input (left = right) gives weight 1 wherever there is energy.
 */
import type { Stft } from '../dsp/stft.js';

export interface CentreOptions {
  /** Width σ of the centre window in pan units (0 = centre, 1 = hard pan). Default 0.2. */
  panWidth?: number;
  /** Frames averaged on each side of a frame for the cross-spectra (0 = none). Default 2. */
  smoothFrames?: number;
}

/** Centre weight in [0, 1] for every bin of two STFTs with the same geometry (frame-major). */
export function estimateCentreWeight(left: Stft, right: Stft, options: CentreOptions = {}): Float32Array {
  const panWidth = options.panWidth ?? 0.2;
  const smooth = Math.max(0, Math.round(options.smoothFrames ?? 2));
  const { numFrames, numBins } = left;
  const size = numFrames * numBins;
  const auto = new Float32Array(size);
  const cross = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const lr = left.re[i], li = left.im[i], rr = right.re[i], ri = right.im[i];
    auto[i] = lr * lr + li * li + rr * rr + ri * ri;
    cross[i] = 2 * (lr * rr + li * ri);
  }
  const weight = new Float32Array(size);
  // Weight as a function of ψ ∈ [−1, 1], tabulated (acos and exp per bin are the cost otherwise).
  const tableSize = 2048;
  const table = new Float32Array(tableSize + 1);
  const inv = 1 / (2 * panWidth * panWidth);
  for (let j = 0; j <= tableSize; j++) {
    const pan = (2 / Math.PI) * Math.acos(-1 + (2 * j) / tableSize);
    table[j] = Math.exp(-pan * pan * inv);
  }
  const scale = tableSize / 2;
  // Running sums over the frames [t − smooth, t + smooth] (clipped to the spectrogram): frames
  // outside it enter and leave as a row of zeros.
  const autoSum = new Float64Array(numBins);
  const crossSum = new Float64Array(numBins);
  for (let u = 0; u < Math.min(numFrames, smooth); u++) {
    const row = u * numBins;
    for (let k = 0; k < numBins; k++) {
      autoSum[k] += auto[row + k];
      crossSum[k] += cross[row + k];
    }
  }
  const zeros = new Float32Array(numBins);
  const rowOf = (x: Float32Array, u: number): Float32Array => (u >= 0 && u < numFrames ? x.subarray(u * numBins, (u + 1) * numBins) : zeros);
  for (let t = 0; t < numFrames; t++) {
    const tIn = t + smooth;
    const tOut = t - smooth - 1;
    const w = weight.subarray(t * numBins, (t + 1) * numBins);
    slideAndWeigh(rowOf(auto, tIn), rowOf(auto, tOut), rowOf(cross, tIn), rowOf(cross, tOut), autoSum, crossSum, table, scale, w);
  }
  return weight;
}

/**
 * One frame of {@link estimateCentreWeight}: the running sums take in one row and drop another,
 * and each bin's weight is read from the table at ψ = cross / auto (0 where there is no energy).
 */
function slideAndWeigh(
  autoIn: Float32Array,
  autoOut: Float32Array,
  crossIn: Float32Array,
  crossOut: Float32Array,
  autoSum: Float64Array,
  crossSum: Float64Array,
  table: Float32Array,
  scale: number,
  weight: Float32Array,
): void {
  for (let k = 0; k < weight.length; k++) {
    const a = autoSum[k] + autoIn[k] - autoOut[k];
    const c = crossSum[k] + crossIn[k] - crossOut[k];
    autoSum[k] = a;
    crossSum[k] = c;
    if (a <= 1e-20) continue;
    let psi = c / a;
    psi = psi > 1 ? 1 : psi < -1 ? -1 : psi;
    // Nearest table entry (the index is ≥ 0, so | 0 rounds it down after + 0.5); ψ near 1
    // matters most, where the table step is 1/1024 in ψ.
    weight[k] = table[((psi + 1) * scale + 0.5) | 0];
  }
}

/**
 * Stereo spread of a whole spectrogram pair: the panning distance (2/π)·acos ψ̄ of the
 * energy-weighted mean similarity ψ̄ = Σ 2·Re(L·R*) / Σ (|L|² + |R|²). 0 = mono (or everything
 * in the centre), 1 = the channels uncorrelated or hard-panned apart. Tells whether the centre
 * cue carries any information. Silence gives 0.
 */
export function measureStereoSpread(left: Stft, right: Stft): number {
  let auto = 0;
  let cross = 0;
  const size = left.numFrames * left.numBins;
  for (let i = 0; i < size; i++) {
    const lr = left.re[i], li = left.im[i], rr = right.re[i], ri = right.im[i];
    auto += lr * lr + li * li + rr * rr + ri * ri;
    cross += 2 * (lr * rr + li * ri);
  }
  if (auto <= 1e-20) return 0;
  const psi = Math.max(-1, Math.min(1, cross / auto));
  return (2 / Math.PI) * Math.acos(psi);
}
