/**
 * Sustained chord parts shared by pads, strings and organ: one voicing per chord, held while the
 * chord lasts (consecutive bars of the same chord in a section are merged), with voice leading.
 */
import { leadVoicing, placePitch } from '../harmony.js';
import { chordsIn, forEachBar, type GridNote } from '../parts.js';
import type { GenerationPlan } from '../types.js';

export interface HeldChordOptions {
  low: number;
  high: number;
  maxNotes: number;
  /** Add the root an octave or two below the voicing, placed from this MIDI note. */
  bassFrom?: number;
  velocity: number;
  /** Retrigger every bar instead of merging equal chords. */
  perBar?: boolean;
}

export function composeHeldChords(plan: GenerationPlan, stem: string, o: HeldChordOptions): GridNote[] {
  const notes: GridNote[] = [];
  let centre: number | null = null;
  let open: { label: string; endBeat: number; notes: GridNote[] } | null = null;
  let lastSection = -1;
  forEachBar(plan, stem, (ctx) => {
    const sectionIndex = plan.sections.indexOf(ctx.section);
    if (sectionIndex !== lastSection) open = null;
    lastSection = sectionIndex;
    for (const seg of chordsIn(plan, ctx.startBeat, ctx.startBeat + ctx.beats)) {
      if (!o.perBar && open && open.label === seg.chord.label && Math.abs(open.endBeat - seg.startBeat) < 1e-6) {
        for (const n of open.notes) n.lengthBeats += seg.endBeat - seg.startBeat;
        open.endBeat = seg.endBeat;
        continue;
      }
      const v = leadVoicing({ label: seg.chord.label, root: seg.chord.root, intervals: seg.chord.intervals }, o.low, o.high, centre, o.maxNotes);
      centre = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
      const midis = o.bassFrom !== undefined ? [placePitch(seg.chord.root, o.bassFrom), ...v] : v;
      const vel = o.velocity * (0.8 + 0.25 * ctx.section.energy);
      const group = midis.map((m) => ({ beat: seg.startBeat, lengthBeats: seg.endBeat - seg.startBeat, midi: m, velocity: vel, straight: true }));
      notes.push(...group);
      open = { label: seg.chord.label, endBeat: seg.endBeat, notes: group };
    }
  });
  return notes;
}
