/**
 * Guitar: Karplus–Strong plucked strings (Karplus & Strong 1983; Jaffe & Smith 1983 extensions:
 * two-point averaging loop filter, first-order all-pass for the fractional delay so that pitch is
 * exact at any tuning, noise excitation low-passed by pick brightness). Strums spread the strings
 * by a few ms (down- and up-strokes); overdrive adds soft saturation and a cabinet low-pass.
 * Style sets the part: rock power-chord eighths, pop strums, funk muted sixteenths, jazz comping,
 * nylon arpeggios for ballads and latin, reggae skanks, electronic stabs.
 */
import { addToBus, applyRamps, createBus, designBiquad, filterBiquad, NoteCache, saturate, type StereoBus } from '../dsp.js';
import { leadVoicing, placePitch } from '../harmony.js';
import { chordAt, forEachBar, noteHz, quantiseLength, sampleAtBeat, swingBeat, varyVelocity } from '../parts.js';
import { whiteNoise } from '../rng.js';
import { timeAtBeat } from '../grid.js';
import type { GenerationPlan } from '../types.js';

/** One string's note: grid placement, pitch and feel. */
interface StringNote {
  beat: number;
  lengthBeats: number;
  midi: number;
  velocity: number;
  /** Offset from the strum's start, in seconds (string spread). */
  offsetSec: number;
  /** Palm-muted: short decay, dark. */
  muted: boolean;
}

/**
 * Karplus–Strong string: delay line of length N with a two-point average (½-sample delay) and an
 * all-pass fractional delay in the loop, initialised with filtered noise. `decaySec` sets the loop
 * gain (time to fall by 60 dB at the fundamental).
 */
export function pluckString(hz: number, lengthSamples: number, sampleRate: number, brightness: number, decaySec: number, seed: number): Float32Array {
  const release = Math.round(0.02 * sampleRate);
  const n = lengthSamples + release;
  const out = new Float32Array(n);
  const period = sampleRate / hz;
  let N = Math.floor(period - 0.5);
  let frac = period - 0.5 - N;
  if (frac < 0.1) {
    N -= 1;
    frac += 1;
  }
  if (N < 2) return out;
  const C = (1 - frac) / (1 + frac);
  const buf = whiteNoise(N, seed);
  // Pick brightness: one-pole low-pass on the excitation, then remove DC.
  const a = 1 - Math.min(0.95, Math.max(0.05, brightness));
  let lp = 0;
  let mean = 0;
  for (let i = 0; i < N; i++) {
    lp += (1 - a) * (buf[i] - lp);
    buf[i] = lp;
    mean += lp;
  }
  mean /= N;
  for (let i = 0; i < N; i++) buf[i] -= mean;
  const loopGain = Math.pow(0.001, 1 / (hz * decaySec));
  let idx = 0;
  let prev = 0;
  let apX = 0;
  let apY = 0;
  for (let i = 0; i < n; i++) {
    const x = buf[idx];
    const avg = 0.5 * (x + prev) * loopGain + 1e-20;
    prev = x;
    const y = C * avg + apX - C * apY;
    apX = avg;
    apY = y;
    buf[idx] = y;
    out[i] = x;
    if (++idx === N) idx = 0;
  }
  applyRamps(out, 0.0015 * sampleRate, release);
  return out;
}

/** Compose the strums/plucks of the guitar part. */
export function composeGuitarNotes(plan: GenerationPlan): StringNote[] {
  const notes: StringNote[] = [];
  const t = plan.temperature;
  const program = plan.programs.guitar;
  let centre: number | null = null;
  forEachBar(plan, 'guitar', (ctx) => {
    const rng = ctx.rng;
    const steps = ctx.beats * 4;
    const energy = ctx.section.energy;
    type Hit = { step: number; len: number; dir: 'down' | 'up'; vel: number; muted?: boolean; arp?: number };
    const hits: Hit[] = [];
    if (program === 'overdrive') {
      if (energy >= 0.75) for (let s = 0; s < steps; s += 2) hits.push({ step: s, len: 2, dir: 'down', vel: s % 4 === 0 ? 0.95 : 0.8, muted: false });
      else for (let s = 0; s < steps; s += 2) hits.push({ step: s, len: 2, dir: 'down', vel: s % 4 === 0 ? 0.9 : 0.75, muted: true });
    } else if (program === 'muted') {
      if (plan.style === 'reggae') {
        for (let b = 1; b < ctx.beats; b += 2) hits.push({ step: b * 4, len: 1.5, dir: 'up', vel: 0.8, muted: true });
        if (ctx.beats === 3) hits.push({ step: 8, len: 1.5, dir: 'up', vel: 0.8, muted: true });
      } else {
        for (let s = 0; s < steps; s++) {
          const accent = s % 4 === 2 || s % 8 === 5;
          const r = rng.next();
          if (accent || r < 0.25 + 0.4 * t) hits.push({ step: s, len: 0.8, dir: s % 2 === 0 ? 'down' : 'up', vel: accent ? 0.9 : 0.45, muted: !accent });
        }
      }
    } else if (program === 'jazz') {
      for (let b = 0; b < ctx.beats; b++) hits.push({ step: b * 4, len: 2.4, dir: 'down', vel: b % 2 === 1 ? 0.8 : 0.7, muted: false });
    } else if (program === 'nylon') {
      // Finger-picked arpeggio: bass on the beat, then upper strings in eighths.
      const order = [0, 2, 1, 3, 2, 1, 3, 2];
      for (let s = 0, k = 0; s < steps; s += 2, k++) hits.push({ step: s, len: Math.min(steps - s, 8), dir: 'down', vel: s === 0 ? 0.85 : 0.6, arp: s === 0 ? 0 : order[k % order.length] + 1 });
    } else {
      // Clean strums; electronic and hip-hop play sparse stabs.
      if (plan.style === 'electronic' || plan.style === 'hip-hop') {
        for (let s = 2; s < steps; s += 4) hits.push({ step: s, len: 1.2, dir: 'up', vel: 0.75, muted: false });
      } else {
        const pattern = ctx.beats === 3 ? [0, 4, 6, 8, 10] : [0, 4, 6, 10, 12, 14];
        for (let i = 0; i < pattern.length; i++) {
          const s = pattern[i];
          const next = i + 1 < pattern.length ? pattern[i + 1] : steps;
          hits.push({ step: s, len: next - s, dir: s % 4 === 0 ? 'down' : 'up', vel: s % 4 === 0 ? 0.85 : 0.65 });
        }
      }
    }
    for (const h of hits) {
      const beat = ctx.startBeat + h.step / 4;
      const chord = chordAt(plan, beat + 1e-6);
      if (!chord) continue;
      // Changing chord inside the note: cut at the change.
      let lenBeats = h.len / 4;
      const chordEnd = chord.endBeat;
      if (beat + lenBeats > chordEnd) lenBeats = Math.max(0.25, chordEnd - beat);
      let voicing: number[];
      if (program === 'overdrive') {
        const r = placePitch(chord.root, 40);
        const fifth = chord.intervals.includes(6) ? 6 : chord.intervals.includes(8) ? 8 : 7;
        voicing = [r, r + fifth, r + 12];
      } else if (program === 'jazz') {
        const r = placePitch(chord.root, 40);
        const third = chord.intervals.find((i) => i === 3 || i === 4) ?? 7;
        const seventh = chord.intervals.find((i) => i === 10 || i === 11 || i === 9);
        voicing = [r, r + (seventh ?? 12), r + 12 + third];
      } else {
        const low = program === 'muted' && plan.style !== 'reggae' ? 62 : 55;
        const upper = leadVoicing({ label: chord.label, root: chord.root, intervals: chord.intervals }, low, low + 16, centre, 4);
        centre = upper.reduce((a, b) => a + b, 0) / Math.max(1, upper.length);
        voicing = program === 'muted' || plan.style === 'electronic' ? upper : [placePitch(chord.root, 40), ...upper];
      }
      if (h.arp !== undefined) {
        const midi = h.arp === 0 ? voicing[0] : voicing[Math.min(voicing.length - 1, h.arp)];
        notes.push({ beat, lengthBeats: lenBeats, midi, velocity: varyVelocity(rng, h.vel, t), offsetSec: 0, muted: false });
        continue;
      }
      const strumSec = program === 'muted' ? 0.004 : program === 'overdrive' ? 0.006 : 0.011;
      const ordered = h.dir === 'down' ? voicing : [...voicing].reverse();
      const vel = varyVelocity(rng, h.vel, t);
      ordered.forEach((midi, i) => notes.push({ beat, lengthBeats: lenBeats, midi, velocity: vel * (1 - 0.05 * i), offsetSec: i * strumSec, muted: Boolean(h.muted) }));
    }
  });
  return notes;
}

/** Render the guitar stem (stereo; overdrive is saturated and cabinet-filtered). */
export function renderGuitar(plan: GenerationPlan): StereoBus {
  const sr = plan.sampleRate;
  const program = plan.programs.guitar;
  const mono = createBus(plan.totalSamples);
  const cache = new NoteCache();
  const notes = composeGuitarNotes(plan);
  let variant = 0;
  for (const n of notes) {
    const startBeat = swingBeat(plan, n.beat);
    const start = Math.round((timeAtBeat(plan.grid, startBeat) + n.offsetSec) * sr);
    const end = sampleAtBeat(plan, n.beat + n.lengthBeats);
    if (start >= plan.totalSamples || end <= start) continue;
    const len = quantiseLength(end - start, sr);
    variant = (variant + 1) % 3;
    const decay = n.muted ? 0.12 : program === 'nylon' ? 2.2 : program === 'jazz' ? 0.9 : 3;
    const bright = n.muted ? 0.25 : program === 'nylon' || program === 'jazz' ? 0.45 : 0.75;
    const voice = cache.get(`${n.midi}|${len}|${n.muted ? 1 : 0}|${variant}`, () => pluckString(noteHz(plan, n.midi), len, sr, bright, decay, 1000 + n.midi * 7 + variant));
    addToBus(mono, voice, start, 0.5 * n.velocity, 0);
  }
  const sig = mono.left;
  if (program === 'overdrive') {
    filterBiquad(sig, designBiquad('highpass', 90, 0.7, sr));
    saturate(sig, 3.5, 0.5);
    filterBiquad(sig, designBiquad('lowpass', 4200, 0.8, sr));
    filterBiquad(sig, designBiquad('peak', 1500, 1, sr, 3));
  } else {
    filterBiquad(sig, designBiquad('highpass', 70, 0.7, sr));
  }
  const bus = createBus(plan.totalSamples);
  addToBus(bus, sig, 0, 1, program === 'overdrive' ? -0.25 : -0.35);

  return bus;
}
