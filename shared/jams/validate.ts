/**
 * Validate a JAMS document the way the JAMS library does (top-level JSON schema, then each
 * annotation's observations against its namespace's `value` and `confidence` schemas), plus
 * checks stricter than the official schema:
 * - `key_mode` values must match the whole pattern (the official pattern `^N|(...)$` anchors
 *   only its first alternative, so "xx C:major" passes it);
 * - chord labels (`chord`, `chord_harte`) must parse in full with the Harte grammar
 *   ({@link parseHarte});
 * - no number anywhere may be NaN or ±Infinity (JSON would silently turn it into null);
 * - `file_metadata.duration` is required (every consumer needs it to crop or pad intervals).
 * The official schema is draft-04, so it is compiled with ajv-draft-04 (ajv v8 dropped draft-04
 * from its default build). Validators are compiled once per process and cached.
 */
import AjvDraft04Module from 'ajv-draft-04';
import type { ValidateFunction, ErrorObject } from 'ajv';
import { StemflowError } from '../errors.js';
import { parseHarte } from '../music/harte.js';
import { JAMS_NAMESPACES } from './namespaces.js';
import jamsSchema from './schema/jams_schema.json' with { type: 'json' };
import type { JamsDocument } from './types.js';

/** A JAMS document that fails validation; lists every problem found. Never retried. */
export class JamsValidationError extends StemflowError {
  readonly errors: string[];
  constructor(errors: string[]) {
    const shown = errors.slice(0, 20).join('; ');
    const more = errors.length > 20 ? `; … and ${errors.length - 20} more` : '';
    super('invalid_jams', `invalid JAMS (${errors.length} problem${errors.length === 1 ? '' : 's'}): ${shown}${more}`, false);
    this.errors = errors;
  }
}

export interface JamsValidationResult {
  valid: boolean;
  errors: string[];
}

/** Full-match key_mode pattern: the official alternatives, anchored as a whole. */
const KEY_MODE_FULL = /^(?:N|[A-G][b#]?(?::(?:major|minor|ionian|dorian|phrygian|lydian|mixolydian|aeolian|locrian))?)$/;
const CHORD_NAMESPACES = new Set(['chord', 'chord_harte']);

interface AjvInstance {
  compile(schema: object): ValidateFunction;
}
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;

let ajvInstance: AjvInstance | undefined;
let topLevelValidator: ValidateFunction | undefined;
const namespaceValidators = new Map<string, { value?: ValidateFunction; confidence?: ValidateFunction }>();

function getAjv(): AjvInstance {
  if (!ajvInstance) {
    const mod = AjvDraft04Module as unknown as { default?: AjvConstructor } & AjvConstructor;
    const Ajv: AjvConstructor = mod.default ?? mod;
    // validateFormats: false, like the JAMS library's jsonschema validation (formats are not
    // asserted there): files written by it carry curator {name: "", email: ""}.
    ajvInstance = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  }
  return ajvInstance;
}

function getTopLevelValidator(): ValidateFunction {
  topLevelValidator ??= getAjv().compile(jamsSchema as object);
  return topLevelValidator;
}

function getNamespaceValidators(namespace: string): { value?: ValidateFunction; confidence?: ValidateFunction } | undefined {
  let v = namespaceValidators.get(namespace);
  if (!v) {
    const spec = JAMS_NAMESPACES.get(namespace);
    if (!spec) return undefined;
    const ajv = getAjv();
    v = {
      value: spec.value ? ajv.compile(spec.value) : undefined,
      confidence: spec.confidence ? ajv.compile(spec.confidence) : undefined,
    };
    namespaceValidators.set(namespace, v);
  }
  return v;
}

function describe(value: unknown): string {
  const s = JSON.stringify(value);
  if (s === undefined) return String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function formatAjvErrors(prefix: string, errors: ErrorObject[] | null | undefined, value?: unknown, withValue = false): string[] {
  if (!errors) return [];
  return errors.map((e) => {
    const path = `${prefix}${e.instancePath}`;
    const got = withValue ? ` (got ${describe(value)})` : '';
    // Namespace patterns run to hundreds of characters: name the rule instead of printing it.
    const message = e.keyword === 'pattern' ? 'must match the namespace value pattern' : (e.message ?? e.keyword);
    return `${path || '/'}: ${message}${got}`;
  });
}

function findNonFinite(node: unknown, path: string, out: string[]): void {
  if (typeof node === 'number') {
    if (!Number.isFinite(node)) out.push(`${path || '/'}: number must be finite (got ${String(node)})`);
  } else if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) findNonFinite(node[i], `${path}/${i}`, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) findNonFinite(v, `${path}/${k}`, out);
  }
}

function checkObservation(
  valuePath: string,
  confidencePath: string,
  namespace: string,
  validators: { value?: ValidateFunction; confidence?: ValidateFunction },
  value: unknown,
  confidence: unknown,
  errors: string[],
): void {
  if (validators.value && !validators.value(value)) {
    errors.push(...formatAjvErrors(valuePath, validators.value.errors, value, true).map((m) => `${m} [${namespace}]`));
  }
  if (validators.confidence && !validators.confidence(confidence)) {
    errors.push(...formatAjvErrors(confidencePath, validators.confidence.errors, confidence, true).map((m) => `${m} [${namespace}]`));
  }
  if (namespace === 'key_mode' && typeof value === 'string' && !KEY_MODE_FULL.test(value)) {
    errors.push(`${valuePath}: not a key_mode label (expected e.g. "A:minor" or "N") (got ${describe(value)})`);
  }
  if (CHORD_NAMESPACES.has(namespace) && typeof value === 'string') {
    try {
      parseHarte(value);
    } catch (err) {
      errors.push(`${valuePath}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/**
 * Validate a parsed JAMS document. Returns every problem found, each prefixed with its JSON
 * pointer (e.g. "/annotations/3/data/7/value: must match pattern ... (got \"H:maj\")").
 */
export function validateJams(doc: unknown): JamsValidationResult {
  const errors: string[] = [];
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { valid: false, errors: [`/: a JAMS document must be a JSON object (got ${describe(doc)})`] };
  }
  const top = getTopLevelValidator();
  if (!top(doc)) errors.push(...formatAjvErrors('', top.errors));
  findNonFinite(doc, '', errors);

  const d = doc as Partial<JamsDocument>;
  const duration = d.file_metadata?.duration;
  if (typeof duration !== 'number') errors.push(`/file_metadata/duration: required number of seconds (got ${describe(duration)})`);

  const annotations = Array.isArray(d.annotations) ? d.annotations : [];
  annotations.forEach((ann, i) => {
    if (ann === null || typeof ann !== 'object') return; // reported by the schema
    const at = `/annotations/${i}`;
    const namespace = (ann as { namespace?: unknown }).namespace;
    if (typeof namespace !== 'string') return; // reported by the schema
    const validators = getNamespaceValidators(namespace);
    if (!validators) {
      errors.push(`${at}/namespace: unknown JAMS namespace ${describe(namespace)}`);
      return;
    }
    const data = (ann as { data?: unknown }).data;
    if (Array.isArray(data)) {
      data.forEach((obs, j) => {
        if (obs === null || typeof obs !== 'object') return; // reported by the schema
        const o = obs as { value?: unknown; confidence?: unknown };
        checkObservation(`${at}/data/${j}/value`, `${at}/data/${j}/confidence`, namespace, validators, o.value, o.confidence, errors);
      });
    } else if (data !== null && typeof data === 'object') {
      const cols = data as { value?: unknown; confidence?: unknown; time?: unknown; duration?: unknown };
      const values = Array.isArray(cols.value) ? cols.value : [];
      const confidences = Array.isArray(cols.confidence) ? cols.confidence : [];
      const times = Array.isArray(cols.time) ? cols.time : [];
      const durations = Array.isArray(cols.duration) ? cols.duration : [];
      if (new Set([values.length, confidences.length, times.length, durations.length]).size !== 1) {
        errors.push(
          `${at}/data: dense columns differ in length (time ${times.length}, duration ${durations.length}, value ${values.length}, confidence ${confidences.length})`,
        );
      }
      values.forEach((v, j) =>
        checkObservation(`${at}/data/value/${j}`, `${at}/data/confidence/${j}`, namespace, validators, v, confidences[j], errors),
      );
    }
  });
  return { valid: errors.length === 0, errors };
}

/** Throw a {@link JamsValidationError} listing every problem unless `doc` is a valid JAMS. */
export function assertValidJams(doc: unknown): asserts doc is JamsDocument {
  const { valid, errors } = validateJams(doc);
  if (!valid) throw new JamsValidationError(errors);
}
