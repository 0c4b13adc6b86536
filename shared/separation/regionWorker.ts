/**
 * Worker thread of {@link startParallelSeparation} (parallel.ts): claims regions from the shared
 * counter and separates each straight into the shared stem buffers, until none is left.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { claimRegions, type RegionJob } from './parallel.js';

const job = workerData as RegionJob;
claimRegions(job)
  .then((regions) => parentPort?.postMessage({ ok: true, regions }))
  .catch((err: unknown) => parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }));
