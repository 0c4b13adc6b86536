/**
 * Worker thread of the parallel separation (parallel.ts). Loads the separator, then takes jobs
 * one after another (null: dismissed, exit): claims regions from each job's shared counter and
 * separates each straight into the shared sink, until none is left, and reports how many it did.
 */
import { parentPort } from 'node:worker_threads';
import { claimRegions, type RegionJob } from './parallel.js';

parentPort?.on('message', (job: RegionJob | null) => {
  if (!job) {
    parentPort?.close();
    return;
  }
  claimRegions(job)
    .then((regions) => parentPort?.postMessage({ ok: true, regions }))
    .catch((err: unknown) => parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }));
});
