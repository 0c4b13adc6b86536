/**
 * Worker thread of {@link startParallelSeparation} (parallel.ts). Loads the separator, then waits
 * for one job (null: not needed, exit): claims regions from the shared counter and separates
 * each straight into the shared sink, until none is left, and reports how many it did.
 */
import { parentPort } from 'node:worker_threads';
import { claimRegions, type RegionJob } from './parallel.js';

parentPort?.once('message', (job: RegionJob | null) => {
  if (!job) return;
  claimRegions(job)
    .then((regions) => parentPort?.postMessage({ ok: true, regions }))
    .catch((err: unknown) => parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }));
});
