/**
 * Tuning error in cents: |1200·log2(estimated / reference)| for A4 frequencies in Hz.
 * (No mir_eval definition exists; this is the usual deviation measure, e.g. Müller, FMP §3.1.)
 * Non-positive or non-finite inputs return NaN.
 */

/** Signed deviation of the estimate from the reference, cents (positive = estimate sharp). */
export function tuningDeviationCents(referenceHz: number, estimatedHz: number): number {
  if (!(referenceHz > 0) || !(estimatedHz > 0) || !Number.isFinite(referenceHz) || !Number.isFinite(estimatedHz)) return Number.NaN;
  return 1200 * Math.log2(estimatedHz / referenceHz);
}

/** Absolute tuning error, cents. */
export function tuningErrorCents(referenceHz: number, estimatedHz: number): number {
  return Math.abs(tuningDeviationCents(referenceHz, estimatedHz));
}
