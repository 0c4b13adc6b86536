/** `POST /api/generate` (seed contract) → 202 with status URLs, or 400 with reasons. */
import { acceptedBody } from '../jobs.js';
import { badRequest, guardHttp, json, readJsonBody } from '../http.js';
import { planGeneration, startPlanned } from '../starters.js';
import type { HandlerContext, HttpFunctionDefinition, HttpRequestLike, HttpResponseLike } from '../types.js';

export async function generateHttpStart(request: HttpRequestLike, ctx: HandlerContext): Promise<HttpResponseLike> {
  const body = await readJsonBody(request, ctx.services.config.maxBodyBytes);
  if (!body.ok) return badRequest(body.reasons);
  const plan = await planGeneration(body.value, ctx);
  if (!plan.ok) return badRequest(plan.reasons);
  const started = await startPlanned(plan.value, ctx);
  const accepted = acceptedBody(ctx.services.jobs, started.instanceId, 'generation', request.url, started.alreadyExists);
  return json(202, accepted, { location: accepted.status_url, 'retry-after': '2' });
}

export const generateHttpStartDefinition: HttpFunctionDefinition = {
  kind: 'http',
  name: 'generateHttpStart',
  route: 'generate',
  methods: ['POST'],
  authLevel: 'function',
  usesDurableClient: true,
  handler: guardHttp(generateHttpStart),
};
