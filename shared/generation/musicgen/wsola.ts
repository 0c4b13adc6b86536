/**
 * Time-stretch without changing pitch by WSOLA, waveform-similarity overlap-add (Verhelst &
 * Roelands, "An overlap-add technique based on waveform similarity (WSOLA) for high quality
 * time-scale modification of speech", ICASSP 1993; see also Driedger & Müller, "A Review of
 * Time-Scale Modification of Music Signals", Applied Sciences 2016).
 *
 * Output frames of `frameSec` (periodic Hann window, 50 % overlap, so the windows sum to exactly 1)
 * are centred at k·Hs in the output and read from the input near k·Hs / ratio; each read position
 * is moved by up to ±`toleranceSec` to the offset whose frame best matches (cross-correlation) the
 * natural continuation of the previous frame, which keeps waveforms and transients coherent.
 * Every channel uses the same offsets (computed on the channel mean), so the stereo image stays.
 *
 * Why not a library: the npm time-stretchers are GPL (rubberband-wasm) or built around Web Audio
 * streaming (soundtouchjs); this is the textbook algorithm in ~100 lines, pure and deterministic.
 *
 * Units: ratio = output length / input length (0.833 turns 100 BPM into 120 BPM). Timing error
 * of any event: at most toleranceSec. Output length round(input length × ratio).
 * Empty input → empty output; ratio 1 → a copy of the input.
 */
import { InvalidRequestError } from '../../errors.js';

export interface WsolaOptions {
  /** Frame length, seconds. Default 0.046 (2048 samples at 44.1 kHz). */
  frameSec?: number;
  /** Largest shift of a read position, seconds. Default 0.008. */
  toleranceSec?: number;
  /** Correlation stride, samples (speed/accuracy). Default 2. */
  correlationStride?: number;
}

/** Stretch planar channels in time by `ratio` (output/input length). */
export function stretchWsola(channels: readonly Float32Array[], sampleRate: number, ratio: number, options: WsolaOptions = {}): Float32Array[] {
  if (!(ratio >= 0.25 && ratio <= 4)) throw new InvalidRequestError(`stretch ratio must be in [0.25, 4] (got ${ratio})`);
  if (!(sampleRate > 0)) throw new InvalidRequestError(`sampleRate must be > 0 (got ${sampleRate})`);
  const inLen = channels[0]?.length ?? 0;
  const outLen = Math.round(inLen * ratio);
  if (inLen === 0) return channels.map(() => new Float32Array(0));
  if (ratio === 1) return channels.map((c) => c.slice());

  const half = Math.max(16, Math.round(((options.frameSec ?? 0.046) * sampleRate) / 2));
  const n = 2 * half;
  const hopOut = half;
  const tol = Math.max(0, Math.round((options.toleranceSec ?? 0.008) * sampleRate));
  const stride = Math.max(1, Math.floor(options.correlationStride ?? 2));
  const win = new Float32Array(n);
  for (let i = 0; i < n; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);

  const mono = new Float32Array(inLen);
  for (const c of channels) for (let i = 0; i < inLen; i++) mono[i] += c[i] / channels.length;
  const at = (x: Float32Array, i: number): number => (i >= 0 && i < inLen ? x[i] : 0);

  const outs = channels.map(() => new Float32Array(outLen));
  let prevStart = -half; // input start of the previous frame (frame k covers [start, start + n))
  for (let k = 0; ; k++) {
    const centreOut = k * hopOut;
    const startOut = centreOut - half;
    if (startOut >= outLen) break;
    const nominal = Math.round(centreOut / ratio) - half;
    let best = 0;
    if (k > 0 && tol > 0) {
      // Natural continuation of the previous frame: the input right after it, one hop on.
      const cont = prevStart + hopOut;
      let bestScore = -Infinity;
      for (let d = -tol; d <= tol; d++) {
        const s = nominal + d;
        let xy = 0;
        let yy = 0;
        for (let i = 0; i < n; i += stride) {
          const a = at(mono, s + i);
          xy += a * at(mono, cont + i) * win[i];
          yy += a * a * win[i];
        }
        const score = yy > 0 ? xy / Math.sqrt(yy) : 0;
        if (score > bestScore + 1e-12 || (Math.abs(score - bestScore) <= 1e-12 && Math.abs(d) < Math.abs(best))) {
          bestScore = score;
          best = d;
        }
      }
    }
    const start = nominal + best;
    for (let c = 0; c < channels.length; c++) {
      const x = channels[c];
      const y = outs[c];
      for (let i = 0; i < n; i++) {
        const o = startOut + i;
        if (o < 0 || o >= outLen) continue;
        y[o] += win[i] * at(x, start + i);
      }
    }
    prevStart = start;
  }
  return outs;
}
