/**
 * Piano and electric piano, additive: every note is a sum of damped partials (two-pole resonator
 * recursion). Piano partials are slightly stretched (string inharmonicity f_k = k f0 √(1 + B k²),
 * Fletcher 1964) and decay faster the higher they are and the higher the note; the e-piano is a
 * Rhodes-like tone (strong fundamental, quickly fading 2nd/3rd partials and a bell "tine" partial)
 * with a stereo tremolo. Voicings per style: jazz rootless shells with the Charleston rhythm,
 * ballad arpeggios over a sustained bass, pop syncopated block chords, funk and house stabs,
 * hip-hop lazy chords, rock eighths, latin montuno, reggae skank.
 */
import { addPartials, addToBus, applyRamps, createBus, NoteCache, type Partial, type StereoBus } from '../dsp.js';
import { leadVoicing, placePitch, type ChordTones } from '../harmony.js';
import { chordAt, forEachBar, noteHz, placeNotes, varyVelocity, type GridNote } from '../parts.js';
import type { GenerationPlan, PlannedChord } from '../types.js';

function tonesOf(c: PlannedChord): ChordTones {
  return { label: c.label, root: c.root, intervals: c.intervals };
}

/** Rootless jazz voicing: 3rd and 7th (or 6th), plus the 9th for seventh chords or the 5th for triads. */
function shellVoicing(c: PlannedChord, low: number): number[] {
  const iv = c.intervals.map((i) => i % 12);
  const third = iv.find((i) => i === 3 || i === 4) ?? iv[1] ?? 7;
  const seventh = iv.find((i) => i === 10 || i === 11 || i === 9);
  const top = seventh !== undefined ? 14 : iv.find((i) => i === 7 || i === 6 || i === 8) ?? 7;
  const a = placePitch((c.root + third) % 12, low);
  const b = a + ((((seventh ?? 12) - third) % 12) + 12) % 12;
  let d = placePitch((c.root + top) % 12, b + 1);
  if (d - b > 9) d -= 12;
  return [a, b, Math.max(d, b + 1)].sort((x, y) => x - y);
}

/** Compose the keys part for the plan's style. */
export function composeKeysNotes(plan: GenerationPlan): GridNote[] {
  const notes: GridNote[] = [];
  const t = plan.temperature;
  let centre: number | null = null;
  forEachBar(plan, 'piano', (ctx) => {
    const rng = ctx.rng;
    const steps = ctx.beats * 4;
    const style = plan.style;
    const add = (step: number, lenSteps: number, midis: number[], vel: number) => {
      const beat = ctx.startBeat + step / 4;
      const v = varyVelocity(rng, vel, t);
      for (const m of midis) notes.push({ beat, lengthBeats: lenSteps / 4, midi: m, velocity: v });
    };
    const chordAtStep = (step: number) => chordAt(plan, ctx.startBeat + step / 4 + 1e-6);
    const voiced = (c: PlannedChord, low = 57, high = 74) => {
      const v = leadVoicing(tonesOf(c), low, high, centre, 4);
      centre = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
      return v;
    };
    /** Clip a note to the chord it starts in. */
    const len = (step: number, lenSteps: number) => {
      const c = chordAtStep(step);
      if (!c) return lenSteps;
      const endStep = (c.endBeat - ctx.startBeat) * 4;
      return Math.max(1, Math.min(lenSteps, endStep - step));
    };
    if (style === 'jazz') {
      const rhythm = ctx.beats === 3 ? [[0, 3], [6, 2]] : rng.chance(0.5 * t) ? [[0, 2], [6, 3], [12, 2]] : [[0, 3], [6, 2]];
      for (const [s, l] of rhythm) {
        const c = chordAtStep(s);
        if (c) add(s, len(s, l), shellVoicing(c, 52), s === 0 ? 0.7 : 0.6);
      }
    } else if (style === 'ballad' || style === 'latin') {
      // Sustained bass note plus an eighth-note arpeggio over the voicing (latin: montuno syncopation).
      for (let s = 0; s < steps; s += 2) {
        const c = chordAtStep(s);
        if (!c) continue;
        const upper = voiced(c, 60, 76);
        if (s === 0 || (c.startBeat === ctx.startBeat + s / 4)) add(s, len(s, steps - s), [placePitch(c.root, 41), placePitch(c.root, 41) + 12], 0.6);
        const pattern = style === 'latin' ? [0, 2, 1, 2, 0, 2, 1, 3] : [0, 1, 2, 3, 2, 1, 2, 3];
        const idx = pattern[(s / 2) % pattern.length] % upper.length;
        if (style === 'latin' && (s / 2) % 4 === 3) continue;
        add(s, len(s, Math.max(2, steps - s)), [upper[idx]], 0.5);
      }
    } else {
      let rhythm: number[][];
      if (style === 'pop') rhythm = ctx.beats === 3 ? [[0, 4], [4, 4], [8, 4]] : [[0, 6], [6, 4], [10, 6]];
      else if (style === 'funk') rhythm = [[2, 1], [7, 1], [10, 1], [14, 1]];
      else if (style === 'electronic') rhythm = [[2, 1.5], [6, 1.5], [10, 1.5], [14, 1.5]];
      else if (style === 'hip-hop') rhythm = [[0, 7], [7, 9]];
      else if (style === 'reggae') rhythm = [[4, 1.5], [12, 1.5]];
      else if (style === 'rock' || style === 'metal') rhythm = Array.from({ length: steps / 2 }, (_, i) => [i * 2, 1.8]);
      else rhythm = [[0, steps]];
      rhythm = rhythm.filter(([s]) => s < steps);
      if (ctx.beats === 3 && style !== 'pop') rhythm = rhythm.filter(([s]) => s < 12);
      for (const [s, l] of rhythm) {
        const c = chordAtStep(s);
        if (!c) continue;
        if (rng.next() < 0.15 * t && s !== 0) continue; // temperature: drop a hit now and then
        const v = voiced(c);
        const withBass = style === 'pop' || style === 'hip-hop' || style === 'rock';
        add(s, len(s, l), s === 0 && withBass ? [placePitch(c.root, 41), ...v] : v, s === 0 ? 0.72 : 0.6);
      }
      if (t > 0 && rng.chance(0.25 * t) && style !== 'rock') {
        // A passing fill: one chord tone an octave up on the last off-beat.
        const c = chordAtStep(steps - 2);
        if (c) add(steps - 2, 2, [placePitch(c.root + (rng.chance(0.5) ? c.intervals[1] ?? 0 : 0), 72)], 0.45);
      }
    }
  });
  return notes;
}

function pianoPartials(midi: number, velocity: number): Partial[] {
  const base = 3.2 * Math.pow(2, -(midi - 60) / 18);
  const bright = 0.6 + 0.4 * velocity;
  const B = 0.00015;
  const out: Partial[] = [];
  for (let k = 1; k <= 9; k++) {
    out.push({ ratio: k * Math.sqrt(1 + B * k * k), amp: (k === 1 ? 1 : 0.7 * Math.pow(bright, k - 1)) / Math.pow(k, 1.15), decaySec: base / (1 + 0.45 * (k - 1)) });
  }
  return out;
}

function epianoPartials(midi: number, velocity: number): Partial[] {
  const base = 2.6 * Math.pow(2, -(midi - 60) / 24);
  return [
    { ratio: 1, amp: 1, decaySec: base },
    { ratio: 2, amp: 0.3 * velocity, decaySec: base * 0.3 },
    { ratio: 3, amp: 0.12 * velocity, decaySec: base * 0.15 },
    { ratio: 4, amp: 0.05, decaySec: base * 0.1 },
    { ratio: 7, amp: 0.06 * velocity, decaySec: 0.05 },
    { ratio: 14, amp: 0.05 * velocity, decaySec: 0.02 },
  ];
}

function renderKeysVoice(program: 'piano' | 'epiano', hz: number, midi: number, velLayer: number, lengthSamples: number, sampleRate: number): Float32Array {
  const release = Math.round((program === 'piano' ? 0.12 : 0.08) * sampleRate);
  const out = new Float32Array(lengthSamples + release);
  addPartials(out, hz, program === 'piano' ? pianoPartials(midi, velLayer) : epianoPartials(midi, velLayer), sampleRate, 0.5);
  applyRamps(out, 0.002 * sampleRate, release);
  return out;
}

/** Render the piano stem: piano or e-piano (program), stereo by register (low left, high right). */
export function renderKeys(plan: GenerationPlan): StereoBus {
  const bus = createBus(plan.totalSamples);
  const program = plan.programs.piano;
  const cache = new NoteCache();
  for (const n of placeNotes(plan, composeKeysNotes(plan))) {
    const layer = n.velocity > 0.7 ? 1 : 0.6;
    const voice = cache.get(`${n.midi}|${n.lengthSamples}|${layer}`, () => renderKeysVoice(program, noteHz(plan, n.midi), n.midi, layer, n.lengthSamples, plan.sampleRate));
    addToBus(bus, voice, n.startSample, 0.42 * n.velocity, Math.max(-0.6, Math.min(0.6, (n.midi - 60) / 30)) + 0.1);
  }
  if (program === 'epiano') applyTremolo(bus, plan.sampleRate, 4.5, 0.25);

  return bus;
}

/** Stereo tremolo (auto-pan) by a recursive sine/cosine rotation; depth 0..1. */
export function applyTremolo(bus: StereoBus, sampleRate: number, rateHz: number, depth: number): void {
  const w = (2 * Math.PI * rateHz) / sampleRate;
  const cw = Math.cos(w);
  const sw = Math.sin(w);
  let s = 0;
  let c = 1;
  const L = bus.left;
  const R = bus.right;
  for (let i = 0; i < L.length; i++) {
    L[i] *= 1 + depth * s;
    R[i] *= 1 - depth * s;
    const s2 = s * cw + c * sw;
    c = c * cw - s * sw;
    s = s2;
    if ((i & 4095) === 0) {
      const norm = 1 / Math.sqrt(s * s + c * c);
      s *= norm;
      c *= norm;
    }
  }
}
