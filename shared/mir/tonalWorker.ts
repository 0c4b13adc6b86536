/**
 * Worker thread of {@link startTonalThread} (tonalThread.ts): loads the tonal modules, then
 * computes the tonal features of one signal (null: not needed, exit) and posts them back.
 */
import { parentPort } from 'node:worker_threads';
import { AnalysisSignal } from './signal.js';
import { computeTonalFeatures } from './tonal.js';

parentPort?.once('message', (job: { mono: Float32Array; sampleRate: number } | null) => {
  if (!job) return;
  try {
    parentPort?.postMessage({ ok: true, features: computeTonalFeatures(new AnalysisSignal(job.mono, job.sampleRate)) });
  } catch (err) {
    parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
