/** `GET /api/health` → version, mode, model availability, storage reachability. Anonymous. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../../shared/errors.js';
import type { HealthResponse } from '../../shared/contracts/http.js';
import { VERSION } from '../../shared/version.js';
import { json } from '../http.js';
import type { HandlerContext, HttpFunctionDefinition, HttpRequestLike, HttpResponseLike } from '../types.js';

export async function health(_request: HttpRequestLike, ctx: HandlerContext): Promise<HttpResponseLike> {
  const { config, blobs } = ctx.services;
  const models: HealthResponse['models'] = { procedural: { available: true } };
  const separation = config.models.separationModelPath ?? join(config.models.dir, 'separation', 'htdemucs.onnx');
  models.separation = { available: existsSync(separation), path: separation };
  const musicgen = config.models.musicgenDir ?? join(config.models.dir, 'musicgen');
  models.musicgen = { available: existsSync(join(musicgen, 'decoder_model_merged.onnx')) || existsSync(join(musicgen, 'onnx', 'decoder_model_merged.onnx')), path: musicgen };
  const storage: HealthResponse['storage'] = { reachable: true, container: config.containerName };
  try {
    await Promise.race([blobs.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 5 s')), 5000).unref())]);
  } catch (err) {
    storage.reachable = false;
    storage.error = describeError(err).replace(/AccountKey=[^;]+/g, 'AccountKey=***');
  }
  const modelsOk = config.mode === 'mock' || (models.separation.available && models.musicgen.available);
  const body: HealthResponse = {
    status: storage.reachable && modelsOk ? 'ok' : 'degraded',
    version: VERSION,
    mode: config.mode,
    models,
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
