/**
 * Bass: follows the chord roots in the style's rhythm, with fifths, octaves and approach notes
 * (scale or chromatic passing notes into the next chord's root). Sounds are additive decaying
 * partials (picked, finger, upright, slap, 808 sub) or subtractive (synth: detuned saws through a
 * resonant low-pass with a filter envelope).
 */
import { addPartials, addSaw, addToBus, applyRamps, createBus, lowpassSweep, NoteCache, saturate, type Partial, type StereoBus } from '../dsp.js';
import { placePitch } from '../harmony.js';
import { chordAt, forEachBar, noteHz, placeNotes, varyVelocity, type GridNote } from '../parts.js';
import type { BassProgram, Style } from '../styles.js';
import type { GenerationPlan, PlannedChord } from '../types.js';

/** [step (16ths), length (16ths), degree]: R root, 5 fifth, 3 third, 8 octave, 7 chord seventh, A approach. */
type Step = readonly [number, number, string];

const PATTERNS: Record<Style, { main: readonly Step[]; full?: readonly Step[]; waltz?: readonly Step[] }> = {
  rock: { main: [[0, 2, 'R'], [2, 2, 'R'], [4, 2, 'R'], [6, 2, 'R'], [8, 2, 'R'], [10, 2, 'R'], [12, 2, 'R'], [14, 2, 'A']] },
  metal: { main: [[0, 2, 'R'], [2, 2, 'R'], [4, 2, 'R'], [6, 2, 'R'], [8, 2, 'R'], [10, 2, 'R'], [12, 2, 'R'], [14, 2, 'R']] },
  pop: { main: [[0, 3, 'R'], [3, 3, 'R'], [6, 2, 'R'], [8, 3, 'R'], [11, 3, '5'], [14, 2, 'A']] },
  funk: { main: [[0, 2, 'R'], [3, 1, '8'], [6, 1, 'R'], [7, 1, '8'], [10, 2, '5'], [12, 1, 'R'], [14, 1, '7'], [15, 1, 'A']] },
  jazz: { main: [[0, 4, 'R'], [4, 4, '3'], [8, 4, '5'], [12, 4, 'A']], waltz: [[0, 4, 'R'], [4, 4, '5'], [8, 4, 'A']] },
  electronic: { main: [[2, 2, 'R'], [6, 2, 'R'], [10, 2, 'R'], [14, 2, 'R']], full: [[0, 1, 'R'], [2, 2, 'R'], [4, 1, 'R'], [6, 2, 'R'], [8, 1, 'R'], [10, 2, 'R'], [12, 1, 'R'], [14, 2, '8']] },
  'hip-hop': { main: [[0, 6, 'R'], [7, 3, 'R'], [10, 4, 'R'], [14, 2, 'A']] },
  ballad: { main: [[0, 8, 'R'], [8, 4, 'R'], [12, 4, '5']], waltz: [[0, 8, 'R'], [8, 4, '5']] },
  reggae: { main: [[0, 3, 'R'], [4, 2, '5'], [7, 1, 'R'], [8, 4, '3'], [12, 2, '5'], [14, 2, '8']] },
  latin: { main: [[0, 3, 'R'], [3, 3, '5'], [6, 2, 'R'], [8, 3, 'R'], [11, 5, '5']] },
};

const WALTZ_DEFAULT: readonly Step[] = [[0, 4, 'R'], [4, 4, '5'], [8, 4, '5']];

function intervalOf(chord: PlannedChord, wanted: 'third' | 'fifth' | 'seventh'): number {
  const iv = chord.intervals.map((i) => i % 12);
  if (wanted === 'third') return iv.find((i) => i === 3 || i === 4) ?? (iv.includes(2) ? 2 : iv.includes(5) ? 5 : 7);
  if (wanted === 'fifth') return iv.find((i) => i === 7 || i === 6 || i === 8) ?? 7;
  return iv.find((i) => i === 10 || i === 11 || i === 9) ?? 12;
}

/** Compose the bass line. */
export function composeBassNotes(plan: GenerationPlan): GridNote[] {
  const notes: GridNote[] = [];
  const t = plan.temperature;
  const low = plan.programs.bass === 'upright' ? 31 : 28;
  forEachBar(plan, 'bass', (ctx) => {
    const rng = ctx.rng;
    const p = PATTERNS[plan.style];
    const steps = ctx.beats === 3 ? p.waltz ?? (plan.style === 'jazz' ? p.main : WALTZ_DEFAULT) : ctx.section.energy >= 0.75 && p.full ? p.full : p.main;
    const barSteps = ctx.beats * 4;
    const pattern = steps.filter(([s]) => s < barSteps);
    if (ctx.section.energy < 0.35 && plan.style !== 'jazz') {
      // Sparse sections: long roots on the chord changes only.
      pattern.splice(0, pattern.length, [0, barSteps, 'R']);
    }
    let prevMidi = -1;
    for (let i = 0; i < pattern.length; i++) {
      const [step, lenSteps, deg] = pattern[i];
      const beat = ctx.startBeat + step / 4;
      const chord = chordAt(plan, beat + 1e-6);
      if (!chord) continue;
      const root = placePitch(chord.root, low);
      // Slash chords: the bass holds the named bass note where the pattern plays the root.
      const bassNote = placePitch((chord.root + (chord.bassInterval ?? 0)) % 12, low);
      const r1 = rng.next();
      const r2 = rng.next();
      let midi = bassNote;
      let d = deg;
      // Temperature: occasional octave/fifth substitutions on weak steps.
      if (d === 'R' && step % 4 !== 0 && r1 < 0.18 * t) d = r2 < 0.5 ? '8' : '5';
      if (d === '5') midi = root + intervalOf(chord, 'fifth');
      else if (d === '3') midi = root + intervalOf(chord, 'third');
      else if (d === '8') midi = bassNote + 12;
      else if (d === '7') midi = root + intervalOf(chord, 'seventh');
      else if (d === 'A') {
        const nextBeat = ctx.startBeat + ctx.beats;
        const next = chordAt(plan, nextBeat + 1e-6);
        const changes = next !== null && next.root !== chord.root;
        const approachProb = plan.style === 'jazz' ? 1 : t === 0 ? 0 : 0.3 + 0.6 * t;
        if (next && changes && r1 < approachProb) {
          const target = placePitch(next.root, low);
          // Chromatic from below or above, or a scale step, alternating by the draw.
          midi = r2 < 0.5 ? target - 1 : target + (r2 < 0.75 ? 1 : 2);
          if (midi < low - 1) midi += 12;
        } else if (plan.style === 'jazz') {
          midi = root + (r2 < 0.5 ? intervalOf(chord, 'fifth') : 12);
        } else {
          midi = r2 < 0.5 * t ? root + 12 : root;
        }
      }
      if (plan.style === 'jazz' && d !== 'R' && d !== 'A' && prevMidi > 0 && Math.abs(midi + 12 - prevMidi) < Math.abs(midi - prevMidi) && midi + 12 <= 50) midi += 12;
      const legato = plan.style === 'funk' ? 0.6 : plan.style === 'reggae' ? 0.8 : 0.92;
      const accent = step % 4 === 0 ? 1 : 0.82;
      notes.push({ beat, lengthBeats: (lenSteps / 4) * legato, midi, velocity: varyVelocity(rng, 0.85 * accent, t) });
      prevMidi = midi;
    }
  });
  return notes;
}

const PARTIALS: Record<Exclude<BassProgram, 'synth'>, Partial[]> = {
  picked: Array.from({ length: 10 }, (_, k) => ({ ratio: k + 1, amp: 0.9 / Math.pow(k + 1, 1.15), decaySec: 1.3 / (1 + 0.6 * k) })),
  finger: [1, 0.45, 0.22, 0.1, 0.05, 0.03].map((amp, k) => ({ ratio: k + 1, amp, decaySec: 1.6 / Math.pow(k + 1, 0.7) })),
  upright: [1, 0.55, 0.3, 0.18, 0.09, 0.05].map((amp, k) => ({ ratio: k + 1, amp, decaySec: 0.7 / Math.pow(k + 1, 0.6) })),
  slap: Array.from({ length: 14 }, (_, k) => ({ ratio: k + 1, amp: 0.8 / Math.pow(k + 1, 0.85), decaySec: 0.7 / Math.pow(k + 1, 0.55) })),
  sub808: [{ ratio: 1, amp: 1, decaySec: 1.6 }, { ratio: 2, amp: 0.12, decaySec: 0.8 }],
};

function renderBassVoice(program: BassProgram, hz: number, lengthSamples: number, sampleRate: number): Float32Array {
  const release = Math.round(0.03 * sampleRate);
  const n = lengthSamples + release;
  const out = new Float32Array(n);
  if (program === 'synth') {
    addSaw(out, hz * 1.0035, sampleRate, 0.35);
    addSaw(out, hz / 1.0035, sampleRate, 0.35, 0.37);
    lowpassSweep(out, sampleRate, 2200, 320, 0.09, 0.55);
    addPartials(out, hz, [{ ratio: 1, amp: 0.45, decaySec: Infinity }], sampleRate);
  } else {
    addPartials(out, hz, PARTIALS[program], sampleRate);
    if (program === 'sub808') saturate(out, 1.6, 0.8);
  }
  const attack = program === 'upright' || program === 'finger' ? 0.008 : program === 'sub808' ? 0.004 : 0.003;
  applyRamps(out, attack * sampleRate, release);
  return out;
}

/** Render the bass stem (centre, stereo). */
export function renderBass(plan: GenerationPlan): StereoBus {
  const bus = createBus(plan.totalSamples);
  const program = plan.programs.bass;
  const cache = new NoteCache();
  for (const note of placeNotes(plan, composeBassNotes(plan))) {
    const voice = cache.get(`${note.midi}|${note.lengthSamples}`, () => renderBassVoice(program, noteHz(plan, note.midi), note.lengthSamples, plan.sampleRate));
    addToBus(bus, voice, note.startSample, 0.55 * note.velocity, 0);
  }

  return bus;
}
