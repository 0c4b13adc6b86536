/**
 * Turn a generation request into a resolved plan: validated parameters, the beat grid, the chord
 * timeline (in beats and seconds), one section and the instrument programs of the style.
 * Invalid input throws InvalidRequestError naming the parameter, the offending value and what is
 * allowed.
 */
import { InvalidRequestError } from '../errors.js';
import { formatKey, parseKey, type Key } from '../music/key.js';
import { splitProgression } from '../music/harte.js';
import type { MusicDescription } from '../contracts/music.js';
import { beatAtTime, gridFromBeats, makeConstantGrid, timeAtBeat, type BeatGrid } from './grid.js';
import { chordTonesOf, inferKey, pickProgression, realiseProgression, type ChordTones } from './harmony.js';
import { createRng, deriveSeed } from './rng.js';
import { MOOD_WORDS, STYLE_PROFILES, STYLES, STYLE_WORDS, type Mood, type Style } from './styles.js';
import { GENERATED_STEMS, type GeneratedStem, type GenerationParams, type GenerationPlan, type PlannedChord, type PlannedSection } from './types.js';

export const MAX_DURATION_SEC = 900;

function fail(param: string, message: string): never {
  throw new InvalidRequestError(`${param}: ${message}`);
}

function checkNumber(param: string, v: unknown, min: number, max: number, integer = false): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(param, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Normalise a style name ("Hip Hop", "hiphop", "EDM") to one of STYLES, or undefined. */
export function normaliseStyle(text: string): Style | undefined {
  const t = text.trim().toLowerCase().replace(/[\s_]+/g, '-');
  if ((STYLES as readonly string[]).includes(t)) return t as Style;
  if (t === 'hiphop' || t === 'rap') return 'hip-hop';
  if (t === 'edm' || t === 'dance' || t === 'house' || t === 'techno') return 'electronic';
  return undefined;
}

function containsWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z])${escaped}([^a-z]|$)`).test(text);
}

/** What a prompt says: style, mood, tempo and key words. */
export interface PromptReading {
  style?: Style;
  mood: Mood;
  bpm?: number;
  key?: Key;
}

/** Read style, mood, "120 bpm" and "in A minor" from free text. Unknown text gives a neutral reading. */
export function readPrompt(prompt: string | undefined): PromptReading {
  if (!prompt) return { mood: 'neutral' };
  const text = prompt.toLowerCase();
  let style: Style | undefined;
  for (const [s, words] of STYLE_WORDS) {
    if (words.some((w) => containsWord(text, w))) {
      style = s;
      break;
    }
  }
  let mood: Mood = 'neutral';
  for (const [m, words] of MOOD_WORDS) {
    if (words.some((w) => containsWord(text, w))) {
      mood = m;
      break;
    }
  }
  const bpmMatch = /(\d{2,3}(?:\.\d+)?)\s*bpm/.exec(text);
  const bpm = bpmMatch ? Number(bpmMatch[1]) : undefined;
  let key: Key | undefined;
  const keyMatch = /\bin\s+([a-g](?:#|b|-sharp|-flat| sharp| flat)?)\s*(major|minor)\b/.exec(text);
  if (keyMatch) {
    const note = keyMatch[1].replace(/[- ]sharp/, '#').replace(/[- ]flat/, 'b');
    try {
      key = parseKey(`${note[0].toUpperCase()}${note.slice(1)} ${keyMatch[2]}`);
    } catch {
      key = undefined;
    }
  }
  return { style, mood, bpm: bpm !== undefined && bpm >= 20 && bpm <= 300 ? bpm : undefined, key };
}

/**
 * Parse a progression into bars of Harte labels. Without "|" every chord is one bar; with bar
 * lines each "|…|" group is one bar. Throws InvalidRequestError naming `param` and the bad chord.
 */
export function parseProgressionBars(text: string, param = 'chordProgression'): ChordTones[][] {
  // Protect commas inside Harte degree lists ("C:(1,3,5,b7)") from the splitter.
  const protect = (t: string) => t.replace(/\([^)]*\)/g, (m) => m.replace(/,/g, '\u0000'));
  const restore = (t: string) => t.replace(/\u0000/g, ',');
  const split = (t: string) => splitProgression(protect(t)).map(restore);
  const groups = text.includes('|') ? text.split('|').map((g) => g.trim()).filter((g) => g.length > 0) : split(text);
  const bars: ChordTones[][] = [];
  for (const g of groups) {
    const names = text.includes('|') ? split(g) : [g];
    const bar: ChordTones[] = [];
    for (const name of names) {
      try {
        bar.push(chordTonesOf(name));
      } catch (err) {
        fail(param, `${err instanceof Error ? err.message : String(err)} (use Harte labels like "A:min7" or names like "Am7 F C G7"; "|Am F|" puts two chords in one bar)`);
      }
    }
    if (bar.length > 0) bars.push(bar);
  }
  if (bars.length === 0) fail(param, `no chords in ${JSON.stringify(text)}`);
  return bars;
}

/** All stems on. */
export function allStemsActive(): Record<GeneratedStem, boolean> {
  return Object.fromEntries(GENERATED_STEMS.map((s) => [s, true])) as Record<GeneratedStem, boolean>;
}

/** Number of bars whose downbeat lies before `durationSec`. */
export function countBars(grid: BeatGrid, durationSec: number): number {
  let n = 0;
  for (let k = 0; k < grid.barStartBeats.length; k++) if (grid.beatTimesSec[grid.barStartBeats[k]] < durationSec) n = k + 1;
  return n;
}

/** Lay bars of chords onto the grid from bar `fromBar` for `barCount` bars, cycling. */
export function layChords(grid: BeatGrid, bars: readonly ChordTones[][], fromBar: number, barCount: number): PlannedChord[] {
  const out: PlannedChord[] = [];
  for (let k = 0; k < barCount; k++) {
    const barIndex = fromBar + k;
    if (barIndex >= grid.barStartBeats.length) break;
    const start = grid.barStartBeats[barIndex];
    const len = barIndex + 1 < grid.barStartBeats.length ? grid.barStartBeats[barIndex + 1] - start : grid.beatsPerBar;
    const bar = bars[k % bars.length];
    bar.forEach((c, j) => {
      if (c.root === null) return;
      const sb = start + (j * len) / bar.length;
      const eb = start + ((j + 1) * len) / bar.length;
      out.push({ startBeat: sb, endBeat: eb, startSec: timeAtBeat(grid, sb), endSec: timeAtBeat(grid, eb), label: c.label, root: c.root, intervals: c.intervals, bassInterval: c.bassInterval ?? 0 });
    });
  }
  return out;
}

function chordsFromDescription(grid: BeatGrid, desc: MusicDescription): PlannedChord[] {
  const out: PlannedChord[] = [];
  for (const c of desc.chords) {
    let tones: ChordTones;
    try {
      tones = chordTonesOf(c.label);
    } catch {
      continue;
    }
    if (tones.root === null) continue;
    const sb = Math.round(beatAtTime(grid, c.startSec));
    const eb = Math.round(beatAtTime(grid, c.endSec));
    if (eb <= sb) continue;
    out.push({ startBeat: sb, endBeat: eb, startSec: timeAtBeat(grid, sb), endSec: timeAtBeat(grid, eb), label: tones.label, root: tones.root, intervals: tones.intervals, bassInterval: tones.bassInterval ?? 0 });
  }
  return out;
}

/**
 * Validate and resolve a request. Throws InvalidRequestError naming the parameter (durationSec,
 * bpm, key, chordProgression, style, temperature, seed, sampleRate, tuningHz, beatsPerBar, fit).
 */
export function planGeneration(params: GenerationParams): GenerationPlan {
  if (params === null || typeof params !== 'object') fail('params', 'expected an object');
  const durationSec = checkNumber('durationSec', params.durationSec, 0.001, MAX_DURATION_SEC);
  if (durationSec === undefined) fail('durationSec', `is required (seconds, up to ${MAX_DURATION_SEC})`);
  const sampleRate = checkNumber('sampleRate', params.sampleRate, 8000, 192000, true) ?? 44100;
  const bpmParam = checkNumber('bpm', params.bpm, 20, 300);
  const temperature = checkNumber('temperature', params.temperature, 0, 1) ?? 0.3;
  const seed = checkNumber('seed', params.seed, 0, 4294967295, true) ?? 0;
  const tuningParam = checkNumber('tuningHz', params.tuningHz, 400, 480);
  const meterParam = checkNumber('beatsPerBar', params.beatsPerBar, 2, 7, true);
  if (params.prompt !== undefined && (typeof params.prompt !== 'string' || params.prompt.length > 2000)) {
    fail('prompt', 'must be text of at most 2000 characters');
  }
  const reading = readPrompt(params.prompt);

  let style: Style;
  if (params.style !== undefined && params.style !== null && params.style !== '') {
    const s = typeof params.style === 'string' ? normaliseStyle(params.style) : undefined;
    if (!s) fail('style', `must be one of ${STYLES.join(', ')}; got ${JSON.stringify(params.style)}`);
    style = s;
  } else {
    style = reading.style ?? 'pop';
  }
  const profile = STYLE_PROFILES[style];
  const mood = reading.mood;
  const rng = createRng(seed, 'plan');

  let keyParam: Key | undefined;
  if (params.key !== undefined && params.key !== null && params.key !== '') {
    try {
      keyParam = parseKey(String(params.key));
    } catch {
      fail('key', `not a key: ${JSON.stringify(params.key)} (expected a tonic A–G with optional #/b and major/minor, e.g. "A:minor", "C major", "F#m")`);
    }
  }
  let bars: ChordTones[][] | undefined;
  if (params.chordProgression !== undefined && params.chordProgression !== null && params.chordProgression.trim() !== '') {
    bars = parseProgressionBars(params.chordProgression);
  }

  const fit = params.fit;
  let grid: BeatGrid;
  let bpm: number;
  let beatsPerBar: number;
  let tuningHz = tuningParam ?? 440;
  let key: Key;
  let chords: PlannedChord[];
  let progression: string[][];
  if (fit) {
    if (typeof fit !== 'object' || !Array.isArray(fit.beats)) fail('fit', 'must be a MusicDescription with beats');
    beatsPerBar = fit.beatsPerBar && fit.beatsPerBar >= 2 && fit.beatsPerBar <= 12 ? Math.round(fit.beatsPerBar) : meterParam ?? 4;
    if (fit.beats.length >= 2) {
      const hasDownbeats = fit.beats.some((b) => b.positionInBar === 1);
      const beats = hasDownbeats ? fit.beats : fit.beats.map((b, i) => ({ ...b, positionInBar: (i % beatsPerBar) + 1 }));
      grid = gridFromBeats(beats, beatsPerBar, durationSec);
      const span = grid.beatTimesSec[1] - grid.beatTimesSec[0];
      bpm = fit.tempo?.bpm ?? 60 / span;
    } else {
      bpm = fit.tempo?.bpm ?? bpmParam ?? profile.defaultBpm;
      grid = makeConstantGrid(bpm, beatsPerBar, durationSec);
    }
    if (Number.isFinite(fit.tuningHz) && fit.tuningHz >= 400 && fit.tuningHz <= 480) tuningHz = fit.tuningHz;
    chords = chordsFromDescription(grid, fit);
    const tones = chords.map((c) => chordTonesOf(c.label));
    key = fit.key ? { tonic: fit.key.tonic, mode: fit.key.mode } : tones.length > 0 ? inferKey(tones) : keyParam ?? { tonic: 0, mode: 'major' };
    if (chords.length === 0 && bars) {
      // The song has no chords: play the requested progression on its grid.
      chords = layChords(grid, bars, 0, countBars(grid, durationSec) + 1);
      progression = bars.map((bar) => bar.map((c) => c.label));
      if (!fit.key) key = keyParam ?? inferKey(bars.flat());
    } else if (chords.length === 0) {
      const degrees = pickProgression(rng, style, key.mode);
      const derived = realiseProgression(rng, key, degrees, profile.chordFlavor).map((l) => [chordTonesOf(l)]);
      chords = layChords(grid, derived, 0, countBars(grid, durationSec) + 1);
      progression = derived.map((b) => b.map((c) => c.label));
    } else {
      progression = [chords.map((c) => c.label)];
    }
  } else {
    beatsPerBar = meterParam ?? 4;
    let b = bpmParam ?? reading.bpm;
    if (b === undefined) {
      b = profile.defaultBpm;
      if (mood === 'calm' || mood === 'sad') b *= 0.88;
      if (mood === 'energetic') b *= 1.1;
      b = Math.round(b);
    }
    bpm = b;
    grid = makeConstantGrid(bpm, beatsPerBar, durationSec);
    if (bars) {
      key = keyParam ?? reading.key ?? inferKey(bars.flat());
    } else {
      key = keyParam ?? reading.key ?? defaultKey(rng, style, mood);
      const degrees = pickProgression(rng, style, key.mode);
      bars = realiseProgression(rng, key, degrees, profile.chordFlavor).map((l) => [chordTonesOf(l)]);
    }
    progression = bars.map((bar) => bar.map((c) => c.label));
    chords = layChords(grid, bars, 0, countBars(grid, durationSec) + 1);
  }

  const barCount = countBars(grid, durationSec);
  const energy = mood === 'calm' || mood === 'sad' ? 0.45 : mood === 'energetic' ? 0.9 : 0.7;
  const sections: PlannedSection[] = [
    { label: 'verse', letter: 'A', startBar: 0, endBar: Math.max(barCount, 1), energy, active: allStemsActive(), materialSeed: deriveSeed(seed, 'section', 'A') },
  ];
  return {
    durationSec,
    sampleRate,
    totalSamples: Math.round(durationSec * sampleRate),
    bpm,
    beatsPerBar,
    key,
    keyLabel: formatKey(key),
    tuningHz,
    style,
    mood,
    temperature,
    seed,
    grid,
    barCount,
    chords,
    sections,
    progression,
    programs: { ...profile.programs },
    swing8: profile.swing8,
    swing16: profile.swing16,
    room: profile.room,
    fitted: Boolean(fit),
  };
}

const MAJOR_KEYS = [0, 7, 2, 9, 4, 5, 10, 3]; // C G D A E F Bb Eb
const MINOR_KEYS = [9, 4, 2, 7, 0, 5, 11]; // Am Em Dm Gm Cm Fm Bm

function defaultKey(rng: ReturnType<typeof createRng>, style: Style, mood: Mood): Key {
  const profile = STYLE_PROFILES[style];
  let minor = rng.chance(profile.minorProbability);
  if (mood === 'sad' || mood === 'dark') minor = true;
  if (mood === 'happy') minor = false;
  return minor ? { tonic: rng.pick(MINOR_KEYS), mode: 'minor' } : { tonic: rng.pick(MAJOR_KEYS), mode: 'major' };
}
