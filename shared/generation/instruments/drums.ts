/**
 * Synthesised drum kit and per-style grooves.
 *
 * Sounds (rendered once per kit as one-shots, then mixed at each hit with its velocity):
 * - kick: sine with an exponential pitch sweep (start → end Hz) and a short filtered noise click;
 * - snare: two damped body modes plus high-passed noise with its own decay;
 * - hats, ride, crash: six inharmonic square partials (the TR-808 recipe) plus noise, high-passed,
 *   with closed/open/ride/crash decays;
 * - clap: three short band-passed noise bursts and a tail; rim: a click and a 1.7 kHz mode;
 * - toms: pitch-swept sines.
 * Every hit starts exactly on its grid sample (a ≤ 0.3 ms attack ramp), so onsets are on the grid.
 * Temperature adds ghost notes, extra kicks, open hats, velocity variation and fills.
 */
import { createBus, addToBus, applyRamps, trimSilence, designBiquad, filterBiquad, type StereoBus } from '../dsp.js';
import { forEachBar, sampleAtBeat, varyVelocity, type BarContext } from '../parts.js';
import { whiteNoise } from '../rng.js';
import type { Style } from '../styles.js';
import type { GenerationPlan } from '../types.js';

export const DRUM_KINDS = ['kick', 'snare', 'rim', 'clap', 'hatClosed', 'hatOpen', 'ride', 'crash', 'tomHigh', 'tomLow'] as const;
export type DrumKind = (typeof DRUM_KINDS)[number];

/** One drum hit on the grid: beat position (before swing), kind, velocity 0..1. */
export interface DrumHit {
  beat: number;
  kind: DrumKind;
  velocity: number;
}

interface KitParams {
  kickStartHz: number;
  kickEndHz: number;
  kickSweepSec: number;
  kickDecaySec: number;
  kickClick: number;
  snareToneHz: number;
  snareNoiseDecaySec: number;
  snareTone: number;
  hatDecaySec: number;
  hatHighpassHz: number;
  tomHz: number;
}

const BASE_KIT: KitParams = {
  kickStartHz: 160, kickEndHz: 52, kickSweepSec: 0.03, kickDecaySec: 0.16, kickClick: 0.4,
  snareToneHz: 190, snareNoiseDecaySec: 0.11, snareTone: 0.5, hatDecaySec: 0.045, hatHighpassHz: 7000, tomHz: 150,
};

const KITS: Partial<Record<Style, Partial<KitParams>>> = {
  rock: { kickStartHz: 170, kickDecaySec: 0.18, snareNoiseDecaySec: 0.14 },
  metal: { kickStartHz: 200, kickEndHz: 58, kickDecaySec: 0.1, kickClick: 0.8, snareNoiseDecaySec: 0.13 },
  jazz: { kickStartHz: 110, kickEndHz: 60, kickDecaySec: 0.2, kickClick: 0.1, snareToneHz: 220, snareNoiseDecaySec: 0.16, snareTone: 0.3, hatDecaySec: 0.03 },
  electronic: { kickStartHz: 140, kickEndHz: 46, kickSweepSec: 0.045, kickDecaySec: 0.3, kickClick: 0.2, snareToneHz: 200, hatDecaySec: 0.035, hatHighpassHz: 8000 },
  'hip-hop': { kickStartHz: 120, kickEndHz: 44, kickSweepSec: 0.05, kickDecaySec: 0.38, kickClick: 0.25, snareNoiseDecaySec: 0.09, snareTone: 0.6, hatDecaySec: 0.03 },
  ballad: { kickDecaySec: 0.2, kickClick: 0.15, snareNoiseDecaySec: 0.18, snareTone: 0.35 },
  funk: { kickStartHz: 150, kickDecaySec: 0.12, snareToneHz: 240, snareNoiseDecaySec: 0.09, snareTone: 0.6, hatDecaySec: 0.03 },
  reggae: { kickDecaySec: 0.22, snareToneHz: 260, snareTone: 0.7, hatDecaySec: 0.04 },
  latin: { kickDecaySec: 0.14, tomHz: 190 },
};

/** Patterns: one string per lane, 4 steps per beat. X accent, x normal, o ghost, . rest. */
type Pattern = Partial<Record<DrumKind, string>>;
interface Groove {
  main: Pattern;
  full: Pattern;
  waltzMain?: Pattern;
  waltzFull?: Pattern;
}

const GROOVES: Record<Style, Groove> = {
  rock: {
    main: { kick: 'x.....x.x.......', snare: '....X.......X...', hatClosed: 'x.x.x.x.x.x.x.x.' },
    full: { kick: 'x.....x.x.x.....', snare: '....X.......X...', ride: 'x.x.x.x.x.x.x.x.' },
  },
  pop: {
    main: { kick: 'x.......x.x.....', snare: '....X.......X...', hatClosed: 'xoxoxoxoxoxoxoxo' },
    full: { kick: 'x.....x.x.......', snare: '....X.......X...', clap: '....x.......x...', hatClosed: 'x.x.x.x.x.x.x...', hatOpen: '..............x.' },
  },
  funk: {
    main: { kick: 'x.x...x...x..x..', snare: '....X..o.o..X..o', hatClosed: 'XoxoXoxoXoxoXoxo' },
    full: { kick: 'x.x...x...x..x..', snare: '....X..o.o..X..o', hatClosed: 'XoxoXoxoXoxoXo..', hatOpen: '..............x.' },
  },
  jazz: {
    main: { ride: 'x...x.x.x...x.x.', hatClosed: '....x.......x...', kick: 'o...o...o...o...' },
    full: { ride: 'X...x.x.X...x.x.', hatClosed: '....x.......x...', kick: 'o...o...o...o...', snare: '......o.......o.' },
    waltzMain: { ride: 'x...x.x.x.x.', hatClosed: '....x...x...', kick: 'o...........' },
    waltzFull: { ride: 'X...x.x.x.x.', hatClosed: '....x...x...', kick: 'o...........', snare: '......o.....' },
  },
  electronic: {
    main: { kick: 'x...x...x...x...', clap: '....X.......X...', hatClosed: 'x.o.x.o.x.o.x.o.', hatOpen: '..x...x...x...x.' },
    full: { kick: 'x...x...x...x...', clap: '....X.......X...', snare: '....x.......x...', hatClosed: 'xoxoxoxoxoxoxoxo', hatOpen: '..x...x...x...x.' },
    waltzMain: { kick: 'x...x...x...', clap: '....x...x...', hatOpen: '..x...x...x.' },
    waltzFull: { kick: 'x...x...x...', clap: '....X...X...', hatClosed: 'xoxoxoxoxoxo', hatOpen: '..x...x...x.' },
  },
  'hip-hop': {
    main: { kick: 'x......x..x.....', snare: '....X.......X...', hatClosed: 'xoxoxoxoxoxoxoxo' },
    full: { kick: 'x......x.xx.....', snare: '....X.......X...', clap: '....x.......x...', hatClosed: 'xoxoxoxoxoxoxoxo', hatOpen: '......x.........' },
  },
  ballad: {
    main: { kick: 'x.......x.......', rim: '....x.......x...', hatClosed: 'x.x.x.x.x.x.x.x.' },
    full: { kick: 'x.....x.x.......', snare: '....X.......X...', hatClosed: 'x.x.x.x.x.x.x.x.' },
    waltzMain: { kick: 'x...........', rim: '....x...x...', hatClosed: 'x.x.x.x.x.x.' },
    waltzFull: { kick: 'x.......x...', snare: '....X...X...', hatClosed: 'x.x.x.x.x.x.' },
  },
  reggae: {
    main: { kick: '........x.......', rim: '........x.......', hatClosed: 'x.x.x.x.x.x.x.x.' },
    full: { kick: 'x...x...x...x...', snare: '........X.......', hatClosed: 'x.xox.xox.xox.xo' },
  },
  latin: {
    main: { kick: 'x..x....x..x....', rim: 'x..x..x...x.x...', hatClosed: 'x.x.x.x.x.x.x.x.' },
    full: { kick: 'x..x....x..x....', rim: 'x..x..x...x.x...', ride: 'x.xxx.xxx.xxx.xx', tomLow: '......x.......x.' },
  },
  metal: {
    main: { kick: 'x.x.x.x.x.x.x.x.', snare: '....X.......X...', hatClosed: 'x.x.x.x.x.x.x.x.' },
    full: { kick: 'xxxxxxxxxxxxxxxx', snare: '....X.......X...', crash: 'x.......x.......', ride: '....x.......x...' },
  },
};

const DEFAULT_WALTZ: Groove = {
  main: { kick: 'x...........', snare: '....x...x...', hatClosed: 'x.x.x.x.x.x.' },
  full: { kick: 'x.......x...', snare: '....X...X...', ride: 'x.x.x.x.x.x.' },
};

const LEVEL: Record<DrumKind, number> = {
  kick: 0.95, snare: 0.62, rim: 0.35, clap: 0.42, hatClosed: 0.2, hatOpen: 0.2, ride: 0.2, crash: 0.28, tomHigh: 0.5, tomLow: 0.55,
};
const PAN: Record<DrumKind, number> = {
  kick: 0, snare: 0.05, rim: 0.05, clap: 0, hatClosed: 0.35, hatOpen: 0.35, ride: -0.35, crash: -0.25, tomHigh: 0.25, tomLow: -0.25,
};

function velocityOf(ch: string): number {
  return ch === 'X' ? 1 : ch === 'x' ? 0.8 : ch === 'o' ? 0.42 : 0;
}

/** Pattern for one bar with `beats` beats: the 4/4 or 3/4 pattern, or beats mapped from 4/4. */
function patternFor(style: Style, beats: number, energy: number): Pattern {
  const groove = GROOVES[style];
  const full = energy >= 0.75;
  let base: Pattern;
  if (beats === 3) base = full ? groove.waltzFull ?? DEFAULT_WALTZ.full : groove.waltzMain ?? DEFAULT_WALTZ.main;
  else base = full ? groove.full : groove.main;
  const steps = beats * 4;
  const out: Pattern = {};
  for (const [kind, lane] of Object.entries(base) as Array<[DrumKind, string]>) {
    const laneBeats = lane.length / 4;
    let s = '';
    for (let b = 0; b < beats; b++) {
      // Map beats: first → first, last → last of the pattern, others alternate.
      const src = laneBeats === beats ? b : b === 0 ? 0 : b === beats - 1 ? laneBeats - 1 : 1 + ((b - 1) % Math.max(1, laneBeats - 2));
      s += lane.slice(src * 4, src * 4 + 4);
    }
    out[kind] = s.slice(0, steps);
  }
  if (energy < 0.35) {
    // Sparse: no snare backbeat (rim instead) and no claps or crashes; ghosts dropped.
    if (out.snare) out.rim = out.snare.replace(/o/g, '.');
    delete out.snare;
    delete out.clap;
    delete out.crash;
    for (const k of Object.keys(out) as DrumKind[]) out[k] = out[k]!.replace(/X/g, 'x');
  }
  return out;
}

/** Compose the hits of every bar in which drums play. */
export function composeDrumHits(plan: GenerationPlan): DrumHit[] {
  const hits: DrumHit[] = [];
  const t = plan.temperature;
  forEachBar(plan, 'drums', (ctx: BarContext) => {
    const { rng } = ctx;
    const pattern = patternFor(plan.style, ctx.beats, ctx.section.energy);
    const steps = ctx.beats * 4;
    // Fill: the last one or two beats of a phrase end, more likely with temperature.
    const fillChance = ctx.sectionEnd ? Math.min(1, 1.2 * t) : ctx.phraseEnd && ctx.barsLeft > 1 ? 0.7 * t : 0;
    const fillRoll = rng.next();
    const fillBeats = fillRoll < fillChance ? (t > 0.6 && rng.chance(0.5) ? 2 : 1) : 0;
    const fillFromStep = steps - fillBeats * 4;
    const grid: Array<Array<[DrumKind, number]>> = Array.from({ length: steps }, () => []);
    for (const [kind, lane] of Object.entries(pattern) as Array<[DrumKind, string]>) {
      for (let s = 0; s < steps; s++) {
        const v = velocityOf(lane[s] ?? '.');
        if (v > 0 && s < fillFromStep) grid[s].push([kind, v]);
      }
    }
    // Temperature variations (consume draws in a fixed order so streams stay aligned).
    for (let s = 0; s < fillFromStep; s++) {
      const r1 = rng.next();
      const r2 = rng.next();
      const r3 = rng.next();
      const has = (k: DrumKind) => grid[s].some(([kk]) => kk === k);
      const hasBackbeat = has('snare') || has('clap') || has('rim');
      if (s % 2 === 1 && !hasBackbeat && (pattern.snare !== undefined) && r1 < 0.14 * t) grid[s].push(['snare', 0.3]);
      if (s % 2 === 0 && !has('kick') && !hasBackbeat && pattern.kick !== undefined && r2 < 0.1 * t) grid[s].push(['kick', 0.7]);
      if (s === steps - 2 && has('hatClosed') && r3 < 0.35 * t) {
        grid[s] = grid[s].filter(([k]) => k !== 'hatClosed');
        grid[s].push(['hatOpen', 0.7]);
      }
    }
    if (fillBeats > 0) {
      const toms: DrumKind[] = ['snare', 'tomHigh', 'tomLow'];
      for (let s = fillFromStep; s < steps; s++) {
        const prog = (s - fillFromStep) / (steps - fillFromStep);
        const useTom = t > 0.5 && prog >= 0.5;
        const every = t > 0.4 ? 1 : 2;
        if ((s - fillFromStep) % every !== 0) continue;
        const kind = useTom ? toms[1 + Math.floor(((prog - 0.5) / 0.5) * 2) % 2] : toms[0];
        grid[s].push([kind, 0.5 + 0.45 * prog]);
      }
      grid[fillFromStep].push(['kick', 0.8]);
    }
    const crashHere = ctx.sectionStart && ctx.section.energy >= 0.5 && !(plan.sections.length === 1 && ctx.barIndex > 0);
    if (crashHere) {
      grid[0] = grid[0].filter(([k]) => k !== 'hatClosed' && k !== 'ride');
      grid[0].push(['crash', 0.85]);
      if (!grid[0].some(([k]) => k === 'kick')) grid[0].push(['kick', 0.9]);
    }
    const dynamics = 0.75 + 0.25 * ctx.section.energy;
    for (let s = 0; s < steps; s++) {
      for (const [kind, v] of grid[s]) {
        hits.push({ beat: ctx.startBeat + s / 4, kind, velocity: varyVelocity(rng, v * dynamics, t, 0.45) });
      }
    }
  });
  return hits;
}

/** Render the kit's one-shots (a few variants of each noisy sound) at the plan's rate. */
function renderKit(plan: GenerationPlan): Record<DrumKind, Float32Array[]> {
  const sr = plan.sampleRate;
  const p: KitParams = { ...BASE_KIT, ...(KITS[plan.style] ?? {}) };
  const tune = plan.tuningHz / 440;
  const kit = {} as Record<DrumKind, Float32Array[]>;
  const seedBase = 0x5eed;
  kit.kick = [sweptSine(sr, p.kickStartHz * tune, p.kickEndHz * tune, p.kickSweepSec, p.kickDecaySec, p.kickClick, seedBase)];
  kit.tomHigh = [sweptSine(sr, p.tomHz * 1.5 * tune, p.tomHz * 1.2 * tune, 0.05, 0.2, 0.2, seedBase + 1)];
  kit.tomLow = [sweptSine(sr, p.tomHz * tune, p.tomHz * 0.8 * tune, 0.05, 0.26, 0.2, seedBase + 2)];
  kit.snare = [0, 1, 2, 3].map((v) => snare(sr, p.snareToneHz * tune, p.snareNoiseDecaySec, p.snareTone, seedBase + 10 + v));
  kit.rim = [rim(sr, seedBase + 20)];
  kit.clap = [0, 1].map((v) => clap(sr, seedBase + 30 + v));
  kit.hatClosed = [0, 1, 2, 3].map((v) => metal(sr, p.hatDecaySec, p.hatHighpassHz, 0.5, seedBase + 40 + v));
  kit.hatOpen = [0, 1].map((v) => metal(sr, 0.32, p.hatHighpassHz, 0.5, seedBase + 50 + v));
  kit.ride = [0, 1].map((v) => metal(sr, 1.1, 3500, 0.85, seedBase + 60 + v));
  kit.crash = [metal(sr, 1.6, 4000, 0.3, seedBase + 70)];
  for (const k of DRUM_KINDS) kit[k] = kit[k].map((v) => trimSilence(v));
  return kit;
}

function sweptSine(sr: number, startHz: number, endHz: number, sweepSec: number, decaySec: number, click: number, seed: number): Float32Array {
  const n = Math.ceil(Math.min(decaySec * 5, 1.2) * sr);
  const out = new Float32Array(n);
  let phase = 0;
  const rs = Math.exp(-1 / (sweepSec * sr));
  const ra = Math.exp(-1 / (decaySec * sr));
  let sweep = 1;
  let amp = 1;
  for (let i = 0; i < n; i++) {
    const f = endHz + (startHz - endHz) * sweep;
    phase += (2 * Math.PI * f) / sr;
    out[i] = Math.sin(phase) * amp;
    sweep *= rs;
    amp *= ra;
  }
  if (click > 0) {
    const len = Math.round(0.004 * sr);
    const noise = whiteNoise(len, seed);
    filterBiquad(noise, designBiquad('lowpass', 3500, 0.7, sr));
    for (let i = 0; i < len; i++) out[i] += click * noise[i] * (1 - i / len);
  }
  applyRamps(out, 0.0003 * sr, 0.05 * sr);
  return out;
}

function snare(sr: number, toneHz: number, noiseDecaySec: number, tone: number, seed: number): Float32Array {
  const n = Math.ceil(noiseDecaySec * 5 * sr);
  const out = new Float32Array(n);
  const noise = whiteNoise(n, seed);
  filterBiquad(noise, designBiquad('highpass', 1200, 0.7, sr));
  filterBiquad(noise, designBiquad('peak', 5000, 1, sr, 4));
  const rn = Math.exp(-1 / (noiseDecaySec * sr));
  const rt = Math.exp(-1 / (0.07 * sr));
  let an = 1;
  let at = 1;
  const w1 = (2 * Math.PI * toneHz) / sr;
  const w2 = (2 * Math.PI * toneHz * 1.78) / sr;
  for (let i = 0; i < n; i++) {
    out[i] = 0.7 * noise[i] * an + tone * at * (Math.sin(w1 * i) + 0.5 * Math.sin(w2 * i));
    an *= rn;
    at *= rt;
  }
  applyRamps(out, 0.0003 * sr, 0.01 * sr);
  return out;
}

function rim(sr: number, seed: number): Float32Array {
  const n = Math.ceil(0.12 * sr);
  const out = new Float32Array(n);
  const noise = whiteNoise(n, seed);
  const w = (2 * Math.PI * 1700) / sr;
  const r = Math.exp(-1 / (0.018 * sr));
  let a = 1;
  for (let i = 0; i < n; i++) {
    out[i] = a * (Math.sin(w * i) + 0.4 * noise[i] * (i < 0.003 * sr ? 1 : 0.1));
    a *= r;
  }
  filterBiquad(out, designBiquad('highpass', 500, 0.7, sr));
  applyRamps(out, 0.0002 * sr, 0.01 * sr);
  return out;
}

function clap(sr: number, seed: number): Float32Array {
  const n = Math.ceil(0.3 * sr);
  const out = new Float32Array(n);
  const noise = whiteNoise(n, seed);
  filterBiquad(noise, designBiquad('bandpass', 1300, 1.2, sr));
  const bursts = [0, 0.009, 0.019];
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    let env = 0;
    for (const b of bursts) if (t >= b) env = Math.max(env, Math.exp(-(t - b) / 0.006));
    const lastB = bursts[bursts.length - 1];
    if (t >= lastB) env = Math.max(env, 0.6 * Math.exp(-(t - lastB) / 0.09));
    out[i] = noise[i] * env * 2.2;
  }
  applyRamps(out, 0.0002 * sr, 0.01 * sr);
  return out;
}

/** Six inharmonic square partials (≈ TR-808 ratios) plus noise, high-passed, decaying. */
function metal(sr: number, decaySec: number, highpassHz: number, noiseMix: number, seed: number): Float32Array {
  const n = Math.ceil(Math.min(decaySec * 5, decaySec > 1.4 ? 1.6 : decaySec > 0.5 ? 1.0 : 0.8) * sr);
  const out = new Float32Array(n);
  const noise = whiteNoise(n, seed);
  const ratios = [2, 3, 4.16, 5.43, 6.79, 8.21];
  const base = 40 + (seed % 7);
  const phases = ratios.map(() => 0);
  const incs = ratios.map((r) => (r * base * 10) / sr);
  const ra = Math.exp(-1 / (decaySec * sr));
  let a = 1;
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let k = 0; k < 6; k++) {
      phases[k] += incs[k];
      if (phases[k] >= 1) phases[k] -= 1;
      sq += phases[k] < 0.5 ? 1 : -1;
    }
    out[i] = a * ((1 - noiseMix) * sq * (1 / 6) + noiseMix * noise[i]);
    a *= ra;
  }
  filterBiquad(out, designBiquad('highpass', highpassHz, 0.7, sr));
  filterBiquad(out, designBiquad('highpass', highpassHz * 0.8, 0.7, sr));
  applyRamps(out, 0.0002 * sr, Math.min(0.3, decaySec) * sr);
  return out;
}

/** Render the drum stem of a plan (stereo). */
export function renderDrums(plan: GenerationPlan): StereoBus {
  const bus = createBus(plan.totalSamples);
  const hits = composeDrumHits(plan);
  if (hits.length === 0) return bus;
  const kit = renderKit(plan);
  const counters: Partial<Record<DrumKind, number>> = {};
  for (const h of hits) {
    const start = sampleAtBeat(plan, h.beat);
    if (start >= plan.totalSamples) continue;
    const variants = kit[h.kind];
    const c = counters[h.kind] ?? 0;
    counters[h.kind] = c + 1;
    const shot = variants[c % variants.length];
    const gain = LEVEL[h.kind] * h.velocity * h.velocity;
    addToBus(bus, shot, start, gain, PAN[h.kind]);
  }

  return bus;
}

/** Sample positions of every hit (after swing) — for tests and tools; the audio is the truth. */
export function drumHitSamples(plan: GenerationPlan): number[] {
  return composeDrumHits(plan).map((h) => sampleAtBeat(plan, h.beat)).filter((s) => s < plan.totalSamples);
}
