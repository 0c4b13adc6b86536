/**
 * The second core's thread for an analysis without separation (or the MIR phase of a long
 * file): it decodes the back half of an MP3 while the caller decodes the front half
 * (mp3Split.ts), computes the back half of the analysis signal (resample.ts), then computes the
 * tonal features (tuning and chroma: a third of the MIR's time) beside the caller's rhythm
 * analysis. The thread starts ahead, so it loads while the caller
 * reads the file, and it is kept between jobs once it has served one, as a Functions worker keeps
 * its separation threads. Everything it returns is what the calling thread would compute; if
 * the thread cannot start or fails, the caller does the work itself, so a broken thread costs
 * time, never results.
 */
import { Worker } from 'node:worker_threads';
import type { Mp3TailDecoder, Mp3TailJob } from '../audio/mp3Split.js';
import { sharedFloat32 } from '../audio/codec-common.js';
import { mixToAnalysisMono, mixToAnalysisMonoRange } from '../audio/resample.js';
import { frameCount, type AudioBuffer } from '../audio/types.js';
import type { AnalysisSignal } from './signal.js';
import type { TonalFeatures } from './tonal.js';
import type { HelperJob, HelperReply } from './tonalWorker.js';

export interface TonalThread {
  /** The thread as the MP3 decode's helper (decodeAudio's `mp3Helper`). */
  readonly mp3Tail: Mp3TailDecoder;
  /**
   * {@link mixToAnalysisMono}(mix, targetRate), the same samples bit for bit, with the thread
   * computing the back half when it is free and the mix is on shared memory (as decoded).
   */
  analysisMono(mix: AudioBuffer, targetRate: number): Promise<Float32Array>;
  /** Start computing the features of `signal` (default options); call once. */
  compute(signal: AnalysisSignal): void;
  /** The features of the signal given to {@link compute}: from the thread, or else computed here. */
  features(signal: AnalysisSignal): TonalFeatures | Promise<TonalFeatures>;
  /** Let the thread go: kept for the next job if it is idle and healthy, else stopped. */
  release(): void;
  /** Whether the last features came from the thread (false: computed by the caller). */
  readonly offloaded: boolean;
}

function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './tonalWorker.mjs' : './tonalWorker.js', import.meta.url);
}

/** One worker thread and the reply it owes, if any (it takes one job at a time). */
interface Helper {
  worker: Worker;
  ready: boolean;
  down: boolean;
  /** Settles the job in progress with the thread's reply, or null if the thread failed. */
  owed: ((reply: HelperReply | null) => void) | null;
}

/** Analysis signals shorter than this (samples; 3 s at 22.05 kHz) are not worth a message. */
const MIN_SPLIT_OUTPUTS = 1 << 16;

/** Longest signal (s) after which the thread is kept for the next job. */
const KEEP_MAX_SEC = 600;

/** The idle thread kept from the last job. */
let kept: Helper | null = null;

function spawn(): Helper | null {
  let worker: Worker;
  try {
    worker = new Worker(workerUrl());
  } catch {
    return null;
  }
  const helper: Helper = { worker, ready: false, down: false, owed: null };
  const fail = (): void => {
    helper.down = true;
    const owed = helper.owed;
    helper.owed = null;
    owed?.(null);
    if (kept === helper) kept = null;
  };
  worker.on('message', (m: HelperReply) => {
    if (m.kind === 'ready') {
      helper.ready = true;
      return;
    }
    const owed = helper.owed;
    helper.owed = null;
    if (!owed) return;
    worker.unref();
    owed(m);
  });
  worker.on('error', fail);
  worker.on('exit', fail);
  worker.unref();
  return helper;
}

/** Whether the thread has loaded and can take a job now. */
function idle(helper: Helper | null): helper is Helper {
  return helper !== null && helper.ready && !helper.down && !helper.owed;
}

/** Post a job; resolves with the reply, or null if the thread is busy, down or fails. */
function ask(helper: Helper | null, job: HelperJob, transfer: ArrayBuffer[] = []): Promise<HelperReply | null> {
  if (!helper || helper.down || helper.owed) return Promise.resolve(null);
  return new Promise((resolve) => {
    helper.owed = resolve;
    // The reply must keep the process alive while it is owed.
    helper.worker.ref();
    helper.worker.postMessage(job, transfer);
  });
}

/**
 * Start the thread now, ahead of the job that will use it (a no-op if one is kept). A command
 * that knows it will analyse without separation calls this before loading the analysis modules,
 * so that the thread loads beside them and is ready when the decode starts. This module loads only
 * the resampler besides (the tonal modules come with the analysis), so calling it is cheap.
 */
export function prestartTonalThread(): void {
  kept ??= spawn();
}

export function startTonalThread(): TonalThread {
  let helper = kept ?? spawn();
  kept = null;
  let pending: Promise<TonalFeatures | null> | null = null;
  let offloaded = false;
  // A thread that has just analysed a long signal holds its garbage (hundreds of MB for an hour)
  // until its own heap is collected, which an idle thread may not do for a long time: it is
  // stopped, not kept, and the next job starts a fresh one.
  let large = false;
  const release = (): void => {
    const h = helper;
    helper = null;
    if (!h || h.down) return;
    if (!h.owed && !kept && !large) {
      kept = h;
      return;
    }
    h.down = true;
    void h.worker.terminate();
  };
  return {
    mp3Tail: {
      ready: () => idle(helper),
      async decodeTail(job: Mp3TailJob) {
        // The tail is copied out of the file's buffer (posting a view would copy all of it).
        const bytes = job.bytes.slice();
        const reply = await ask(helper, { kind: 'mp3-tail', job: { ...job, bytes } }, [bytes.buffer]);
        return reply?.kind === 'mp3-tail' ? reply.channels : null;
      },
    },
    async analysisMono(mix, targetRate) {
      const total = Math.ceil((frameCount(mix) * targetRate) / mix.sampleRate);
      const shared = mix.channels.every((ch) => ch.buffer instanceof SharedArrayBuffer);
      if (!shared || total < MIN_SPLIT_OUTPUTS || !idle(helper)) return mixToAnalysisMono(mix, targetRate);
      const out = sharedFloat32(total);
      const half = total >> 1;
      const back = ask(helper, { kind: 'analysis-mono', job: { mix, targetRate, from: half, to: total, out } });
      mixToAnalysisMonoRange(mix, targetRate, 0, half, out);
      const reply = await back;
      if (reply?.kind !== 'analysis-mono' || !reply.ok) mixToAnalysisMonoRange(mix, targetRate, half, total, out);
      return out;
    },
    get offloaded() {
      return offloaded;
    },
    compute(signal) {
      if (pending) return;
      large = signal.mono.length > KEEP_MAX_SEC * signal.sampleRate;
      pending = ask(helper, { kind: 'tonal', mono: signal.mono, sampleRate: signal.sampleRate }).then((reply) =>
        reply?.kind === 'tonal' && reply.ok ? reply.features : null,
      );
    },
    async features(signal) {
      const fromThread = pending ? await pending : null;
      offloaded = fromThread !== null;
      release();
      return fromThread ?? (await import('./tonal.js')).computeTonalFeatures(signal);
    },
    release,
  };
}
