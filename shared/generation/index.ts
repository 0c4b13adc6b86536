/**
 * Procedural stem generation (stemflow's mock mode, made musical): plan a request, then render
 * any of seven stems on the exact beat grid. Pure: no I/O. Deterministic for a given seed.
 *
 *   const plan = planGeneration({ durationSec: 10, bpm: 120, key: 'A:minor', chordProgression: 'Am F C G', style: 'rock', seed: 7 });
 *   const drums = renderStem(plan, 'drums');
 */
import { InvalidRequestError } from '../errors.js';
import type { AudioBuffer } from '../audio/types.js';
import { addRoom, peakOf, type StereoBus } from './dsp.js';
import { renderBass } from './instruments/bass.js';
import { renderDrums } from './instruments/drums.js';
import { renderGuitar } from './instruments/guitar.js';
import { renderKeys } from './instruments/keys.js';
import { renderOther } from './instruments/other.js';
import { renderSynth } from './instruments/synth.js';
import { renderVocals } from './instruments/vocals.js';
import { GENERATED_STEMS, type GeneratedStem, type GenerationPlan } from './types.js';

export { GENERATED_STEMS, type GeneratedStem, type GenerationParams, type GenerationPlan, type PlannedChord, type PlannedSection } from './types.js';
export { STYLES, MOODS, STYLE_PROFILES, type Style, type Mood, type InstrumentPrograms } from './styles.js';
export { planGeneration, readPrompt, parseProgressionBars, normaliseStyle, MAX_DURATION_SEC } from './plan.js';
export { timeAtBeat, beatAtTime, type BeatGrid } from './grid.js';
export { sampleAtBeat, swingBeat } from './parts.js';
export { composeDrumHits, drumHitSamples, type DrumHit } from './instruments/drums.js';
export { composeBassNotes } from './instruments/bass.js';

/** Peak of every rendered stem: −3 dBFS (well below the −1 dBFS ceiling). */
export const STEM_PEAK = Math.pow(10, -3 / 20);

const RENDERERS: Record<GeneratedStem, (plan: GenerationPlan) => StereoBus> = {
  drums: renderDrums,
  bass: renderBass,
  guitar: renderGuitar,
  piano: renderKeys,
  synth: renderSynth,
  vocals: renderVocals,
  other: renderOther,
};

const ROOM_SEND: Record<GeneratedStem, number> = { drums: 0.35, bass: 0, guitar: 0.8, piano: 1, synth: 1, vocals: 1.2, other: 1 };

/** Check a stem name; throws InvalidRequestError naming the allowed stems. */
export function assertStem(stem: string): asserts stem is GeneratedStem {
  if (!(GENERATED_STEMS as readonly string[]).includes(stem)) {
    throw new InvalidRequestError(`stem: must be one of ${GENERATED_STEMS.join(', ')}; got ${JSON.stringify(stem)}`);
  }
}

/**
 * Render one stem at its natural level (before normalisation), with the style's room.
 * Used by renderStem and by the song renderer, which balances levels itself.
 */
export function renderStemBus(plan: GenerationPlan, stem: GeneratedStem, options: { room?: boolean } = {}): StereoBus {
  assertStem(stem);
  const bus = RENDERERS[stem](plan);
  if (options.room !== false) addRoom(bus, plan.sampleRate, roomSend(plan, stem), 1.3);
  return bus;
}

/** Reverb send of a stem in a plan (0 = dry). */
export function roomSend(plan: GenerationPlan, stem: GeneratedStem): number {
  return plan.room * ROOM_SEND[stem] * 0.35;
}

/**
 * Render one stem of a plan as stereo audio: exactly plan.totalSamples long, peak-normalised to
 * −3 dBFS (silence stays silent, e.g. a stem with no chords to play).
 */
export function renderStem(plan: GenerationPlan, stem: GeneratedStem): AudioBuffer {
  const bus = renderStemBus(plan, stem);
  const peak = peakOf([bus.left, bus.right]);
  if (peak > 0) {
    const g = STEM_PEAK / peak;
    for (const ch of [bus.left, bus.right]) for (let i = 0; i < ch.length; i++) ch[i] *= g;
  }
  return { sampleRate: plan.sampleRate, channels: [bus.left, bus.right] };
}
