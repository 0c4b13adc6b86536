/**
 * The tonal features and the analysis signal computed on their own thread must be the ones the
 * calling thread computes, and a thread that is gone must cost nothing but time.
 */
import { describe, expect, it } from 'vitest';
import { sharedFloat32 } from '../../shared/audio/codec-common.js';
import { mixToAnalysisMono } from '../../shared/audio/resample.js';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { renderSong } from '../../shared/generation/song.js';
import { AnalysisSignal } from '../../shared/mir/signal.js';
import { computeTonalFeatures } from '../../shared/mir/tonal.js';
import { startTonalThread } from '../../shared/mir/tonalThread.js';

/** The mix copied to shared memory, where the decoders put it. */
function onSharedMemory(mix: AudioBuffer): AudioBuffer {
  return {
    sampleRate: mix.sampleRate,
    channels: mix.channels.map((ch) => {
      const copy = sharedFloat32(ch.length);
      copy.set(ch);
      return copy;
    }),
  };
}

/** The first index where two signals differ by a bit (length counts), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return i;
  return -1;
}

describe('tonal features on a second thread', () => {
  const song = renderSong(9, { durationSec: 20 });
  const signal = new AnalysisSignal(mixToAnalysisMono(song.mix, 22050), 22050);
  const here = computeTonalFeatures(signal);

  it('equal the features computed on the calling thread, number for number', async () => {
    const thread = startTonalThread();
    thread.compute(signal);
    const there = await thread.features(signal);
    expect(thread.offloaded).toBe(true);
    expect(there.tuningHz).toBe(here.tuningHz);
    expect(there.chroma.numFrames).toBeGreaterThan(100);
    expect(there).toEqual(here);
  }, 60_000);

  it('are computed on the calling thread when the thread was let go', async () => {
    const thread = startTonalThread();
    thread.release();
    thread.compute(signal);
    expect(await thread.features(signal)).toEqual(here);
    expect(thread.offloaded).toBe(false);
  }, 60_000);

  it('splits the analysis signal with the thread, bit for bit the calling thread\'s', async () => {
    // Decoded audio lives on shared memory, so the thread reads the mix without a copy.
    const shared = onSharedMemory(song.mix);
    const thread = startTonalThread();
    for (let i = 0; i < 400 && !thread.mp3Tail.ready(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(thread.mp3Tail.ready()).toBe(true);
    const split = await thread.analysisMono(shared, 22050);
    thread.release();
    // The shared output is the split path's (the calling thread alone returns ordinary memory).
    expect(split.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(firstDifference(split, signal.mono)).toBe(-1);
  }, 60_000);

  it('makes the analysis signal on the calling thread when the thread was let go, or the mix is not shared', async () => {
    const thread = startTonalThread();
    expect(firstDifference(await thread.analysisMono(song.mix, 22050), signal.mono)).toBe(-1);
    thread.release();
    const shared = onSharedMemory(song.mix);
    const alone = await thread.analysisMono(shared, 22050);
    expect(alone.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(firstDifference(alone, signal.mono)).toBe(-1);
  }, 60_000);
});
