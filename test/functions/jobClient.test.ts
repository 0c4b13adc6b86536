import { describe, expect, it } from 'vitest';
import { durableJobClient, type DurableClientLike } from '../../functions/services.js';
import { toJobStatus } from '../../functions/jobStatus/index.js';

describe('Durable client adapter', () => {
  const fake = (behaviour: 'ok' | '404' | '500'): DurableClientLike => ({
    startNew: async (_name, options) => options?.instanceId ?? 'x',
    getStatus: async (id) => {
      if (behaviour === '404') throw new Error(`DurableClient error: Durable Functions extension replied with HTTP 404 response for instance ${id}`);
      if (behaviour === '500') throw new Error('HTTP 500 from the extension');
      return { name: 'analyzeOrchestrator', instanceId: id, runtimeStatus: 'ContinuedAsNew', createdTime: new Date(0), lastUpdatedTime: new Date(0), output: null };
    },
    createHttpManagementPayload: (id) => ({ id, statusQueryGetUri: `s/${id}`, sendEventPostUri: 'e', terminatePostUri: 't', purgeHistoryDeleteUri: 'p' }),
  });

  it('maps 404 to undefined, keeps other errors, and snake-cases runtime statuses', async () => {
    expect(await durableJobClient(fake('404')).getStatus('a')).toBeUndefined();
    await expect(durableJobClient(fake('500')).getStatus('a')).rejects.toThrow(/500/);
    expect((await durableJobClient(fake('ok')).getStatus('a'))?.runtimeStatus).toBe('continued_as_new');
    expect(durableJobClient(fake('ok')).managementUrls('abc').statusQueryGetUri).toBe('s/abc');
  });
});

describe('job status mapping', () => {
  it('a completed job shows outputs, summary and the callback delivery from its output', () => {
    const s = toJobStatus({
      name: 'analyzeOrchestrator',
      instanceId: 'analysis-a-0123456789abcdef',
      runtimeStatus: 'completed',
      customStatus: { kind: 'analysis', stage: 'completed', percent: 100 },
      output: { outputs: { annotation: 'a/analysis/annotation.jams', stems: { vocals: 'a/stems/vocals.wav' } }, summary: { bpm: 120 }, callback: { delivered: false, attempts: 5, last_error: 'HTTP 503' } },
    });
    expect(s).toMatchObject({
      runtime_status: 'completed',
      kind: 'analysis',
      stage: 'completed',
      percent: 100,
      outputs: { annotation: 'a/analysis/annotation.jams' },
      summary: { bpm: 120 },
      callback: { delivered: false, attempts: 5 },
    });
  });

  it('a terminated job without custom status still says so, without internals', () => {
    const s = toJobStatus({ name: 'generateOrchestrator', instanceId: 'generation-g', runtimeStatus: 'terminated', output: 'stack at /x.js' });
    expect(s).toMatchObject({ kind: 'generation', runtime_status: 'terminated', error: { code: 'terminated' } });
    expect(JSON.stringify(s)).not.toContain('/x.js');
  });
});
