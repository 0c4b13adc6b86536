/**
 * Option parsing on Node's built-in util.parseArgs, with errors that name the option and the
 * allowed values.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InvalidRequestError } from '../shared/errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parse argv strictly; unknown options and missing values become InvalidRequestError. */
export function parseCliArgs<const O extends OptionSpec, const P extends boolean = false>(argv: string[], options: O, allowPositionals?: P) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: (allowPositionals ?? false) as P, strict: true as const });
  } catch (err) {
    const msg = err instanceof Error ? err.message.replace(/\. To specify.*$/s, '') : String(err);
    throw new InvalidRequestError(`${msg} (known options: ${Object.keys(options).map((o) => `--${o}`).join(', ')})`);
  }
}

/** A finite number within [min, max], or an error naming the option. */
export function numberOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new InvalidRequestError(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return v;
}

/** An integer within [min, max], or an error naming the option. */
export function integerOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  const v = numberOption(name, raw, min, max);
  if (v !== undefined && !Number.isInteger(v)) throw new InvalidRequestError(`--${name} must be an integer, got "${raw}"`);
  return v;
}

/** One of `allowed`, or an error naming the option and the allowed values. */
export function choiceOption<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new InvalidRequestError(`--${name} must be one of ${allowed.join(', ')}; got "${raw}"`);
  }
  return raw as T;
}
