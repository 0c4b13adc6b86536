/** Test signals for the MusicGen path: accented click tracks at a known tempo. */

/**
 * Click track: a 2 ms decaying 1.5 kHz burst on every beat (downbeats louder and lower), first
 * click at `firstSec`. Returns the samples and the click times.
 */
export function clickTrack(sampleRate: number, durationSec: number, bpm: number, firstSec: number, beatsPerBar = 4): { samples: Float32Array; clickSec: number[] } {
  const x = new Float32Array(Math.round(durationSec * sampleRate));
  const clickSec: number[] = [];
  const period = 60 / bpm;
  for (let k = 0; ; k++) {
    const t = firstSec + k * period;
    const s0 = Math.round(t * sampleRate);
    if (s0 >= x.length) break;
    clickSec.push(t);
    const down = k % beatsPerBar === 0;
    const f = down ? 1000 : 1500;
    const amp = down ? 0.9 : 0.45;
    const n = Math.round(0.03 * sampleRate);
    for (let i = 0; i < n && s0 + i < x.length; i++) x[s0 + i] += amp * Math.exp(-i / (0.004 * sampleRate)) * Math.sin((2 * Math.PI * f * i) / sampleRate);
  }
  return { samples: x, clickSec };
}

/** Onset times (s) of clicks: first sample above 30 % of the peak after ≥ `gapSec` of quiet. */
export function detectClicks(x: Float32Array, sampleRate: number, gapSec = 0.1): number[] {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const thr = 0.3 * 0.45 * (peak / 0.9);
  const out: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) >= thr && i - last > gapSec * sampleRate) {
      out.push(i / sampleRate);
      last = i;
    } else if (Math.abs(x[i]) >= thr) last = i;
  }
  return out;
}
