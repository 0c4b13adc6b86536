/**
 * JAMS text in and out: validate before writing (fail loudly, never write an invalid file) and
 * parse text into a validated document. Pure: the caller does the file or blob I/O.
 */
import type { JamsDocument } from './types.js';
import { assertValidJams, JamsValidationError } from './validate.js';

/**
 * Serialise a JAMS document as JSON text (2-space indent by default) after validating it.
 * Throws {@link JamsValidationError} listing every problem when it is invalid.
 */
export function stringifyJams(doc: JamsDocument, options: { indent?: number } = {}): string {
  assertValidJams(doc);
  return `${JSON.stringify(doc, null, options.indent ?? 2)}\n`;
}

/**
 * Parse JAMS text and validate it. Text that is not JSON, or JSON that is not a valid JAMS,
 * throws {@link JamsValidationError} (code 'invalid_jams') naming the problem.
 */
export function parseJams(text: string): JamsDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const head = text.slice(0, 40).replace(/\s+/g, ' ');
    throw new JamsValidationError([`/: not JSON (${err instanceof Error ? err.message : String(err)}; starts with "${head}")`]);
  }
  assertValidJams(doc);
  return doc;
}
