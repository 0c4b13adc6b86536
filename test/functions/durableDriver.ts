/**
 * A test driver that plays the Durable host around durable-functions' OWN orchestrator
 * machinery (functions/durable/episode.ts → `createOrchestrator`, the same wrapper
 * `df.app.orchestration` registers) with a growing history of host events
 * (OrchestratorStarted, ExecutionStarted, TaskScheduled/TaskCompleted/TaskFailed,
 * TimerCreated/TimerFired), exactly as the extension does, and records the actions, the custom
 * status after each episode and the final output or failure.
 */
import type * as df from 'durable-functions';
import { runOrchestrationEpisode } from '../../functions/durable/episode.js';

const E = { ExecutionStarted: 0, TaskScheduled: 4, TaskCompleted: 5, TaskFailed: 6, TimerCreated: 10, TimerFired: 11, OrchestratorStarted: 12 } as const;
const A = { CallActivity: 0, CreateTimer: 5 } as const;

export type ActivityOutcome = { ok: true; value: unknown } | { ok: false; error: Error };
export type ActivityImpl = (name: string, input: any, attempt: number) => ActivityOutcome | Promise<ActivityOutcome>;

export interface Scheduled {
  kind: 'activity' | 'timer';
  name?: string;
  input?: any;
  fireAt?: Date;
  /** Episode (orchestrator execution) in which it was scheduled. */
  episode: number;
}

export interface DriveResult {
  status: 'completed' | 'failed';
  output?: unknown;
  error?: string;
  scheduled: Scheduled[];
  customStatuses: unknown[];
  history: any[];
  episodes: number;
}

export interface DriveOptions {
  instanceId?: string;
  start?: Date;
  /** Deliver the completions of one episode in reverse scheduling order (tests fan-in order independence). */
  reverseCompletions?: boolean;
  /** Use FailureDetails (newer extensions) instead of Reason/Details for failures. */
  failureDetails?: boolean;
  maxEpisodes?: number;
  /** Deliver this activity's completion one episode late (it is still running while others finish). */
  holdBack?: (name: string, input: any, attempt: number) => boolean;
}

/** Run an orchestration handler to completion against `impl`. */
export async function driveOrchestration(handler: df.OrchestrationHandler, input: unknown, impl: ActivityImpl, options: DriveOptions = {}): Promise<DriveResult> {
  const instanceId = options.instanceId ?? 'test-instance';
  let clock = (options.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
  let eventId = 0;
  const ev = (type: number, extra: Record<string, unknown>) => ({ EventType: type, EventId: -1, IsPlayed: false, Timestamp: new Date(clock), IsProcessed: false, ...extra });
  const history: any[] = [ev(E.OrchestratorStarted, {}), ev(E.ExecutionStarted, { Name: 'orchestrator', Input: JSON.stringify(input) })];
  const scheduled: Scheduled[] = [];
  const customStatuses: unknown[] = [];
  const attempts = new Map<string, number>();
  let held: any[] = [];
  for (let episode = 1; episode <= (options.maxEpisodes ?? 200); episode++) {
    const state = await runOrchestrationEpisode(handler, { instanceId, input, history: history.map((h) => ({ ...h, IsPlayed: true })) });
    const failed = state.failed;
    customStatuses.push(state.customStatus);
    const fresh = state.actions.slice(scheduled.length);
    const newTasks: { id: number; action: any }[] = [];
    for (const action of fresh) {
      const id = eventId++;
      if (action.actionType === A.CallActivity) {
        scheduled.push({ kind: 'activity', name: action.functionName, input: action.input, episode });
        history.push({ ...ev(E.TaskScheduled, { Name: action.functionName, Input: JSON.stringify(action.input) }), EventId: id });
      } else if (action.actionType === A.CreateTimer) {
        const fireAt = new Date(action.fireAt!);
        scheduled.push({ kind: 'timer', fireAt, episode });
        history.push({ ...ev(E.TimerCreated, { FireAt: fireAt }), EventId: id });
      } else throw new Error(`driver: unsupported action type ${action.actionType}`);
      newTasks.push({ id, action });
    }
    if (failed) return { status: 'failed', error: state.error, scheduled, customStatuses, history, episodes: episode };
    if (state.done) return { status: 'completed', output: state.output, scheduled, customStatuses, history, episodes: episode };
    if (newTasks.length === 0 && held.length === 0) throw new Error('driver: orchestration is waiting but scheduled nothing new');
    // the host runs the work, then starts a new episode with the completions
    const completions: any[] = [...held];
    const later: any[] = [];
    for (const { id, action } of newTasks) {
      if (action.actionType === A.CreateTimer) {
        clock = Math.max(clock, action.fireAt!.getTime());
        completions.push(ev(E.TimerFired, { TimerId: id, FireAt: action.fireAt }));
        continue;
      }
      const input = action.input as any;
      const key = `${action.functionName}:${JSON.stringify(input)}`;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      const outcome = await impl(action.functionName!, input, attempt);
      const target = options.holdBack?.(action.functionName!, input, attempt) ? later : completions;
      if (outcome.ok) target.push(ev(E.TaskCompleted, { TaskScheduledId: id, Result: JSON.stringify(outcome.value ?? null) }));
      else if (options.failureDetails)
        target.push(
          ev(E.TaskFailed, {
            TaskScheduledId: id,
            FailureDetails: { ErrorType: outcome.error.name, ErrorMessage: outcome.error.message, StackTrace: outcome.error.stack, IsNonRetriable: false },
          }),
        );
      else
        target.push(
          ev(E.TaskFailed, {
            TaskScheduledId: id,
            Reason: `Activity function '${action.functionName}' failed: ${outcome.error.message}`,
            Details: outcome.error.stack ?? '',
          }),
        );
    }
    held = later;
    clock += 1000;
    history.push(ev(E.OrchestratorStarted, {}));
    history.push(...(options.reverseCompletions ? completions.reverse() : completions));
  }
  throw new Error('driver: too many episodes');
}

export const ok = (value: unknown): ActivityOutcome => ({ ok: true, value });
export const fail = (error: Error): ActivityOutcome => ({ ok: false, error });
