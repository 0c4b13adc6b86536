/**
 * Queue starters: a message on `analysis-requests` / `generation-requests` starts the same job as
 * the HTTP starter, with the same validation. A bad message is NOT thrown back to the host (that
 * would retry it five times and poison it without a reason): it is written to `<queue>-poison`
 * with its reasons, and the original message is completed.
 */
import type { AppConfig } from '../../shared/config.js';
import type { PoisonMessage } from '../../shared/contracts/http.js';
import { planAnalysis, planGeneration, startPlanned } from '../starters.js';
import type { HandlerContext, QueueFunctionDefinition } from '../types.js';

function parseMessage(message: unknown): { ok: true; value: unknown } | { ok: false; reasons: string[] } {
  if (typeof message === 'string') {
    try {
      return { ok: true, value: JSON.parse(message) };
    } catch (err) {
      return { ok: false, reasons: [`message: invalid JSON (${(err as Error).message})`] };
    }
  }
  if (message instanceof Uint8Array) return parseMessage(Buffer.from(message).toString('utf8'));
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return { ok: false, reasons: ['message: must be a JSON object'] };
  return { ok: true, value: message };
}

async function poison(queueName: string, message: unknown, reasons: string[], ctx: HandlerContext): Promise<void> {
  const original = typeof message === 'string' ? message : message instanceof Uint8Array ? Buffer.from(message).toString('utf8') : JSON.stringify(message);
  const body: PoisonMessage = { queue: queueName, reasons, original: original.slice(0, 48_000), rejected_at: new Date().toISOString() };
  await ctx.services.queues.send(`${queueName}-poison`, body);
  ctx.log.warn(`${queueName}: rejected message → ${queueName}-poison: ${reasons.join('; ')}`);
}

export function makeQueueStarter(kind: 'analysis' | 'generation', queueName: string) {
  return async (message: unknown, ctx: HandlerContext): Promise<{ started: boolean; instanceId?: string; reasons?: string[] }> => {
    const parsed = parseMessage(message);
    if (!parsed.ok) {
      await poison(queueName, message, parsed.reasons, ctx);
      return { started: false, reasons: parsed.reasons };
    }
    const plan = kind === 'analysis' ? await planAnalysis(parsed.value, ctx) : await planGeneration(parsed.value, ctx);
    if (!plan.ok) {
      await poison(queueName, message, plan.reasons, ctx);
      return { started: false, reasons: plan.reasons };
    }
    const started = await startPlanned(plan.value, ctx);
    return { started: !started.alreadyExists, instanceId: started.instanceId };
  };
}

export function queueStarterDefinitions(config: Readonly<AppConfig>): QueueFunctionDefinition[] {
  return [
    {
      kind: 'queue',
      name: 'analysisQueueStart',
      queueName: config.queues.analysis,
      connection: config.storageConnectionSetting,
      usesDurableClient: true,
      handler: makeQueueStarter('analysis', config.queues.analysis),
    },
    {
      kind: 'queue',
      name: 'generationQueueStart',
      queueName: config.queues.generation,
      connection: config.storageConnectionSetting,
      usesDurableClient: true,
      handler: makeQueueStarter('generation', config.queues.generation),
    },
  ];
}
