/**
 * Beat-phase check per stretch of steady phase. The dynamic-programming tracker may switch from
 * the beats to the off-beats (or back) at a section whose onsets favour the other phase — a
 * bridge or outro where the kick stops and an off-beat part remains — and then stay there,
 * because a second switch costs as much as the first. Such a switch shows in the tracked beats as
 * a drift of half a period within a few beats ({@link phaseJumps}). The stretches between
 * switches are put back on one grid, and the harmonic beat-phase check ({@link correctBeatPhase}:
 * chords change on beats, not half-way between them; Goto 2001, Papadopoulos & Peeters 2011)
 * then chooses the phase of that grid for the whole song.
 *
 * Units: seconds in and out. No switch → exactly {@link correctBeatPhase} on the tracked beats.
 */
import type { OnsetEnvelope } from './onset.js';
import { correctBeatPhase, shiftHalfBeat, type PhaseOptions } from './rhythm-phase.js';
import type { AnalysisSignal } from './signal.js';

export interface SegmentPhaseOptions extends PhaseOptions {
  /** Largest distance (beat periods) from a half-period offset between grids that marks a slide ({@link phaseJumps}). Default 0.15. */
  jumpTolerance?: number;
}

/**
 * Indices at which a new stretch starts after a half-period slide. The tracker's local tempo
 * curve lets it slide from one phase to the other over a few beats rather than in one interval,
 * so a slide is found by comparing two grids: the line (time against beat index) fitted to the
 * `fit` beats before beat i and the one fitted to the `fit` beats from i + `gap` on. Where the
 * second runs half a period off the first ({@link gridOffset} within `tolerance` of ½), the beats
 * slid; slides closer than 2·fit beats are one slide (the best-centred is kept), and the stretch
 * starts at the first beat from which the beats sit within ¼ period of the second grid. A tempo
 * drift or a wobble of a few beats moves neither line by half a period.
 */
export function phaseJumps(beatTimesSec: number[], tolerance = 0.15, fit = 8, gap = 4): number[] {
  const n = beatTimesSec.length;
  const found: { at: number; dev: number }[] = [];
  for (let i = fit; i + gap + fit <= n; i++) {
    const off = gridOffset(beatTimesSec, i - fit, i, i + gap, i + gap + fit, i + gap / 2);
    if (off === null) continue;
    const dev = Math.abs(Math.abs(off) - 0.5);
    if (dev < tolerance) found.push({ at: i + (gap >> 1), dev });
  }
  const starts: number[] = [];
  for (const f of found) {
    const last = starts.length - 1;
    if (last >= 0 && f.at - starts[last] < 2 * fit) {
      const prev = found.find((g) => g.at === starts[last])!;
      if (f.dev < prev.dev) starts[last] = f.at;
    } else starts.push(f.at);
  }
  // Move each start to the first beat on the new grid: forward over beats still off it, back
  // over beats already on it (the fit windows place the slide a few beats off), not past the
  // previous start.
  return starts.map((at, j) => {
    const q = fitLine(beatTimesSec, Math.min(n - 2, at + (gap >> 1)), Math.min(n, at + (gap >> 1) + fit));
    if (!(q.b > 0)) return at;
    const floor = j > 0 ? starts[j - 1] + 1 : 0;
    const onNewGrid = (k: number): boolean => {
      const x = (beatTimesSec[k] - (q.a + q.b * k)) / q.b;
      return Math.abs(x - Math.round(x)) < 0.25;
    };
    let k = at;
    while (k < at + (gap >> 1) && !onNewGrid(k)) k++;
    while (k - 1 >= floor && onNewGrid(k - 1)) k--;
    return k;
  });
}

/**
 * Offset (beat periods, −½..½) at beat index `at` of the grid fitted to beats [c, d) against the
 * one fitted to beats [a, b); null when a fit is degenerate or a window is no steady grid (a beat
 * more than 0.15 period off its line).
 */
export function gridOffset(t: number[], a: number, b: number, c: number, d: number, at: number): number | null {
  if (a < 0 || d > t.length || b - a < 2 || d - c < 2) return null;
  const p = fitLine(t, a, b);
  const q = fitLine(t, c, d);
  if (!(p.b > 0) || !(q.b > 0)) return null;
  // Each window must itself be a steady grid (no slide, missed or extra beat inside it).
  for (let k = a; k < b; k++) if (Math.abs(t[k] - (p.a + p.b * k)) > 0.15 * p.b) return null;
  for (let k = c; k < d; k++) if (Math.abs(t[k] - (q.a + q.b * k)) > 0.15 * q.b) return null;
  const period = 0.5 * (p.b + q.b);
  const x = (q.a + q.b * at - (p.a + p.b * at)) / period;
  return x - Math.round(x);
}

/** Least-squares line time = a + b·index through beats [lo, hi). */
function fitLine(t: number[], lo: number, hi: number): { a: number; b: number } {
  const m = hi - lo;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let k = lo; k < hi; k++) {
    sx += k;
    sy += t[k];
    sxx += k * k;
    sxy += k * t[k];
  }
  const den = m * sxx - sx * sx;
  const b = den > 0 ? (m * sxy - sx * sy) / den : 0;
  return { a: (sy - b * sx) / m, b };
}

/**
 * Put every stretch on the grid of the first one (every other stretch, each having slid half a
 * period off its predecessor, is moved by half a period: {@link shiftHalfBeat}),
 * then check the beat phase of the whole song once by harmonic change ({@link correctBeatPhase}).
 * A song's beat grid does not move by half a beat, so the stretches must agree; the harmonic
 * evidence of all of them then decides the phase. Beats closer than half the median interval to
 * the previous one (where two stretches meet) are dropped. Returns the beats and whether any moved.
 */
export function correctBeatPhaseBySegment(signal: AnalysisSignal, onset: OnsetEnvelope, beatTimesSec: number[], options: SegmentPhaseOptions = {}): { beats: number[]; shifted: boolean } {
  const n = beatTimesSec.length;
  const starts = phaseJumps(beatTimesSec, options.jumpTolerance ?? 0.15);
  const bounds = [0, ...starts, n];
  let aligned: number[] = [];
  let moved = false;
  let parity = 0;
  for (let s = 0; s + 1 < bounds.length; s++) {
    const seg = beatTimesSec.slice(bounds[s], bounds[s + 1]);
    if (s > 0) parity ^= 1;
    if (parity === 1 && seg.length >= 2) {
      aligned.push(...shiftHalfBeat(seg, signal.durationSec));
      moved = true;
    } else aligned.push(...seg);
  }
  if (moved) {
    aligned.sort((a, b) => a - b);
    const ibi: number[] = [];
    for (let i = 1; i < n; i++) ibi.push(beatTimesSec[i] - beatTimesSec[i - 1]);
    const med = ibi.sort((a, b) => a - b)[ibi.length >> 1] ?? 0;
    const kept: number[] = [];
    for (const t of aligned) if (kept.length === 0 || t - kept[kept.length - 1] >= 0.5 * med) kept.push(t);
    aligned = kept;
  } else aligned = beatTimesSec;
  const r = correctBeatPhase(signal, onset, aligned, options);
  return { beats: r.beats, shifted: moved || r.shifted };
}
