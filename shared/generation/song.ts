/**
 * Songs with known truth: a full arrangement (intro, verse, chorus, bridge, outro; repeated
 * sections share their material), rendered as four stems (vocals, drums, bass, other) that sum
 * exactly to the mix, with a MusicDescription that is the exact truth of what was rendered:
 * tempo, every beat with its bar position, meter, key, tuning, chords (Harte) and sections.
 *
 * What varies with the seed: style, tempo (about 64–170 BPM), key and mode, meter (seeds ≡ 2
 * mod 5 are in 3/4, the rest in 4/4), instrumentation of the "other" stem, level balance, tuning
 * (seeds divisible by 3 are detuned by 5–40 cents, consistently for every instrument) and tempo
 * drift (seeds ≡ 1 mod 6 drift by 1–3 %; the truth beats are the drifting grid itself). Every
 * song starts with a short silence (0.05–0.6 s, chord N) and ends with a tail of at least 1.5 s (chord N).
 *
 * Exact sums: every stem is quantised to the 16-bit grid (multiples of 2^-15) before the mix is
 * formed, so the float32 mix is the exact sum of the stems in any order, and 16-bit WAVs of the
 * stems (written with the ×32768 convention) add up to the 16-bit mix sample for sample.
 * Seeds ≥ 1000 are the held-out set: nothing in the project is tuned on them.
 */
import type { AudioBuffer } from '../audio/types.js';
import type { ChordEvent, MusicDescription, SectionEvent, SectionFunction } from '../contracts/music.js';
import { formatKey, type Key } from '../music/key.js';
import { PITCH_CLASS_NAMES } from '../music/pitch.js';
import { addRoom, createBus, type StereoBus } from './dsp.js';
import { makeConstantGrid, makeDriftingGrid, timeAtBeat, type BeatGrid } from './grid.js';
import { chordTonesOf, pickProgression, realiseProgression, type ChordTones } from './harmony.js';
import { renderStemBus, roomSend } from './index.js';
import { layChords } from './plan.js';
import { createRng, deriveSeed, type Rng } from './rng.js';
import { STYLE_PROFILES, type InstrumentPrograms, type Style } from './styles.js';
import type { GeneratedStem, GenerationPlan, PlannedChord, PlannedSection } from './types.js';

export const SONG_STEMS = ['vocals', 'drums', 'bass', 'other'] as const;
export type SongStem = (typeof SONG_STEMS)[number];

/** First seed of the held-out set: seeds ≥ 1000 are never used for tuning. */
export const HELD_OUT_FIRST_SEED = 1000;

export interface SongOptions {
  /** Total length in seconds (music plus a short tail). Default: 60–100 s chosen by the seed. */
  durationSec?: number;
  /** Default 44100. */
  sampleRate?: number;
  /**
   * Relative depth of a sinusoidal tempo drift (0.05: ±5 %), in place of the seed's own (1–3 %
   * for seeds ≡ 1 mod 6, none otherwise); the drift's period stays the seed's, or
   * {@link DEFAULT_DRIFT_PERIOD_SEC} for a seed without one. The instruments play on the
   * drifting grid, so pitch does not move. Other random choices are the seed's, but the number
   * of bars follows the drift.
   */
  tempoDrift?: number;
}

/** Period of the tempo drift forced on a seed that has none of its own ({@link SongOptions.tempoDrift}), s. */
export const DEFAULT_DRIFT_PERIOD_SEC = 24;

export interface SongMeta {
  seed: number;
  title: string;
  style: Style;
  bpm: number;
  beatsPerBar: number;
  key: string;
  tuningHz: number;
  detuneCents: number;
  /** Relative tempo drift depth (0 = steady). */
  tempoDrift: number;
  temperature: number;
  /** Generator instruments summed into the "other" stem. */
  otherInstruments: GeneratedStem[];
  programs: InstrumentPrograms;
  /** Section labels in order with their bar counts. */
  structure: Array<{ label: SectionFunction; letter: string; bars: number; progression: string[] }>;
  /** Level of each song stem relative to the others, dB. */
  stemGainsDb: Record<SongStem, number>;
  /** Level of each instrument inside the "other" stem (same order as otherInstruments), dB. */
  otherGainsDb: number[];
  /** All stems are quantised to multiples of 2^-15 (16-bit grid) so that sums are exact. */
  quantisedTo16Bit: true;
}

export interface PlannedSong {
  plan: GenerationPlan;
  truth: MusicDescription;
  meta: SongMeta;
}

export interface RenderedSong {
  /** The sample-wise sum of the four stems. */
  mix: AudioBuffer;
  stems: Record<SongStem, AudioBuffer>;
  truth: MusicDescription;
  meta: SongMeta;
  /** The plan the instruments played (sections, grid, chords). */
  plan: GenerationPlan;
}

const STYLE_WEIGHTS: ReadonlyArray<readonly [Style, number]> = [
  ['rock', 3], ['pop', 3], ['funk', 2], ['jazz', 2], ['electronic', 2], ['hip-hop', 2], ['ballad', 2], ['reggae', 1], ['latin', 1], ['metal', 1],
];
const WALTZ_PROBABILITY: Partial<Record<Style, number>> = { ballad: 0.5, jazz: 0.4, pop: 0.25, rock: 0.2, latin: 0.15, reggae: 0.1, funk: 0.05, 'hip-hop': 0.05, electronic: 0.05, metal: 0.05 };

/** Which generator instruments may form the "other" stem, with their probabilities. */
const OTHER_CHOICES: Record<Style, Array<[Exclude<GeneratedStem, 'drums' | 'bass' | 'vocals'>, number]>> = {
  rock: [['guitar', 1], ['other', 0.5], ['piano', 0.3], ['synth', 0.2]],
  metal: [['guitar', 1], ['other', 0.4], ['synth', 0.2]],
  pop: [['piano', 0.7], ['guitar', 0.6], ['synth', 0.5], ['other', 0.5]],
  funk: [['guitar', 0.9], ['piano', 0.7], ['synth', 0.3], ['other', 0.4]],
  jazz: [['piano', 1], ['guitar', 0.4], ['other', 0.3]],
  electronic: [['synth', 1], ['other', 0.8], ['piano', 0.4]],
  'hip-hop': [['piano', 0.8], ['other', 0.6], ['synth', 0.4], ['guitar', 0.2]],
  ballad: [['piano', 1], ['other', 0.8], ['guitar', 0.4]],
  reggae: [['guitar', 0.9], ['piano', 0.7], ['other', 0.6]],
  latin: [['piano', 0.8], ['guitar', 0.7], ['other', 0.4], ['synth', 0.2]],
};

const ENERGY: Record<SectionFunction, number> = { intro: 0.3, verse: 0.55, chorus: 0.85, bridge: 0.62, outro: 0.4, instrumental: 0.7, silence: 0 };

function chooseStyle(rng: Rng): Style {
  return rng.weighted(STYLE_WEIGHTS.map(([s]) => s), STYLE_WEIGHTS.map(([, w]) => w));
}

function choosePrograms(rng: Rng, style: Style): InstrumentPrograms {
  const p: InstrumentPrograms = { ...STYLE_PROFILES[style].programs };
  if (style === 'pop' || style === 'ballad' || style === 'hip-hop' || style === 'funk' || style === 'latin') p.piano = rng.chance(0.5) ? 'piano' : 'epiano';
  if (style === 'pop') {
    p.guitar = rng.chance(0.3) ? 'overdrive' : 'clean';
    p.bass = rng.chance(0.5) ? 'finger' : 'picked';
  }
  if (style === 'rock' && rng.chance(0.3)) p.guitar = 'clean';
  if (style === 'electronic' || style === 'pop') p.synth = rng.chance(0.5) ? 'arp' : 'pad';
  if (style === 'hip-hop') p.synth = rng.chance(0.5) ? 'lead' : 'pad';
  p.other = rng.weighted(['strings', 'organ', 'pad'] as const, style === 'electronic' ? [0.2, 0.1, 0.7] : style === 'rock' || style === 'jazz' || style === 'funk' || style === 'reggae' ? [0.25, 0.6, 0.15] : [0.65, 0.2, 0.15]);
  p.vowel = rng.chance(0.5) ? 'aah' : 'ooh';
  p.voice = rng.chance(0.6) ? 'high' : 'low';
  return p;
}

interface SectionSpec {
  label: SectionFunction;
  bars: number;
}

/** Lay out the sections in `totalBars` bars (≥ 4). */
function planStructure(rng: Rng, totalBars: number): SectionSpec[] {
  const unit = totalBars >= 36 ? 8 : totalBars >= 16 ? 4 : 2;
  const introBars = totalBars >= 20 ? (rng.chance(0.5) ? 4 : 2) : totalBars >= 10 ? 2 : 1;
  const outroMin = totalBars >= 20 ? 2 : 1;
  const cycle: SectionFunction[] = ['verse', 'chorus', 'verse', 'chorus', 'bridge', 'chorus', 'chorus', 'verse', 'chorus', 'bridge', 'chorus', 'chorus'];
  const specs: SectionSpec[] = [{ label: 'intro', bars: introBars }];
  let used = introBars;
  let i = 0;
  while (used + unit + outroMin <= totalBars) {
    const label = cycle[i % cycle.length];
    specs.push({ label, bars: unit });
    used += unit;
    i++;
  }
  let rest = totalBars - used;
  if (rest > 8 && specs.length > 1) {
    // Extend with a shorter repeat of the chorus, and keep the outro at 4 bars.
    const extra = rest - 4;
    specs.push({ label: 'chorus', bars: extra });
    rest = 4;
  }
  if (specs.length === 1) {
    // Very short songs: intro, verse, outro as far as bars allow.
    const verse = Math.max(1, rest - outroMin);
    specs.push({ label: 'verse', bars: verse });
    rest -= verse;
  }
  if (rest > 0) specs.push({ label: 'outro', bars: rest });
  return specs;
}

function chooseActive(rng: Rng, label: SectionFunction, others: GeneratedStem[]): Record<GeneratedStem, boolean> {
  const active: Record<GeneratedStem, boolean> = { drums: true, bass: true, guitar: false, piano: false, synth: false, vocals: false, other: false };
  const on = (s: GeneratedStem) => (active[s] = true);
  if (label === 'intro') {
    active.drums = rng.chance(0.6);
    active.bass = rng.chance(0.6);
    on(others[0]);
    if (others.length > 2 && rng.chance(0.5)) on(others[1]);
  } else if (label === 'outro') {
    active.drums = rng.chance(0.5);
    on(others[0]);
    if (others.length > 1) on(others[others.length - 1]);
  } else if (label === 'verse') {
    active.vocals = true;
    others.forEach((s, i) => (active[s] = i === 0 || rng.chance(0.55)));
  } else if (label === 'bridge') {
    active.vocals = rng.chance(0.6);
    others.forEach((s, i) => (active[s] = i === others.length - 1 || rng.chance(0.5)));
    if (!active.vocals) on(others[0]);
  } else {
    active.vocals = true;
    others.forEach((s) => on(s));
  }
  return active;
}

/** RMS over 50 ms blocks louder than −60 dBFS (the level while the instrument plays). */
function activeRms(bus: StereoBus, sampleRate: number): number {
  const block = Math.max(1, Math.round(0.05 * sampleRate));
  let sum = 0;
  let count = 0;
  const L = bus.left;
  const R = bus.right;
  for (let b = 0; b < L.length; b += block) {
    const end = Math.min(L.length, b + block);
    let s = 0;
    for (let i = b; i < end; i++) s += L[i] * L[i] + R[i] * R[i];
    const ms = s / (2 * (end - b));
    if (ms > 1e-6) {
      sum += s;
      count += 2 * (end - b);
    }
  }
  return count > 0 ? Math.sqrt(sum / count) : 0;
}

/** Largest |Σ g_k x_k| and largest |g_k x_k| over all samples and both channels, in one pass. */
function peakOfWeightedSum(buses: StereoBus[], gains: number[]): number {
  let peak = 0;
  const n = buses[0].left.length;
  const [a, b, c, d] = buses;
  const [ga, gb, gc, gd] = gains;
  for (const side of ['left', 'right'] as const) {
    const A = a[side], B = b[side], C = c[side], D = d[side];
    for (let i = 0; i < n; i++) {
      const va = ga * A[i], vb = gb * B[i], vc = gc * C[i], vd = gd * D[i];
      const sum = Math.abs(va + vb + vc + vd);
      const m = Math.max(sum, Math.abs(va), Math.abs(vb), Math.abs(vc), Math.abs(vd));
      if (m > peak) peak = m;
    }
  }
  return peak;
}

/** dst += g · src. */
function accumulate(dst: Float32Array, src: Float32Array, g: number): void {
  for (let i = 0; i < dst.length; i++) dst[i] += g * src[i];
}

/**
 * Scale by g, round to the 16-bit grid (multiples of 2^-15, clamped to [-1, 32767/32768]) in
 * place, and add into `mix`. Sums of such values are exact in float32.
 */
function quantiseAndAdd(x: Float32Array, g: number, mix: Float32Array): void {
  const s = g * 32768;
  for (let i = 0; i < x.length; i++) {
    // Round to the nearest integer (ties to even) by the 1.5·2^52 trick: fast and exact.
    let q = x[i] * s + 6755399441055744 - 6755399441055744;
    if (q > 32767) q = 32767;
    else if (q < -32768) q = -32768;
    const v = q / 32768;
    x[i] = v;
    mix[i] += v;
  }
}

function scaleBus(bus: StereoBus, g: number): void {
  for (const ch of [bus.left, bus.right]) for (let i = 0; i < ch.length; i++) ch[i] *= g;
}

/** Merge consecutive equal chord labels into truth events, with N where nothing is sounding. */
function truthChords(chords: PlannedChord[], durationSec: number): ChordEvent[] {
  const out: ChordEvent[] = [];
  let cursor = 0;
  for (const c of chords) {
    const start = c.startSec;
    const end = Math.min(c.endSec, durationSec);
    if (end <= start) continue;
    const prev = out[out.length - 1];
    if (prev && prev.label === c.label && Math.abs(prev.endSec - start) < 1e-6) {
      prev.endSec = end;
    } else {
      if (start > cursor + 1e-6) out.push({ startSec: cursor, endSec: start, label: 'N', confidence: 1 });
      out.push({ startSec: start, endSec: end, label: c.label, confidence: 1 });
    }
    cursor = end;
  }
  if (durationSec > cursor + 1e-6) out.push({ startSec: cursor, endSec: durationSec, label: 'N', confidence: 1 });
  return out;
}

/**
 * Plan song `seed` (unsigned integer) without rendering it: the arrangement, the exact truth and
 * the metadata. Cheap (milliseconds); renderSong renders exactly this plan.
 */
export function planSong(seed: number, options: SongOptions = {}): PlannedSong {
  const rng = createRng(seed, 'song');
  const sampleRate = options.sampleRate ?? 44100;
  // Exactly one seed in five is in 3/4; styles that rarely waltz are re-drawn (at most twice).
  const waltz = seed % 5 === 2;
  let style = chooseStyle(rng);
  for (let k = 0; k < 2 && waltz && rng.next() > (WALTZ_PROBABILITY[style] ?? 0.1) * 2; k++) style = chooseStyle(rng);
  const profile = STYLE_PROFILES[style];
  const beatsPerBar = waltz ? 3 : 4;
  const [bpmLo, bpmHi] = profile.bpmRange;
  const bpm = Math.round(rng.uniform(bpmLo, bpmHi) * 2) / 2;
  const key: Key = { tonic: rng.int(0, 11), mode: rng.chance(profile.minorProbability) ? 'minor' : 'major' };
  const detuneCents = seed % 3 === 0 ? (rng.chance(0.5) ? -1 : 1) * Math.round(rng.uniform(5, 40) * 10) / 10 : 0;
  const tuningHz = 440 * Math.pow(2, detuneCents / 1200);
  const seedDrift = seed % 6 === 1 ? rng.uniform(0.01, 0.03) : 0;
  const tempoDrift = options.tempoDrift ?? seedDrift;
  const temperature = Math.round(rng.uniform(0.15, 0.6) * 100) / 100;
  const durationSec = options.durationSec ?? Math.round(rng.uniform(60, 100));
  const programs = choosePrograms(rng, style);

  const offsetSec = Math.round(rng.uniform(0.05, 0.6) * 1000) / 1000;
  const tailSec = 1.5;
  const barSec = (beatsPerBar * 60) / bpm;
  const totalBars = Math.max(2, Math.floor((durationSec - offsetSec - tailSec) / (barSec * (1 + tempoDrift))));
  // The period is drawn whenever the seed drifts, so a forced depth leaves the seed's later choices alone.
  const driftPeriodSec = seedDrift > 0 ? rng.uniform(16, 32) : DEFAULT_DRIFT_PERIOD_SEC;
  const grid: BeatGrid = tempoDrift > 0
    ? makeDriftingGrid(bpm, beatsPerBar, durationSec, offsetSec, tempoDrift, driftPeriodSec)
    : makeConstantGrid(bpm, beatsPerBar, durationSec, offsetSec);

  // "Other" instruments.
  const choices = OTHER_CHOICES[style];
  let others = choices.filter(([, p]) => rng.chance(p)).map(([s]) => s as GeneratedStem);
  for (const [s] of choices) if (others.length < 2 && !others.includes(s)) others.push(s);
  others = others.slice(0, 3);

  // Sections with their own progressions; repeats share material.
  const specs = planStructure(rng, totalBars);
  const progressionOf = new Map<SectionFunction, { bars: ChordTones[][]; labels: string[] }>();
  const usedDegrees: string[] = [];
  const sections: PlannedSection[] = [];
  const chords: PlannedChord[] = [];
  const letterOf = new Map<SectionFunction, string>();
  const activeOf = new Map<SectionFunction, Record<GeneratedStem, boolean>>();
  let bar = 0;
  for (const spec of specs) {
    if (!progressionOf.has(spec.label)) {
      let degrees = pickProgression(rng, style, key.mode, spec.label !== 'chorus');
      for (let tries = 0; tries < 12 && usedDegrees.includes(degrees.join(' ')); tries++) degrees = pickProgression(rng, style, key.mode, spec.label !== 'chorus');
      usedDegrees.push(degrees.join(' '));
      const labels = realiseProgression(rng, key, degrees, profile.chordFlavor);
      const twoPerBar = beatsPerBar === 4 && spec.label === 'chorus' && rng.chance(0.25);
      const bars: ChordTones[][] = [];
      if (twoPerBar) for (let i = 0; i < labels.length; i += 2) bars.push([chordTonesOf(labels[i]), chordTonesOf(labels[(i + 1) % labels.length])]);
      else for (const l of labels) bars.push([chordTonesOf(l)]);
      progressionOf.set(spec.label, { bars, labels });
      letterOf.set(spec.label, String.fromCharCode(65 + letterOf.size));
      activeOf.set(spec.label, chooseActive(rng, spec.label, others));
    }
    const prog = progressionOf.get(spec.label)!;
    let bars = prog.bars;
    if (spec.label === 'outro') {
      // End on the tonic chord.
      const tonic = chordTonesOf(realiseProgression(rng, key, ['1'], 'triads')[0]);
      bars = spec.bars > 1 ? [...prog.bars.slice(0, Math.max(1, Math.min(prog.bars.length, spec.bars - 1)))] : [];
      while (bars.length < spec.bars - 1) bars.push(prog.bars[bars.length % prog.bars.length]);
      bars.push([tonic]);
    }
    chords.push(...layChords(grid, bars, bar, spec.bars));
    const letter = letterOf.get(spec.label)!;
    sections.push({
      label: spec.label,
      letter,
      startBar: bar,
      endBar: bar + spec.bars,
      energy: ENERGY[spec.label],
      active: activeOf.get(spec.label)!,
      materialSeed: deriveSeed(seed, 'material', letter),
    });
    bar += spec.bars;
  }

  const plan: GenerationPlan = {
    durationSec,
    sampleRate,
    totalSamples: Math.round(durationSec * sampleRate),
    bpm,
    beatsPerBar,
    key,
    keyLabel: formatKey(key),
    tuningHz,
    style,
    mood: 'neutral',
    temperature,
    seed,
    grid,
    barCount: totalBars,
    chords,
    sections,
    progression: [...progressionOf.values()].map((p) => p.labels),
    programs,
    swing8: profile.swing8,
    swing16: profile.swing16,
    room: profile.room,
    fitted: false,
  };

  const gainsDb: Record<SongStem, number> = {
    vocals: Math.round(rng.uniform(-2, 2) * 10) / 10,
    drums: Math.round(rng.uniform(-3, 1) * 10) / 10,
    bass: Math.round(rng.uniform(-3, 1) * 10) / 10,
    other: Math.round(rng.uniform(-2, 1) * 10) / 10,
  };
  const otherGainsDb = others.map(() => Math.round(rng.uniform(-3, 0) * 10) / 10);
  // Truth.
  const musicEndSec = timeAtBeat(grid, grid.barStartBeats[Math.min(totalBars, grid.barStartBeats.length - 1)]);
  const beats = [];
  const lastBeat = grid.barStartBeats[Math.min(totalBars, grid.barStartBeats.length - 1)];
  for (let i = 0; i < lastBeat; i++) beats.push({ timeSec: grid.beatTimesSec[i], positionInBar: grid.positions[i], confidence: 1 });
  const sectionEvents: SectionEvent[] = sections.map((s, i) => ({
    startSec: i === 0 ? 0 : timeAtBeat(grid, grid.barStartBeats[s.startBar]),
    endSec: i === sections.length - 1 ? durationSec : timeAtBeat(grid, grid.barStartBeats[s.endBar]),
    label: s.label,
    letter: s.letter,
    confidence: 1,
  }));
  const truth: MusicDescription = {
    durationSec,
    tempo: { bpm, confidence: 1 },
    beatsPerBar,
    beats,
    key: { tonic: key.tonic, mode: key.mode, confidence: 1 },
    tuningHz,
    chords: truthChords(chords.filter((c) => c.startSec < musicEndSec), durationSec),
    sections: sectionEvents,
  };
  const meta: SongMeta = {
    seed,
    title: `stemflow song ${seed}: ${style} in ${PITCH_CLASS_NAMES[key.tonic]} ${key.mode}, ${bpm} BPM, ${beatsPerBar}/4`,
    style,
    bpm,
    beatsPerBar,
    key: formatKey(key),
    tuningHz,
    detuneCents,
    tempoDrift,
    temperature,
    otherInstruments: others,
    programs,
    structure: specs.map((s, i) => ({ label: s.label, letter: sections[i].letter, bars: s.bars, progression: progressionOf.get(s.label)!.labels })),
    stemGainsDb: gainsDb,
    otherGainsDb,
    quantisedTo16Bit: true,
  };
  return { plan, truth, meta };
}

/**
 * Render song `seed` (unsigned integer) with its exact truth. Deterministic: the same seed and
 * options give identical samples. Instruments are balanced by their active RMS and the seed's
 * levels, the room is added per song stem, everything is scaled so that the mix and every stem
 * peak at −1.5 dBFS at most, and the stems are quantised to the 16-bit grid before summing.
 */
export function renderSong(seed: number, options: SongOptions = {}): RenderedSong {
  const { plan, truth, meta } = planSong(seed, options);
  const sampleRate = plan.sampleRate;
  const gainsDb = meta.stemGainsDb;
  const others = meta.otherInstruments;

  const REF_RMS: Record<SongStem, number> = { vocals: 0.09, drums: 0.1, bass: 0.09, other: 0.08 };
  const n = plan.totalSamples;
  const buses = {} as Record<SongStem, StereoBus>;
  /** Balance gain of each song stem (applied when quantising). */
  const gains = { vocals: 1, drums: 1, bass: 1, other: 1 } as Record<SongStem, number>;
  for (const stem of ['vocals', 'drums', 'bass'] as const) {
    const b = renderStemBus(plan, stem, { room: false });
    const rms = activeRms(b, sampleRate);
    gains[stem] = rms > 0 ? (REF_RMS[stem] / rms) * Math.pow(10, gainsDb[stem] / 20) : 1;
    buses[stem] = b;
  }
  let other: StereoBus | null = null;
  let otherRoom = 0;
  for (let k = 0; k < others.length; k++) {
    const inst = others[k];
    const b = renderStemBus(plan, inst, { room: false });
    otherRoom = Math.max(otherRoom, roomSend(plan, inst));
    const rms = activeRms(b, sampleRate);
    if (rms === 0) continue;
    const g = (REF_RMS.other / rms) * Math.pow(10, (gainsDb.other + meta.otherGainsDb[k]) / 20) / Math.sqrt(others.length * 0.7);
    if (other === null) {
      scaleBus(b, g);
      other = b;
    } else {
      accumulate(other.left, b.left, g);
      accumulate(other.right, b.right, g);
    }
  }
  buses.other = other ?? createBus(n);
  // The room is linear, so it can be added before the balance gains. Drums stay dry in songs.
  addRoom(buses.vocals, sampleRate, roomSend(plan, 'vocals'), 1.3);
  addRoom(buses.other, sampleRate, otherRoom, 1.3);

  const peak = peakOfWeightedSum(SONG_STEMS.map((s) => buses[s]), SONG_STEMS.map((s) => gains[s]));
  const target = Math.pow(10, -1.5 / 20);
  const g = peak > 0 ? target / peak : 1;
  const stems = {} as Record<SongStem, AudioBuffer>;
  const mixL = new Float32Array(n);
  const mixR = new Float32Array(n);
  for (const stem of SONG_STEMS) {
    const b = buses[stem];
    quantiseAndAdd(b.left, g * gains[stem], mixL);
    quantiseAndAdd(b.right, g * gains[stem], mixR);
    stems[stem] = { sampleRate, channels: [b.left, b.right] };
  }
  const mix: AudioBuffer = { sampleRate, channels: [mixL, mixR] };

  return { mix, stems, truth, meta, plan };
}
