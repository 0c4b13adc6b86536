/**
 * What every instrument part needs: iteration over the bars where it plays (with a per-bar random
 * stream seeded by the section's material, so repeated sections repeat), swing, beat→sample
 * placement, and chord look-up.
 */
import { midiToHz } from '../music/pitch.js';
import { beatsInBar, timeAtBeat } from './grid.js';
import { createRng, type Rng } from './rng.js';
import type { GeneratedStem, GenerationPlan, PlannedChord, PlannedSection } from './types.js';

export interface BarContext {
  /** Index into grid.barStartBeats. */
  barIndex: number;
  barInSection: number;
  section: PlannedSection;
  /** Beat index of the downbeat. */
  startBeat: number;
  /** Beats in this bar. */
  beats: number;
  /** Random stream of (section material, stem, bar in section): repeats of a section repeat. */
  rng: Rng;
  /** Last bar of a 4-bar phrase or of the section. */
  phraseEnd: boolean;
  sectionStart: boolean;
  sectionEnd: boolean;
  /** Bars left in the section including this one. */
  barsLeft: number;
}

/** Call `fn` for every bar in which `stem` is active, in order. */
export function forEachBar(plan: GenerationPlan, stem: GeneratedStem | string, fn: (ctx: BarContext) => void): void {
  const bars = plan.grid.barStartBeats;
  for (const section of plan.sections) {
    if (stem in section.active && !section.active[stem as GeneratedStem]) continue;
    const end = Math.min(section.endBar, plan.barCount, bars.length);
    for (let k = section.startBar; k < end; k++) {
      const barInSection = k - section.startBar;
      const sectionBars = section.endBar - section.startBar;
      fn({
        barIndex: k,
        barInSection,
        section,
        startBeat: bars[k],
        beats: beatsInBar(plan.grid, k),
        rng: createRng(section.materialSeed, stem, barInSection),
        phraseEnd: barInSection % 4 === 3 || k === section.endBar - 1,
        sectionStart: barInSection === 0,
        sectionEnd: k === section.endBar - 1,
        barsLeft: sectionBars - barInSection,
      });
    }
  }
}

/** Apply the plan's swing to a beat position (8th swing, then 16th swing within each 8th). */
export function swingBeat(plan: GenerationPlan, beat: number): number {
  const s8 = plan.swing8;
  const s16 = plan.swing16;
  if (s8 === 0.5 && s16 === 0.5) return beat;
  const whole = Math.floor(beat);
  const f = beat - whole;
  const u = f * 2;
  const h = Math.floor(u);
  const v = u - h;
  const v2 = v < 0.5 ? v * (s16 / 0.5) : s16 + (v - 0.5) * ((1 - s16) / 0.5);
  const g = (h + v2) / 2;
  const g2 = g < 0.5 ? g * (s8 / 0.5) : s8 + (g - 0.5) * ((1 - s8) / 0.5);
  return whole + g2;
}

/** Sample index of a (swung) beat position. */
export function sampleAtBeat(plan: GenerationPlan, beat: number, swing = true): number {
  return Math.round(timeAtBeat(plan.grid, swing ? swingBeat(plan, beat) : beat) * plan.sampleRate);
}

/** The chord sounding at a beat position, or null (no chord). */
export function chordAt(plan: GenerationPlan, beat: number): PlannedChord | null {
  const cs = plan.chords;
  let lo = 0;
  let hi = cs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cs[mid].endBeat <= beat + 1e-9) lo = mid + 1;
    else if (cs[mid].startBeat > beat + 1e-9) hi = mid - 1;
    else return cs[mid];
  }
  return null;
}

/** Chord segments overlapping [fromBeat, toBeat), clipped to it. */
export function chordsIn(plan: GenerationPlan, fromBeat: number, toBeat: number): Array<{ chord: PlannedChord; startBeat: number; endBeat: number }> {
  const out: Array<{ chord: PlannedChord; startBeat: number; endBeat: number }> = [];
  for (const c of plan.chords) {
    if (c.endBeat <= fromBeat || c.startBeat >= toBeat) continue;
    out.push({ chord: c, startBeat: Math.max(fromBeat, c.startBeat), endBeat: Math.min(toBeat, c.endBeat) });
  }
  return out;
}

/** Frequency in Hz of a MIDI note at the plan's tuning. */
export function noteHz(plan: GenerationPlan, midi: number): number {
  return midiToHz(midi, plan.tuningHz);
}

/** Velocity with temperature-scaled random variation, clamped to [0.05, 1]. */
export function varyVelocity(rng: Rng, velocity: number, temperature: number, spread = 0.35): number {
  const v = velocity * (1 + (rng.next() - 0.5) * spread * temperature);
  return Math.max(0.05, Math.min(1, v));
}

/** A pitched note placed in samples. */
export interface PlacedNote {
  startSample: number;
  /** Sounding length before the release, in samples. */
  lengthSamples: number;
  midi: number;
  /** 0..1 (gain is velocity², the voice itself may use a coarse velocity layer). */
  velocity: number;
  pan: number;
}

/** A pitched note on the grid, in beats. */
export interface GridNote {
  beat: number;
  lengthBeats: number;
  midi: number;
  velocity: number;
  pan?: number;
  /** Do not apply swing (e.g. notes that already sit on swung positions). */
  straight?: boolean;
}

/**
 * Round a note's sounding length to a multiple of 10 ms (at least 10 ms). Note-offs move by at
 * most 5 ms (inaudible; onsets never move), and repeated notes share one cached rendering even
 * when the tempo drifts.
 */
export function quantiseLength(lengthSamples: number, sampleRate: number): number {
  const q = Math.max(1, Math.round(0.01 * sampleRate));
  return Math.max(q, Math.round(lengthSamples / q) * q);
}

/** Convert grid notes to sample placement (swing applied to starts and ends). */
export function placeNotes(plan: GenerationPlan, notes: readonly GridNote[]): PlacedNote[] {
  const out: PlacedNote[] = [];
  for (const n of notes) {
    const start = sampleAtBeat(plan, n.beat, !n.straight);
    const end = sampleAtBeat(plan, n.beat + n.lengthBeats, !n.straight);
    if (start >= plan.totalSamples || end <= start) continue;
    out.push({ startSample: start, lengthSamples: quantiseLength(end - start, plan.sampleRate), midi: n.midi, velocity: n.velocity, pan: n.pan ?? 0 });
  }
  return out;
}
