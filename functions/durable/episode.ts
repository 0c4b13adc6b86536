/**
 * One orchestrator episode through durable-functions' OWN replay machinery, for hosts other than
 * the Azure Functions host (the local host of issue 5, and the tests): given the instance's
 * history (host-style events: OrchestratorStarted, ExecutionStarted, TaskScheduled,
 * TaskCompleted, TaskFailed, TimerCreated, TimerFired…), run the registered generator and return
 * what the extension would receive: the actions scheduled so far (replay schema V1, flattened,
 * in scheduling order), the custom status, and the output or the failure.
 *
 * The action list always starts from the beginning of the orchestration: actions already in the
 * history come first, so a host schedules only `actions.slice(alreadyScheduled)`; the n-th action
 * gets the n-th sequence number as its EventId / TaskScheduledId / TimerId.
 */
import { createRequire } from 'node:module';
import * as df from 'durable-functions';

// durable-functions ships these utilities without type declarations
const testingUtils = createRequire(import.meta.url)('durable-functions/lib/src/util/testingUtils.js') as {
  createOrchestrator: (fn: df.OrchestrationHandler) => (trigger: unknown, context: unknown) => Promise<unknown>;
  DurableOrchestrationInput: new (instanceId: string, history: unknown[], input: unknown) => unknown;
};

const FAILURE_LABEL = '$OutOfProcData$:';

/** ActionType numbers of durable-functions (the ones stemflow's orchestrators use). */
export const ACTION_TYPES = { CallActivity: 0, CreateTimer: 5 } as const;
/** HistoryEventType numbers of durable-functions. */
export const HISTORY_EVENT_TYPES = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
} as const;

export interface DurableAction {
  actionType: number;
  functionName?: string;
  /** Activity input, parsed. */
  input?: unknown;
  fireAt?: Date;
}

export interface EpisodeResult {
  done: boolean;
  failed: boolean;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  actions: DurableAction[];
}

const parseInput = (x: unknown): unknown => (typeof x === 'string' ? JSON.parse(x) : x === undefined ? null : JSON.parse(JSON.stringify(x)));

const listeners = new WeakMap<df.OrchestrationHandler, (trigger: unknown, context: unknown) => Promise<unknown>>();

export async function runOrchestrationEpisode(
  handler: df.OrchestrationHandler,
  options: { instanceId: string; input: unknown; history: unknown[]; log?: (...args: unknown[]) => void },
): Promise<EpisodeResult> {
  let listener = listeners.get(handler);
  if (!listener) {
    listener = testingUtils.createOrchestrator(handler);
    listeners.set(handler, listener);
  }
  const binding = new testingUtils.DurableOrchestrationInput(options.instanceId, options.history, options.input);
  const logger = options.log ?? (() => {});
  const context = new df.DummyOrchestrationContext('orchestrator', `${options.instanceId}:${options.history.length}`, (_level, ...args) => logger(...args));
  let state: { isDone?: boolean; actions?: unknown[][]; output?: unknown; error?: string; customStatus?: unknown };
  let failed = false;
  try {
    state = (await listener(binding, context)) as typeof state;
  } catch (err) {
    const msg = String((err as Error)?.message ?? err);
    const i = msg.indexOf(FAILURE_LABEL);
    if (i < 0) throw err;
    state = JSON.parse(msg.slice(i + FAILURE_LABEL.length));
    failed = true;
  }
  const actions = ((state.actions ?? []) as Record<string, unknown>[][]).flat().map((a): DurableAction => {
    const out: DurableAction = { actionType: Number(a.actionType) };
    if (typeof a.functionName === 'string') out.functionName = a.functionName;
    if (out.actionType === ACTION_TYPES.CallActivity) out.input = parseInput(a.input);
    if (a.fireAt !== undefined) out.fireAt = new Date(a.fireAt as string);
    return out;
  });
  const result: EpisodeResult = { done: failed || state.isDone === true, failed, actions, customStatus: state.customStatus };
  if (failed) result.error = state.error;
  else if (state.isDone) result.output = state.output;
  return result;
}
