import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv2020Module from 'ajv/dist/2020.js';
import { CONTRACTS_DIR, buildContracts, staleContracts } from '../../scripts/export-contracts.js';

const Ajv2020 = (Ajv2020Module as unknown as { default?: typeof Ajv2020Module }).default ?? Ajv2020Module;
const load = (name: string) => JSON.parse(readFileSync(join(CONTRACTS_DIR, name), 'utf8'));

describe('exported contracts', () => {
  it('the committed contracts/*.json are up to date with the zod schemas', () => {
    expect(staleContracts()).toEqual([]);
    expect(Object.keys(buildContracts())).toContain('openapi.json');
  });

  it('the JSON Schemas accept the seed requests and reject what the API rejects', () => {
    const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
    ajv.addFormat('uri', true);
    const analyze = ajv.compile(load('AnalyzeRequest.schema.json'));
    const generate = ajv.compile(load('GenerateRequest.schema.json'));
    expect(analyze({ audio_file_id: 'test-123', blob_uri: 'http://azurite:10000/devstoreaccount1/audio-files/test.mp3', callback_url: 'http://api:8080/api/audio/analysis-callback' })).toBe(true);
    expect(analyze({ audio_file_id: '../x', blob_uri: 'http://a/b' })).toBe(false);
    expect(analyze({ audio_file_id: 'x' })).toBe(false);
    const seed = {
      generation_request_id: 'gen-123',
      audio_file_id: 'audio-123',
      target_stems: ['guitar', 'bass', 'drums'],
      parameters: { target_bpm: 120.0, duration_seconds: 10.0, style: 'rock' },
    };
    expect(generate(seed), JSON.stringify(generate.errors)).toBe(true);
    expect(generate({ ...seed, target_stems: ['kazoo'] })).toBe(false);
    expect(generate({ ...seed, parameters: { target_bpm: 120 } })).toBe(false);
  });

  it('the OpenAPI document names every route and resolves every $ref', () => {
    const doc = load('openapi.json');
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/analyze', '/api/generate', '/api/health', '/api/jobs/{id}']);
    for (const m of JSON.stringify(doc).matchAll(/"#\/components\/schemas\/(\w+)"/g)) expect(doc.components.schemas, m[1]).toHaveProperty(m[1]);
    expect(doc.webhooks.jobCallback.post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/JobEvent');
  });
});
