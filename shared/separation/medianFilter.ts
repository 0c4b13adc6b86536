/**
 * Running median filters over a frame-major magnitude spectrogram (`mag[t * numBins + k]`), the
 * cost centre of median-filter HPSS (Fitzgerald 2010). Each filter keeps a sorted window and
 * updates it per step (remove the outgoing value, insert the incoming one: O(length) per output,
 * no allocation), instead of sorting every window (O(length · log length)).
 *
 * Values outside the spectrogram count as 0 (zero padding: silence before and after the signal),
 * as with `scipy.ndimage.median_filter(mode='constant')`. Lengths are odd (even lengths are
 * rounded up); a length of 1 copies the input. An empty spectrogram gives an empty result.
 */

/** Odd window length ≥ 1 from any positive length. */
export function oddLength(length: number): number {
  const n = Math.max(1, Math.round(length));
  return n % 2 === 1 ? n : n + 1;
}

/** Replace `oldValue` by `newValue` in the sorted window `w[o .. o+len)`, keeping it sorted. */
function replaceSorted(w: Float32Array, o: number, len: number, oldValue: number, newValue: number): void {
  // Find the first position of the outgoing value (present by construction) by binary search.
  const end = o + len;
  let lo = o;
  let hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (w[mid] < oldValue) lo = mid + 1;
    else hi = mid;
  }
  let i = lo;
  if (newValue > oldValue) {
    while (i + 1 < end && w[i + 1] < newValue) {
      w[i] = w[i + 1];
      i++;
    }
  } else {
    while (i > o && w[i - 1] > newValue) {
      w[i] = w[i - 1];
      i--;
    }
  }
  w[i] = newValue;
}

/**
 * Median over time (along t, for every bin k) with a window of `lengthFrames` frames centred on
 * each frame: the "harmonic" enhancement of median-filter HPSS (horizontal lines survive).
 * Writes into `out` (same size as `mag`) and returns it. With `binEnd` < numBins only bins
 * 0 .. binEnd−1 are filtered (the rest of `out` is left untouched). With `quantile` q ≠ 0.5 it is
 * the running order statistic of rank round(q·(L − 1)) (0 = smallest) of the L-frame window.
 */
export function medianFilterTime(
  mag: Float32Array,
  numFrames: number,
  numBins: number,
  lengthFrames: number,
  out: Float32Array = new Float32Array(mag.length),
  binEnd = numBins,
  quantile = 0.5,
): Float32Array {
  const len = oddLength(lengthFrames);
  const rank = Math.min(len - 1, Math.max(0, Math.round(quantile * (len - 1))));
  const kEnd = Math.max(0, Math.min(numBins, binEnd));
  if (numFrames === 0 || numBins === 0 || kEnd === 0) return out;
  if (len === 1) {
    for (let t = 0; t < numFrames; t++) out.set(mag.subarray(t * numBins, t * numBins + kEnd), t * numBins);
    return out;
  }
  if (len === 5 && rank === 2) return median5Time(mag, numFrames, numBins, out, kEnd);
  const half = len >> 1;
  // Sorted window per bin, bin-major: windows[k * len + j]. Values pass through Float32 storage
  // so that equality tests on the outgoing value are exact.
  const windows = new Float32Array(kEnd * len);
  const scratch = new Float32Array(len);
  for (let k = 0; k < kEnd; k++) {
    for (let j = 0; j < len; j++) {
      const t = j - half;
      scratch[j] = t >= 0 && t < numFrames ? mag[t * numBins + k] : 0;
    }
    scratch.sort();
    windows.set(scratch, k * len);
  }
  for (let t = 0; t < numFrames; t++) {
    const row = t * numBins;
    for (let k = 0; k < kEnd; k++) out[row + k] = windows[k * len + rank];
    if (t === numFrames - 1) break;
    const tOut = t - half;
    const tIn = t + half + 1;
    const outRow = tOut >= 0 ? tOut * numBins : -1;
    const inRow = tIn < numFrames ? tIn * numBins : -1;
    for (let k = 0; k < kEnd; k++) {
      const oldValue = outRow >= 0 ? mag[outRow + k] : 0;
      const newValue = inRow >= 0 ? mag[inRow + k] : 0;
      if (oldValue === newValue) continue;
      replaceSorted(windows, k * len, len, Math.fround(oldValue), Math.fround(newValue));
    }
  }
  return out;
}

/**
 * The 5-frame time median (the harmonic enhancement's usual length: 0.2 s at a 46 ms hop) of
 * bins 0 .. kEnd−1, row by row with a compare-exchange network and no branches: the
 * sorted-window update mispredicts on nearly every step at this length. Median of five: the
 * smallest and the largest of the four outer values lie on either side of the median, so it is
 * the median of the other two and the centre value. Frames outside the spectrogram read as 0.
 *
 * The values are compared as their IEEE-754 bit patterns (an Int32Array view): for non-negative
 * floats the pattern orders as the value does, and integer min/max has a branch-free form
 * (V8's float Math.min/max branch for NaN and −0). Magnitudes are never negative.
 */
function median5Time(mag: Float32Array, numFrames: number, numBins: number, out: Float32Array, kEnd: number): Float32Array {
  const bits = new Int32Array(mag.buffer, mag.byteOffset, mag.length);
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  const zeros = new Int32Array(kEnd);
  const rowOf = (t: number): Int32Array => (t >= 0 && t < numFrames ? bits.subarray(t * numBins, t * numBins + kEnd) : zeros);
  for (let t = 0; t < numFrames; t++) median5Row(rowOf(t - 2), rowOf(t - 1), rowOf(t), rowOf(t + 1), rowOf(t + 2), outBits, t * numBins, kEnd);
  return out;
}

/**
 * out[o + k] = median(a[k], b[k], c[k], d[k], e[k]) for k < n, on non-negative int32 values.
 * For 0 ≤ p, q < 2^31, s = (p − q) >> 31 is −1 when p < q and 0 otherwise (no overflow), so
 * min = q + ((p − q) & s) and max = p − ((p − q) & s).
 */
function median5Row(a: Int32Array, b: Int32Array, c: Int32Array, d: Int32Array, e: Int32Array, out: Int32Array, o: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const ak = a[k], bk = b[k], dk = d[k], ek = e[k], ck = c[k];
    const ab = (ak - bk) & ((ak - bk) >> 31);
    const de = (dk - ek) & ((dk - ek) >> 31);
    // lo = max(min(a, b), min(d, e)), hi = min(max(a, b), max(d, e)): the outer extremes dropped.
    const minAB = bk + ab, maxAB = ak - ab, minDE = ek + de, maxDE = dk - de;
    const l = (minAB - minDE) & ((minAB - minDE) >> 31);
    const lo = minAB - l;
    const h = (maxAB - maxDE) & ((maxAB - maxDE) >> 31);
    const hi = maxDE + h;
    // median(lo, hi, c) = max(min(lo, hi), min(max(lo, hi), c)).
    const m = (lo - hi) & ((lo - hi) >> 31);
    const small = hi + m, large = lo - m;
    const q = (large - ck) & ((large - ck) >> 31);
    const mid = ck + q;
    const r = (small - mid) & ((small - mid) >> 31);
    out[o + k] = small - r;
  }
}

/**
 * Median over frequency (along k, within every frame) with a window of `lengthBins` bins centred
 * on each bin: the "percussive" enhancement of median-filter HPSS (vertical lines survive).
 * With `stride` s > 1 the window reads every s-th bin, k + s·j for |j| ≤ lengthBins / 2 (it spans
 * s times as many bins for the same cost): each residue class of k mod s is then a plain running
 * median of its own bins. With `interpolate`, only the bins k ≡ 0 (mod s) are filtered and the
 * bins between are linearly interpolated (1/s of the cost; a median over a window s·lengthBins
 * bins wide changes little from one bin to the next). Writes into `out` (same size as `mag`)
 * and returns it.
 */
export function medianFilterFrequency(
  mag: Float32Array,
  numFrames: number,
  numBins: number,
  lengthBins: number,
  out: Float32Array = new Float32Array(mag.length),
  stride = 1,
  interpolate = false,
): Float32Array {
  const len = oddLength(lengthBins);
  const step = Math.max(1, Math.round(stride));
  if (numFrames === 0 || numBins === 0) return out;
  if (len === 1) {
    out.set(mag.subarray(0, numFrames * numBins));
    return out;
  }
  const half = len >> 1;
  const w = new Float32Array(len);
  const classes = interpolate ? 1 : step;
  for (let t = 0; t < numFrames; t++) {
    const row = t * numBins;
    for (let r = 0; r < classes && r < numBins; r++) {
      for (let j = 0; j < len; j++) {
        const k = r + (j - half) * step;
        w[j] = k >= 0 && k < numBins ? mag[row + k] : 0;
      }
      w.sort();
      for (let k = r; k < numBins; k += step) {
        out[row + k] = w[half];
        if (k + step >= numBins) break;
        const kOut = k - half * step;
        const kIn = k + (half + 1) * step;
        const oldValue = kOut >= 0 ? mag[row + kOut] : 0;
        const newValue = kIn < numBins ? mag[row + kIn] : 0;
        if (oldValue === newValue) continue;
        replaceSorted(w, 0, len, Math.fround(oldValue), Math.fround(newValue));
      }
    }
    if (classes < step) interpolateBetween(out, row, numBins, step);
  }
  return out;
}

/** Fill the bins between every `step`-th bin of row `row` linearly (the last ones hold the last value). */
function interpolateBetween(out: Float32Array, row: number, numBins: number, step: number): void {
  for (let k0 = 0; k0 < numBins; k0 += step) {
    const k1 = k0 + step;
    const a = out[row + k0];
    if (k1 >= numBins) {
      for (let k = k0 + 1; k < numBins; k++) out[row + k] = a;
      break;
    }
    const slope = (out[row + k1] - a) / step;
    for (let j = 1; j < step; j++) out[row + k0 + j] = a + slope * j;
  }
}
