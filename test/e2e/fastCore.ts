/**
 * A fast core for the end-to-end tests, loaded by the host's activity workers
 * (`createCore(env)`): real WAV decoding/encoding, stems as known gains of the mix, a fixed
 * description, sine stems for generation. `STEMFLOW_TEST_CORE_DELAY_MS` slows separation and
 * analysis down (to kill a host mid-analysis).
 */
import type { CorePort } from '../../functions/core.js';
import { fakeCore } from '../functions/fakes.js';

export function createCore(env: Record<string, string>): CorePort {
  const core = fakeCore();
  const delayMs = Number(env.STEMFLOW_TEST_CORE_DELAY_MS ?? 0);
  if (!(delayMs > 0)) return core;
  const slow = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    await new Promise((r) => setTimeout(r, delayMs));
    return fn(...a);
  };
  return { ...core, separateMix: slow(core.separateMix), analyzeMix: slow(core.analyzeMix) };
}
