/**
 * Synthetic tonal material with known answers for the tonal tests: additive harmonic tones at a
 * known tuning, chord progressions with a bass line, seeded noise.
 */
import { AnalysisSignal, ANALYSIS_SAMPLE_RATE } from '../../shared/mir/signal.js';
import { parseHarte, chordPitchClasses, chordBassPitchClass } from '../../shared/music/harte.js';

import { seededRandom } from '../helpers/random.js';
export { seededRandom };

export interface ToneOptions {
  tuningHz?: number;
  numHarmonics?: number;
  /** Amplitude of harmonic h is rolloff^(h−1). */
  rolloff?: number;
  amplitude?: number;
}

/** Add a harmonic tone (MIDI note, fractional allowed) into `out` between startSec and endSec. */
export function addTone(out: Float32Array, sampleRate: number, midi: number, startSec: number, endSec: number, options: ToneOptions = {}): void {
  const tuningHz = options.tuningHz ?? 440;
  const numHarmonics = options.numHarmonics ?? 8;
  const rolloff = options.rolloff ?? 0.6;
  const amplitude = options.amplitude ?? 0.1;
  const f0 = tuningHz * Math.pow(2, (midi - 69) / 12);
  const i0 = Math.max(0, Math.round(startSec * sampleRate));
  const i1 = Math.min(out.length, Math.round(endSec * sampleRate));
  const attack = Math.round(0.01 * sampleRate);
  const release = Math.round(0.03 * sampleRate);
  for (let h = 1; h <= numHarmonics; h++) {
    const f = f0 * h;
    if (f > sampleRate * 0.45) break;
    const a = amplitude * Math.pow(rolloff, h - 1);
    const w = (2 * Math.PI * f) / sampleRate;
    for (let i = i0; i < i1; i++) {
      const n = i - i0;
      const env = Math.min(1, n / attack, (i1 - i) / release);
      out[i] += a * env * Math.sin(w * n + h);
    }
  }
}

/**
 * Render a chord progression: each chord lasts `beatsPerChord` beats at `bpm`; treble voicing in
 * octave 4 (MIDI 60–71), bass note in octave 2. Returns the signal and the chord boundaries.
 */
export function renderProgression(
  labels: string[],
  options: { bpm?: number; beatsPerChord?: number; tuningHz?: number; noise?: number; seed?: number } = {},
): { signal: AnalysisSignal; beatTimesSec: number[]; chordTimesSec: number[]; durationSec: number } {
  const sampleRate = ANALYSIS_SAMPLE_RATE;
  const bpm = options.bpm ?? 120;
  const beatsPerChord = options.beatsPerChord ?? 4;
  const beatSec = 60 / bpm;
  const chordSec = beatSec * beatsPerChord;
  const durationSec = labels.length * chordSec;
  const out = new Float32Array(Math.round(durationSec * sampleRate));
  const tuningHz = options.tuningHz ?? 440;
  const chordTimesSec: number[] = [];
  labels.forEach((label, i) => {
    const t0 = i * chordSec;
    chordTimesSec.push(t0);
    const parsed = parseHarte(label);
    if (!parsed.chord) return;
    for (const pc of chordPitchClasses(parsed.chord)) addTone(out, sampleRate, 60 + pc, t0, t0 + chordSec, { tuningHz, amplitude: 0.08 });
    const bass = chordBassPitchClass(parsed.chord);
    for (let b = 0; b < beatsPerChord; b++) {
      addTone(out, sampleRate, 36 + bass, t0 + b * beatSec, t0 + (b + 0.9) * beatSec, { tuningHz, amplitude: 0.12, rolloff: 0.5 });
    }
  });
  if (options.noise) {
    const rand = seededRandom(options.seed ?? 1);
    for (let i = 0; i < out.length; i++) out[i] += options.noise * (rand() * 2 - 1);
  }
  const beatTimesSec: number[] = [];
  for (let t = 0; t < durationSec - 1e-9; t += beatSec) beatTimesSec.push(t);
  return { signal: new AnalysisSignal(out, sampleRate), beatTimesSec, chordTimesSec, durationSec };
}
