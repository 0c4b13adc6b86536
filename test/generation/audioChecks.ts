/**
 * Measurements on rendered audio used by the generation tests: transient onsets, f0 by
 * autocorrelation, and a click detector. They look at samples only, never at note lists.
 */
import type { AudioBuffer } from '../../shared/audio/types.js';

export function monoOf(audio: AudioBuffer): Float32Array {
  const n = audio.channels[0].length;
  const out = new Float32Array(n);
  for (const ch of audio.channels) for (let i = 0; i < n; i++) out[i] += ch[i] / audio.channels.length;
  return out;
}

/**
 * Onsets (sample indices) where the energy of the first difference in a 0.25 ms window jumps above
 * `ratio` × its mean over the preceding 15 ms (and above 1e-3 of the loudest window); the onset is
 * refined to the sample of the strongest rise (energy 1 ms after / 3 ms before) within 5 ms before.
 * A new onset needs 25 ms since the last.
 */
export function detectOnsets(x: Float32Array, sampleRate: number, ratio = 12): number[] {
  const n = x.length;
  const d2 = new Float64Array(n);
  for (let i = 1; i < n; i++) d2[i] = (x[i] - x[i - 1]) ** 2;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + d2[i];
  const w = Math.max(2, Math.round(0.00025 * sampleRate));
  const back = Math.round(0.015 * sampleRate);
  let maxE = 0;
  for (let i = 0; i + w <= n; i += w) maxE = Math.max(maxE, (prefix[i + w] - prefix[i]) / w);
  const floor = maxE * 1e-3;
  const out: number[] = [];
  let last = -Infinity;
  for (let i = back; i + w <= n; i++) {
    const e = (prefix[i + w] - prefix[i]) / w;
    if (e < floor) continue;
    const before = (prefix[i] - prefix[i - back]) / back;
    if (e > ratio * before + 1e-12 && i - last > 0.025 * sampleRate) {
      // Refine: the sample with the strongest rise, 1 ms after vs 3 ms before, within 5 ms.
      const L = Math.round(0.001 * sampleRate);
      const L2 = Math.round(0.003 * sampleRate);
      let j = i;
      let bestRatio = -1;
      for (let k = Math.max(L2, i - Math.round(0.005 * sampleRate)); k <= Math.min(n - L, i + w); k++) {
        const after = (prefix[k + L] - prefix[k]) / L;
        const pre = (prefix[k] - prefix[k - L2]) / L2 + 1e-15;
        if (after / pre > bestRatio) {
          bestRatio = after / pre;
          j = k;
        }
      }
      out.push(j);
      last = i;
    }
  }
  return out;
}

/** f0 in Hz by normalised autocorrelation over [minHz, maxHz] (first strong peak). */
export function estimateF0(x: Float32Array, sampleRate: number, minHz: number, maxHz: number): number {
  const minLag = Math.floor(sampleRate / maxHz);
  const maxLag = Math.ceil(sampleRate / minHz);
  const n = x.length - maxLag;
  if (n <= 0) return 0;
  const r = new Float64Array(maxLag + 1);
  let r0 = 0;
  for (let i = 0; i < n; i++) r0 += x[i] * x[i];
  if (r0 === 0) return 0;
  let best = 0;
  for (let lag = minLag; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * x[i + lag];
    r[lag] = s / r0;
    if (r[lag] > best) best = r[lag];
  }
  // First peak within 90 % of the best: avoids octave-down errors.
  for (let lag = minLag + 1; lag < maxLag; lag++) {
    if (r[lag] >= 0.9 * best && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) {
      const a = r[lag - 1], b = r[lag], c = r[lag + 1];
      const shift = (a - c) / (2 * (a - 2 * b + c) || 1);
      return sampleRate / (lag + shift);
    }
  }
  return 0;
}

/**
 * Clicks: 1 ms frames of the second difference's energy that exceed `ratio` × every frame 3–25 ms
 * before and after (a click is a short broadband burst; onsets, decays and periodic tones down to
 * 40 Hz are not).
 * Returns the sample index of each click.
 */
export function findClicks(x: Float32Array, sampleRate: number, ratio = 40): number[] {
  const frame = Math.max(4, Math.round(0.001 * sampleRate));
  const frames = Math.floor(x.length / frame);
  const e = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let i = Math.max(2, f * frame); i < (f + 1) * frame; i++) {
      const d = x[i] - 2 * x[i - 1] + x[i - 2];
      s += d * d;
    }
    e[f] = s;
  }
  let maxE = 0;
  for (const v of e) maxE = Math.max(maxE, v);
  const out: number[] = [];
  for (let f = 0; f < frames; f++) {
    if (e[f] < maxE * 1e-4) continue;
    let around = 1e-20;
    for (let k = 3; k <= 25; k++) {
      if (f - k >= 0) around = Math.max(around, e[f - k]);
      if (f + k < frames) around = Math.max(around, e[f + k]);
    }
    if (e[f] > ratio * around) out.push(f * frame);
  }
  return out;
}

export function peakDb(audio: AudioBuffer): number {
  let p = 0;
  for (const ch of audio.channels) for (const v of ch) p = Math.max(p, Math.abs(v));
  return 20 * Math.log10(p);
}
