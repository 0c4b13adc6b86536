/**
 * Offline deployment checks (issue 8): the Bicep templates parse with a real Bicep grammar and
 * pass the rules of test/deploy/bicepCheck.ts; each rule fails on a seeded mistake; the settings
 * in Bicep, local.settings.example.json and the code's configuration schema agree; every file
 * that docs/deploy.md and azure.yaml reference exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_SETTING_NAMES, parseConfig } from '../../shared/config.js';
import { checkBicep, parseBicep, type BicepSource, type CheckPolicy, type Finding, type RuleId, type SettingsManifest } from './bicepCheck.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Built-in Azure role definition ids (name → id), as published in the Azure built-in roles list. */
const BUILT_IN_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Durable Task Data Contributor': '0ad04412-c4d5-4796-b79c-f76d14c8d402',
  AcrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
};

/** Roles the app identity needs whatever the parameters (Durable Task and AcrPull are conditional but declared). */
const REQUIRED_ROLES = [
  'Storage Blob Data Owner',
  'Storage Queue Data Contributor',
  'Storage Table Data Contributor',
  'Monitoring Metrics Publisher',
  'Key Vault Secrets User',
  'Durable Task Data Contributor',
  'AcrPull',
];

function bicepFiles(dir = 'bicep'): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...bicepFiles(p));
    else if (entry.name.endsWith('.bicep')) out.push(p);
  }
  return out.sort();
}

function loadSources(): BicepSource[] {
  return bicepFiles().map((path) => ({ path, text: read(path) }));
}

function policy(): CheckPolicy {
  return {
    apiVersions: JSON.parse(read('bicep/api-versions.json')) as Record<string, string[]>,
    builtInRoles: BUILT_IN_ROLES,
    requiredRoles: REQUIRED_ROLES,
    settings: JSON.parse(read('bicep/app-settings.json')) as SettingsManifest,
    configNames: CONFIG_SETTING_NAMES,
  };
}

/** Replace `from` (which must occur exactly once) in one file of a copy of the sources. */
function mutate(sources: BicepSource[], path: string, from: string | RegExp, to: string): BicepSource[] {
  return sources.map((s) => {
    if (s.path !== path) return s;
    const count = typeof from === 'string' ? s.text.split(from).length - 1 : (s.text.match(new RegExp(from.source, `${from.flags.replace('g', '')}g`)) ?? []).length;
    if (count !== 1) throw new Error(`mutation target ${String(from)} occurs ${count} times in ${path}`);
    return { ...s, text: s.text.replace(from, to) };
  });
}

const rulesOf = (findings: Finding[]) => new Set(findings.map((f) => f.rule));
const describeFindings = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`).join('\n');

describe('bicep: parse and rules on the real templates', () => {
  const sources = loadSources();

  it('finds main.bicep and every module main.bicep references', () => {
    expect(sources.map((s) => s.path)).toContain('bicep/main.bicep');
    const modules = [...read('bicep/main.bicep').matchAll(/^module \w+ '([^']+)'/gm)].map((m) => `bicep/${m[1]}`);
    expect(modules.length).toBeGreaterThanOrEqual(8);
    for (const m of modules) expect(sources.map((s) => s.path)).toContain(m);
  });

  it('parses every .bicep file without a syntax error', () => {
    for (const s of sources) {
      const tree = parseBicep(s.text);
      expect(tree.rootNode.type, s.path).toBe('infrastructure');
      expect(tree.rootNode.hasError, s.path).toBe(false);
      expect(tree.rootNode.namedChildren.length, s.path).toBeGreaterThan(2);
    }
  });

  it('passes every rule', () => {
    const findings = checkBicep(sources, policy());
    expect(describeFindings(findings)).toBe('');
  });

  it('uses every entry of the API version allow-list (no stale versions)', () => {
    const all = sources.map((s) => s.text).join('\n');
    for (const [type, versions] of Object.entries(policy().apiVersions)) {
      if (type.startsWith('_')) continue;
      expect(versions.some((v) => all.includes(`'${type}@${v}'`)), type).toBe(true);
    }
  });

  it('declares the resources the deployment needs', () => {
    const all = sources.map((s) => s.text).join('\n');
    for (const type of [
      'Microsoft.Storage/storageAccounts@',
      'Microsoft.Web/serverfarms@',
      'Microsoft.Web/sites@',
      'Microsoft.Insights/components@',
      'Microsoft.OperationalInsights/workspaces@',
      'Microsoft.ManagedIdentity/userAssignedIdentities@',
      'Microsoft.EventGrid/systemTopics@',
      'Microsoft.DurableTask/schedulers@',
      'Microsoft.App/managedEnvironments@',
      'Microsoft.App/containerApps@',
      'Microsoft.KeyVault/vaults@',
    ]) {
      expect(all, type).toContain(type);
    }
    expect(all).toMatch(/name: 'FC1'/);
    expect(all).toMatch(/name: 'node'\s+version: '20'/);
    expect(all).toContain("kind: 'functionapp'");
    expect(all).toContain("'Consumption-GPU-NC8as-T4'");
    expect(all).toContain("'Consumption-GPU-NC24-A100'");
    expect(all).toContain("queueNames: [ 'analysis-requests', 'generation-requests', 'job-events' ]");
    expect(all).toContain("name: '${q}-poison'");
  });
});

describe('bicep: each rule fails on a seeded mistake', () => {
  const sources = loadSources();
  const p = policy();
  const expectRule = (mutated: BicepSource[], rule: RuleId, pattern: RegExp) => {
    const findings = checkBicep(mutated, p);
    expect(rulesOf(findings), describeFindings(findings)).toContain(rule);
    expect(findings.filter((f) => f.rule === rule).map((f) => f.message).join('\n')).toMatch(pattern);
  };

  it('a syntax error', () => {
    expectRule(mutate(sources, 'bicep/modules/identity.bicep', 'location: location\n', 'location: location,, {\n'), 'syntax', /syntax error/);
  });

  it('a wrong API version', () => {
    expectRule(
      mutate(sources, 'bicep/modules/storage.bicep', "'Microsoft.Storage/storageAccounts@2023-05-01' = {", "'Microsoft.Storage/storageAccounts@2019-06-01' = {"),
      'api-version',
      /Microsoft\.Storage\/storageAccounts@2019-06-01 .* not an allowed API version/,
    );
  });

  it('a resource type missing from the allow-list', () => {
    const extra = "\nresource extra 'Microsoft.Cache/redis@2024-03-01' = {\n  name: 'r'\n  location: location\n  tags: tags\n}\n";
    const mutated = sources.map((s) => (s.path === 'bicep/modules/identity.bicep' ? { ...s, text: s.text + extra } : s));
    expectRule(mutated, 'api-version', /Microsoft\.Cache\/redis \(extra\) is not in the API version allow-list/);
  });

  it('a listKeys() call', () => {
    const leak = '\noutput key string = storage.listKeys().keys[0].value\n';
    const mutated = sources.map((s) => (s.path === 'bicep/modules/storage.bicep' ? { ...s, text: s.text + leak } : s));
    expectRule(mutated, 'no-keys', /listKeys\(\) exposes keys/);
  });

  it('a connection string with an account key', () => {
    expectRule(
      mutate(sources, 'bicep/main.bicep', "STEMFLOW_BLOB_ENDPOINT_ALIASES: ''", "STEMFLOW_BLOB_ENDPOINT_ALIASES: ''\n  STEMFLOW_STORAGE_CONNECTION: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${k}'"),
      'no-keys',
      /storage\/shared access key/,
    );
  });

  it('shared key access switched on', () => {
    expectRule(mutate(sources, 'bicep/modules/storage.bicep', 'allowSharedKeyAccess: false', 'allowSharedKeyAccess: true'), 'no-keys', /allowSharedKeyAccess must be false/);
  });

  it('a missing role', () => {
    expectRule(
      mutate(sources, 'bicep/modules/rbac.bicep', "  { roleName: 'Storage Queue Data Contributor', roleId: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' }\n", ''),
      'required-role',
      /Storage Queue Data Contributor/,
    );
  });

  it('a role id that does not match its name', () => {
    expectRule(
      mutate(sources, 'bicep/modules/rbac.bicep', "roleId: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'", "roleId: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'"),
      'role-id',
      /"Storage Table Data Contributor" has id 974c5e8b.*built-in id is 0a9a7e1f/,
    );
  });

  it('an unknown role GUID', () => {
    expectRule(
      mutate(sources, 'bicep/modules/rbac.bicep', "roleId: '3913510d-42f4-4e42-8a64-420c390055eb'", "roleId: '3913510d-42f4-4e42-8a64-420c390055ec'"),
      'role-id',
      /3913510d-42f4-4e42-8a64-420c390055ec is not a built-in role id/,
    );
  });

  it('a missing setting the code needs', () => {
    expectRule(mutate(sources, 'bicep/main.bicep', "  STEMFLOW_QUEUE_JOB_EVENTS: 'job-events'\n", ''), 'settings', /STEMFLOW_QUEUE_JOB_EVENTS is needed by the code but app flex/);
  });

  it('a setting with the wrong value (the Flex app off the Event Grid source)', () => {
    expectRule(
      mutate(sources, 'bicep/main.bicep', "STEMFLOW_BLOB_TRIGGER_SOURCE: 'EventGrid'", "STEMFLOW_BLOB_TRIGGER_SOURCE: 'LogsAndContainerScan'"),
      'settings',
      /STEMFLOW_BLOB_TRIGGER_SOURCE of app flex is 'LogsAndContainerScan', expected 'EventGrid'/,
    );
  });

  it('a missing identity-based storage setting', () => {
    expectRule(mutate(sources, 'bicep/main.bicep', /^ {2}AzureWebJobsStorage__clientId: .*\n/m, ''), 'settings', /AzureWebJobsStorage__clientId is missing from app flex/);
  });

  it('an identity-based storage setting the app\'s own clients read, pointing elsewhere', () => {
    expectRule(
      mutate(sources, 'bicep/main.bicep', 'AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint', 'AzureWebJobsStorage__queueServiceUri: storage.outputs.blobEndpoint'),
      'settings',
      /AzureWebJobsStorage__queueServiceUri of app flex is storage\.outputs\.blobEndpoint, expected storage\.outputs\.queueEndpoint/,
    );
  });

  it('a misspelt STEMFLOW_ setting', () => {
    expectRule(mutate(sources, 'bicep/main.bicep', 'STEMFLOW_STEM_BIT_DEPTH:', 'STEMFLOW_STEMS_BIT_DEPTH:'), 'settings', /STEMFLOW_STEMS_BIT_DEPTH \(app flex\) is not a setting the code reads/);
  });

  it('activity concurrency out of step with the worker count', () => {
    expectRule(
      mutate(sources, 'bicep/main.bicep', "AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions: '1'", "AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions: '4'"),
      'settings',
      /maxConcurrentActivityFunctions 4 differs from FUNCTIONS_WORKER_PROCESS_COUNT 1/,
    );
  });

  it('a missing Durable Task Scheduler connection setting', () => {
    expectRule(mutate(sources, 'bicep/main.bicep', /^ {2}DURABLE_TASK_SCHEDULER_CONNECTION_STRING: .*\n/m, ''), 'settings', /DURABLE_TASK_SCHEDULER_CONNECTION_STRING is missing from app flex/);
  });

  it('a new config setting without a deployment decision', () => {
    const findings = checkBicep(sources, { ...p, configNames: [...CONFIG_SETTING_NAMES, 'STEMFLOW_NEW_KNOB'] });
    expect(findings.map((f) => f.message).join('\n')).toMatch(/STEMFLOW_NEW_KNOB is read by the code but has no disposition/);
  });

  it('a missing azd-service-name tag', () => {
    expectRule(mutate(sources, 'bicep/main.bicep', "union(allTags, { 'azd-service-name': 'api' })", 'allTags'), 'tags', /module api passes no 'azd-service-name': 'api' tag/);
  });

  it('a resource without tags', () => {
    expectRule(mutate(sources, 'bicep/modules/eventgrid.bicep', '  tags: tags\n', ''), 'tags', /resource topic \(Microsoft\.EventGrid\/systemTopics\) has no tags/);
  });
});

describe('settings agree across the code, local.settings.example.json and Bicep', () => {
  const example = JSON.parse(read('local.settings.example.json')) as { Values: Record<string, string>; _settings_help?: Record<string, string> };
  const manifest = JSON.parse(read('bicep/app-settings.json')) as SettingsManifest;

  it('every setting the code reads is documented in local.settings.example.json, and no unknown STEMFLOW_ name is', () => {
    const values = Object.keys(example.Values);
    for (const name of CONFIG_SETTING_NAMES) expect(values, name).toContain(name);
    for (const name of values.filter((n) => n.startsWith('STEMFLOW_'))) expect(CONFIG_SETTING_NAMES, name).toContain(name);
  });

  it('the manifest covers exactly the code\'s settings, with a reason for every default', () => {
    expect(Object.keys(manifest.settings).sort()).toEqual([...CONFIG_SETTING_NAMES].sort());
    for (const [name, entry] of Object.entries(manifest.settings)) {
      for (const app of Object.keys(manifest.apps)) {
        expect(['set', 'identity', 'default'], `${name}.${app}`).toContain(entry[app]);
        if (entry[app] === 'default') expect(entry.why, name).toBeTruthy();
      }
    }
  });

  it('the literal values Bicep sets parse with the code\'s own config schema', () => {
    // Build each app's environment from the literal values in main.bicep (expressions → the example's value).
    const main = read('bicep/main.bicep');
    for (const [app, spec] of Object.entries(manifest.apps)) {
      const env: Record<string, string> = { ...example.Values };
      for (const [name, entry] of Object.entries(manifest.settings)) {
        if (entry[app] === 'default' || entry[app] === 'identity') delete env[name];
      }
      const literal = new RegExp(`var ${spec.variable} = union\\(commonAppSettings, \\{([\\s\\S]*?)\\n\\}\\)`).exec(main)?.[1] ?? '';
      expect(literal.length, spec.variable).toBeGreaterThan(0);
      for (const m of literal.matchAll(/^\s+(STEMFLOW_\w+): '([^']*)'/gm)) env[m[1]] = m[2];
      // The identity-based storage settings: literals as written, outputs → what Azure returns.
      const identityBlock = /var storageIdentitySettings = \{([\s\S]*?)\n\}/.exec(main)?.[1] ?? '';
      const outputs: Record<string, string> = {
        'storage.outputs.blobEndpoint': 'https://stexample.blob.core.windows.net/',
        'storage.outputs.queueEndpoint': 'https://stexample.queue.core.windows.net/',
        'storage.outputs.tableEndpoint': 'https://stexample.table.core.windows.net/',
        'identity.outputs.clientId': '00000000-1111-2222-3333-444444444444',
      };
      for (const m of identityBlock.matchAll(/^\s+(AzureWebJobsStorage__\w+): (.+)$/gm)) {
        const expr = m[2].trim();
        env[m[1]] = /^'[^']*'$/.test(expr) ? expr.slice(1, -1) : (outputs[expr] ?? expr);
      }
      const config = parseConfig(env);
      // The app's own clients use the deployed account with the user-assigned identity: never Azurite.
      expect(config.storage, app).toEqual({
        kind: 'identity',
        blobServiceUri: 'https://stexample.blob.core.windows.net',
        queueServiceUri: 'https://stexample.queue.core.windows.net',
        tableServiceUri: 'https://stexample.table.core.windows.net',
        credential: 'managedidentity',
        clientId: '00000000-1111-2222-3333-444444444444',
      });
      expect(config.storageConnectionSetting).toBe('AzureWebJobsStorage');
      expect(config.mode).toBe(app === 'gpu' ? 'model' : 'mock');
      expect(config.blobTriggerSource).toBe(app === 'gpu' ? 'LogsAndContainerScan' : 'EventGrid');
      expect(config.containerName).toBe('audio-files');
      expect(config.workerProcessCount).toBe(1);
      expect((config.models as { executionProvider?: string }).executionProvider).toBe(app === 'gpu' ? 'cuda' : 'cpu');
    }
  });

  it('host.json reads the task hub from STEMFLOW_TASK_HUB, which each app sets', () => {
    const host = JSON.parse(read('host.json')) as { extensions: { durableTask: { hubName: string } } };
    expect(host.extensions.durableTask.hubName).toBe('%STEMFLOW_TASK_HUB%');
    expect(manifest.settings.STEMFLOW_TASK_HUB.flex).toBe('set');
    expect(manifest.settings.STEMFLOW_TASK_HUB.gpu).toBe('set');
  });
});

describe('azure.yaml, hooks, Dockerfile and docs/deploy.md are consistent with the files', () => {
  const azureYaml = read('azure.yaml');
  const deployMd = read('docs/deploy.md');

  it('azure.yaml points at bicep/main.bicep, a Functions service named api, and existing hook scripts', () => {
    expect(azureYaml).toMatch(/^infra:\s*\n\s+provider: bicep\s*\n\s+path: bicep\s*\n\s+module: main\s*$/m);
    expect(azureYaml).toMatch(/^ {2}api:\s*\n\s+project: \.\s*\n\s+language: ts\s*\n\s+host: function\s*$/m);
    const runs = [...azureYaml.matchAll(/run: (\S+)/g)].map((m) => m[1]);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const r of runs) expect(existsSync(join(ROOT, r)), r).toBe(true);
    // Every azd-service-name in the Bicep is a service in azure.yaml, except the GPU app the hook deploys.
    const services = [...read('bicep/main.bicep').matchAll(/'azd-service-name': '(\w+)'/g)].map((m) => m[1]);
    expect(services).toEqual(['api', 'gpu']);
    expect(azureYaml).toMatch(/^ {2}api:/m);
  });

  it('the Event Grid subscription is filtered to top-level uploads in both hook scripts', () => {
    for (const script of ['bicep/hooks/postdeploy.sh', 'bicep/hooks/postdeploy.ps1']) {
      const text = read(script);
      expect(text, script).toContain('/blobServices/default/containers/');
      expect(text, script).toMatch(/AUDIO_CONTAINER_NAME/);
      expect(text, script).toContain('Microsoft.Storage.BlobCreated');
      expect(text, script).toMatch(/StringNotContains/);
      for (const folder of ['/stems/', '/analysis/', '/generated/', '/work/']) expect(text, script).toContain(folder);
      expect(text, script).toContain('blobs_extension');
      expect(text, script).toContain('Host.Functions.onBlobUploaded');
    }
  });

  it('every azd value the hooks read is an output of main.bicep', () => {
    const outputs = new Set([...read('bicep/main.bicep').matchAll(/^output (\w+)/gm)].map((m) => m[1]));
    const sh = new Set([...read('bicep/hooks/postdeploy.sh').matchAll(/\$\{?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
    const ps = new Set([...read('bicep/hooks/postdeploy.ps1').matchAll(/env:([A-Z][A-Z0-9_]+)|'([A-Z][A-Z0-9_]{3,})'/g)].map((m) => m[1] ?? m[2]));
    const local = new Set(['SUBSCRIPTION_NAME']);
    for (const name of [...sh, ...ps]) if (!local.has(name)) expect(outputs, name).toContain(name);
    expect(sh.size).toBeGreaterThan(6);
  });

  it('the POSIX hook is valid sh', () => {
    expect(() => execFileSync('sh', ['-n', join(ROOT, 'bicep/hooks/postdeploy.sh')])).not.toThrow();
  });

  it('the Dockerfile builds on the Functions Node 20 image with the CUDA onnxruntime-node', () => {
    const docker = read('Dockerfile');
    expect(docker).toMatch(/^FROM mcr\.microsoft\.com\/azure-functions\/node:4-node20\b/m);
    expect(docker).toContain('onnxruntime-node-install=cuda12');
    expect(existsSync(join(ROOT, '.dockerignore'))).toBe(true);
  });

  it('every file docs/deploy.md references exists (or is git-ignored and made by a documented step)', () => {
    const refs = new Set<string>();
    for (const m of deployMd.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) if (!/^[a-z]+:/.test(m[1])) refs.add(relative(ROOT, resolve(ROOT, 'docs', m[1])));
    for (const m of deployMd.matchAll(/`((?:bicep|docs|models|scripts|shared|functions|test)\/[\w./-]+|[\w.-]+\.(?:json|yaml|md|bicep|ts)|Dockerfile|\.dockerignore)`/g)) {
      // A bare file name may sit at the root, in docs/ or in bicep/.
      const found = [m[1], `docs/${m[1]}`, `bicep/${m[1]}`].find((c) => existsSync(join(ROOT, c)));
      refs.add(found ?? m[1]);
    }
    expect(refs.size).toBeGreaterThan(8);
    const gitignore = read('.gitignore').split('\n').map((l) => l.trim());
    const missing = [...refs].filter((r) => !existsSync(join(ROOT, r)) && !gitignore.includes(r));
    expect(missing).toEqual([]);
  });

  it('the commands in docs/deploy.md use the parameter names main.bicep declares', () => {
    const params = new Set([...read('bicep/main.bicep').matchAll(/^param (\w+)/gm)].map((m) => m[1]));
    const envToParam = JSON.parse(read('bicep/main.parameters.json')) as { parameters: Record<string, { value: string }> };
    for (const name of Object.keys(envToParam.parameters)) expect(params, name).toContain(name);
    for (const m of deployMd.matchAll(/azd env set (\w+)/g)) {
      const mapped = Object.values(envToParam.parameters).some((p) => String(p.value).includes(`\${${m[1]}`));
      expect(mapped || ['AZURE_LOCATION', 'AZURE_SUBSCRIPTION_ID'].includes(m[1]), m[1]).toBe(true);
    }
  });
});
