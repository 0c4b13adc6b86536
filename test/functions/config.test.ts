import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SETTING_NAMES, parseConfig } from '../../shared/config.js';
import { InvalidRequestError } from '../../shared/errors.js';

const read = (p: string) => JSON.parse(readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8'));

describe('configuration', () => {
  it('has working defaults and is deeply frozen', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      storageConnectionSetting: 'AzureWebJobsStorage',
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

  describe('identity-based storage (AzureWebJobsStorage__*, what bicep/ deploys)', () => {
    const account = 'stflow123';
    const identity = {
      AzureWebJobsStorage__blobServiceUri: `https://${account}.blob.core.windows.net/`,
      AzureWebJobsStorage__queueServiceUri: `https://${account}.queue.core.windows.net/`,
      AzureWebJobsStorage__tableServiceUri: `https://${account}.table.core.windows.net/`,
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: '8f2c1a4e-3b5d-4c6e-9f70-1a2b3c4d5e6f',
    };
    const issuesOf = (env: Record<string, string>): string[] => {
      try {
        parseConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidRequestError);
        return (err as InvalidRequestError & { issues: string[] }).issues;
      }
      throw new Error('parseConfig accepted the environment');
    };

    it('reads the identity form, without falling back to Azurite; bindings keep the AzureWebJobsStorage prefix', () => {
      const c = parseConfig(identity);
      expect(c.storage).toEqual({
        kind: 'identity',
        blobServiceUri: `https://${account}.blob.core.windows.net`,
        queueServiceUri: `https://${account}.queue.core.windows.net`,
        tableServiceUri: `https://${account}.table.core.windows.net`,
        credential: 'managedidentity',
        clientId: identity.AzureWebJobsStorage__clientId,
      });
      expect(JSON.stringify(c)).not.toContain('UseDevelopmentStorage');
      expect(c.storageConnectionSetting).toBe('AzureWebJobsStorage');
      expect(Object.isFrozen(c.storage)).toBe(true);
    });

    it('needs only the blob and queue URIs; no credential setting means the default chain', () => {
      const c = parseConfig({ AzureWebJobsStorage__blobServiceUri: identity.AzureWebJobsStorage__blobServiceUri, AzureWebJobsStorage__queueServiceUri: identity.AzureWebJobsStorage__queueServiceUri });
      expect(c.storage).toEqual({ kind: 'identity', blobServiceUri: `https://${account}.blob.core.windows.net`, queueServiceUri: `https://${account}.queue.core.windows.net`, credential: 'default' });
    });

    it('an explicit connection string wins over the identity form (the host\'s rule), and STEMFLOW_STORAGE_CONNECTION over both', () => {
      expect(parseConfig({ ...identity, AzureWebJobsStorage: 'UseDevelopmentStorage=true' }).storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
      const cs = 'DefaultEndpointsProtocol=https;AccountName=other;EndpointSuffix=core.windows.net';
      const c = parseConfig({ ...identity, STEMFLOW_STORAGE_CONNECTION: cs });
      expect(c.storage).toEqual({ kind: 'connectionString', connectionString: cs });
      expect(c.storageConnectionSetting).toBe('STEMFLOW_STORAGE_CONNECTION');
    });

    it('empty identity settings (as in local.settings.example.json) mean "not set"', () => {
      const empty = Object.fromEntries(Object.keys(identity).map((k) => [k, ' ']));
      expect(parseConfig(empty).storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    });

    it('rejects an incomplete or malformed identity form, naming the setting and its value', () => {
      const { AzureWebJobsStorage__queueServiceUri: _q, ...noQueue } = identity;
      expect(issuesOf(noQueue)).toEqual([expect.stringMatching(/^AzureWebJobsStorage__queueServiceUri: required for identity-based storage .*AzureWebJobsStorage__blobServiceUri/)]);
      expect(issuesOf({ ...identity, AzureWebJobsStorage__blobServiceUri: 'http://127.0.0.1:10000/devstoreaccount1' })).toEqual([
        expect.stringMatching(/^AzureWebJobsStorage__blobServiceUri: expected an https URL.*"http:\/\/127\.0\.0\.1:10000\/devstoreaccount1"/),
      ]);
      expect(issuesOf({ ...identity, AzureWebJobsStorage__blobServiceUri: 'stflow123.blob.core.windows.net' })[0]).toMatch(/AzureWebJobsStorage__blobServiceUri: expected an https URL.*"stflow123\.blob\.core\.windows\.net"/);
      expect(issuesOf({ ...identity, AzureWebJobsStorage__queueServiceUri: `https://${account}.queue.core.windows.net/?sv=2024&sig=x` })[0]).toMatch(/AzureWebJobsStorage__queueServiceUri: .*without credentials or query/);
      expect(issuesOf({ ...identity, AzureWebJobsStorage__credential: 'connectionstring' })).toEqual([expect.stringMatching(/AzureWebJobsStorage__credential: expected "managedidentity".*"connectionstring"/)]);
      expect(issuesOf({ ...identity, AzureWebJobsStorage__clientId: 'my-identity' })).toEqual([expect.stringMatching(/AzureWebJobsStorage__clientId: .*GUID.*"my-identity"/)]);
      // A lone client id is an identity form missing both URIs (not a silent fallback to Azurite).
      const lone = issuesOf({ AzureWebJobsStorage__clientId: identity.AzureWebJobsStorage__clientId });
      expect(lone).toHaveLength(2);
      expect(lone.join('\n')).toMatch(/AzureWebJobsStorage__blobServiceUri: required[\s\S]*AzureWebJobsStorage__queueServiceUri: required/);
      // Storage problems are listed together with other bad settings.
      const both = issuesOf({ ...noQueue, STEMFLOW_MODE: 'gpu' });
      expect(both.some((i) => i.startsWith('STEMFLOW_MODE'))).toBe(true);
      expect(both.some((i) => i.startsWith('AzureWebJobsStorage__queueServiceUri'))).toBe(true);
    });
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
