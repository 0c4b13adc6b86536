/**
 * The function-definition model: ONE registry (functions/registry.ts) of plain definitions that
 * both the Azure Functions host (functions/index.ts) and the local host (devhost/) run. Handlers
 * are plain async functions of (input, context); they reach Durable, storage and queues only
 * through {@link Services}, so a host (or a test) supplies its own.
 */
import type { OrchestrationContext } from 'durable-functions';
import type { AppConfig } from '../shared/config.js';
import type { BlobStore } from '../shared/storage/blobStore.js';
import type { QueueSender } from '../shared/storage/queues.js';
import type { CorePort } from './core.js';

export type LogFn = (...args: unknown[]) => void;
export interface Logger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** What a starter needs from Durable: the recording fake in tests, DurableClient in Azure. */
export interface JobClient {
  startNew(orchestratorName: string, options: { instanceId: string; input: unknown }): Promise<string>;
  /** undefined when the instance does not exist (Durable's getStatus throws on 404; adapters map that). */
  getStatus(instanceId: string): Promise<JobRuntimeInfo | undefined>;
  /** Durable's management URLs for an instance (createCheckStatusResponse's body). */
  managementUrls(instanceId: string, requestUrl?: string): ManagementUrls;
}

export interface JobRuntimeInfo {
  name: string;
  instanceId: string;
  /** Lower-case: pending, running, completed, failed, terminated, suspended, continued_as_new. */
  runtimeStatus: string;
  createdTime?: Date;
  lastUpdatedTime?: Date;
  customStatus?: unknown;
  output?: unknown;
}

export interface ManagementUrls {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
}

export interface Services {
  config: Readonly<AppConfig>;
  jobs: JobClient;
  blobs: BlobStore;
  queues: QueueSender;
  /** The DSP/MIR/generation core, loaded on first use (heavy modules stay out of starters). */
  core: () => Promise<CorePort>;
  fetch: typeof fetch;
}

export interface HandlerContext {
  log: Logger;
  services: Services;
  invocationId?: string;
}

/** The part of an HTTP request handlers use (@azure/functions HttpRequest satisfies it). */
export interface HttpRequestLike {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
  params: Record<string, string | undefined>;
  text(): Promise<string>;
}

export interface HttpResponseLike {
  status: number;
  jsonBody?: unknown;
  headers?: Record<string, string>;
}

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface HttpFunctionDefinition {
  kind: 'http';
  name: string;
  route: string;
  methods: ('GET' | 'POST')[];
  authLevel: AuthLevel;
  /** Needs a Durable client input binding. */
  usesDurableClient: boolean;
  handler: (request: HttpRequestLike, ctx: HandlerContext) => Promise<HttpResponseLike>;
}

/** A blob event: what the handler needs, never the content (audio is read by activities). */
export interface BlobTriggerInput {
  /** Blob name relative to the container (may contain '/'). */
  name: string;
  container: string;
  etag?: string;
}

export interface BlobFunctionDefinition {
  kind: 'blob';
  name: string;
  /** `{container}/{name}` */
  path: string;
  source: 'EventGrid' | 'LogsAndContainerScan';
  /** App setting holding the storage connection. */
  connection: string;
  usesDurableClient: true;
  handler: (input: BlobTriggerInput, ctx: HandlerContext) => Promise<{ started: boolean; instanceId?: string; reason?: string }>;
}

export interface QueueFunctionDefinition {
  kind: 'queue';
  name: string;
  queueName: string;
  connection: string;
  usesDurableClient: true;
  handler: (message: unknown, ctx: HandlerContext) => Promise<{ started: boolean; instanceId?: string; reasons?: string[] }>;
}

export type OrchestrationGenerator = (context: OrchestrationContext) => Generator<unknown, unknown, any>;

export interface OrchestrationFunctionDefinition {
  kind: 'orchestration';
  name: string;
  handler: OrchestrationGenerator;
}

export interface ActivityFunctionDefinition {
  kind: 'activity';
  name: string;
  /** Already wrapped: failures are thrown as {@link encodeActivityError} messages. */
  handler: (input: unknown, ctx: HandlerContext) => Promise<unknown>;
}

export type FunctionDefinition =
  | HttpFunctionDefinition
  | BlobFunctionDefinition
  | QueueFunctionDefinition
  | OrchestrationFunctionDefinition
  | ActivityFunctionDefinition;
