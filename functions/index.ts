/**
 * The Azure Functions entry point (package.json "main" → dist/functions/index.js): registers
 * every definition of the registry with @azure/functions v4 and durable-functions v3.
 * Outside the Functions host @azure/functions runs in test mode and skips registration; nothing
 * else in the app depends on these side effects (the local host reads the registry directly).
 */
import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getConfig } from '../shared/config.js';
import { functionDefinitions } from './registry.js';
import { createServices, durableJobClient, type DurableClientLike } from './services.js';
import { blobInput } from './bindings.js';
import type { FunctionDefinition, HandlerContext, Logger } from './types.js';

const config = getConfig();
const baseServices = createServices(config);

function loggerOf(context: InvocationContext): Logger {
  return { info: (...a) => context.log(...a), warn: (...a) => context.warn(...a), error: (...a) => context.error(...a) };
}

function handlerContext(context: InvocationContext, withDurable: boolean): HandlerContext {
  const services = withDurable
    ? createServices(config, {
        blobs: baseServices.blobs,
        queues: baseServices.queues,
        jobs: durableJobClient(df.getClient(context) as unknown as DurableClientLike),
      })
    : baseServices;
  return { log: loggerOf(context), services, invocationId: context.invocationId };
}

/** Register one definition. Exported so tests can register into a spied `app`. */
export function registerDefinition(def: FunctionDefinition): void {
  switch (def.kind) {
    case 'http':
      app.http(def.name, {
        route: def.route,
        methods: def.methods,
        authLevel: def.authLevel,
        extraInputs: def.usesDurableClient ? [df.input.durableClient()] : [],
        handler: async (request: HttpRequest, context: InvocationContext) => def.handler(request, handlerContext(context, def.usesDurableClient)),
      });
      return;
    case 'blob':
      app.storageBlob(def.name, {
        path: def.path,
        connection: def.connection,
        source: def.source,
        extraInputs: [df.input.durableClient()],
        handler: async (_blob: unknown, context: InvocationContext) => {
          await def.handler(blobInput(context, config.containerName), handlerContext(context, true));
        },
      });
      return;
    case 'queue':
      app.storageQueue(def.name, {
        queueName: def.queueName,
        connection: def.connection,
        extraInputs: [df.input.durableClient()],
        handler: async (message: unknown, context: InvocationContext) => {
          await def.handler(message, handlerContext(context, true));
        },
      });
      return;
    case 'orchestration':
      df.app.orchestration(def.name, def.handler as df.OrchestrationHandler);
      return;
    case 'activity':
      df.app.activity(def.name, { handler: (input: unknown, context: InvocationContext) => def.handler(input, handlerContext(context, false)) });
      return;
  }
}

for (const def of functionDefinitions(config)) registerDefinition(def);
