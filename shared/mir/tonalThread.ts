/**
 * The tonal features (tuning and chroma: a third of the MIR's time) on a second thread, beside
 * the rhythm analysis, when a core is free (an analysis without separation, or the MIR phase of
 * a long file). The thread starts ahead, so it loads while the caller decodes. The features are
 * the ones the calling thread would compute; if the thread cannot start or fails, the caller
 * computes them itself, so a broken thread costs time, never results.
 */
import { Worker } from 'node:worker_threads';
import type { AnalysisSignal } from './signal.js';
import { computeTonalFeatures, type TonalFeatures } from './tonal.js';

export interface TonalThread {
  /** Start computing the features of `signal` (default options); call once. */
  compute(signal: AnalysisSignal): void;
  /** The features of the signal given to {@link compute}: from the thread, or else computed here. */
  features(signal: AnalysisSignal): TonalFeatures | Promise<TonalFeatures>;
  /** Let the thread go (it is not needed, or the caller failed). */
  release(): void;
  /** Whether the last features came from the thread (false: computed by the caller). */
  readonly offloaded: boolean;
}

function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './tonalWorker.mjs' : './tonalWorker.js', import.meta.url);
}

export function startTonalThread(): TonalThread {
  let worker: Worker | null = null;
  try {
    worker = new Worker(workerUrl());
    worker.unref();
  } catch {
    worker = null;
  }
  let pending: Promise<TonalFeatures | null> | null = null;
  const release = (): void => {
    void worker?.terminate();
    worker = null;
  };
  let offloaded = false;
  return {
    get offloaded() {
      return offloaded;
    },
    compute(signal) {
      const w = worker;
      if (!w || pending) return;
      pending = new Promise<TonalFeatures | null>((resolve) => {
        w.once('message', (m: { ok: boolean; features?: TonalFeatures }) => resolve(m.ok && m.features ? m.features : null));
        w.once('error', () => resolve(null));
        w.once('exit', () => resolve(null));
        w.postMessage({ mono: signal.mono, sampleRate: signal.sampleRate });
      }).finally(release);
    },
    async features(signal) {
      const fromThread = pending ? await pending : null;
      offloaded = fromThread !== null;
      return fromThread ?? computeTonalFeatures(signal);
    },
    release,
  };
}
