/**
 * Worker thread of {@link startTonalThread} (tonalThread.ts). It loads the MP3 decoder and the
 * tonal modules, says it is ready, then takes jobs one at a time until it is told to stop (null):
 * the back part of an MP3 ({@link decodeMp3Tail}), the back part of an analysis signal
 * ({@link mixToAnalysisMonoRange}) and the tonal features of a signal.
 */
import { parentPort } from 'node:worker_threads';
import { MPEGDecoder } from 'mpg123-decoder';
import { decodeMp3Tail, type Mp3TailJob } from '../audio/mp3Split.js';
import { mixToAnalysisMonoRange } from '../audio/resample.js';
import type { AudioBuffer } from '../audio/types.js';
import type { TonalFeatures } from './tonal.js';

export type HelperJob =
  | { kind: 'mp3-tail'; job: Mp3TailJob }
  | { kind: 'analysis-mono'; job: AnalysisMonoJob }
  | { kind: 'tonal'; mono: Float32Array; sampleRate: number };

/** Outputs [from, to) of mixToAnalysisMono(mix, targetRate), written into `out` (shared memory, like the mix's channels). */
export interface AnalysisMonoJob {
  mix: AudioBuffer;
  targetRate: number;
  from: number;
  to: number;
  out: Float32Array;
}

export type HelperReply =
  | { kind: 'ready' }
  | { kind: 'mp3-tail'; channels: Float32Array[] | null }
  | { kind: 'analysis-mono'; ok: boolean }
  | { kind: 'tonal'; ok: true; features: TonalFeatures }
  | { kind: 'tonal'; ok: false; message: string };

const port = parentPort;
if (port) {
  // Compile the decoder's WebAssembly now, so that a tail starts at once; the tonal modules load
  // after "ready" (a tail comes first, while the caller decodes, and the features after it).
  const warm = new MPEGDecoder();
  await warm.ready;
  warm.free();
  const tonal = Promise.all([import('./signal.js'), import('./tonal.js')]);
  // A failed load is reported to the tonal job that needs it, not as an unhandled rejection.
  tonal.catch(() => undefined);
  port.on('message', async (job: HelperJob | null) => {
    if (!job) {
      port.close();
      return;
    }
    if (job.kind === 'mp3-tail') {
      decodeMp3Tail(job.job).then(
        (channels) => port.postMessage({ kind: 'mp3-tail', channels } satisfies HelperReply, channels?.map((c) => c.buffer as ArrayBuffer) ?? []),
        () => port.postMessage({ kind: 'mp3-tail', channels: null } satisfies HelperReply),
      );
      return;
    }
    if (job.kind === 'analysis-mono') {
      const { mix, targetRate, from, to, out } = job.job;
      let ok = true;
      try {
        mixToAnalysisMonoRange(mix, targetRate, from, to, out);
      } catch {
        ok = false;
      }
      port.postMessage({ kind: 'analysis-mono', ok } satisfies HelperReply);
      return;
    }
    try {
      const [{ AnalysisSignal }, { computeTonalFeatures }] = await tonal;
      port.postMessage({ kind: 'tonal', ok: true, features: computeTonalFeatures(new AnalysisSignal(job.mono, job.sampleRate)) } satisfies HelperReply);
    } catch (err) {
      port.postMessage({ kind: 'tonal', ok: false, message: err instanceof Error ? err.message : String(err) } satisfies HelperReply);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies HelperReply);
}
