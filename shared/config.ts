/**
 * Application configuration: `process.env` parsed ONCE with zod into a frozen object.
 * Every setting is documented in `local.settings.example.json`; names follow the Functions
 * convention (`AzureWebJobsStorage` or its identity-based form `AzureWebJobsStorage__blobServiceUri`…,
 * `FUNCTIONS_WORKER_PROCESS_COUNT`) or carry the `STEMFLOW_` prefix. Invalid settings throw an {@link InvalidRequestError} that lists every offending value.
 */
import { z } from 'zod';
import { InvalidRequestError } from './errors.js';

const csv = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return fallback;
      const v = s.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `expected a boolean, got "${s}"` });
      return z.NEVER;
    });

const num = (fallback: number, min: number, max: number, int = false) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return fallback;
      const v = Number(s);
      if (!Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) {
        ctx.addIssue({ code: 'custom', message: `expected ${int ? 'an integer' : 'a number'} in [${min}, ${max}], got "${s}"` });
        return z.NEVER;
      }
      return v;
    });

const text = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === '' ? fallback : s.trim()));

const optionalText = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

/** Durable task hub names: 3–45 characters, alphanumeric, starting with a letter. */
const HUB_NAME = /^[A-Za-z][A-Za-z0-9]{2,44}$/;
/** Azure container names. */
const CONTAINER_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;
/** Azure queue names. */
const QUEUE_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;

const envSchema = z.object({
  AzureWebJobsStorage: optionalText,
  // The identity-based form of AzureWebJobsStorage (Functions `<CONNECTION>__<property>` convention);
  // resolveStorage() checks them together.
  AzureWebJobsStorage__blobServiceUri: optionalText,
  AzureWebJobsStorage__queueServiceUri: optionalText,
  AzureWebJobsStorage__tableServiceUri: optionalText,
  AzureWebJobsStorage__credential: optionalText,
  AzureWebJobsStorage__clientId: optionalText,
  STEMFLOW_STORAGE_CONNECTION: optionalText,
  STEMFLOW_CONTAINER: text('audio-files').pipe(z.string().regex(CONTAINER_NAME, 'not a valid container name')),
  STEMFLOW_MODE: text('mock').pipe(z.enum(['mock', 'model'])),
  STEMFLOW_MODEL_DIR: text('models/weights'),
  STEMFLOW_SEPARATION_MODEL: text('htdemucs-4s').pipe(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a model id from models/manifest.json, e.g. htdemucs-4s')),
  STEMFLOW_MUSICGEN_DIR: optionalText,
  STEMFLOW_EXECUTION_PROVIDER: text('cpu').pipe(z.enum(['cpu', 'cuda'])),
  STEMFLOW_TRANSCRIBE_NOTES: bool(false),
  STEMFLOW_CALLBACK_SECRET: optionalText,
  STEMFLOW_CALLBACK_ALLOWED_HOSTS: csv,
  STEMFLOW_UPLOAD_CALLBACK_URL: optionalText,
  STEMFLOW_CALLBACK_MAX_ATTEMPTS: num(5, 1, 20, true),
  STEMFLOW_CALLBACK_FIRST_RETRY_MS: num(1000, 1, 600_000),
  STEMFLOW_CALLBACK_TIMEOUT_MS: num(10_000, 100, 120_000),
  STEMFLOW_BLOB_TRIGGER_SOURCE: text('LogsAndContainerScan').pipe(z.enum(['EventGrid', 'LogsAndContainerScan'])),
  STEMFLOW_BLOB_ENDPOINT_ALIASES: csv.pipe(
    z.array(
      z.string().refine((u) => {
        try {
          return ['http:', 'https:'].includes(new URL(u).protocol);
        } catch {
          return false;
        }
      }, 'each alias must be an http(s) URL like http://azurite:10000/devstoreaccount1'),
    ),
  ),
  STEMFLOW_MAX_DURATION_SEC: num(900, 1, 7200),
  STEMFLOW_MAX_BODY_BYTES: num(65_536, 1024, 10_485_760, true),
  STEMFLOW_TASK_HUB: text('stemflow').pipe(z.string().regex(HUB_NAME, 'task hub names are 3-45 letters/digits, starting with a letter')),
  STEMFLOW_STEM_BIT_DEPTH: text('16').pipe(z.enum(['16', '24', '32'])).transform((s) => Number(s) as 16 | 24 | 32),
  STEMFLOW_WORK_PCM: text('f32').pipe(z.enum(['f32', 's16'])),
  STEMFLOW_SEPARATION_CHUNK_SEC: num(120, 0, 3600),
  STEMFLOW_ACTIVITY_MAX_ATTEMPTS: num(4, 1, 10, true),
  STEMFLOW_ACTIVITY_FIRST_RETRY_MS: num(2000, 1, 600_000),
  STEMFLOW_ACTIVITY_MAX_RETRY_MS: num(60_000, 1, 3_600_000),
  STEMFLOW_QUEUE_ANALYSIS: text('analysis-requests').pipe(z.string().regex(QUEUE_NAME)),
  STEMFLOW_QUEUE_GENERATION: text('generation-requests').pipe(z.string().regex(QUEUE_NAME)),
  STEMFLOW_QUEUE_JOB_EVENTS: text('job-events').pipe(z.string().regex(QUEUE_NAME)),
  STEMFLOW_QUEUES_ENABLED: bool(true),
  FUNCTIONS_WORKER_PROCESS_COUNT: num(1, 1, 10, true),
});

const storageSchema = envSchema.pick({
  STEMFLOW_STORAGE_CONNECTION: true,
  AzureWebJobsStorage: true,
  AzureWebJobsStorage__blobServiceUri: true,
  AzureWebJobsStorage__queueServiceUri: true,
  AzureWebJobsStorage__tableServiceUri: true,
  AzureWebJobsStorage__credential: true,
  AzureWebJobsStorage__clientId: true,
});

/** Every environment setting the app reads (local.settings.example.json documents each). */
export const CONFIG_SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));

/** Retry policy for activities (orchestrator-side, transient failures only). */
export interface RetryPolicy {
  maxAttempts: number;
  firstRetryMs: number;
  backoffCoefficient: number;
  maxRetryMs: number;
}

/** The default storage: Azurite on 127.0.0.1 (local development only). */
export const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';

/** Prefix of the identity-based storage settings (`AzureWebJobsStorage__blobServiceUri`, …). */
const IDENTITY_PREFIX = 'AzureWebJobsStorage__';

/**
 * How the app's own blob and queue clients reach storage.
 * - `connectionString`: an Azure Storage connection string (also Azurite's `UseDevelopmentStorage=true`).
 * - `identity`: the Functions identity-based form (`AzureWebJobsStorage__blobServiceUri`, …):
 *   service URIs plus a Microsoft Entra credential. `credential: 'managedidentity'` with a
 *   `clientId` selects that user-assigned managed identity; anything else uses the default chain
 *   (shared/storage/credentials.ts).
 */
export type StorageSetting =
  | { kind: 'connectionString'; connectionString: string }
  | {
      kind: 'identity';
      /** `https://{account}.blob.core.windows.net`, without a trailing slash. */
      blobServiceUri: string;
      /** `https://{account}.queue.core.windows.net`, without a trailing slash. */
      queueServiceUri: string;
      /** Read for completeness (the host uses it for Durable and trigger receipts; the app has no table client). */
      tableServiceUri?: string;
      /** Client id (GUID) of a user-assigned managed identity. */
      clientId?: string;
      /** `managedidentity` when `AzureWebJobsStorage__credential` says so, else `default`. */
      credential: 'managedidentity' | 'default';
    };

export interface AppConfig {
  /**
   * Storage of the app's own blob and queue clients: `STEMFLOW_STORAGE_CONNECTION`, else an explicit
   * `AzureWebJobsStorage` connection string, else its identity-based form, else Azurite.
   */
  storage: StorageSetting;
  /**
   * App setting NAME (or identity-based PREFIX) of the connection, for binding `connection`
   * properties: the host resolves `AzureWebJobsStorage` and `AzureWebJobsStorage__*` itself.
   */
  storageConnectionSetting: string;
  containerName: string;
  mode: 'mock' | 'model';
  models: {
    /** Weights folder (models/README.md). */
    dir: string;
    /** Manifest id of the separation model used in model mode. */
    separationModel: string;
    /** MusicGen folder; default {dir} (the engine looks for {dir}/musicgen-small). */
    musicgenDir?: string;
    /** ONNX Runtime execution provider; 'cuda' falls back to 'cpu' with one log line when CUDA is absent. */
    executionProvider: 'cpu' | 'cuda';
  };
  /** Run Basic Pitch note transcription on the vocals, bass and other stems (JAMS note_midi + MIDI files). */
  transcribeNotes: boolean;
  callbacks: {
    /** HMAC-SHA256 secret; when absent callbacks are sent unsigned (and /api/health says so). */
    secret?: string;
    /** Host names (exact, or `*.suffix`) a callback_url may point at. Empty = no callbacks accepted. */
    allowedHosts: readonly string[];
    /** Callback for analyses started by an upload (no request body to carry one). */
    uploadCallbackUrl?: string;
    maxAttempts: number;
    firstRetryMs: number;
    timeoutMs: number;
  };
  blobTriggerSource: 'EventGrid' | 'LogsAndContainerScan';
  /** Extra `scheme://host[:port]/account` prefixes accepted in `blob_uri` (e.g. http://azurite:10000/devstoreaccount1). */
  blobEndpointAliases: readonly string[];
  maxDurationSec: number;
  maxBodyBytes: number;
  hubName: string;
  stemBitDepth: 16 | 24 | 32;
  workPcmFormat: 'f32' | 's16';
  /**
   * Separation of a mix longer than this many seconds runs as parallel chunk activities of about
   * this length (on Azure they spread over instances), joined into the same stems as one run.
   * 0 = never chunk. Separators that cannot be split (ONNX models) always run in one activity.
   */
  separationChunkSec: number;
  activityRetry: RetryPolicy;
  queues: { enabled: boolean; analysis: string; generation: string; jobEvents: string };
  workerProcessCount: number;
}

/** Parse an environment into a frozen {@link AppConfig}. Throws InvalidRequestError listing every bad setting. */
export function parseConfig(env: Record<string, string | undefined>): Readonly<AppConfig> {
  const parsed = envSchema.safeParse(env);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Storage is resolved even when other settings are bad, so one error lists every problem.
  const storageEnv = storageSchema.safeParse(env);
  const storage = storageEnv.success ? resolveStorage(storageEnv.data, issues) : undefined;
  if (!parsed.success || !storage || issues.length > 0) {
    throw new InvalidRequestError(`invalid configuration: ${issues.join('; ')}`, issues);
  }
  const e = parsed.data;
  const config: AppConfig = {
    storage,
    storageConnectionSetting: e.STEMFLOW_STORAGE_CONNECTION ? 'STEMFLOW_STORAGE_CONNECTION' : 'AzureWebJobsStorage',
    containerName: e.STEMFLOW_CONTAINER,
    mode: e.STEMFLOW_MODE,
    models: {
      dir: e.STEMFLOW_MODEL_DIR,
      separationModel: e.STEMFLOW_SEPARATION_MODEL,
      musicgenDir: e.STEMFLOW_MUSICGEN_DIR,
      executionProvider: e.STEMFLOW_EXECUTION_PROVIDER,
    },
    transcribeNotes: e.STEMFLOW_TRANSCRIBE_NOTES,
    callbacks: {
      secret: e.STEMFLOW_CALLBACK_SECRET,
      allowedHosts: Object.freeze(e.STEMFLOW_CALLBACK_ALLOWED_HOSTS.map((h) => h.toLowerCase())),
      uploadCallbackUrl: e.STEMFLOW_UPLOAD_CALLBACK_URL,
      maxAttempts: e.STEMFLOW_CALLBACK_MAX_ATTEMPTS,
      firstRetryMs: e.STEMFLOW_CALLBACK_FIRST_RETRY_MS,
      timeoutMs: e.STEMFLOW_CALLBACK_TIMEOUT_MS,
    },
    blobTriggerSource: e.STEMFLOW_BLOB_TRIGGER_SOURCE,
    blobEndpointAliases: Object.freeze(e.STEMFLOW_BLOB_ENDPOINT_ALIASES.map((s) => s.replace(/\/+$/, ''))),
    maxDurationSec: e.STEMFLOW_MAX_DURATION_SEC,
    maxBodyBytes: e.STEMFLOW_MAX_BODY_BYTES,
    hubName: e.STEMFLOW_TASK_HUB,
    stemBitDepth: e.STEMFLOW_STEM_BIT_DEPTH,
    workPcmFormat: e.STEMFLOW_WORK_PCM,
    separationChunkSec: e.STEMFLOW_SEPARATION_CHUNK_SEC,
    activityRetry: {
      maxAttempts: e.STEMFLOW_ACTIVITY_MAX_ATTEMPTS,
      firstRetryMs: e.STEMFLOW_ACTIVITY_FIRST_RETRY_MS,
      backoffCoefficient: 2,
      maxRetryMs: e.STEMFLOW_ACTIVITY_MAX_RETRY_MS,
    },
    queues: {
      enabled: e.STEMFLOW_QUEUES_ENABLED,
      analysis: e.STEMFLOW_QUEUE_ANALYSIS,
      generation: e.STEMFLOW_QUEUE_GENERATION,
      jobEvents: e.STEMFLOW_QUEUE_JOB_EVENTS,
    },
    workerProcessCount: e.FUNCTIONS_WORKER_PROCESS_COUNT,
  };
  return deepFreeze(config);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The app's storage, following the Functions host's rule for a connection named
 * `AzureWebJobsStorage`: a value under the name itself is a connection string and wins; otherwise
 * the `AzureWebJobsStorage__*` properties are the identity-based form. Only when neither is
 * present does it default to Azurite. `STEMFLOW_STORAGE_CONNECTION` (a connection string)
 * overrides both for the app's own clients. Pushes `NAME: reason` issues and returns undefined
 * when the identity form is incomplete or malformed.
 */
function resolveStorage(e: z.infer<typeof storageSchema>, issues: string[]): StorageSetting | undefined {
  if (e.STEMFLOW_STORAGE_CONNECTION) return { kind: 'connectionString', connectionString: e.STEMFLOW_STORAGE_CONNECTION };
  if (e.AzureWebJobsStorage) return { kind: 'connectionString', connectionString: e.AzureWebJobsStorage };
  const blob = e.AzureWebJobsStorage__blobServiceUri;
  const queue = e.AzureWebJobsStorage__queueServiceUri;
  const table = e.AzureWebJobsStorage__tableServiceUri;
  const credential = e.AzureWebJobsStorage__credential;
  const clientId = e.AzureWebJobsStorage__clientId;
  const given = (
    [
      ['blobServiceUri', blob],
      ['queueServiceUri', queue],
      ['tableServiceUri', table],
      ['credential', credential],
      ['clientId', clientId],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (given.length === 0) return { kind: 'connectionString', connectionString: DEVELOPMENT_STORAGE };

  const before = issues.length;
  const also = `(${given.map(([k]) => IDENTITY_PREFIX + k).join(', ')} ${given.length === 1 ? 'is' : 'are'} set and AzureWebJobsStorage is not)`;
  const serviceUri = (suffix: string, value: string | undefined, service: string, required: boolean): string | undefined => {
    const name = IDENTITY_PREFIX + suffix;
    if (value === undefined) {
      if (required) issues.push(`${name}: required for identity-based storage ${also}; e.g. https://<account>.${service}.core.windows.net`);
      return undefined;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      issues.push(`${name}: expected an https URL like https://<account>.${service}.core.windows.net, got "${value}"`);
      return undefined;
    }
    if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash) {
      issues.push(`${name}: expected an https URL without credentials or query (tokens go over TLS only), like https://<account>.${service}.core.windows.net, got "${value}"`);
      return undefined;
    }
    return value.replace(/\/+$/, '');
  };
  const blobServiceUri = serviceUri('blobServiceUri', blob, 'blob', true);
  const queueServiceUri = serviceUri('queueServiceUri', queue, 'queue', true);
  const tableServiceUri = serviceUri('tableServiceUri', table, 'table', false);
  let kind: 'managedidentity' | 'default' = 'default';
  if (credential !== undefined) {
    if (credential.toLowerCase() === 'managedidentity') kind = 'managedidentity';
    else issues.push(`${IDENTITY_PREFIX}credential: expected "managedidentity" or empty (default credential chain), got "${credential}"`);
  }
  if (clientId !== undefined && !GUID.test(clientId)) {
    issues.push(`${IDENTITY_PREFIX}clientId: expected the client id (a GUID) of a user-assigned managed identity, got "${clientId}"`);
  }
  if (issues.length > before || !blobServiceUri || !queueServiceUri) return undefined;
  return {
    kind: 'identity',
    blobServiceUri,
    queueServiceUri,
    ...(tableServiceUri ? { tableServiceUri } : {}),
    ...(clientId ? { clientId } : {}),
    credential: kind,
  };
}

let cached: Readonly<AppConfig> | undefined;

/** The process configuration, parsed from `process.env` on first use and frozen. */
export function getConfig(): Readonly<AppConfig> {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Test/local-host hook: forget the cached configuration so the next getConfig() re-reads the environment. */
export function resetConfigForTests(): void {
  cached = undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
