/** `POST /api/generate` (seed contract) → 202 with status URLs, or 400 with reasons. */
import { guardHttp } from '../http.js';
import { httpStarter, planGeneration } from '../starters.js';
import type { HttpFunctionDefinition } from '../types.js';

export const generateHttpStart = httpStarter('generation', planGeneration, 2);

export const generateHttpStartDefinition: HttpFunctionDefinition = {
  kind: 'http',
  name: 'generateHttpStart',
  route: 'generate',
  methods: ['POST'],
  authLevel: 'function',
  usesDurableClient: true,
  handler: guardHttp(generateHttpStart),
};
