import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '@azure/functions';
import { functionDefinitions } from '../../functions/registry.js';
import type { FunctionDefinition, HttpFunctionDefinition } from '../../functions/types.js';
import { testConfig } from './fakes.js';

const byName = (defs: readonly FunctionDefinition[], name: string) => {
  const d = defs.find((x) => x.name === name);
  if (!d) throw new Error(`no definition ${name}`);
  return d;
};

describe('function registry (data)', () => {
  const defs = functionDefinitions(testConfig());

  it('has every function once, with the right trigger kinds', () => {
    const kinds = Object.fromEntries(defs.map((d) => [d.name, d.kind]));
    expect(kinds).toEqual({
      analyzeHttpStart: 'http',
      generateHttpStart: 'http',
      jobStatus: 'http',
      health: 'http',
      onBlobUploaded: 'blob',
      analyzeOrchestrator: 'orchestration',
      generateOrchestrator: 'orchestration',
      prepareAudio: 'activity',
      separateStems: 'activity',
      separateChunk: 'activity',
      joinStems: 'activity',
      analyzeMix: 'activity',
      transcribeStems: 'activity',
      writeJams: 'activity',
      renderStem: 'activity',
      notify: 'activity',
      analysisQueueStart: 'queue',
      generationQueueStart: 'queue',
    });
  });

  it('routes, methods and auth levels match the contract', () => {
    const http = (n: string) => byName(defs, n) as HttpFunctionDefinition;
    expect([http('analyzeHttpStart').route, http('analyzeHttpStart').methods, http('analyzeHttpStart').authLevel]).toEqual(['analyze', ['POST'], 'function']);
    expect([http('generateHttpStart').route, http('generateHttpStart').methods, http('generateHttpStart').authLevel]).toEqual(['generate', ['POST'], 'function']);
    expect([http('jobStatus').route, http('jobStatus').methods, http('jobStatus').authLevel]).toEqual(['jobs/{id}', ['GET'], 'function']);
    expect([http('health').route, http('health').methods, http('health').authLevel]).toEqual(['health', ['GET'], 'anonymous']);
    expect(http('health').usesDurableClient).toBe(false);
    expect(http('analyzeHttpStart').usesDurableClient).toBe(true);
  });

  it('takes the blob path, trigger source and queue names from configuration', () => {
    const cloud = functionDefinitions(testConfig({ STEMFLOW_BLOB_TRIGGER_SOURCE: 'EventGrid', STEMFLOW_CONTAINER: 'songs', STEMFLOW_QUEUE_ANALYSIS: 'az-requests' }));
    expect(byName(cloud, 'onBlobUploaded')).toMatchObject({ path: 'songs/{name}', source: 'EventGrid', connection: 'AzureWebJobsStorage' });
    expect(byName(cloud, 'analysisQueueStart')).toMatchObject({ queueName: 'az-requests' });
    expect(byName(defs, 'onBlobUploaded')).toMatchObject({ path: 'audio-files/{name}', source: 'LogsAndContainerScan' });
    expect(functionDefinitions(testConfig({ STEMFLOW_QUEUES_ENABLED: 'false' })).some((d) => d.kind === 'queue')).toBe(false);
  });
});

describe('functions/index.ts registration with @azure/functions and durable-functions', () => {
  const calls: { method: string; name: string; options: any }[] = [];
  const saved = { ...process.env };
  beforeAll(async () => {
    for (const method of ['http', 'storageBlob', 'storageQueue', 'generic'] as const) {
      vi.spyOn(app, method).mockImplementation(((name: string, options: any) => {
        calls.push({ method, name, options });
      }) as never);
    }
    process.env.STEMFLOW_BLOB_TRIGGER_SOURCE = 'EventGrid';
    process.env.STEMFLOW_CALLBACK_ALLOWED_HOSTS = 'api.example.com';
    const { resetConfigForTests } = await import('../../shared/config.js');
    resetConfigForTests();
    await import('../../functions/index.js');
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    process.env = saved;
    (await import('../../shared/config.js')).resetConfigForTests();
  });

  it('registers every definition with the right trigger binding', () => {
    const reg = (name: string) => calls.find((c) => c.name === name)!;
    expect(calls.map((c) => c.name).sort()).toEqual(functionDefinitions(testConfig()).map((d) => d.name).sort());
    expect(reg('analyzeHttpStart')).toMatchObject({ method: 'http', options: { route: 'analyze', methods: ['POST'], authLevel: 'function' } });
    expect(reg('jobStatus')).toMatchObject({ method: 'http', options: { route: 'jobs/{id}', methods: ['GET'], authLevel: 'function' } });
    expect(reg('health')).toMatchObject({ method: 'http', options: { route: 'health', methods: ['GET'], authLevel: 'anonymous', extraInputs: [] } });
    expect(reg('analyzeHttpStart').options.extraInputs[0]).toMatchObject({ type: 'durableClient' });
    expect(reg('onBlobUploaded')).toMatchObject({ method: 'storageBlob', options: { path: 'audio-files/{name}', source: 'EventGrid', connection: 'AzureWebJobsStorage' } });
    expect(reg('analysisQueueStart')).toMatchObject({ method: 'storageQueue', options: { queueName: 'analysis-requests' } });
    expect(reg('analyzeOrchestrator')).toMatchObject({ method: 'generic', options: { trigger: { type: 'orchestrationTrigger' } } });
    expect(reg('generateOrchestrator').options.trigger.type).toBe('orchestrationTrigger');
    for (const a of ['prepareAudio', 'separateStems', 'separateChunk', 'joinStems', 'analyzeMix', 'writeJams', 'renderStem', 'notify']) expect(reg(a).options.trigger.type).toBe('activityTrigger');
  });
});

describe('blob trigger metadata', () => {
  it('reads name, container and ETag from the host trigger metadata', async () => {
    const { blobInput } = await import('../../functions/bindings.js');
    expect(blobInput({ triggerMetadata: { blobTrigger: 'audio-files/song1.mp3', name: 'song1.mp3', properties: { eTag: '"0x8D1"' } } }, 'audio-files')).toEqual({
      name: 'song1.mp3',
      container: 'audio-files',
      etag: '"0x8D1"',
    });
    expect(blobInput({ triggerMetadata: { blobTrigger: 'audio-files/a/stems/vocals.wav', name: 'a/stems/vocals.wav', properties: {} } }, 'audio-files')).toEqual({
      name: 'a/stems/vocals.wav',
      container: 'audio-files',
      etag: undefined,
    });
  });
});
