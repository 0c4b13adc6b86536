import { describe, expect, it } from 'vitest';
import { measureTrackNormalization, normalizeChannels, overlapAddSegments, segmentOffsets, triangularWeights } from '../../shared/separation/onnx/chunking.js';
import { demucsIspec, demucsSpec, demucsSpecGeometry, istftCentred, realDft, stftReflect } from '../../shared/separation/onnx/spectral.js';
import { db, maxError, rms, rng, sines } from './fixtures.js';

describe('realDft (any even size; Bluestein for non-powers of two)', () => {
  it.each([60, 62])('matches a direct DFT for N = %i (mixed radix 4·15; Bluestein 2·31) and round-trips', (n) => {
    const r = rng(3);
    const x = Float64Array.from({ length: n }, () => r() - 0.5);
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    realDft(n).forward(x, re, im);
    for (let k = 0; k <= n / 2; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        sr += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
        si += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
      }
      expect(Math.abs(re[k] - sr)).toBeLessThan(1e-10);
      expect(Math.abs(im[k] - si)).toBeLessThan(1e-10);
    }
    const y = new Float64Array(n);
    realDft(n).inverse(re, im, y);
    for (let t = 0; t < n; t++) expect(Math.abs(y[t] - x[t])).toBeLessThan(1e-12);
  });

  it('puts a 7680-point sinusoid in its bin (UVR n_fft)', () => {
    const n = 7680;
    const x = Float64Array.from({ length: n }, (_, t) => Math.cos((2 * Math.PI * 37 * t) / n));
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    realDft(n).forward(x, re, im);
    expect(re[37]).toBeCloseTo(n / 2, 6);
    expect(Math.abs(re[36]) + Math.abs(re[38])).toBeLessThan(1e-6);
  });
});

describe('centred reflect STFT and the Demucs spectrogram layout', () => {
  it('istft(stft(x)) = x for n_fft 7680, hop 1024 (MDX geometry: 256 frames)', () => {
    const L = 1024 * 255;
    const [x] = sines(L, 44100, 11, { channels: 1, maxHz: 20000 });
    const spec = stftReflect(x, 7680, 1024, 7680 / 2 + 1);
    expect(spec.numFrames).toBe(256);
    const y = istftCentred(spec, 7680, 1024, L);
    expect(db(maxError(y, x) / rms(x))).toBeLessThan(-100);
  });

  it('Demucs geometry for the htdemucs segment: 2048 bins × 336 frames, pads 1536/1620', () => {
    const g = demucsSpecGeometry(343980, 4096, 1024);
    expect(g).toMatchObject({ bins: 2048, frames: 336, padLeft: 1536, padRight: 1620 });
  });

  it('demucsIspec(demucsSpec(x)) = x away from the segment edges (the 2+2 cropped frames attenuate the first/last ~2.5k samples, as in HTDemucs._ispec)', () => {
    const T = 343980;
    const g = demucsSpecGeometry(T, 4096, 1024);
    const [x] = sines(T, 44100, 5, { channels: 1, maxHz: 18000 });
    const y = demucsIspec(demucsSpec(x, g), g, T);
    expect(db(maxError(y, x, 1, 4096, T - 4096) / rms(x))).toBeLessThan(-100);
  });
});

describe('overlap-add chunking (Demucs apply_model reference)', () => {
  it('triangular weights ramp 1/max … 1 … 1/max and are symmetric', () => {
    const w = triangularWeights(10);
    expect(Array.from(w)).toEqual([1, 2, 3, 4, 5, 5, 4, 3, 2, 1].map((v) => Math.fround(v / 5)));
  });

  it('segments start every 0.75 segment and cover the signal', () => {
    expect(segmentOffsets(343980 * 2, 343980)).toEqual([0, 257985, 515970]);
    expect(segmentOffsets(100, 343980)).toEqual([0]);
    expect(segmentOffsets(0, 343980)).toEqual([]);
  });

  it('an identity runner reproduces the input exactly for any length, and sees full segments (short ones centred with context)', async () => {
    for (const length of [1, 999, 4000, 10_000, 12_345]) {
      const r = rng(length);
      const x = [Float32Array.from({ length }, () => r() - 0.5), Float32Array.from({ length }, () => r() - 0.5)];
      const seen: number[] = [];
      const out = await overlapAddSegments(x, 2, async (seg) => {
        seen.push(seg[0].length);
        return [seg.map((c) => c.slice()), seg.map((c) => c.map((v) => 2 * v))];
      }, { segmentSamples: 4000 });
      expect(seen.every((n) => n === 4000)).toBe(true);
      expect(maxError(out[0][0], x[0])).toBeLessThan(1e-6);
      expect(maxError(out[1][1], x[1], 2)).toBeLessThan(2e-6);
    }
  });

  it('reports progress per segment up to 1, and stops when aborted', async () => {
    const x = [new Float32Array(10_000).fill(0.1), new Float32Array(10_000).fill(0.1)];
    const fractions: number[] = [];
    await overlapAddSegments(x, 1, async (seg) => [seg], { segmentSamples: 4000, onProgress: (f) => fractions.push(f) });
    expect(fractions).toEqual([0.25, 0.5, 0.75, 1]); // offsets 0, 3000, 6000, 9000
    const ctrl = new AbortController();
    let calls = 0;
    const p = overlapAddSegments(x, 1, async (seg) => {
      calls++;
      ctrl.abort(new Error('stop'));
      return [seg];
    }, { segmentSamples: 4000, signal: ctrl.signal });
    await expect(p).rejects.toThrow('stop');
    expect(calls).toBe(1);
  });

  it('whole-track normalisation uses the channel-mean reference (unbiased std)', () => {
    const norm = measureTrackNormalization([Float32Array.from([1, 3, 5]), Float32Array.from([3, 5, 7])]);
    expect(norm.mean).toBeCloseTo(4, 12);
    expect(norm.scale).toBeCloseTo(2 + 1e-8, 9);
    const [l] = normalizeChannels([Float32Array.from([1, 3, 5])], norm);
    expect(Array.from(l).map((v) => +v.toFixed(6))).toEqual([-1.5, -0.5, 0.5]);
  });
});
