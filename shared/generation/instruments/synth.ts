/**
 * Subtractive synthesiser: two detuned PolyBLEP saws per note through a resonant TPT low-pass with
 * an exponential filter envelope, and a linear-attack / raised-cosine-release amplitude ramp.
 * Programs: pad (slow attack, opening filter, held chords), arp (sixteenth-note arpeggio of the
 * chord tones with a plucky filter), lead (a chord-tone riff in eighths).
 */
import { addSaw, addToBus, applyRamps, createBus, lowpassSweep, NoteCache, type StereoBus } from '../dsp.js';
import { leadVoicing, placePitch } from '../harmony.js';
import { chordAt, forEachBar, noteHz, placeNotes, varyVelocity, type GridNote } from '../parts.js';
import type { SynthProgram } from '../styles.js';
import type { GenerationPlan } from '../types.js';
import { composeHeldChords } from './chordParts.js';

export function composeSynthNotes(plan: GenerationPlan): GridNote[] {
  const program = plan.programs.synth;
  const t = plan.temperature;
  if (program === 'pad') return composeHeldChords(plan, 'synth', { low: 55, high: 74, maxNotes: 4, velocity: 0.6 });
  const notes: GridNote[] = [];
  let centre: number | null = null;
  forEachBar(plan, 'synth', (ctx) => {
    const rng = ctx.rng;
    const steps = ctx.beats * 4;
    if (program === 'arp') {
      const shapes = [[0, 1, 2, 3], [0, 1, 2, 3, 2, 1], [0, 2, 1, 3], [3, 2, 1, 0]];
      const shape = shapes[t === 0 ? 0 : Math.floor(ctx.rng.next() * shapes.length)];
      for (let s = 0; s < steps; s++) {
        const c = chordAt(plan, ctx.startBeat + s / 4 + 1e-6);
        if (!c) continue;
        const v = leadVoicing({ label: c.label, root: c.root, intervals: c.intervals }, 60, 79, centre, 4);
        centre = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
        const midi = v[shape[s % shape.length] % v.length] + (s >= steps / 2 && t > 0.5 && rng.chance(0.3) ? 12 : 0);
        notes.push({ beat: ctx.startBeat + s / 4, lengthBeats: 0.2, midi, velocity: varyVelocity(rng, s % 4 === 0 ? 0.85 : 0.65, t) });
      }
    } else {
      // Lead riff: eighth-note rhythm from the section material, chord tones moving by small steps.
      const rhythm = ctx.rng.chance(0.5) ? [0, 3, 6, 8, 10] : [0, 2, 6, 10, 12];
      let prev = 72;
      for (const s of rhythm) {
        if (s >= steps) continue;
        const c = chordAt(plan, ctx.startBeat + s / 4 + 1e-6);
        if (!c) continue;
        const candidates = c.intervals.map((i) => placePitch((c.root + i) % 12, prev - 6));
        candidates.sort((a, b) => Math.abs(a - prev) - Math.abs(b - prev));
        const midi = candidates[Math.min(candidates.length - 1, rng.next() < 0.3 + 0.4 * t ? 1 : 0)];
        prev = Math.max(64, Math.min(84, midi));
        notes.push({ beat: ctx.startBeat + s / 4, lengthBeats: 0.45, midi: prev, velocity: varyVelocity(rng, 0.75, t) });
      }
    }
  });
  return notes;
}

export function renderSynthVoice(program: SynthProgram | 'strings-pad', hz: number, lengthSamples: number, sampleRate: number): Float32Array {
  const pad = program === 'pad' || program === 'strings-pad';
  const release = Math.round((pad ? 0.45 : 0.04) * sampleRate);
  const out = new Float32Array(lengthSamples + release);
  const detune = pad ? 1.006 : 1.004;
  addSaw(out, hz * detune, sampleRate, 0.3, 0.1);
  addSaw(out, hz / detune, sampleRate, 0.3, 0.6);
  if (program === 'pad') lowpassSweep(out, sampleRate, 500, 2400, 0.9, 0.25);
  else if (program === 'strings-pad') lowpassSweep(out, sampleRate, 400, 1300, 1.2, 0.15);
  else if (program === 'arp') lowpassSweep(out, sampleRate, 5200, 700, 0.07, 0.6);
  else lowpassSweep(out, sampleRate, 3500, 1500, 0.2, 0.4);
  const attack = pad ? Math.min(0.3, (lengthSamples / sampleRate) * 0.4) : program === 'arp' ? 0.002 : 0.01;
  applyRamps(out, attack * sampleRate, release);
  return out;
}

export function renderSynth(plan: GenerationPlan): StereoBus {
  const bus = createBus(plan.totalSamples);
  const program = plan.programs.synth;
  const cache = new NoteCache();
  let i = 0;
  for (const n of placeNotes(plan, composeSynthNotes(plan))) {
    const voice = cache.get(`${n.midi}|${n.lengthSamples}`, () => renderSynthVoice(program, noteHz(plan, n.midi), n.lengthSamples, plan.sampleRate));
    const pan = program === 'arp' ? (i++ % 2 === 0 ? -0.45 : 0.45) : program === 'pad' ? ((n.midi % 5) - 2) * 0.25 : 0.2;
    addToBus(bus, voice, n.startSample, (program === 'pad' ? 0.3 : 0.45) * n.velocity, pan);
  }
  return bus;
}
