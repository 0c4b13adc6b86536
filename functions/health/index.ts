/** `GET /api/health` → version, mode, model availability, storage reachability. Anonymous. */
import { describeError } from '../../shared/errors.js';
import { describeRuntime } from '../../shared/pipeline/runtime.js';
import { runtimeSettings } from '../core.js';
import type { HealthResponse } from '../../shared/contracts/http.js';
import { VERSION } from '../../shared/version.js';
import { json } from '../http.js';
import type { HandlerContext, HttpFunctionDefinition, HttpRequestLike, HttpResponseLike } from '../types.js';

export async function health(_request: HttpRequestLike, ctx: HandlerContext): Promise<HttpResponseLike> {
  const { config, blobs } = ctx.services;
  const runtime = await describeRuntime(runtimeSettings(config));
  const storage: HealthResponse['storage'] = { reachable: true, container: config.containerName };
  try {
    await Promise.race([blobs.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 5 s')), 5000).unref())]);
  } catch (err) {
    storage.reachable = false;
    storage.error = describeError(err).replace(/AccountKey=[^;]+/g, 'AccountKey=***');
  }
  const enginesOk = runtime.separation.installed && runtime.generation.installed;
  const body: HealthResponse = {
    status: storage.reachable && enginesOk ? 'ok' : 'degraded',
    version: VERSION,
    mode: config.mode,
    engines: { separation: runtime.separation, generation: runtime.generation },
    execution_provider: runtime.executionProvider,
    models: runtime.models,
    storage,
    callbacks_signed: config.callbacks.secret !== undefined,
  };
  return json(storage.reachable ? 200 : 503, body);
}

export const healthDefinition: HttpFunctionDefinition = {
  kind: 'http',
  name: 'health',
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  usesDurableClient: false,
  handler: health,
};
