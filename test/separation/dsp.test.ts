import { signalToDistortionRatio } from '../../bench/metrics/separation.js';
import { describe, expect, it } from 'vitest';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { BadInputError } from '../../shared/errors.js';
import { computeChunkMasks, createDspSeparator, DSP_STEMS, separateByMasks } from '../../shared/separation/dsp.js';
import { stftPair } from '../../shared/separation/pairStft.js';
import { renderSyntheticMix, seededRandom } from './fixtures.js';

function noiseBuffer(sampleRate: number, length: number, channels: number, seed: number): AudioBuffer {
  const r = seededRandom(seed);
  return { sampleRate, channels: Array.from({ length: channels }, () => Float32Array.from({ length }, () => 0.5 * (2 * r() - 1))) };
}

function maxSumError(mix: AudioBuffer, stems: Record<string, AudioBuffer>): number {
  let worst = 0;
  mix.channels.forEach((m, c) => {
    for (let i = 0; i < m.length; i++) {
      let s = 0;
      for (const stem of DSP_STEMS) s += stems[stem].channels[c][i];
      worst = Math.max(worst, Math.abs(s - m[i]));
    }
  });
  return worst;
}

/** SDR in dB with the benchmark's own definition (bench/metrics/separation.ts). */
const sdr = (reference: AudioBuffer, estimate: AudioBuffer): number => signalToDistortionRatio(reference.channels, estimate.channels);

describe('dsp-masks separator: shape and sum', () => {
  it('is a Separator with id dsp-masks and the four core stems', () => {
    const sep = createDspSeparator();
    expect(sep.id).toBe('dsp-masks');
    expect([...sep.stemNames]).toEqual(['vocals', 'drums', 'bass', 'other']);
  });

  const cases: Array<[string, number, number, number]> = [
    ['stereo 44.1 kHz, odd length', 44100, 22051, 2],
    ['mono 44.1 kHz', 44100, 15000, 1],
    ['stereo 8 kHz', 8000, 8001, 2],
    ['stereo 96 kHz', 96000, 48000, 2],
    ['0.5 s clip', 44100, 22050, 2],
    ['three channels', 22050, 5000, 3],
    ['one sample', 44100, 1, 2],
  ];
  for (const [name, sampleRate, length, channels] of cases) {
    it(`keeps rate, length and channels and sums to the mix (${name})`, async () => {
      const mix = noiseBuffer(sampleRate, length, channels, length);
      const stems = await createDspSeparator().separate(mix);
      expect(Object.keys(stems).sort()).toEqual([...DSP_STEMS].sort());
      for (const stem of DSP_STEMS) {
        expect(stems[stem].sampleRate).toBe(sampleRate);
        expect(stems[stem].channels.length).toBe(channels);
        for (const ch of stems[stem].channels) expect(ch.length).toBe(length);
      }
      expect(maxSumError(mix, stems)).toBeLessThan(1e-4);
    });
  }

  it('sums to the mix on random signals of random shapes, across chunk boundaries (property)', async () => {
    const r = seededRandom(99);
    for (let trial = 0; trial < 6; trial++) {
      const sampleRate = [8000, 16000, 22050, 44100][Math.floor(r() * 4)];
      const length = 1 + Math.floor(r() * sampleRate * 1.5);
      const channels = 1 + Math.floor(r() * 2);
      const mix = noiseBuffer(sampleRate, length, channels, 1000 + trial);
      // Sparse bursts and a loud DC step make the masks uneven.
      for (const ch of mix.channels) for (let i = 0; i < length; i += 997) ch[i] *= 4;
      const stems = await separateByMasks(mix, { chunkSec: 0.3 + r() });
      expect(maxSumError(mix, stems)).toBeLessThan(1e-4);
    }
  });

  it('gives empty stems for an empty input and silent stems for silence', async () => {
    const empty = await separateByMasks({ sampleRate: 44100, channels: [new Float32Array(0), new Float32Array(0)] });
    for (const stem of DSP_STEMS) expect(empty[stem].channels.map((c) => c.length)).toEqual([0, 0]);
    const silence = await separateByMasks({ sampleRate: 44100, channels: [new Float32Array(20000), new Float32Array(20000)] });
    for (const stem of DSP_STEMS) for (const ch of silence[stem].channels) expect(ch.every((x) => x === 0)).toBe(true);
  });

  it('rejects non-finite samples and a bad sample rate with BadInputError naming the value', async () => {
    const mix = noiseBuffer(44100, 1000, 2, 5);
    mix.channels[1][17] = Number.NaN;
    await expect(separateByMasks(mix)).rejects.toThrow(/sample 17 of channel 1 is NaN/);
    await expect(separateByMasks({ sampleRate: 0, channels: [new Float32Array(10)] })).rejects.toBeInstanceOf(BadInputError);
  });

  it('produces the same stems chunked as in one shot (within −60 dB)', async () => {
    const { mix } = renderSyntheticMix({ durationSec: 3, seed: 4 });
    const oneShot = await separateByMasks(mix, { chunkSec: 100 });
    const chunked = await separateByMasks(mix, { chunkSec: 0.7 });
    for (const stem of DSP_STEMS) expect(sdr(oneShot[stem], chunked[stem])).toBeGreaterThan(60);
  });

  it('reports progress from 0 up to 1, never decreasing', async () => {
    const seen: number[] = [];
    await createDspSeparator({ chunkSec: 0.5 }).separate(noiseBuffer(22050, 40000, 2, 8), { onProgress: (f) => seen.push(f) });
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  });

  it('stops with the abort reason when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(separateByMasks(noiseBuffer(22050, 20000, 2, 9), {}, { signal: controller.signal })).rejects.toThrow('stop now');
  });
});

describe('dsp-masks separator: masks', () => {
  it('gives masks in [0, 1] that sum to one in every bin (random stereo and mono input)', () => {
    for (const stereo of [true, false]) {
      const mix = noiseBuffer(22050, 11025, 2, stereo ? 21 : 22);
      // Make part of it centred and part silent, so every branch of the mask model is used.
      for (let i = 0; i < 3000; i++) mix.channels[1][i] = mix.channels[0][i];
      mix.channels[0].fill(0, 6000, 8000);
      mix.channels[1].fill(0, 6000, 8000);
      const [l, r] = stftPair(mix.channels[0], mix.channels[1], { nFft: 512, hopLength: 128 });
      for (const wiener of [0, 2]) {
        const masks = computeChunkMasks(l, stereo ? r : null, 22050, { wiener: { iterations: wiener } });
        let lowest = Infinity, highest = -Infinity, worstSum = 0;
        for (let i = 0; i < masks.vocals.length; i++) {
          const values = [masks.vocals[i], masks.drums[i], masks.bass[i], masks.other[i]];
          for (const v of values) {
            lowest = Math.min(lowest, v);
            highest = Math.max(highest, v);
          }
          worstSum = Math.max(worstSum, Math.abs(values[0] + values[1] + values[2] + values[3] - 1));
        }
        expect(lowest).toBeGreaterThanOrEqual(0);
        expect(highest).toBeLessThanOrEqual(1);
        expect(worstSum).toBeLessThan(1e-5);
        // Every stem gets some of the signal somewhere.
        if (stereo) expect(Math.max(...masks.vocals)).toBeGreaterThan(0.5);
      }
    }
  });
});
