import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { noteFMeasure } from '../../bench/metrics/transcription.js';
import { composeBassNotes, planGeneration, renderStem } from '../../shared/generation/index.js';
import { composeSynthNotes } from '../../shared/generation/instruments/synth.js';
import { placeNotes, type GridNote } from '../../shared/generation/parts.js';
import type { GenerationPlan } from '../../shared/generation/types.js';
import { JAMS_VERSION, validateJams } from '../../shared/jams/index.js';
import { notesToJamsAnnotation, transcribeNotes, type NoteEvent } from '../../shared/transcription/index.js';

/** A melody of harmonic tones (4 partials, 0.6^k roll-off, exponential decay) with known notes. */
function renderMelody(sampleRate: number, channels: number) {
  const melody: Array<[number, number, number]> = [
    [0, 0.45, 60], [0.5, 0.95, 64], [1, 1.45, 67], [1.5, 2.2, 72], [2.25, 2.7, 71], [2.75, 3.2, 67], [3.25, 3.6, 62], [3.75, 4.6, 55],
  ];
  const x = new Float32Array(Math.round(5 * sampleRate));
  for (const [s, e, m] of melody) {
    const f = 440 * 2 ** ((m - 69) / 12);
    const s0 = Math.round(s * sampleRate);
    const n = Math.round((e - s) * sampleRate);
    for (let i = 0; i < n; i++) {
      const t = i / sampleRate;
      let v = 0;
      for (let h = 1; h <= 4; h++) v += 0.6 ** (h - 1) * Math.sin(2 * Math.PI * f * h * t);
      const env = Math.min(1, i / (0.005 * sampleRate)) * Math.exp(-2.5 * t) * Math.min(1, (n - i) / (0.01 * sampleRate));
      x[s0 + i] += 0.3 * v * env;
    }
  }
  const truth = melody.map(([startSec, endSec, midi]) => ({ startSec, endSec, midi }));
  return { audio: { sampleRate, channels: Array.from({ length: channels }, () => x) }, truth };
}

function truthOf(plan: GenerationPlan, notes: GridNote[]) {
  return placeNotes(plan, notes).map((n) => ({
    startSec: n.startSample / plan.sampleRate,
    endSec: (n.startSample + n.lengthSamples) / plan.sampleRate,
    midi: n.midi,
  }));
}

describe('transcribeNotes (Basic Pitch, tfjs wasm)', () => {
  let melodyNotes: NoteEvent[] = [];

  it('transcribes a synthetic melody of harmonic tones (48 kHz stereo in) with note F ≥ 0.7, fetching nothing', async () => {
    const { audio, truth } = renderMelody(48000, 2);
    const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    const globalFetch = vi.spyOn(globalThis, 'fetch');
    const tfFetch = vi.spyOn(tf.env().platform, 'fetch');
    try {
      melodyNotes = await transcribeNotes(audio);
      expect(tf.getBackend()).toBe('wasm');
      expect(globalFetch).not.toHaveBeenCalled();
      expect(tfFetch).not.toHaveBeenCalled();
    } finally {
      globalFetch.mockRestore();
      tfFetch.mockRestore();
    }
    const f = noteFMeasure(truth, melodyNotes);
    expect(f.fMeasure).toBeGreaterThanOrEqual(0.7);
    for (const n of melodyNotes) {
      expect(n.endSec).toBeGreaterThan(n.startSec);
      expect(n.velocity).toBeGreaterThanOrEqual(1);
      expect(n.velocity).toBeLessThanOrEqual(127);
      expect(n.confidence).toBeGreaterThanOrEqual(0);
      expect(n.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('its notes make a valid JAMS note_midi annotation', () => {
    expect(melodyNotes.length).toBeGreaterThan(0);
    const ann = notesToJamsAnnotation(melodyNotes, { durationSec: 5, stem: 'other' });
    const doc = { file_metadata: { duration: 5, jams_version: JAMS_VERSION }, annotations: [ann], sandbox: {} };
    expect(validateJams(doc).errors).toEqual([]);
  });

  it("transcribes the generator's bass line and synth melody with note F ≥ 0.7 (exact truth from the plan)", async () => {
    const rock = planGeneration({ durationSec: 8, style: 'rock', seed: 2 });
    const bass = await transcribeNotes(renderStem(rock, 'bass'), { suppressHarmonics: true });
    const fBass = noteFMeasure(truthOf(rock, composeBassNotes(rock)), bass).fMeasure;
    const funk = planGeneration({ durationSec: 8, style: 'funk', seed: 1 });
    expect(funk.programs.synth).toBe('lead');
    const lead = await transcribeNotes(renderStem(funk, 'synth'), { suppressHarmonics: true });
    const fLead = noteFMeasure(truthOf(funk, composeSynthNotes(funk)), lead).fMeasure;
    expect(fBass).toBeGreaterThanOrEqual(0.7);
    expect(fLead).toBeGreaterThanOrEqual(0.7);
  });

  it('silence → no notes; empty audio → no notes', async () => {
    expect(await transcribeNotes({ sampleRate: 44100, channels: [new Float32Array(3 * 44100), new Float32Array(3 * 44100)] })).toEqual([]);
    expect(await transcribeNotes({ sampleRate: 44100, channels: [new Float32Array(0)] })).toEqual([]);
  });

  it('rejects a non-positive sample rate with the value', async () => {
    await expect(transcribeNotes({ sampleRate: 0, channels: [new Float32Array(10)] })).rejects.toThrow(/got 0/);
  });
});
