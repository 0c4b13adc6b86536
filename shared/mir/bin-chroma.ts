/**
 * Raw pitch-class profile of each STFT frame: the magnitudes of the bins between two frequencies
 * summed by the pitch class nearest to each bin's centre frequency (A4 = 440 Hz, C = 0), with no
 * tuning or harmonic weighting. A cheap harmonic cue for onset-synchronous work (bar phase,
 * downbeats), where the tuned chroma of chroma.ts would be more than is needed.
 */
import type { AnalysisSignal } from './signal.js';

/**
 * Per frame of the signal's (nFft, hop) magnitude spectrogram: 12 pitch-class sums over the bins
 * in [loHz, hiHz] (linear magnitude), then, with `band`, a 13th value: the summed magnitude of the
 * bins in [band[0], band[1]] Hz. Memoised on the signal; frame-major, 12 or 13 values per frame.
 */
export function frameBinChroma(signal: AnalysisSignal, nFft: number, hopLength: number, loHz: number, hiHz: number, band?: [number, number]): Float32Array {
  const dim = band ? 13 : 12;
  const key = `binchroma/${loHz}/${hiHz}/${band?.join('-') ?? ''}`;
  return signal.frameFeatures(key, nFft, hopLength, dim, ({ numFrames, numBins, mag }) => {
    const binHz = signal.sampleRate / nFft;
    const kLo = Math.max(1, Math.ceil(loHz / binHz));
    const kHi = Math.min(numBins - 1, Math.floor(hiHz / binHz));
    const pc = new Int8Array(numBins);
    for (let k = kLo; k <= kHi; k++) pc[k] = ((Math.round(12 * Math.log2((k * binHz) / 440)) % 12) + 12 + 9) % 12;
    const bLo = band ? Math.max(1, Math.ceil(band[0] / binHz)) : 1;
    const bHi = band ? Math.min(numBins - 1, Math.floor(band[1] / binHz)) : 0;
    const out = new Float32Array(numFrames * dim);
    const frame = new Float64Array(12);
    for (let t = 0; t < numFrames; t++) {
      frame.fill(0);
      const row = t * numBins;
      for (let k = kLo; k <= kHi; k++) frame[pc[k]] += mag[row + k];
      const o = t * dim;
      for (let c = 0; c < 12; c++) out[o + c] = frame[c];
      if (band) {
        let sum = 0;
        for (let k = bLo; k <= bHi; k++) sum += mag[row + k];
        out[o + 12] = sum;
      }
    }
    return out;
  });
}
