/**
 * Real-world damage to a rendered song, for the robustness bench (bench/real-world.ts) and its
 * test (test/pipeline/real-world.test.ts): each function returns a new buffer and leaves its
 * input alone. (A live tempo drift is no damage to a recording: the generator renders it,
 * `renderSong(seed, { tempoDrift })`, with the instruments on the drifting grid.)
 *
 * Units: seconds and linear sample values in [-1, 1].
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudio } from '../shared/audio/decode.js';
import { applyGain, peakAbs } from '../shared/audio/mix.js';
import type { AudioBuffer } from '../shared/audio/types.js';
import { encodeWav } from '../shared/audio/wav.js';

/** A new buffer with f applied to every sample (f gets the sample and its index). */
function mapSamples(mix: AudioBuffer, f: (x: number, i: number) => number): AudioBuffer {
  return { sampleRate: mix.sampleRate, channels: mix.channels.map((ch) => ch.map((x, i) => f(x, i))) };
}

/** Hard clipping: the mix driven `driveDb` above its peak into a 0 dBFS wall. */
export function hardClip(mix: AudioBuffer, driveDb = 12): AudioBuffer {
  const g = 10 ** (driveDb / 20) / Math.max(peakAbs(mix), 1e-9);
  return mapSamples(mix, (x) => Math.max(-1, Math.min(1, x * g)));
}

/** Heavy limiting: tanh saturation `driveDb` above the peak, to −0.9 dBFS. */
export function saturate(mix: AudioBuffer, driveDb = 20): AudioBuffer {
  const g = 10 ** (driveDb / 20) / Math.max(peakAbs(mix), 1e-9);
  return mapSamples(mix, (x) => Math.tanh(x * g) * 0.9);
}

/** Digital silence over [startSec, endSec). */
export function silenceGap(mix: AudioBuffer, startSec: number, endSec: number): AudioBuffer {
  const a = startSec * mix.sampleRate;
  const b = endSec * mix.sampleRate;
  return mapSamples(mix, (x, i) => (i >= a && i < b ? 0 : x));
}

/** Linear fade-in and fade-out of `sec` seconds each. */
export function fadeInOut(mix: AudioBuffer, sec: number): AudioBuffer {
  const n = mix.channels[0]?.length ?? 0;
  const ramp = sec * mix.sampleRate;
  return mapSamples(mix, (x, i) => x * Math.min(1, i / ramp, (n - i) / ramp));
}

/** The mix scaled by `db` decibels. */
export function gainDb(mix: AudioBuffer, db: number): AudioBuffer {
  return applyGain(mix, 10 ** (db / 20));
}

/**
 * The mix through an MP3 encoder and back: 16-bit WAV → `lame -b kbps` (CBR) → the project's
 * decoder (shared/audio/decode.ts, which reads the encoder delay from the gapless header). Needs
 * `lame` on the PATH (Debian package lame).
 */
export async function mp3RoundTrip(mix: AudioBuffer, kbps = 128): Promise<AudioBuffer> {
  const dir = mkdtempSync(join(tmpdir(), 'stemflow-damage-'));
  try {
    const wavPath = join(dir, 'mix.wav');
    const mp3Path = join(dir, 'mix.mp3');
    writeFileSync(wavPath, encodeWav(mix, { bitDepth: 16 }));
    execFileSync('lame', ['--quiet', '-b', String(kbps), wavPath, mp3Path], { stdio: 'pipe' });
    return (await decodeAudio(new Uint8Array(readFileSync(mp3Path)))).audio;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
