/**
 * Element-wise kernels on typed arrays for the hot loops of the transforms.
 *
 * V8 (Node 20) reloads a typed array's data pointer after every element store when the arrays
 * are not constants, so a loop that alternates loads and stores pays that reload per element.
 * Loading four products before storing them roughly halves the cost (measured on the separator's
 * loops: 3.9 → 2.3 ns per element).
 */

/** out[outAt + n] = a[aAt + n] · b[bAt + n] for n < count. */
export function multiplyInto(
  a: ArrayLike<number>,
  aAt: number,
  b: ArrayLike<number>,
  bAt: number,
  out: Float32Array | Float64Array,
  outAt: number,
  count: number,
): void {
  let n = 0;
  for (; n + 3 < count; n += 4) {
    const y0 = a[aAt + n] * b[bAt + n];
    const y1 = a[aAt + n + 1] * b[bAt + n + 1];
    const y2 = a[aAt + n + 2] * b[bAt + n + 2];
    const y3 = a[aAt + n + 3] * b[bAt + n + 3];
    out[outAt + n] = y0;
    out[outAt + n + 1] = y1;
    out[outAt + n + 2] = y2;
    out[outAt + n + 3] = y3;
  }
  for (; n < count; n++) out[outAt + n] = a[aAt + n] * b[bAt + n];
}
