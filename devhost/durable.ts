/**
 * The local host's Durable engine: the part of the Durable Task extension the app uses.
 *
 * Each orchestration episode runs through durable-functions' own orchestrator handler
 * ({@link runOrchestrationEpisode}) over the instance's persisted history, exactly as the
 * extension replays it: the host appends `OrchestratorStarted` + the new completions, the
 * generator replays, and the NEW actions (activities, timers) are recorded as `TaskScheduled` /
 * `TimerCreated` with their sequence numbers, persisted, and only then dispatched. Episodes of one
 * instance are serialised; completions that arrive meanwhile are batched into the next episode.
 *
 * Restart: every Pending/Running instance is reloaded; activities scheduled but not completed are
 * run again, timers not fired are re-armed (firing at once when due). Completions that were in
 * memory only are lost with the process, so their activities run again (activities are
 * idempotent: same blob paths, same bytes; callbacks are at-least-once with an event_id).
 */
import type * as df from 'durable-functions';
import { ACTION_TYPES, HISTORY_EVENT_TYPES, runOrchestrationEpisode } from '../functions/durable/episode.js';
import type { JobClient, JobRuntimeInfo, ManagementUrls } from '../functions/types.js';
import type { HistoryEvent, InstanceRecord, InstanceStore, RuntimeStatus } from './instanceStore.js';
import type { HostLogger } from './log.js';

/** Extra history event types the engine writes (durable-functions numbering). */
const EVENT_RAISED = 14;
const EXECUTION_TERMINATED = 15;

export type ActivityOutcome = { ok: true; value: unknown } | { ok: false; error: { name: string; message: string; stack?: string } };

/** Runs an activity (a worker-thread pool, or inline). */
export interface ActivityRunner {
  run(name: string, input: unknown, meta: { instanceId: string }): Promise<ActivityOutcome>;
}

export interface DurableEngineOptions {
  store: InstanceStore;
  orchestrators: ReadonlyMap<string, df.OrchestrationHandler>;
  activities: ActivityRunner;
  log: HostLogger;
  hubName: string;
  /** Base URL of the host, for the management URLs (`http://localhost:7071`). */
  baseUrl: () => string;
}

/** Durable's history payload budget before spilling to blobs, and its custom-status limit (bytes). */
const PAYLOAD_LIMIT = 45_000;
const CUSTOM_STATUS_LIMIT = 16_384;

const TERMINAL = new Set<RuntimeStatus>(['Completed', 'Failed', 'Terminated']);

interface Live {
  record: InstanceRecord;
  inbox: HistoryEvent[];
  chain: Promise<void>;
  lastProgress?: string;
}

export class DurableEngine {
  private readonly live = new Map<string, Live>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** No new dispatches or timers (shutting down); episodes still persist finished work. */
  private stopping = false;
  /** No episodes at all (stopped). */
  private closed = false;
  private readonly waiters = new Map<string, Array<(r: InstanceRecord) => void>>();

  constructor(private readonly options: DurableEngineOptions) {}

  /** Reload unfinished instances and resume them. Returns how many were resumed. */
  async resume(): Promise<number> {
    await this.options.store.ensure();
    const open = await this.options.store.list({ statuses: ['Pending', 'Running'] });
    for (const record of open) {
      const live = this.attach(record);
      const pending = pendingWork(record.history);
      this.options.log.info(`durable: resuming ${record.instanceId} (${record.runtimeStatus}; ${pending.activities.length} activit${pending.activities.length === 1 ? 'y' : 'ies'} to re-run, ${pending.timers.length} timer(s))`);
      if (record.history.length === 0) this.schedule(live);
      for (const a of pending.activities) this.dispatchActivity(live, a.id, a.name, a.input);
      for (const t of pending.timers) this.armTimer(live, t.id, t.fireAt);
    }
    return open.length;
  }

  /** Start (or replace a finished) instance. Throws when one with this id is still pending or running. */
  async startNew(name: string, instanceId: string, input: unknown): Promise<string> {
    if (this.stopping) throw new Error('the local host is shutting down');
    if (!this.options.orchestrators.has(name)) throw new Error(`no orchestrator named "${name}"`);
    const existing = this.live.get(instanceId)?.record ?? (await this.options.store.get(instanceId));
    if (existing && !TERMINAL.has(existing.runtimeStatus))
      throw new Error(`an orchestration with instance id "${instanceId}" already exists and is ${existing.runtimeStatus.toLowerCase()}`);
    const now = new Date().toISOString();
    const record: InstanceRecord = {
      instanceId,
      name,
      input: input === undefined ? null : JSON.parse(JSON.stringify(input)),
      runtimeStatus: 'Pending',
      createdTime: now,
      lastUpdatedTime: now,
      history: [],
      scheduled: 0,
    };
    await this.options.store.put(record);
    this.live.delete(instanceId);
    const live = this.attach(record);
    this.schedule(live);
    return instanceId;
  }

  async getStatus(instanceId: string): Promise<InstanceRecord | undefined> {
    return this.live.get(instanceId)?.record ?? (await this.options.store.get(instanceId));
  }

  async list(top = 20): Promise<InstanceRecord[]> {
    return this.options.store.list({ top });
  }

  /** Record an external event (the app's orchestrators wait for none; it is kept in the history). */
  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<boolean> {
    const live = await this.load(instanceId);
    if (!live || TERMINAL.has(live.record.runtimeStatus)) return false;
    live.inbox.push(event(EVENT_RAISED, { Name: eventName, Input: JSON.stringify(data ?? null) }));
    this.schedule(live);
    return true;
  }

  async terminate(instanceId: string, reason: string): Promise<boolean> {
    const live = await this.load(instanceId);
    if (!live || TERMINAL.has(live.record.runtimeStatus)) return false;
    live.chain = live.chain.then(async () => {
      live.record.history.push(event(EXECUTION_TERMINATED, { Input: JSON.stringify(reason) }));
      live.record.runtimeStatus = 'Terminated';
      live.record.output = reason;
      live.record.lastUpdatedTime = new Date().toISOString();
      await this.options.store.put(live.record);
      this.options.log.info(`job ${instanceId}: terminated (${reason})`);
      this.finish(live);
    });
    await live.chain;
    return true;
  }

  async purge(instanceId: string): Promise<boolean> {
    const live = this.live.get(instanceId);
    if (live && !TERMINAL.has(live.record.runtimeStatus)) return false;
    this.live.delete(instanceId);
    return this.options.store.delete(instanceId);
  }

  /** Resolves when the instance reaches a terminal status (tests, CLI). */
  waitFor(instanceId: string, timeoutMs = 60_000): Promise<InstanceRecord> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance ${instanceId} did not finish within ${timeoutMs} ms`)), timeoutMs);
      const done = (r: InstanceRecord) => {
        clearTimeout(timer);
        resolve(r);
      };
      const list = this.waiters.get(instanceId) ?? [];
      list.push(done);
      this.waiters.set(instanceId, list);
      void this.getStatus(instanceId).then((r) => {
        if (r && TERMINAL.has(r.runtimeStatus)) this.notifyWaiters(r);
      });
    });
  }

  /** A JobClient for the starters: DurableClient semantics, management URLs from the host's base URL. */
  jobClient(): JobClient {
    return {
      startNew: (name, options) => this.startNew(name, options.instanceId, options.input),
      getStatus: async (instanceId) => {
        const r = await this.getStatus(instanceId);
        return r ? toRuntimeInfo(r) : undefined;
      },
      managementUrls: (instanceId, requestUrl) => managementUrls(requestUrl ? new URL(requestUrl).origin : this.options.baseUrl(), instanceId, this.options.hubName),
    };
  }

  /**
   * Stop: no new episodes or dispatches; wait up to `graceMs` for running activities, then
   * persist what finished. Whatever is still running stays "scheduled" in the stored history and
   * runs again on the next start.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const all = Promise.allSettled([...this.inFlight]);
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
    // completions delivered so far are persisted by their episodes (which dispatch nothing now)
    await Promise.allSettled([...this.live.values()].map((l) => l.chain));
    this.closed = true;
  }

  /** Crash simulation: persist nothing more, dispatch nothing more. */
  abort(): void {
    this.stopping = true;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private attach(record: InstanceRecord): Live {
    const live: Live = { record, inbox: [], chain: Promise.resolve() };
    this.live.set(record.instanceId, live);
    return live;
  }

  private async load(instanceId: string): Promise<Live | undefined> {
    const l = this.live.get(instanceId);
    if (l) return l;
    const r = await this.options.store.get(instanceId);
    return r ? this.attach(r) : undefined;
  }

  private schedule(live: Live): void {
    if (this.closed) return;
    live.chain = live.chain
      .then(() => this.episode(live))
      .catch((err) => {
        this.options.log.error(`durable: episode of ${live.record.instanceId} failed (${(err as Error)?.message ?? err}); reloading it from storage`);
        this.recover(live.record.instanceId, 1);
      });
  }

  /**
   * After a failed episode (storage unreachable…), the in-memory record may be ahead of storage:
   * drop it, reload the stored one and resume it like a restart would (retrying while storage is down).
   */
  private recover(instanceId: string, attempt: number): void {
    if (this.closed) return;
    this.live.delete(instanceId);
    setTimeout(() => {
      void this.options.store.get(instanceId).then(
        (record) => {
          if (!record || TERMINAL.has(record.runtimeStatus) || this.closed) return;
          const live = this.attach(record);
          const pending = pendingWork(record.history);
          if (record.history.length === 0) this.schedule(live);
          for (const a of pending.activities) this.dispatchActivity(live, a.id, a.name, a.input);
          for (const t of pending.timers) this.armTimer(live, t.id, t.fireAt);
        },
        () => this.recover(instanceId, attempt + 1),
      );
    }, Math.min(30_000, 500 * 2 ** (attempt - 1))).unref();
  }

  private async episode(live: Live): Promise<void> {
    const r = live.record;
    if (TERMINAL.has(r.runtimeStatus) || this.closed) return;
    if (this.live.get(r.instanceId) !== live) return; // replaced (restarted or reloaded): late completions of the old one are dropped
    const now = new Date().toISOString();
    if (r.history.length === 0) {
      r.history.push(event(HISTORY_EVENT_TYPES.OrchestratorStarted, {}, now), event(HISTORY_EVENT_TYPES.ExecutionStarted, { Name: r.name, Input: JSON.stringify(r.input) }, now));
    } else {
      if (live.inbox.length === 0) return;
      r.history.push(event(HISTORY_EVENT_TYPES.OrchestratorStarted, {}, now), ...live.inbox.splice(0));
    }
    const handler = this.options.orchestrators.get(r.name);
    if (!handler) throw new Error(`no orchestrator named "${r.name}"`);
    const result = await runOrchestrationEpisode(handler, {
      instanceId: r.instanceId,
      input: r.input,
      history: r.history.map((h) => ({ ...h, IsPlayed: true })),
    });
    const fresh = result.actions.slice(r.scheduled);
    const toDispatch: { id: number; kind: 'activity' | 'timer'; name?: string; input?: unknown; fireAt?: Date }[] = [];
    let unsupported: string | undefined;
    if (!result.done) {
      for (const action of fresh) {
        const id = r.scheduled++;
        if (action.actionType === ACTION_TYPES.CallActivity) {
          this.checkSize(r.instanceId, `input of ${action.functionName}`, action.input);
          r.history.push({ ...event(HISTORY_EVENT_TYPES.TaskScheduled, { Name: action.functionName, Input: JSON.stringify(action.input ?? null) }, now), EventId: id });
          toDispatch.push({ id, kind: 'activity', name: action.functionName, input: action.input });
        } else if (action.actionType === ACTION_TYPES.CreateTimer) {
          const fireAt = action.fireAt ?? new Date();
          r.history.push({ ...event(HISTORY_EVENT_TYPES.TimerCreated, { FireAt: fireAt.toISOString() }, now), EventId: id });
          toDispatch.push({ id, kind: 'timer', fireAt });
        } else {
          unsupported = `the local host does not support Durable action type ${action.actionType} (it runs activities and timers only; see docs/local-host.md)`;
          break;
        }
      }
    }
    r.customStatus = result.customStatus;
    if (result.customStatus !== undefined && JSON.stringify(result.customStatus).length > CUSTOM_STATUS_LIMIT)
      this.options.log.warn(`job ${r.instanceId}: custom status is over ${CUSTOM_STATUS_LIMIT} bytes; Azure's Durable extension would reject it`);
    r.lastUpdatedTime = new Date().toISOString();
    if (unsupported) {
      r.runtimeStatus = 'Failed';
      r.output = unsupported;
      toDispatch.length = 0;
    } else if (result.done) {
      r.runtimeStatus = result.failed ? 'Failed' : 'Completed';
      r.output = result.failed ? result.error : result.output;
    } else r.runtimeStatus = 'Running';
    if (this.closed) return; // aborted meanwhile: a killed process persists nothing more
    await this.options.store.put(r);
    this.logProgress(live);
    if (result.done || unsupported) {
      this.options.log.info(`job ${r.instanceId}: ${r.runtimeStatus.toLowerCase()}${r.runtimeStatus === 'Failed' ? `: ${String(r.output).split('\n')[0]}` : ''}`);
      this.finish(live);
      return;
    }
    for (const d of toDispatch) {
      if (this.stopping) break; // persisted as scheduled: dispatched again on the next start
      if (d.kind === 'activity') this.dispatchActivity(live, d.id, d.name!, d.input);
      else this.armTimer(live, d.id, d.fireAt!);
    }
  }

  private logProgress(live: Live): void {
    const s = live.record.customStatus as { stage?: string; percent?: number } | undefined;
    if (!s || typeof s !== 'object' || s.stage === undefined) return;
    const text = `${s.stage} ${s.percent ?? '?'}%`;
    if (text === live.lastProgress) return;
    live.lastProgress = text;
    this.options.log.info(`job ${live.record.instanceId}: ${text}`);
  }

  private finish(live: Live): void {
    this.notifyWaiters(live.record);
    this.live.delete(live.record.instanceId);
  }

  private notifyWaiters(record: InstanceRecord): void {
    const list = this.waiters.get(record.instanceId);
    if (!list) return;
    this.waiters.delete(record.instanceId);
    for (const w of list) w(record);
  }

  private dispatchActivity(live: Live, id: number, name: string, input: unknown): void {
    if (this.stopping) return;
    const instanceId = live.record.instanceId;
    const startedMs = Date.now();
    const p = this.options.activities
      .run(name, input, { instanceId })
      .catch((err): ActivityOutcome => ({ ok: false, error: { name: 'Error', message: String((err as Error)?.message ?? err), stack: (err as Error)?.stack } }))
      .then((outcome) => {
        const sec = ((Date.now() - startedMs) / 1000).toFixed(1);
        if (outcome.ok) {
          this.checkSize(instanceId, `output of ${name}`, outcome.value);
          this.options.log.debug(`job ${instanceId}: ${name} done in ${sec} s`);
          live.inbox.push(event(HISTORY_EVENT_TYPES.TaskCompleted, { TaskScheduledId: id, Result: JSON.stringify(outcome.value ?? null) }));
        } else {
          this.options.log.warn(`job ${instanceId}: ${name} failed after ${sec} s: ${outcome.error.message.split('\n')[0]}`);
          live.inbox.push(
            event(HISTORY_EVENT_TYPES.TaskFailed, {
              TaskScheduledId: id,
              Reason: `Activity function '${name}' failed: ${outcome.error.message}`,
              Details: outcome.error.stack ?? '',
            }),
          );
        }
        this.schedule(live);
      });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Azure spills history payloads over ~45 KB to blobs at real cost; the local host only warns. */
  private checkSize(instanceId: string, what: string, value: unknown): void {
    const size = JSON.stringify(value ?? null).length;
    if (size > PAYLOAD_LIMIT) this.options.log.warn(`job ${instanceId}: ${what} is ${size} bytes (> ${PAYLOAD_LIMIT}); in Azure it would be spilled to the large-messages container`);
  }

  private armTimer(live: Live, id: number, fireAt: Date): void {
    if (this.stopping) return;
    const delay = Math.max(0, fireAt.getTime() - Date.now());
    const t = setTimeout(() => {
      this.timers.delete(t);
      live.inbox.push(event(HISTORY_EVENT_TYPES.TimerFired, { TimerId: id, FireAt: fireAt.toISOString() }));
      this.schedule(live);
    }, delay);
    this.timers.add(t);
  }
}

function event(type: number, extra: Record<string, unknown>, timestamp = new Date().toISOString()): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: timestamp, IsProcessed: false, ...extra };
}

/** Activities scheduled but not completed, and timers created but not fired, in a history. */
export function pendingWork(history: readonly HistoryEvent[]): {
  activities: { id: number; name: string; input: unknown }[];
  timers: { id: number; fireAt: Date }[];
} {
  const doneTasks = new Set<number>();
  const firedTimers = new Set<number>();
  for (const h of history) {
    if (h.EventType === HISTORY_EVENT_TYPES.TaskCompleted || h.EventType === HISTORY_EVENT_TYPES.TaskFailed) doneTasks.add(Number(h.TaskScheduledId));
    if (h.EventType === HISTORY_EVENT_TYPES.TimerFired) firedTimers.add(Number(h.TimerId));
  }
  const activities: { id: number; name: string; input: unknown }[] = [];
  const timers: { id: number; fireAt: Date }[] = [];
  for (const h of history) {
    if (h.EventType === HISTORY_EVENT_TYPES.TaskScheduled && !doneTasks.has(h.EventId))
      activities.push({ id: h.EventId, name: String(h.Name), input: typeof h.Input === 'string' ? JSON.parse(h.Input) : null });
    if (h.EventType === HISTORY_EVENT_TYPES.TimerCreated && !firedTimers.has(h.EventId)) timers.push({ id: h.EventId, fireAt: new Date(String(h.FireAt)) });
  }
  return { activities, timers };
}

export function toRuntimeInfo(r: InstanceRecord): JobRuntimeInfo {
  return {
    name: r.name,
    instanceId: r.instanceId,
    runtimeStatus: r.runtimeStatus.toLowerCase(),
    createdTime: new Date(r.createdTime),
    lastUpdatedTime: new Date(r.lastUpdatedTime),
    customStatus: r.customStatus,
    output: r.output,
  };
}

/** Durable's HTTP management URLs (createCheckStatusResponse's payload), on the local host. */
export function managementUrls(origin: string, instanceId: string, hubName: string): ManagementUrls {
  const base = `${origin.replace(/\/+$/, '')}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`;
  const q = `taskHub=${encodeURIComponent(hubName)}&connection=Storage`;
  return {
    id: instanceId,
    statusQueryGetUri: `${base}?${q}`,
    sendEventPostUri: `${base}/raiseEvent/{eventName}?${q}`,
    terminatePostUri: `${base}/terminate?reason={text}&${q}`,
    purgeHistoryDeleteUri: `${base}?${q}`,
  };
}
