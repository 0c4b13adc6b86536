/**
 * The tonal features computed on their own thread must be the ones the calling thread computes,
 * and a thread that is gone must cost nothing but time.
 */
import { describe, expect, it } from 'vitest';
import { mixToAnalysisMono } from '../../shared/audio/resample.js';
import { renderSong } from '../../shared/generation/song.js';
import { AnalysisSignal } from '../../shared/mir/signal.js';
import { computeTonalFeatures } from '../../shared/mir/tonal.js';
import { startTonalThread } from '../../shared/mir/tonalThread.js';

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
});
