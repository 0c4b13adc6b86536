/**
 * Separation quality on synthetic mixes with known stems (test/separation/fixtures.ts): a
 * centre-panned vibrato voice (12 harmonics, 220–440 Hz), a 60–90 Hz sine bass, and noise-burst
 * drums, optionally with off-centre sustained chords as "other".
 *
 * Thresholds: a silent estimate scores 0 dB and plain HPSS gives vocals and bass nothing (0 dB),
 * so each bar asks for a real separation, set 3–6 dB below what the separator measured on these
 * seeds when the bar was written (vocals ≈ 15, drums ≈ 6, bass ≈ 21 dB without "other"; with it
 * vocals ≈ 10–11, drums ≈ 4.6–5.5, bass ≈ 21, other ≈ 3–4 dB) — margin for parameter changes,
 * not for a broken cue: losing the centre cue drops vocals to 0 dB, losing the low band drops
 * bass below 10 dB.
 */
import { signalToDistortionRatio } from '../../bench/metrics/separation.js';
import { describe, expect, it } from 'vitest';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { separateByMasks } from '../../shared/separation/dsp.js';
import { renderSyntheticMix } from './fixtures.js';

/** SDR in dB with the benchmark's own definition (bench/metrics/separation.ts). */
const sdr = (reference: AudioBuffer, estimate: AudioBuffer): number => signalToDistortionRatio(reference.channels, estimate.channels);

describe('dsp-masks separation quality on synthetic mixes', () => {
  it('separates a centre vibrato voice, a 60 Hz bass and noise-burst drums', async () => {
    for (const seed of [1, 2]) {
      const { mix, stems } = renderSyntheticMix({ durationSec: 2, seed, withOther: false });
      const est = await separateByMasks(mix);
      expect(sdr(stems.vocals, est.vocals)).toBeGreaterThan(10);
      expect(sdr(stems.drums, est.drums)).toBeGreaterThan(3);
      expect(sdr(stems.bass, est.bass)).toBeGreaterThan(15);
    }
  });

  it('keeps off-centre chords out of the vocals (other stem present)', async () => {
    const { mix, stems } = renderSyntheticMix({ durationSec: 3, seed: 1, withOther: true });
    const est = await separateByMasks(mix);
    expect(sdr(stems.vocals, est.vocals)).toBeGreaterThan(7);
    expect(sdr(stems.drums, est.drums)).toBeGreaterThan(2.5);
    expect(sdr(stems.bass, est.bass)).toBeGreaterThan(15);
    expect(sdr(stems.other, est.other)).toBeGreaterThan(1);
  });

  it('works at 8 kHz and 96 kHz (kernels scale with the sample rate)', async () => {
    for (const sampleRate of [8000, 96000]) {
      const { mix, stems } = renderSyntheticMix({ durationSec: sampleRate > 48000 ? 1.5 : 2, seed: 1, withOther: false, sampleRate });
      const est = await separateByMasks(mix);
      expect(sdr(stems.vocals, est.vocals)).toBeGreaterThan(8);
      expect(sdr(stems.bass, est.bass)).toBeGreaterThan(15);
      expect(sdr(stems.drums, est.drums)).toBeGreaterThan(2);
    }
  });

  it('separates bass and drums of a mono mix (vocals need stereo and stay silent)', async () => {
    const { mix, stems } = renderSyntheticMix({ durationSec: 2, seed: 1, withOther: false, mono: true });
    const est = await separateByMasks(mix);
    expect(sdr(stems.drums, est.drums)).toBeGreaterThan(3);
    expect(sdr(stems.bass, est.bass)).toBeGreaterThan(15);
    const energy = (x: Float32Array): number => x.reduce((a, v) => a + v * v, 0);
    expect(energy(est.vocals.channels[0])).toBeLessThan(1e-12 * energy(mix.channels[0]));
  });
});
