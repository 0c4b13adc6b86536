/**
 * Synthetic multitrack mixes with known stems for the separation tests and the dev bench:
 * a centre-panned vocal-like harmonic tone with vibrato, a low sine bass, a noise-burst drum
 * track, and (optionally) panned sustained chords as "other". Seeded, deterministic.
 */
import type { AudioBuffer } from '../../shared/audio/types.js';

import { seededRandom } from '../helpers/random.js';
export { seededRandom };

export interface SyntheticMix {
  mix: AudioBuffer;
  stems: { vocals: AudioBuffer; drums: AudioBuffer; bass: AudioBuffer; other: AudioBuffer };
}

export interface SyntheticMixOptions {
  sampleRate?: number;
  durationSec?: number;
  seed?: number;
  /** Include panned chords as the "other" stem. Default true. */
  withOther?: boolean;
  /** Output a mono mix (every stem mono). Default false. */
  mono?: boolean;
}

function panStereo(mono: Float32Array, pan: number): Float32Array[] {
  const angle = ((pan + 1) * Math.PI) / 4;
  const l = new Float32Array(mono.length), r = new Float32Array(mono.length);
  const gl = Math.cos(angle), gr = Math.sin(angle);
  for (let i = 0; i < mono.length; i++) {
    l[i] = mono[i] * gl;
    r[i] = mono[i] * gr;
  }
  return [l, r];
}

/** A song-like mix: vocal (centre, vibrato, phrases), bass (60 Hz family), drums, chords. */
export function renderSyntheticMix(options: SyntheticMixOptions = {}): SyntheticMix {
  const sampleRate = options.sampleRate ?? 44100;
  const durationSec = options.durationSec ?? 4;
  const rand = seededRandom(options.seed ?? 1);
  const n = Math.round(sampleRate * durationSec);
  const vocal = new Float32Array(n);
  const bass = new Float32Array(n);
  const drums = new Float32Array(n);
  const otherL = new Float32Array(n), otherR = new Float32Array(n);
  const beatSec = 0.5;
  // Vocal: notes of 0.5–1 s, f0 220–440 Hz, 5.5 Hz vibrato of ±0.4 semitone, 12 harmonics.
  const vocalNotes = [0, 3, 5, 7, 5, 3, 0, -2].map((s) => 293.66 * 2 ** (s / 12));
  let phase = 0;
  let noteIndex = 0;
  let noteEnd = 0;
  let f0 = vocalNotes[0];
  for (let i = 0; i < n; i++) {
    const tSec = i / sampleRate;
    if (tSec >= noteEnd) {
      f0 = vocalNotes[noteIndex++ % vocalNotes.length];
      noteEnd = tSec + 0.5 + 0.5 * rand();
    }
    const f = f0 * 2 ** ((0.4 / 12) * Math.sin(2 * Math.PI * 5.5 * tSec));
    phase += (2 * Math.PI * f) / sampleRate;
    let s = 0;
    for (let h = 1; h <= 12; h++) if (h * f < sampleRate / 2) s += Math.sin(h * phase) / h;
    const env = Math.min(1, (noteEnd - tSec) / 0.03, 1);
    vocal[i] = 0.25 * s * env;
  }
  // Bass: 60 Hz-ish root per bar (60, 60·4/3, 60·3/2), sine + small 2nd harmonic.
  const roots = [60, 80, 90, 60];
  let bassPhase = 0;
  for (let i = 0; i < n; i++) {
    const bar = Math.floor(i / sampleRate / (4 * beatSec));
    const f = roots[bar % roots.length];
    bassPhase += (2 * Math.PI * f) / sampleRate;
    bass[i] = 0.35 * (Math.sin(bassPhase) + 0.2 * Math.sin(2 * bassPhase));
  }
  // Drums: noise bursts on every half beat, decaying in 60 ms; louder on beats 1 and 3.
  const step = Math.round((beatSec / 2) * sampleRate);
  for (let s = 0, j = 0; s < n; s += step, j++) {
    const amp = j % 4 === 0 ? 0.6 : 0.3;
    const decay = Math.round(0.06 * sampleRate);
    for (let i = 0; i < 4 * decay && s + i < n; i++) drums[s + i] += amp * (2 * rand() - 1) * Math.exp(-i / decay);
  }
  // Other: sustained triads (one per bar), panned left and right, 3 harmonics each.
  if (options.withOther ?? true) {
    const chords = [[261.6, 329.6, 392.0], [349.2, 440.0, 523.3], [392.0, 493.9, 587.3], [261.6, 329.6, 392.0]];
    const pans = [-0.6, 0.5, -0.3];
    for (let i = 0; i < n; i++) {
      const tSec = i / sampleRate;
      const bar = Math.floor(tSec / (4 * beatSec));
      const chord = chords[bar % chords.length];
      for (let v = 0; v < 3; v++) {
        const f = chord[v];
        const s = 0.06 * (Math.sin(2 * Math.PI * f * tSec) + 0.4 * Math.sin(4 * Math.PI * f * tSec) + 0.2 * Math.sin(6 * Math.PI * f * tSec));
        const angle = ((pans[v] + 1) * Math.PI) / 4;
        otherL[i] += s * Math.cos(angle);
        otherR[i] += s * Math.sin(angle);
      }
    }
  }
  const stereo = {
    vocals: panStereo(vocal, 0),
    drums: panStereo(drums, 0.1),
    bass: panStereo(bass, 0),
    other: [otherL, otherR],
  };
  const stems = {} as SyntheticMix['stems'];
  for (const [name, chans] of Object.entries(stereo) as Array<[keyof SyntheticMix['stems'], Float32Array[]]>) {
    if (options.mono) {
      const m = new Float32Array(n);
      for (let i = 0; i < n; i++) m[i] = (chans[0][i] + chans[1][i]) * Math.SQRT1_2;
      stems[name] = { sampleRate, channels: [m] };
    } else {
      stems[name] = { sampleRate, channels: chans };
    }
  }
  const channelCount = options.mono ? 1 : 2;
  const mix: AudioBuffer = { sampleRate, channels: [] };
  for (let c = 0; c < channelCount; c++) {
    const m = new Float32Array(n);
    for (const s of Object.values(stems)) for (let i = 0; i < n; i++) m[i] += s.channels[c][i];
    mix.channels.push(m);
  }
  return { mix, stems };
}
