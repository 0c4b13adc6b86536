/** Shared pieces of the activities: input parsing at the edge and the definition builder. */
import { z } from 'zod';
import { InvalidRequestError } from '../../shared/errors.js';
import { describeIssues } from '../../shared/contracts/http.js';
import { wrapActivity } from '../durable/errors.js';
import type { ActivityFunctionDefinition, HandlerContext } from '../types.js';

export const SafeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);
/** A blob path inside the container: no '..' segments, no leading slash, no backslashes. */
export const BlobPathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '.' || s === ''), {
    message: 'must be a relative blob path without "." or ".." segments',
  });

export function parseActivityInput<T>(schema: z.ZodType<T>, input: unknown, activity: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidRequestError(`${activity}: bad input: ${describeIssues(parsed.error, input).join('; ')}`, describeIssues(parsed.error, input));
  return parsed.data;
}

export function defineActivity<I, O>(
  name: string,
  schema: z.ZodType<I>,
  run: (input: I, ctx: HandlerContext) => Promise<O>,
): ActivityFunctionDefinition & { run: (input: I, ctx: HandlerContext) => Promise<O> } {
  return {
    kind: 'activity',
    name,
    run,
    handler: wrapActivity((input: unknown, ctx: HandlerContext) => run(parseActivityInput(schema, input, name), ctx)),
  };
}

export const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
export const parseJsonBytes = (bytes: Uint8Array, what: string): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new InvalidRequestError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
};
