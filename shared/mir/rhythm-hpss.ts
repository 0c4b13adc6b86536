/**
 * Median-filter harmonic/percussive separation on a mel spectrogram (Fitzgerald 2010, "Harmonic/
 * percussive separation using median filtering", DAFx; soft Wiener-style masks as in Driedger,
 * Müller & Disch 2014). Harmonic sounds are horizontal ridges (a median along time keeps them),
 * percussive sounds are vertical ones (a median along frequency keeps them). Working on ~100 mel
 * bands instead of ~1000 FFT bins makes it cheap enough for the rhythm path.
 *
 * Units: linear mel magnitudes in, linear percussive mel magnitudes out, same frame-major layout
 * [t * numBands + b]. All-zero input → all-zero output.
 */

/** Median of the first n entries of buf (buf is reordered). */
function medianOf(buf: Float32Array, n: number): number {
  // insertion sort: n ≤ ~31
  for (let i = 1; i < n; i++) {
    const v = buf[i];
    let j = i - 1;
    while (j >= 0 && buf[j] > v) {
      buf[j + 1] = buf[j];
      j--;
    }
    buf[j + 1] = v;
  }
  return buf[n >> 1];
}

/**
 * Percussive part of a mel magnitude spectrogram: mel · P² / (P² + H²), with H the median over
 * `timeFrames` frames and P the median over `freqBands` bands (both odd, clipped at the edges).
 */
export function percussiveMel(mel: Float32Array, numBands: number, numFrames: number, timeFrames = 17, freqBands = 9): Float32Array {
  const out = new Float32Array(mel.length);
  const ht = timeFrames >> 1;
  const hf = freqBands >> 1;
  const buf = new Float32Array(Math.max(timeFrames, freqBands));
  const harm = new Float32Array(mel.length);
  for (let b = 0; b < numBands; b++) {
    for (let t = 0; t < numFrames; t++) {
      const lo = Math.max(0, t - ht);
      const hi = Math.min(numFrames - 1, t + ht);
      let n = 0;
      for (let u = lo; u <= hi; u++) buf[n++] = mel[u * numBands + b];
      harm[t * numBands + b] = medianOf(buf, n);
    }
  }
  for (let t = 0; t < numFrames; t++) {
    const row = t * numBands;
    for (let b = 0; b < numBands; b++) {
      const lo = Math.max(0, b - hf);
      const hi = Math.min(numBands - 1, b + hf);
      let n = 0;
      for (let c = lo; c <= hi; c++) buf[n++] = mel[row + c];
      const p = medianOf(buf, n);
      const h = harm[row + b];
      const p2 = p * p;
      const den = p2 + h * h;
      out[row + b] = den > 0 ? (mel[row + b] * p2) / den : 0;
    }
  }
  return out;
}
