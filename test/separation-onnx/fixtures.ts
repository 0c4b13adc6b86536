import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelManifest, type ModelEntry, type ModelManifest } from '../../shared/models/manifest.js';

import { seededRandom as rng } from '../helpers/random.js';
export { rng };

/** Stereo white noise in [−amp, amp) whose channel-mean reference has (float64) zero mean. */
export function zeroMeanNoise(length: number, seed: number, amp = 0.3): Float32Array[] {
  const r = rng(seed);
  const l = new Float64Array(length);
  const rr = new Float64Array(length);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    l[i] = (2 * r() - 1) * amp;
    rr[i] = (2 * r() - 1) * amp;
    sum += 0.5 * (l[i] + rr[i]);
  }
  const m = sum / length;
  return [Float32Array.from(l, (v) => v - m), Float32Array.from(rr, (v) => v - m)];
}

/** Sum of `count` sinusoids with random frequencies in [minHz, maxHz], random phases, per channel. */
export function sines(length: number, sampleRate: number, seed: number, opts: { count?: number; minHz?: number; maxHz?: number; channels?: number } = {}): Float32Array[] {
  const r = rng(seed);
  const count = opts.count ?? 12;
  const minHz = opts.minHz ?? 60;
  const maxHz = opts.maxHz ?? 12000;
  return Array.from({ length: opts.channels ?? 2 }, () => {
    const comps = Array.from({ length: count }, () => ({ f: minHz + r() * (maxHz - minHz), p: r() * 2 * Math.PI, a: 0.05 + 0.05 * r() }));
    const y = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      let v = 0;
      for (const c of comps) v += c.a * Math.sin((2 * Math.PI * c.f * i) / sampleRate + c.p);
      y[i] = v;
    }
    return y;
  });
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

/** Max |a − g·b| over [from, to). */
export function maxError(a: ArrayLike<number>, b: ArrayLike<number>, g = 1, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i] - g * b[i]));
  return m;
}

export const db = (ratio: number): number => 20 * Math.log10(Math.max(ratio, 1e-300));

/** A manifest with the given separation entries (validated by the real schema). */
export function manifestOf(models: unknown[]): ModelManifest {
  return parseModelManifest({ version: 1, models });
}

export function entry(partial: { id: string; file: string; stems: string[]; contract: Record<string, unknown>; sampleRate?: number }): ModelEntry {
  return manifestOf([
    {
      id: partial.id,
      task: 'separation',
      license: 'test',
      source: { page: 'https://example.com/test-model' },
      files: [{ name: partial.file, url: null, sha256: null, bytes: null }],
      sampleRate: partial.sampleRate ?? 44100,
      stems: partial.stems,
      contract: partial.contract,
    },
  ]).models[0];
}

/** Write model bytes to `<dir>/<id>/<file>` (the layout the runtime looks in). */
export async function installModel(dir: string, e: ModelEntry, bytes: Uint8Array): Promise<void> {
  await mkdir(join(dir, e.id), { recursive: true });
  await writeFile(join(dir, e.id, e.files[0].name), bytes);
}
