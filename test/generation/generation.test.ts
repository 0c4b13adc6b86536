import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../shared/audio/wav.js';
import { InvalidRequestError } from '../../shared/errors.js';
import {
  GENERATED_STEMS,
  STYLES,
  planGeneration,
  readPrompt,
  renderStem,
  sampleAtBeat,
  type GenerationParams,
} from '../../shared/generation/index.js';
import { parseHarte } from '../../shared/music/harte.js';
import { hzToMidi } from '../../shared/music/pitch.js';
import { detectOnsets, estimateF0, findClicks, monoOf, peakDb } from './audioChecks.js';

const base: GenerationParams = { durationSec: 4, bpm: 120, key: 'A:minor', chordProgression: 'Am F C G', style: 'rock', seed: 7, temperature: 0.5 };

/** Distance in ms from each detected onset to the nearest sixteenth of the plan's (swung) grid. */
function gridErrorsMs(params: GenerationParams): { errors: number[]; onsets: number } {
  const plan = planGeneration(params);
  const drums = renderStem(plan, 'drums');
  const onsets = detectOnsets(monoOf(drums), plan.sampleRate);
  const gridSamples: number[] = [];
  for (let q = 0; q < plan.grid.beatTimesSec.length * 4; q++) gridSamples.push(sampleAtBeat(plan, q / 4));
  const errors = onsets.map((s) => {
    let best = Infinity;
    for (const g of gridSamples) best = Math.min(best, Math.abs(g - s));
    return (best / plan.sampleRate) * 1000;
  });
  return { errors, onsets: onsets.length };
}

describe('planGeneration', () => {
  it('resolves chords in plain names to Harte, one per bar, cycling', () => {
    const plan = planGeneration({ ...base, durationSec: 16 });
    expect(plan.chords.slice(0, 5).map((c) => c.label)).toEqual(['A:min', 'F:maj', 'C:maj', 'G:maj', 'A:min']);
    expect(plan.chords[1].startSec).toBeCloseTo(2, 9);
    expect(plan.chords[1].endSec).toBeCloseTo(4, 9);
    for (const c of plan.chords) expect(() => parseHarte(c.label)).not.toThrow();
  });

  it('reads "|Am F|C G|" as two chords per bar', () => {
    const plan = planGeneration({ ...base, chordProgression: '|Am F|C G7|', durationSec: 8 });
    expect(plan.chords.slice(0, 4).map((c) => [c.label, c.endBeat - c.startBeat])).toEqual([['A:min', 2], ['F:maj', 2], ['C:maj', 2], ['G:7', 2]]);
  });

  it('derives a key and a progression when none is given, and infers the key from chords', () => {
    const plan = planGeneration({ durationSec: 8, style: 'jazz', seed: 3 });
    expect(plan.chords.length).toBeGreaterThan(0);
    expect(plan.chords.some((c) => /7/.test(c.label))).toBe(true); // jazz voices sevenths
    const inferred = planGeneration({ durationSec: 8, chordProgression: 'Em C G D' });
    expect(inferred.keyLabel).toBe('E:minor');
  });

  it('plays requested chords on a fitted grid when the fitted song has none', () => {
    const beats = Array.from({ length: 16 }, (_, i) => ({ timeSec: 0.2 + 0.6 * i, positionInBar: (i % 4) + 1 }));
    const fit = { durationSec: 9, tempo: { bpm: 100, confidence: 1 }, beatsPerBar: 4, beats, key: null, tuningHz: 440, chords: [], sections: [] };
    const plan = planGeneration({ durationSec: 9, fit, chordProgression: 'Dm G' });
    expect(plan.chords.slice(0, 3).map((c) => [c.label, c.startSec])).toEqual([['D:min', 0.2], ['G:maj', 0.2 + 2.4], ['D:min', 0.2 + 4.8]]);
    expect(plan.bpm).toBe(100);
  });

  it('reads style, mood, tempo and key from a prompt when style is absent', () => {
    const r = readPrompt('A sad, slow piano ballad at 70 bpm in D minor');
    expect(r).toMatchObject({ style: 'ballad', mood: 'sad', bpm: 70 });
    expect(r.key).toEqual({ tonic: 2, mode: 'minor' });
    const plan = planGeneration({ durationSec: 4, prompt: 'energetic EDM track' });
    expect(plan.style).toBe('electronic');
    expect(plan.mood).toBe('energetic');
    expect(planGeneration({ durationSec: 4, prompt: 'funky groove', style: 'jazz' }).style).toBe('jazz');
  });

  it('rejects bad parameters with InvalidRequestError naming the parameter and what is allowed', () => {
    const cases: Array<[Partial<GenerationParams>, RegExp]> = [
      [{ durationSec: -1 }, /durationSec.*-1/],
      [{ durationSec: 5000 }, /durationSec/],
      [{ bpm: 1000 }, /bpm.*20.*300.*1000/],
      [{ style: 'polka' }, /style.*rock.*polka/],
      [{ key: 'H minor' }, /key.*H minor/],
      [{ chordProgression: 'Am Fx C' }, /chordProgression.*Fx/],
      [{ temperature: 2 }, /temperature.*0.*1/],
      [{ seed: -3 }, /seed/],
      [{ seed: 1.5 }, /seed.*integer/],
      [{ sampleRate: 1234 }, /sampleRate/],
    ];
    for (const [patch, pattern] of cases) {
      const run = () => planGeneration({ ...base, ...patch } as GenerationParams);
      expect(run).toThrow(InvalidRequestError);
      expect(run).toThrow(pattern);
    }
    const plan = planGeneration({ ...base, durationSec: 1 });
    expect(() => renderStem(plan, 'kazoo' as never)).toThrow(/stem.*drums.*kazoo/);
  });
});

describe('renderStem', () => {
  it('makes every stem exactly round(duration × rate) samples, stereo, peaking below −1 dBFS', () => {
    const plan = planGeneration({ ...base, durationSec: 3.3337, sampleRate: 22050 });
    for (const stem of GENERATED_STEMS) {
      const audio = renderStem(plan, stem);
      expect(audio.channels).toHaveLength(2);
      expect(audio.channels[0].length).toBe(Math.round(3.3337 * 22050));
      expect(audio.channels[1].length).toBe(Math.round(3.3337 * 22050));
      expect(peakDb(audio)).toBeLessThan(-1);
      expect(peakDb(audio)).toBeGreaterThan(-10); // not silent
    }
  });

  it('gives byte-identical WAVs for the same seed and parameters, and different audio for another seed', () => {
    const p = { durationSec: 3, style: 'pop', seed: 11, sampleRate: 22050 };
    for (const stem of ['drums', 'guitar', 'vocals'] as const) {
      const a = encodeWav(renderStem(planGeneration(p), stem));
      const b = encodeWav(renderStem(planGeneration(p), stem));
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    }
    const x = encodeWav(renderStem(planGeneration(p), 'piano'));
    const y = encodeWav(renderStem(planGeneration({ ...p, seed: 12 }), 'piano'));
    expect(Buffer.from(x).equals(Buffer.from(y))).toBe(false);
  });

  it('puts every drum onset found in the audio on the sixteenth grid within 1 ms (straight and swung)', () => {
    for (const params of [
      { ...base, durationSec: 8, temperature: 0.8 },
      { ...base, durationSec: 8, style: 'hip-hop', bpm: 92, temperature: 0.6 },
      { ...base, durationSec: 8, style: 'funk', bpm: 101, temperature: 1 },
    ]) {
      const { errors, onsets } = gridErrorsMs(params);
      expect(onsets).toBeGreaterThan(8);
      expect(Math.max(...errors)).toBeLessThanOrEqual(1);
    }
  });

  it('temperature 0 is the plainest pattern; temperature 1 varies bar to bar (measured on the audio)', () => {
    /** Energy of the drums in the first 30 ms of every sixteenth, per bar; returns the mean bar-to-mean distance. */
    const variation = (temperature: number, seed = 7) => {
      const plan = planGeneration({ ...base, durationSec: 16, temperature, seed, sampleRate: 22050 });
      const x = monoOf(renderStem(plan, 'drums'));
      const win = Math.round(0.03 * plan.sampleRate);
      const bars: number[][] = [];
      for (let bar = 1; bar < 7; bar++) {
        const prof: number[] = [];
        for (let step = 0; step < 16; step++) {
          const s = sampleAtBeat(plan, bar * 4 + step / 4);
          let e = 0;
          for (let i = s; i < s + win; i++) e += x[i] * x[i];
          prof.push(Math.sqrt(e));
        }
        bars.push(prof);
      }
      const mean = bars[0].map((_, k) => bars.reduce((a, p) => a + p[k], 0) / bars.length);
      const norm = Math.hypot(...mean);
      return { v: bars.reduce((a, p) => a + Math.hypot(...p.map((e, k) => e - mean[k])), 0) / bars.length / norm, x };
    };
    const plain = variation(0);
    const wild = variation(1);
    expect(wild.v).toBeGreaterThan(2 * plain.v + 0.05);
    // At temperature 0 the seed does not change the drum pattern.
    expect(Buffer.from(variation(0, 8).x.buffer).equals(Buffer.from(plain.x.buffer))).toBe(true);
  });

  it('plays the chord roots in the bass, measured by autocorrelation pitch per bar', () => {
    const plan = planGeneration({ ...base, durationSec: 16, bpm: 100, temperature: 0, sampleRate: 22050, chordProgression: 'Am F C G Dm E' });
    const bass = monoOf(renderStem(plan, 'bass'));
    const sr = plan.sampleRate;
    let checked = 0;
    for (const chord of plan.chords) {
      if (chord.endSec > plan.durationSec) break;
      const from = Math.round((chord.startSec + 0.08) * sr);
      const to = Math.round((chord.endSec - 0.35) * sr);
      const f0 = estimateF0(bass.subarray(from, to), sr, 35, 130);
      expect(f0).toBeGreaterThan(0);
      const pc = ((Math.round(hzToMidi(f0, plan.tuningHz)) % 12) + 12) % 12;
      expect(pc, `${chord.label} at ${chord.startSec.toFixed(2)} s: f0 ${f0.toFixed(1)} Hz`).toBe(chord.root);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('plays the slash bass of inverted chords ("C/E" → E in the bass)', () => {
    const plan = planGeneration({ ...base, durationSec: 4, bpm: 100, temperature: 0, sampleRate: 22050, chordProgression: 'C/E', key: 'C:major' });
    expect(plan.chords[0].label).toBe('C:maj/3');
    const bass = monoOf(renderStem(plan, 'bass'));
    const f0 = estimateF0(bass.subarray(Math.round(0.1 * 22050), Math.round(2 * 22050)), 22050, 35, 130);
    expect(((Math.round(hzToMidi(f0)) % 12) + 12) % 12).toBe(4);
  });

  it('has no clicks at note boundaries in the pitched stems (and the detector does find a hard cut)', () => {
    const plan = planGeneration({ ...base, durationSec: 6, sampleRate: 22050, style: 'pop', temperature: 0.7 });
    for (const stem of ['bass', 'guitar', 'piano', 'synth', 'vocals', 'other'] as const) {
      const clicks = findClicks(monoOf(renderStem(plan, stem)), plan.sampleRate);
      expect(clicks, stem).toEqual([]);
    }
    const gated = new Float32Array(22050);
    for (let i = 0; i < 11000; i++) gated[i] = 0.5 * Math.sin((2 * Math.PI * 220 * i) / 22050);
    expect(findClicks(gated, 22050).length).toBeGreaterThan(0);
  });

  it('sounds different for every style (drum onsets or timbre)', () => {
    const signatures = new Set<string>();
    for (const style of STYLES) {
      const plan = planGeneration({ ...base, durationSec: 4, style, sampleRate: 22050, temperature: 0 });
      const drums = monoOf(renderStem(plan, 'drums'));
      const onsets = detectOnsets(drums, plan.sampleRate).map((s) => Math.round(s / 500));
      signatures.add(onsets.join(','));
    }
    expect(signatures.size).toBeGreaterThanOrEqual(STYLES.length - 1);
    const rock = encodeWav(renderStem(planGeneration({ ...base, durationSec: 2, style: 'rock' }), 'piano'));
    const jazz = encodeWav(renderStem(planGeneration({ ...base, durationSec: 2, style: 'jazz' }), 'piano'));
    expect(Buffer.from(rock).equals(Buffer.from(jazz))).toBe(false);
  });

  it('follows a fitted song: drums land on its drifting beat grid and chords follow its chord times', () => {
    const beats = [];
    let t = 0.37;
    for (let i = 0; i < 24; i++) {
      beats.push({ timeSec: t, positionInBar: (i % 4) + 1 });
      t += 0.5 + 0.004 * i; // slowing down
    }
    const fit = {
      durationSec: 12, tempo: { bpm: 110, confidence: 1 }, beatsPerBar: 4, beats, key: { tonic: 7, mode: 'major' as const, confidence: 1 },
      tuningHz: 446, sections: [],
      chords: [
        { startSec: beats[0].timeSec, endSec: beats[4].timeSec, label: 'G:maj', confidence: 1 },
        { startSec: beats[4].timeSec, endSec: beats[8].timeSec, label: 'E:min7', confidence: 1 },
        { startSec: beats[8].timeSec, endSec: beats[16].timeSec, label: 'C:maj', confidence: 1 },
      ],
    };
    const plan = planGeneration({ durationSec: 10, fit, style: 'rock', temperature: 0.3 });
    expect(plan.keyLabel).toBe('G:major');
    expect(plan.tuningHz).toBe(446);
    expect(plan.chords.map((c) => c.label)).toEqual(['G:maj', 'E:min7', 'C:maj']);
    const onsets = detectOnsets(monoOf(renderStem(plan, 'drums')), plan.sampleRate);
    const sr = plan.sampleRate;
    expect(onsets.length).toBeGreaterThan(8);
    for (const s of onsets) {
      // Nearest eighth between the fitted beats.
      let best = Infinity;
      for (let i = 0; i + 1 < beats.length; i++) {
        for (const f of [0, 0.25, 0.5, 0.75]) best = Math.min(best, Math.abs(s / sr - (beats[i].timeSec + f * (beats[i + 1].timeSec - beats[i].timeSec))));
      }
      expect(best * 1000).toBeLessThanOrEqual(1);
    }
    expect(onsets[0] / sr).toBeGreaterThanOrEqual(0.369);
  });
});
