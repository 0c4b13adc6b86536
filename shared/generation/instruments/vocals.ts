/**
 * Vocal "aah"/"ooh" line: a melody of chord tones (stepwise where it can, phrases of two bars with
 * a breath at the end) sung by a source–filter voice (Fant 1960): a band-limited sawtooth glottal
 * source with legato glides and delayed vibrato, through three parallel formant band-pass filters
 * (vowel formants after Peterson & Barney 1952), with breath noise.
 */
import { addToBus, createBus, designBiquad, addFilteredBiquad, type StereoBus } from '../dsp.js';
import { placePitch } from '../harmony.js';
import { chordAt, forEachBar, noteHz, placeNotes, varyVelocity, type GridNote, type PlacedNote } from '../parts.js';
import { whiteNoise } from '../rng.js';
import type { Vowel } from '../styles.js';
import type { GenerationPlan } from '../types.js';
import { SCALE_INTERVALS } from '../../music/key.js';

const RHYTHMS_4: readonly (readonly (readonly [number, number])[])[] = [
  [[0, 4], [4, 4], [8, 6]],
  [[0, 2], [2, 2], [4, 4], [8, 8]],
  [[2, 2], [4, 4], [8, 4], [12, 4]],
  [[0, 8], [8, 8]],
  [[0, 3], [3, 3], [6, 2], [8, 4], [12, 2]],
];
const RHYTHMS_3: readonly (readonly (readonly [number, number])[])[] = [
  [[0, 4], [4, 4], [8, 4]],
  [[0, 6], [6, 2], [8, 4]],
  [[0, 8], [8, 4]],
];

/** Compose the vocal melody. */
export function composeVocalNotes(plan: GenerationPlan): GridNote[] {
  const notes: GridNote[] = [];
  const t = plan.temperature;
  const lo = plan.programs.voice === 'high' ? 57 : 48;
  const hi = lo + 19;
  const scale = new Set(SCALE_INTERVALS[plan.key.mode].map((i) => (plan.key.tonic + i) % 12));
  let prev = lo + 9;
  forEachBar(plan, 'vocals', (ctx) => {
    const rng = ctx.rng;
    const table = ctx.beats === 3 ? RHYTHMS_3 : RHYTHMS_4;
    const choice = rng.next();
    let rhythm = t === 0 ? table[0] : table[Math.floor(choice * table.length)];
    const steps = ctx.beats * 4;
    const phraseLast = ctx.barInSection % 2 === 1 || ctx.sectionEnd;
    if (phraseLast) {
      // Breathe: end the phrase by the last beat.
      rhythm = rhythm.filter(([s]) => s < steps - 4).map(([s, l]) => [s, Math.min(l, steps - 4 - s)] as const);
      if (rhythm.length === 0) rhythm = [[0, steps - 4]];
    }
    const lift = ctx.section.energy >= 0.75 ? 4 : 0;
    for (const [s, l] of rhythm) {
      if (s >= steps) continue;
      const beat = ctx.startBeat + s / 4;
      const chord = chordAt(plan, beat + 1e-6);
      if (!chord) continue;
      const strong = s % 4 === 0;
      const r = rng.next();
      const tones = chord.intervals.map((i) => (chord.root + i) % 12);
      let candidates: number[] = [];
      for (const pc of tones) {
        const m = placePitch(pc, prev - 6 + lift / 2);
        candidates.push(m, m + 12);
      }
      if (!strong && r < 0.35 * t) {
        // Passing tone: a scale step from the previous note.
        candidates = [prev + 1, prev + 2, prev - 1, prev - 2].filter((m) => scale.has(((m % 12) + 12) % 12));
      }
      candidates = candidates.filter((m) => m >= lo && m <= hi + lift);
      if (candidates.length === 0) candidates = [placePitch(chord.root, lo + 5)];
      // Contour: rise through the first bar of a two-bar phrase, fall through the second;
      // repeated notes are discouraged so that the line moves.
      const direction = ctx.barInSection % 2 === 0 ? 1 : -1;
      const target = prev + direction * 2.5 + lift / 2;
      const cost = (m: number) => Math.abs(m - target) + (m === prev ? 2 : 0);
      candidates.sort((a, b) => cost(a) - cost(b) || a - b);
      const pickIdx = t === 0 ? 0 : Math.min(candidates.length - 1, rng.next() < 0.25 + 0.3 * t ? 1 : 0);
      const midi = candidates[pickIdx];
      notes.push({ beat, lengthBeats: l / 4, midi, velocity: varyVelocity(rng, strong ? 0.85 : 0.75, t, 0.2) });
      prev = midi;
    }
  });
  return notes;
}

interface Formant {
  hz: number;
  bandwidthHz: number;
  gain: number;
}

const FORMANTS: Record<Vowel, Formant[]> = {
  aah: [{ hz: 800, bandwidthHz: 90, gain: 1 }, { hz: 1150, bandwidthHz: 100, gain: 0.55 }, { hz: 2900, bandwidthHz: 130, gain: 0.3 }],
  ooh: [{ hz: 350, bandwidthHz: 60, gain: 1 }, { hz: 650, bandwidthHz: 80, gain: 0.45 }, { hz: 2500, bandwidthHz: 150, gain: 0.12 }],
};

/** Sing one legato phrase (notes in order, each ending where the next begins). */
function singPhrase(plan: GenerationPlan, notes: PlacedNote[], vowel: Vowel, seed: number): Float32Array {
  const sr = plan.sampleRate;
  const start = notes[0].startSample;
  const last = notes[notes.length - 1];
  const release = Math.round(0.12 * sr);
  const n = last.startSample + last.lengthSamples - start + release;
  const source = new Float32Array(n);
  const amp = new Float32Array(n);
  const glide = Math.round(0.05 * sr);
  let phase = 0;
  const vibRate = (2 * Math.PI * 5.3) / sr;
  const block = 32;
  // Pitch (log2 Hz) at a sample of note k: glide from the previous note, then delayed vibrato.
  const logPitch = (inNote: number, absolute: number, target: number, prevLog: number): number => {
    let lf = target;
    if (inNote < glide) {
      const g = inNote / glide;
      lf = prevLog + (target - prevLog) * (g * g * (3 - 2 * g));
    }
    const vibDepth = Math.min(1, Math.max(0, (inNote / sr - 0.2) / 0.3)) * (0.25 / 12);
    return lf + vibDepth * Math.sin(vibRate * absolute);
  };
  for (let k = 0; k < notes.length; k++) {
    const note = notes[k];
    const from = note.startSample - start;
    const to = k + 1 < notes.length ? notes[k + 1].startSample - start : n;
    const target = Math.log2(noteHz(plan, note.midi));
    const prevLog = k > 0 ? Math.log2(noteHz(plan, notes[k - 1].midi)) : target;
    const gain = note.velocity;
    const prevGain = k > 0 ? notes[k - 1].velocity : 0;
    // Frequency is computed at control rate (every 32 samples) and interpolated linearly.
    for (let b = from; b < to; b += block) {
      const bEnd = Math.min(to, b + block);
      const f0 = Math.pow(2, logPitch(b - from, b, target, prevLog));
      const f1 = Math.pow(2, logPitch(bEnd - from, bEnd, target, prevLog));
      const df = (f1 - f0) / (bEnd - b);
      let f = f0;
      for (let i = b; i < bEnd; i++) {
        const dt = f / sr;
        f += df;
        let v = 2 * phase - 1;
        if (phase < dt) {
          const x = phase / dt;
          v -= x + x - x * x - 1;
        } else if (phase > 1 - dt) {
          const x = (phase - 1) / dt;
          v -= x * x + x + x + 1;
        }
        source[i] = v;
        phase += dt;
        if (phase >= 1) phase -= 1;
        const inNote = i - from;
        // Amplitude: cross-fade the note gains over the glide, with a slight articulation dip.
        if (inNote < glide) {
          const g = inNote / glide;
          const dip = k > 0 ? 0.8 + 0.2 * Math.abs(2 * g - 1) : 1;
          amp[i] = (prevGain + (gain - prevGain) * g) * dip;
        } else {
          amp[i] = gain;
        }
      }
    }
  }
  // Phrase attack and release envelopes.
  const attack = Math.round(0.06 * sr);
  for (let i = 0; i < Math.min(attack, n); i++) amp[i] *= i / attack;
  const relStart = n - release;
  for (let i = Math.max(0, relStart); i < n; i++) {
    const x = (i - relStart) / release;
    amp[i] *= 0.5 + 0.5 * Math.cos(Math.PI * x);
  }
  const breath = whiteNoise(n, seed);
  for (let i = 0; i < n; i++) source[i] = (source[i] + 0.08 * breath[i]) * amp[i];
  const out = new Float32Array(n);
  for (const f of FORMANTS[vowel]) {
    const lowered = plan.programs.voice === 'low' ? 0.88 : 1;
    addFilteredBiquad(out, source, designBiquad('bandpass', f.hz * lowered, (f.hz * lowered) / f.bandwidthHz, sr), f.gain);
  }
  // The band-pass filters start from rest; make the very edges exactly zero.
  const edge = Math.min(n, Math.round(0.002 * sr));
  for (let i = 0; i < edge; i++) {
    out[i] *= i / edge;
    out[n - 1 - i] *= i / edge;
  }
  return out;
}

/** Render the vocal stem (centre, with a little room). */
export function renderVocals(plan: GenerationPlan): StereoBus {
  const bus = createBus(plan.totalSamples);
  const placed = placeNotes(plan, composeVocalNotes(plan));
  const maxGap = Math.round(0.12 * plan.sampleRate);
  let phrase: PlacedNote[] = [];
  let phraseIndex = 0;
  const flush = () => {
    if (phrase.length === 0) return;
    const vowel: Vowel = (phrase[0].midi + phrase.length) % 3 === 0 ? (plan.programs.vowel === 'aah' ? 'ooh' : 'aah') : plan.programs.vowel;
    const voice = singPhrase(plan, phrase, vowel, 777 + phraseIndex);
    addToBus(bus, voice, phrase[0].startSample, 1.6, 0);
    phrase = [];
    phraseIndex++;
  };
  for (const note of placed) {
    const prevEnd = phrase.length > 0 ? phrase[phrase.length - 1].startSample + phrase[phrase.length - 1].lengthSamples : -Infinity;
    if (phrase.length > 0 && note.startSample - prevEnd > maxGap) flush();
    phrase.push(note);
  }
  flush();
  return bus;
}
