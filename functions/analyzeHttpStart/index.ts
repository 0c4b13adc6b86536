/** `POST /api/analyze` {audio_file_id, blob_uri, callback_url?} → 202 with status URLs, or 400 with reasons. */
import { guardHttp } from '../http.js';
import { httpStarter, planAnalysis } from '../starters.js';
import type { HttpFunctionDefinition } from '../types.js';

export const analyzeHttpStart = httpStarter('analysis', planAnalysis, 5);

export const analyzeHttpStartDefinition: HttpFunctionDefinition = {
  kind: 'http',
  name: 'analyzeHttpStart',
  route: 'analyze',
  methods: ['POST'],
  authLevel: 'function',
  usesDurableClient: true,
  handler: guardHttp(analyzeHttpStart),
};
