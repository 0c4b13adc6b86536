/**
 * The "other" stem: a string ensemble (three detuned saws per note, low-passed, slow attack), a
 * drawbar organ (steady additive partials at 16', 8', 4', 2 2/3', 2' … with a rotary-speaker
 * tremolo) or a soft synth pad, holding the chords with voice leading.
 */
import { addPartials, addSaw, addToBus, applyRamps, createBus, designBiquad, filterBiquad, NoteCache, type Partial, type StereoBus } from '../dsp.js';
import { noteHz, placeNotes } from '../parts.js';
import type { GenerationPlan } from '../types.js';
import { composeHeldChords } from './chordParts.js';
import { applyTremolo } from './keys.js';
import { renderSynthVoice } from './synth.js';

const DRAWBARS: Partial[] = [
  { ratio: 0.5, amp: 0.45, decaySec: Infinity },
  { ratio: 1, amp: 1, decaySec: Infinity },
  { ratio: 2, amp: 0.6, decaySec: Infinity },
  { ratio: 3, amp: 0.35, decaySec: Infinity },
  { ratio: 4, amp: 0.3, decaySec: Infinity },
  { ratio: 6, amp: 0.1, decaySec: Infinity },
  { ratio: 8, amp: 0.08, decaySec: Infinity },
  { ratio: 4, amp: 0.25, decaySec: 0.06 }, // key click / percussion
];

function renderStringsVoice(hz: number, lengthSamples: number, sampleRate: number): Float32Array {
  const release = Math.round(0.5 * sampleRate);
  const out = new Float32Array(lengthSamples + release);
  addSaw(out, hz * 1.005, sampleRate, 0.25, 0.13);
  addSaw(out, hz, sampleRate, 0.25, 0.51);
  addSaw(out, hz / 1.0052, sampleRate, 0.25, 0.77);
  filterBiquad(out, designBiquad('lowpass', Math.min(3200, hz * 9), 0.6, sampleRate));
  const attack = Math.min(0.35, (lengthSamples / sampleRate) * 0.4);
  applyRamps(out, attack * sampleRate, release);
  return out;
}

function renderOrganVoice(hz: number, lengthSamples: number, sampleRate: number): Float32Array {
  const release = Math.round(0.04 * sampleRate);
  const out = new Float32Array(lengthSamples + release);
  addPartials(out, hz, DRAWBARS, sampleRate, 0.4);
  applyRamps(out, 0.005 * sampleRate, release);
  return out;
}

export function renderOther(plan: GenerationPlan): StereoBus {
  const bus = createBus(plan.totalSamples);
  const program = plan.programs.other;
  const notes = composeHeldChords(plan, 'other', program === 'organ'
    ? { low: 55, high: 72, maxNotes: 4, velocity: 0.6, bassFrom: 43 }
    : { low: 52, high: 74, maxNotes: 4, velocity: 0.6, bassFrom: program === 'strings' ? 40 : undefined });
  const cache = new NoteCache();
  for (const n of placeNotes(plan, notes)) {
    const hz = noteHz(plan, n.midi);
    const voice = cache.get(`${n.midi}|${n.lengthSamples}`, () =>
      program === 'organ' ? renderOrganVoice(hz, n.lengthSamples, plan.sampleRate)
        : program === 'strings' ? renderStringsVoice(hz, n.lengthSamples, plan.sampleRate)
          : renderSynthVoice('strings-pad', hz, n.lengthSamples, plan.sampleRate));
    const pan = program === 'strings' ? Math.max(-0.7, Math.min(0.7, (n.midi - 60) / 18)) : 0.3;
    addToBus(bus, voice, n.startSample, 0.3 * n.velocity, pan);
  }
  if (program === 'organ') applyTremolo(bus, plan.sampleRate, 6.2, 0.12);
  return bus;
}
