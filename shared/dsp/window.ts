const cache = new Map<string, Float32Array>();

/** Periodic Hann window of `length` samples (the STFT convention, as in librosa/scipy). */
export function hann(length: number): Float32Array {
  const key = `hann:${length}`;
  let w = cache.get(key);
  if (!w) {
    w = new Float32Array(length);
    for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
    cache.set(key, w);
  }
  return w;
}
