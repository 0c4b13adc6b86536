/**
 * Export the zod wire contracts (shared/contracts/http.ts) as JSON Schema (draft 2020-12) files
 * and one OpenAPI 3.1 document, for the .NET team to generate clients from:
 *
 *   npx tsx scripts/export-contracts.ts          # writes contracts/*.json
 *   npx tsx scripts/export-contracts.ts --check  # exit 1 when the committed files are stale
 *
 * A test (test/functions/contracts.test.ts) fails when the committed files differ from this output.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { EXPORTED_SCHEMAS } from '../shared/contracts/http.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../shared/callbacks/sign.js';
import { VERSION } from '../shared/version.js';

export const CONTRACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'contracts');

type Json = Record<string, unknown>;

function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) if (k !== '$id' && k !== '$schema') out[k] = stripIds(v);
    return out;
  }
  return value;
}

/** Every component schema (with nested named schemas), keyed by id, refs as #/components/schemas/<id>. */
function componentSchemas(): Record<string, Json> {
  const all = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` }).schemas as Record<string, Json>;
  const wanted = new Set<string>();
  const visit = (id: string) => {
    if (wanted.has(id) || !all[id]) return;
    wanted.add(id);
    for (const m of JSON.stringify(all[id]).matchAll(/#\/components\/schemas\/(\w+)/g)) visit(m[1]);
  };
  for (const id of Object.keys(EXPORTED_SCHEMAS)) visit(id);
  const out: Record<string, Json> = {};
  for (const id of [...wanted].sort()) out[id] = stripIds(all[id]) as Json;
  return out;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonContent = (id: string) => ({ 'application/json': { schema: ref(id) } });
const err = (description: string) => ({ description, content: jsonContent('ErrorResponse') });

function openApi(components: Record<string, Json>): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'stemflow',
      version: VERSION,
      description:
        'Stems, MIR analysis (JAMS) and stem generation as an Azure Functions app. Bodies use snake_case. ' +
        `Callbacks are signed: ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"> (docs/callbacks.md).`,
    },
    servers: [{ url: 'http://localhost:7071' }],
    security: [{ functionKey: [] }],
    paths: {
      '/api/analyze': {
        post: {
          operationId: 'startAnalysis',
          summary: 'Analyse an uploaded song: stems, tempo, beats, key, chords, sections → JAMS',
          requestBody: { required: true, content: jsonContent('AnalyzeRequest') },
          responses: { '202': { description: 'Started (or already running for this upload)', content: jsonContent('AcceptedResponse') }, '400': err('Invalid request; nothing started') },
        },
      },
      '/api/generate': {
        post: {
          operationId: 'startGeneration',
          summary: 'Render the requested stems (optionally fitted to an analysed song)',
          requestBody: { required: true, content: jsonContent('GenerateRequest') },
          responses: { '202': { description: 'Started', content: jsonContent('AcceptedResponse') }, '400': err('Invalid request; nothing started') },
        },
      },
      '/api/jobs/{id}': {
        get: {
          operationId: 'getJob',
          summary: 'Status, stage, percent, outputs and error of a job',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^(analysis|generation)-[A-Za-z0-9_-]{1,200}$' } }],
          responses: { '200': { description: 'The job', content: jsonContent('JobStatus') }, '400': err('Malformed id'), '404': err('No such job') },
        },
      },
      '/api/health': {
        get: {
          operationId: 'getHealth',
          security: [],
          responses: { '200': { description: 'Healthy', content: jsonContent('HealthResponse') }, '503': { description: 'Storage unreachable', content: jsonContent('HealthResponse') } },
        },
      },
    },
    webhooks: {
      jobCallback: {
        post: {
          summary: 'POSTed to callback_url when a job completes or fails (the same JSON goes to the job-events queue)',
          parameters: [
            { name: SIGNATURE_HEADER, in: 'header', required: false, schema: { type: 'string', pattern: '^t=\\d+,v1=[0-9a-f]{64}$' } },
            { name: TIMESTAMP_HEADER, in: 'header', required: true, schema: { type: 'string' } },
            { name: EVENT_ID_HEADER, in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: jsonContent('JobEvent') },
          responses: { '200': { description: 'Any 2xx acknowledges; 408/429/5xx and network errors are retried with backoff; other 4xx are not' } },
        },
      },
    },
    components: {
      securitySchemes: { functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' } },
      schemas: components,
    },
  };
}

/** file name → file content (stable, 2-space JSON with a trailing newline). */
export function buildContracts(): Record<string, string> {
  const components = componentSchemas();
  const files: Record<string, string> = {};
  const text = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  for (const id of Object.keys(EXPORTED_SCHEMAS)) {
    // standalone file: the schema itself + the named schemas it references as $defs
    const defs: Record<string, Json> = {};
    const visit = (d: string) => {
      for (const m of JSON.stringify(components[d]).matchAll(/#\/components\/schemas\/(\w+)/g))
        if (!defs[m[1]]) {
          defs[m[1]] = components[m[1]];
          visit(m[1]);
        }
    };
    visit(id);
    const doc: Json = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `${id}.schema.json`, ...components[id] };
    if (Object.keys(defs).length > 0) doc.$defs = Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
    files[`${id}.schema.json`] = text(doc).replace(/#\/components\/schemas\//g, '#/$defs/');
  }
  files['openapi.json'] = text(openApi(components));
  return files;
}

/** Names of files whose committed content differs from {@link buildContracts}. */
export function staleContracts(dir = CONTRACTS_DIR): string[] {
  const stale: string[] = [];
  for (const [name, content] of Object.entries(buildContracts())) {
    let current = '';
    try {
      current = readFileSync(join(dir, name), 'utf8');
    } catch {
      current = '';
    }
    if (current !== content) stale.push(name);
  }
  return stale;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--check')) {
    const stale = staleContracts();
    if (stale.length > 0) {
      console.error(`stale contracts (run npx tsx scripts/export-contracts.ts): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('contracts are up to date');
  } else {
    mkdirSync(CONTRACTS_DIR, { recursive: true });
    for (const [name, content] of Object.entries(buildContracts())) writeFileSync(join(CONTRACTS_DIR, name), content);
    console.log(`wrote ${Object.keys(buildContracts()).length} files to ${CONTRACTS_DIR}`);
  }
}
