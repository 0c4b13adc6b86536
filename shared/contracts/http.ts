/**
 * The wire contracts of the Functions app, as zod schemas: HTTP request and response bodies,
 * queue messages, callbacks and job status. Field names are the seed's snake_case (the .NET API
 * already sends them). `scripts/export-contracts.ts` exports these as JSON Schema and OpenAPI.
 *
 * Shape checks live here; checks that need configuration (blob account, callback allow-list)
 * live in `functions/validation.ts` and add their reasons to the same 400 response.
 */
import { z } from 'zod';

/** A GUID (any version, any case). */
export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A safe token: becomes part of blob paths and instance ids, so no dots, slashes or spaces. */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** An id that may become part of a blob path or an orchestration instance id. */
export const JobIdSchema = z
  .string()
  .refine((s) => GUID_PATTERN.test(s) || SAFE_ID_PATTERN.test(s), {
    message: 'must be a GUID or 1-128 characters of [A-Za-z0-9_-]',
  })
  .meta({ description: 'A GUID or 1-128 characters of [A-Za-z0-9_-]', pattern: SAFE_ID_PATTERN.source });

const HttpUrlSchema = z.string().max(2048).refine(
  (s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  },
  { message: 'must be an absolute http(s) URL' },
).meta({ format: 'uri' });

export const SEPARATED_STEMS = ['vocals', 'drums', 'bass', 'other'] as const;
export const GENERATABLE_STEMS = ['drums', 'bass', 'guitar', 'piano', 'synth', 'vocals', 'other'] as const;
export const SeparatedStemSchema = z.enum(SEPARATED_STEMS);
export const GeneratableStemSchema = z.enum(GENERATABLE_STEMS);
export type SeparatedStem = z.infer<typeof SeparatedStemSchema>;
export type GeneratableStem = z.infer<typeof GeneratableStemSchema>;

/** `POST /api/analyze` and `analysis-requests` queue messages. */
export const AnalyzeRequestSchema = z
  .strictObject({
    audio_file_id: JobIdSchema,
    blob_uri: HttpUrlSchema.describe('URI of the uploaded audio inside the configured account and container'),
    callback_url: HttpUrlSchema.optional().describe('Where the signed completion/failure callback is POSTed; host must be allow-listed'),
  })
  .meta({ id: 'AnalyzeRequest', title: 'AnalyzeRequest' });
export type AnalyzeRequest = z.infer<typeof AnalyzeRequestSchema>;

export const GenerationParametersSchema = z
  .strictObject({
    target_bpm: z.number().min(30).max(300).optional(),
    duration_seconds: z.number().gt(0).max(600),
    style: z.string().max(64).optional(),
    chord_progression: z
      .union([z.string().max(1024), z.array(z.string().max(32)).max(256)])
      .optional()
      .describe('Harte or common chord symbols, as one space/comma/dash separated string or an array'),
    key: z.string().max(32).optional().describe('e.g. "C major", "A:minor", "F#m"'),
    prompt: z.string().max(1000).optional(),
    temperature: z.number().min(0).max(2).optional(),
    random_seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  })
  .meta({ id: 'GenerationParameters', title: 'GenerationParameters' });
export type GenerationParameters = z.infer<typeof GenerationParametersSchema>;

/** `POST /api/generate` and `generation-requests` queue messages. */
export const GenerateRequestSchema = z
  .strictObject({
    generation_request_id: JobIdSchema,
    audio_file_id: JobIdSchema.optional().describe('An analysed song the stems should fit (tempo, grid, key, chords)'),
    target_stems: z
      .array(GeneratableStemSchema)
      .min(1)
      .max(GENERATABLE_STEMS.length)
      .refine((a) => new Set(a).size === a.length, { message: 'must not repeat a stem' }),
    parameters: GenerationParametersSchema,
    callback_url: HttpUrlSchema.optional(),
  })
  .meta({ id: 'GenerateRequest', title: 'GenerateRequest' });
export type GenerateRequest = z.infer<typeof GenerateRequestSchema>;

/** Body of every 400 (and other error) response. */
export const ErrorResponseSchema = z
  .object({
    error: z.string().describe('Machine-readable code, e.g. invalid_request'),
    message: z.string(),
    reasons: z.array(z.string()).describe('One line per violation, naming the field and the offending value'),
  })
  .meta({ id: 'ErrorResponse', title: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** Body of the 202 returned by the starters: Durable's management URLs plus our own status URL. */
export const AcceptedResponseSchema = z
  .object({
    job_id: z.string(),
    kind: z.enum(['analysis', 'generation']),
    status_url: z.string().describe('GET /api/jobs/{job_id}'),
    already_exists: z.boolean().describe('true when an identical job was already started (idempotent request)'),
    id: z.string().describe('Same as job_id (createCheckStatusResponse compatibility)'),
    statusQueryGetUri: z.string(),
    sendEventPostUri: z.string(),
    terminatePostUri: z.string(),
    purgeHistoryDeleteUri: z.string(),
  })
  .meta({ id: 'AcceptedResponse', title: 'AcceptedResponse' });
export type AcceptedResponse = z.infer<typeof AcceptedResponseSchema>;

export const JobStageSchema = z.enum([
  'queued',
  'preparing',
  'separating_and_analyzing',
  'transcribing',
  'writing_annotation',
  'rendering',
  'notifying',
  'completed',
  'failed',
]);
export type JobStage = z.infer<typeof JobStageSchema>;

export const JobErrorSchema = z
  .object({ code: z.string(), message: z.string(), step: z.string().optional() })
  .meta({ id: 'JobError', title: 'JobError' });
export type JobError = z.infer<typeof JobErrorSchema>;

export const CallbackDeliverySchema = z
  .object({
    delivered: z.boolean(),
    attempts: z.number().int(),
    status_code: z.number().int().optional(),
    last_error: z.string().optional(),
  })
  .meta({ id: 'CallbackDelivery', title: 'CallbackDelivery' });
export type CallbackDelivery = z.infer<typeof CallbackDeliverySchema>;

/** Blob paths (relative to the container) of a job's outputs. */
export const JobOutputsSchema = z
  .object({
    stems: z.record(z.string(), z.string()).optional().describe('stem name → blob path'),
    annotation: z.string().optional().describe('blob path of the JAMS annotation'),
    midi: z.record(z.string(), z.string()).optional().describe('stem name → blob path of its transcribed notes (Standard MIDI File), when transcription is on'),
  })
  .meta({ id: 'JobOutputs', title: 'JobOutputs' });
export type JobOutputs = z.infer<typeof JobOutputsSchema>;

export const JobSummarySchema = z
  .object({
    duration_seconds: z.number().optional(),
    bpm: z.number().nullable().optional(),
    key: z.string().nullable().optional(),
    beats_per_bar: z.number().nullable().optional(),
    beat_count: z.number().int().optional(),
    chord_count: z.number().int().optional(),
    section_count: z.number().int().optional(),
    fitted_to: z.string().optional().describe('audio_file_id whose analysis the generated stems fit'),
  })
  .meta({ id: 'JobSummary', title: 'JobSummary' });
export type JobSummary = z.infer<typeof JobSummarySchema>;

/** The orchestration custom status (kept far below Durable's 16 KB limit). */
export const JobProgressSchema = z
  .object({
    kind: z.enum(['analysis', 'generation']),
    stage: JobStageSchema,
    percent: z.number().min(0).max(100),
    error: JobErrorSchema.optional(),
    callback: CallbackDeliverySchema.optional(),
  })
  .meta({ id: 'JobProgress', title: 'JobProgress' });
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** `GET /api/jobs/{id}`. */
export const JobStatusSchema = z
  .object({
    job_id: z.string(),
    kind: z.enum(['analysis', 'generation']).optional(),
    runtime_status: z.enum(['pending', 'running', 'completed', 'failed', 'terminated', 'suspended', 'continued_as_new', 'unknown']),
    stage: JobStageSchema.optional(),
    percent: z.number().optional(),
    created_at: z.string().optional(),
    updated_at: z.string().optional(),
    outputs: JobOutputsSchema.optional(),
    summary: JobSummarySchema.optional(),
    error: JobErrorSchema.optional(),
    callback: CallbackDeliverySchema.optional(),
  })
  .meta({ id: 'JobStatus', title: 'JobStatus' });
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** `GET /api/health`. */
export const HealthResponseSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    mode: z.enum(['mock', 'model']),
    engines: z
      .object({
        separation: z.object({ engine: z.string(), model: z.string().optional(), installed: z.boolean(), missing: z.array(z.string()) }),
        generation: z.object({ engine: z.string(), installed: z.boolean(), missing: z.array(z.string()) }),
      })
      .describe('what runs in this mode: dsp-masks/procedural (mock) or onnx/musicgen (model), and whether its files are present'),
    execution_provider: z
      .object({ requested: z.enum(['cpu', 'cuda']), active: z.string().nullable().describe('null until a model session has been created') })
      .describe('ONNX Runtime execution provider; cuda falls back to cpu when CUDA is absent'),
    models: z
      .array(z.object({ id: z.string(), task: z.string(), installed: z.boolean(), missing: z.array(z.string()) }))
      .describe('every model in models/manifest.json and whether its files are in the model folder'),
    storage: z.object({ reachable: z.boolean(), container: z.string(), error: z.string().optional() }),
    callbacks_signed: z.boolean(),
  })
  .meta({ id: 'HealthResponse', title: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/**
 * The callback POSTed to `callback_url` (signed: see docs/callbacks.md) and, identically, the
 * message put on the `job-events` queue.
 */
export const JobEventSchema = z
  .object({
    event_id: z.string().describe('Unique per job outcome; use it to de-duplicate (delivery is at-least-once)'),
    job_id: z.string(),
    kind: z.enum(['analysis', 'generation']),
    status: z.enum(['completed', 'failed']),
    audio_file_id: z.string().optional(),
    generation_request_id: z.string().optional(),
    outputs: JobOutputsSchema,
    summary: JobSummarySchema.optional(),
    error: JobErrorSchema.optional(),
    occurred_at: z.string().describe('ISO 8601 UTC'),
  })
  .meta({ id: 'JobEvent', title: 'JobEvent' });
export type JobEvent = z.infer<typeof JobEventSchema>;

/** A rejected queue message, as written to `<queue>-poison`. */
export const PoisonMessageSchema = z
  .object({
    queue: z.string(),
    reasons: z.array(z.string()),
    original: z.string().describe('The message text as received'),
    rejected_at: z.string(),
  })
  .meta({ id: 'PoisonMessage', title: 'PoisonMessage' });
export type PoisonMessage = z.infer<typeof PoisonMessageSchema>;

/** Every exported schema, by file stem (contracts/<name>.schema.json). */
export const EXPORTED_SCHEMAS = {
  AnalyzeRequest: AnalyzeRequestSchema,
  GenerateRequest: GenerateRequestSchema,
  AcceptedResponse: AcceptedResponseSchema,
  ErrorResponse: ErrorResponseSchema,
  JobStatus: JobStatusSchema,
  HealthResponse: HealthResponseSchema,
  JobEvent: JobEventSchema,
  PoisonMessage: PoisonMessageSchema,
} as const;

/** Turn zod issues into one readable line each: `field.path: message (got <value>)`. */
export function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(body)';
    let got = '';
    const value = valueAt(input, issue.path);
    if (issue.code === 'unrecognized_keys') {
      return `${path}: unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    if (value !== undefined) {
      const shown = JSON.stringify(value);
      got = ` (got ${shown && shown.length > 80 ? `${shown.slice(0, 77)}...` : shown})`;
    } else if (issue.path.length > 0) {
      got = ' (missing)';
    }
    return `${path}: ${issue.message}${got}`;
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
