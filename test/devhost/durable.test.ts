/**
 * The local host's Durable engine with the app's real orchestrators, an in-memory instance store
 * and scripted activities: the activity sequence, durable timers for retry backoff, resume after
 * a crash (unfinished activities re-run, finished ones not), start semantics, terminate.
 */
import { describe, expect, it } from 'vitest';
import type * as df from 'durable-functions';
import { analyzeOrchestrator } from '../../functions/analyzeOrchestrator/index.js';
import { generateOrchestrator } from '../../functions/generateHttpStart/generateOrchestrator.js';
import { encodeActivityError } from '../../functions/durable/errors.js';
import { HISTORY_EVENT_TYPES } from '../../functions/durable/episode.js';
import type { AnalyzeJobInput } from '../../functions/jobs.js';
import { NotAudioError, TransientError } from '../../shared/errors.js';
import { DurableEngine, managementUrls, pendingWork, type ActivityOutcome, type ActivityRunner } from '../../devhost/durable.js';
import { createMemoryInstanceStore, type InstanceStore } from '../../devhost/instanceStore.js';
import { createHostLogger } from '../../devhost/log.js';

const orchestrators = new Map<string, df.OrchestrationHandler>([
  ['analyzeOrchestrator', analyzeOrchestrator as unknown as df.OrchestrationHandler],
  ['generateOrchestrator', generateOrchestrator as unknown as df.OrchestrationHandler],
]);

const input: AnalyzeJobInput = {
  kind: 'analysis',
  jobId: 'analysis-song1-0123456789abcdef',
  audioFileId: 'song1',
  blobName: 'song1.wav',
  etag: '"0x1"',
  retry: { maxAttempts: 3, firstRetryMs: 120, backoffCoefficient: 2, maxRetryMs: 1000 },
};

const results: Record<string, (input: any) => unknown> = {
  prepareAudio: () => ({ mixPath: 'song1/work/mix.pcm', infoPath: 'song1/work/info.json', durationSec: 3, sampleRate: 8000, channelCount: 2, format: 'wav' }),
  separateStems: () => ({ stems: { vocals: 'song1/stems/vocals.wav', drums: 'song1/stems/drums.wav', bass: 'song1/stems/bass.wav', other: 'song1/stems/other.wav' } }),
  analyzeMix: () => ({ descriptionPath: 'song1/work/description.json', summary: { bpm: 100 } }),
  writeJams: () => ({ annotationPath: 'song1/analysis/annotation.jams' }),
  notify: () => ({ eventQueued: true }),
};

/** Activities from `results`, with per-call overrides; records every call. */
function scripted(override: (name: string, call: number) => ActivityOutcome | 'hang' | undefined = () => undefined) {
  const calls: string[] = [];
  const counts = new Map<string, number>();
  const runner: ActivityRunner = {
    async run(name, activityInput) {
      calls.push(name);
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      const o = override(name, n);
      if (o === 'hang') return new Promise<ActivityOutcome>(() => {});
      if (o) return o;
      return { ok: true, value: results[name](activityInput) };
    },
  };
  return { runner, calls };
}

const engineOf = (store: InstanceStore, runner: ActivityRunner) =>
  new DurableEngine({ store, orchestrators, activities: runner, log: createHostLogger('silent'), hubName: 'stemflow', baseUrl: () => 'http://localhost:7071' });

const failWith = (err: Error): ActivityOutcome => {
  const e = encodeActivityError(err);
  return { ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
};

describe('DurableEngine', () => {
  it('runs the analysis orchestration through durable-functions replay and persists the outcome', async () => {
    const store = createMemoryInstanceStore();
    const { runner, calls } = scripted();
    const engine = engineOf(store, runner);
    await engine.startNew('analyzeOrchestrator', input.jobId, input);
    const done = await engine.waitFor(input.jobId, 10_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(calls).toEqual(['prepareAudio', 'separateStems', 'analyzeMix', 'writeJams', 'notify']);
    const stored = await store.get(input.jobId);
    expect(stored).toMatchObject({ runtimeStatus: 'Completed', customStatus: { stage: 'completed', percent: 100 }, output: { outputs: { annotation: 'song1/analysis/annotation.jams' } } });
    expect(pendingWork(stored!.history)).toEqual({ activities: [], timers: [] });
    const info = await engine.jobClient().getStatus(input.jobId);
    expect(info?.runtimeStatus).toBe('completed');
  });

  it('waits on a durable timer before retrying a transient failure, and fails a bad input at once', async () => {
    const store = createMemoryInstanceStore();
    const { runner, calls } = scripted((name, n) => (name === 'prepareAudio' && n === 1 ? failWith(new TransientError('storage is busy (HTTP 503)')) : undefined));
    const engine = engineOf(store, runner);
    const t0 = Date.now();
    await engine.startNew('analyzeOrchestrator', input.jobId, input);
    const done = await engine.waitFor(input.jobId, 10_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110); // the 120 ms backoff timer
    expect(calls.filter((c) => c === 'prepareAudio')).toHaveLength(2);
    const types = done.history.map((h) => h.EventType);
    expect(types).toContain(HISTORY_EVENT_TYPES.TimerCreated);
    expect(types).toContain(HISTORY_EVENT_TYPES.TimerFired);

    const bad = scripted((name) => (name === 'prepareAudio' ? failWith(new NotAudioError('bytes 0-3 "hell" are not a known audio format')) : undefined));
    const engine2 = engineOf(createMemoryInstanceStore(), bad.runner);
    await engine2.startNew('analyzeOrchestrator', input.jobId, input);
    const failed = await engine2.waitFor(input.jobId, 10_000);
    expect(failed.runtimeStatus).toBe('Failed');
    expect(String(failed.output)).toMatch(/failed in prepareAudio/);
    expect(failed.customStatus).toMatchObject({ stage: 'failed', error: { step: 'prepareAudio' } });
    expect(bad.calls).toEqual(['prepareAudio', 'notify']);
  });

  it('resumes after a crash: unfinished activities run again, finished ones do not', async () => {
    const store = createMemoryInstanceStore();
    const first = scripted((name) => (name === 'separateStems' || name === 'analyzeMix' ? 'hang' : undefined));
    const engine1 = engineOf(store, first.runner);
    await engine1.startNew('analyzeOrchestrator', input.jobId, input);
    for (let i = 0; i < 100 && first.calls.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(first.calls).toEqual(['prepareAudio', 'separateStems', 'analyzeMix']);
    engine1.abort();
    const left = await store.get(input.jobId);
    expect(left?.runtimeStatus).toBe('Running');
    expect(pendingWork(left!.history).activities.map((a) => a.name)).toEqual(['separateStems', 'analyzeMix']);

    const second = scripted();
    const engine2 = engineOf(store, second.runner);
    expect(await engine2.resume()).toBe(1);
    const done = await engine2.waitFor(input.jobId, 10_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(second.calls).toEqual(['separateStems', 'analyzeMix', 'writeJams', 'notify']);
    const scheduled = done.history.filter((h) => h.EventType === HISTORY_EVENT_TYPES.TaskScheduled).map((h) => h.Name);
    expect(scheduled).toEqual(['prepareAudio', 'separateStems', 'analyzeMix', 'writeJams', 'notify']);
  });

  it('refuses to start an id that is still running, replaces a finished one, and terminates on request', async () => {
    const store = createMemoryInstanceStore();
    const hanging = scripted((name) => (name === 'prepareAudio' ? 'hang' : undefined));
    const engine = engineOf(store, hanging.runner);
    await engine.startNew('analyzeOrchestrator', input.jobId, input);
    await expect(engine.startNew('analyzeOrchestrator', input.jobId, input)).rejects.toThrow(/already exists/);
    expect(await engine.terminate(input.jobId, 'user asked')).toBe(true);
    expect((await engine.getStatus(input.jobId))?.runtimeStatus).toBe('Terminated');
    const ok = scripted();
    const engine2 = engineOf(store, ok.runner);
    await engine2.startNew('analyzeOrchestrator', input.jobId, input);
    expect((await engine2.waitFor(input.jobId, 10_000)).runtimeStatus).toBe('Completed');
  });

  it('recovers from a failed write by reloading the stored instance, without running anything twice', async () => {
    const inner = createMemoryInstanceStore();
    let puts = 0;
    const flaky: InstanceStore = { ...inner, put: async (r) => (++puts === 3 ? Promise.reject(new Error('storage unreachable (ECONNRESET)')) : inner.put(r)) };
    const { runner, calls } = scripted();
    const engine = engineOf(flaky, runner);
    await engine.startNew('analyzeOrchestrator', input.jobId, input);
    const done = await engine.waitFor(input.jobId, 10_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(puts).toBeGreaterThan(3);
    // the lost write recorded prepareAudio's completion: prepareAudio ran again, nothing else did
    expect(calls).toEqual(['prepareAudio', 'prepareAudio', 'separateStems', 'analyzeMix', 'writeJams', 'notify']);
  });

  it('builds createCheckStatusResponse-style management URLs on the host', () => {
    const urls = managementUrls('http://localhost:7071', 'generation-g1', 'stemflow');
    expect(urls.statusQueryGetUri).toBe('http://localhost:7071/runtime/webhooks/durabletask/instances/generation-g1?taskHub=stemflow&connection=Storage');
    expect(urls.sendEventPostUri).toContain('/instances/generation-g1/raiseEvent/{eventName}?');
    expect(urls.terminatePostUri).toContain('/instances/generation-g1/terminate?reason={text}&');
  });
});
