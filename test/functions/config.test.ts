import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SETTING_NAMES, parseConfig } from '../../shared/config.js';

const read = (p: string) => JSON.parse(readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8'));

describe('configuration', () => {
  it('has working defaults and is deeply frozen', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      storageConnection: 'UseDevelopmentStorage=true',
      containerName: 'audio-files',
      mode: 'mock',
      blobTriggerSource: 'LogsAndContainerScan',
      hubName: 'stemflow',
      queues: { enabled: true, analysis: 'analysis-requests', generation: 'generation-requests', jobEvents: 'job-events' },
    });
    expect(c.callbacks.allowedHosts).toEqual([]);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.callbacks)).toBe(true);
    expect(() => ((c as any).mode = 'model')).toThrow();
  });

  it('parses lists, numbers and booleans', () => {
    const c = parseConfig({ STEMFLOW_CALLBACK_ALLOWED_HOSTS: ' API.example.com , *.x.test ', STEMFLOW_MAX_DURATION_SEC: '60', STEMFLOW_QUEUES_ENABLED: 'no', STEMFLOW_STEM_BIT_DEPTH: '24' });
    expect(c.callbacks.allowedHosts).toEqual(['api.example.com', '*.x.test']);
    expect(c.maxDurationSec).toBe(60);
    expect(c.queues.enabled).toBe(false);
    expect(c.stemBitDepth).toBe(24);
  });

  it('rejects bad settings, naming each one and its value', () => {
    expect(() => parseConfig({ STEMFLOW_MODE: 'gpu', STEMFLOW_MAX_DURATION_SEC: '-3', STEMFLOW_TASK_HUB: 'a-b', STEMFLOW_BLOB_TRIGGER_SOURCE: 'Polling' })).toThrow(
      /STEMFLOW_MODE.*STEMFLOW_BLOB_TRIGGER_SOURCE|STEMFLOW_MAX_DURATION_SEC/,
    );
    let issues: string[] = [];
    try {
      parseConfig({ STEMFLOW_MAX_DURATION_SEC: 'abc', STEMFLOW_MODE: 'gpu' });
    } catch (err) {
      issues = (err as { issues: string[] }).issues;
    }
    expect(issues.some((i) => /STEMFLOW_MAX_DURATION_SEC.*"abc"/.test(i))).toBe(true);
    expect(issues.some((i) => /STEMFLOW_MODE/.test(i))).toBe(true);
    expect(() => parseConfig({ STEMFLOW_BLOB_ENDPOINT_ALIASES: 'azurite:10000' })).toThrow(/STEMFLOW_BLOB_ENDPOINT_ALIASES/);
  });

  it('local.settings.example.json documents every setting, and its values parse', () => {
    const example = read('local.settings.example.json');
    for (const name of CONFIG_SETTING_NAMES) {
      expect(example.Values, name).toHaveProperty(name);
      expect(example._settings_help, name).toHaveProperty(name);
    }
    expect(example.Values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(() => parseConfig(example.Values)).not.toThrow();
  });

  it('host.json: bundle range, hub name from a setting, activity concurrency = worker count', () => {
    const host = read('host.json');
    const example = read('local.settings.example.json');
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
    const hub = /^%(\w+)%$/.exec(host.extensions.durableTask.hubName);
    expect(hub).not.toBeNull();
    expect(example.Values).toHaveProperty(hub![1]);
    expect(host.extensions.durableTask.maxConcurrentActivityFunctions).toBe(Number(example.Values.FUNCTIONS_WORKER_PROCESS_COUNT));
    expect(host.functionTimeout).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(host.extensions.queues.messageEncoding).toBe('none');
    expect(host.logging.logLevel.default).toBeTruthy();
  });

  it('package.json main points at the compiled registration entry', () => {
    expect(read('package.json').main).toBe('dist/functions/index.js');
  });
});
