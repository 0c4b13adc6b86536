/**
 * The DSP separator on several threads at once. The mix and the stems live in shared memory
 * (SharedArrayBuffer); the regions of `planRegions` are claimed one at a time from an atomic
 * counter by each worker thread and, when it lends itself with `help()`, by the calling thread.
 * Claiming needs no message round trip, so a calling thread busy with other work (the MIR) never
 * starves the workers, and the result is bit-identical to a one-shot run whatever the split.
 *
 * Plain `worker_threads` rather than a pool: the threads live for one separation, share its
 * buffers and need no task queue; they can be started ahead ({@link startSeparationCrew}) so that
 * they load while the caller decodes. A worker that fails to start or dies leaves its regions
 * unclaimed or unfinished; the calling thread then separates them itself, so a broken worker
 * costs time, never stems.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AudioBuffer } from '../audio/types.js';
import { frameCount } from '../audio/types.js';
import { sharedFloat32 } from '../audio/codec-common.js';
import { wavHeader, writeWavSamples, type WavBitDepth } from '../audio/wav.js';
import type { DecodeObserver } from '../audio/decode.js';
import {
  assertSeparable,
  createDspSeparator,
  DSP_STEMS,
  type DspSeparatorOptions,
  type DspStem,
  planRegions,
  separateRegion,
  separateRegionInPlace,
} from './dsp.js';
import type { SeparateOptions, SeparationRegion, Separator } from './types.js';

/** Region states in {@link RegionJob.state} (after the counter at index 0). */
const CLAIMED = 1;
const DONE = 2;

/**
 * Where separated regions go: whole-length float stems, or whole WAV files (header already
 * written; each region's samples are encoded straight into place, so the float stems of the
 * whole song never exist and the encoding runs on every thread).
 */
export type RegionSink =
  | { kind: 'audio'; out: Record<DspStem, Float32Array[]> }
  /** Frame `coreOrigin` of the mix is encoded at byte `dataOffset` of each file. */
  | { kind: 'wav'; bitDepth: WavBitDepth; files: Record<DspStem, Uint8Array>; dataOffset: number; coreOrigin: number };

/** Everything a thread needs to work on a separation; all arrays are on shared memory. */
export interface RegionJob {
  sampleRate: number;
  /** Mix frames [spanStart, spanStart + mix length) of a mix of `totalLength` frames. */
  mix: Float32Array[];
  spanStart: number;
  totalLength: number;
  sink: RegionSink;
  regions: SeparationRegion[];
  /** [0]: next region to claim; [1 + i]: state of region i (0 free, 1 claimed, 2 done). */
  state: Int32Array;
  /**
   * For a mix still being decoded: [0] = frames of the mix written so far, or
   * {@link ABANDONED}. A region waits until its input frames are in. Absent: the mix is complete.
   */
  ready?: Int32Array;
  options: DspSeparatorOptions;
}

/** {@link RegionJob.ready} value: the mix will not be completed. */
const ABANDONED = -1;

/** Block until frames [0, frames) of the job's mix are in (a worker waits; throws if the mix was abandoned). */
function awaitFrames(job: RegionJob, frames: number): void {
  const ready = job.ready;
  if (!ready) return;
  for (;;) {
    const have = Atomics.load(ready, 0);
    if (have === ABANDONED) throw new Error('the mix being separated was abandoned before it was complete');
    if (have >= frames) return;
    Atomics.wait(ready, 0, have, 1000);
  }
}

/** Fraction of the job's regions done, 0..1 (1 for a job with none). */
function fractionDone(job: RegionJob): number {
  let done = 0;
  for (let i = 0; i < job.regions.length; i++) if (Atomics.load(job.state, 1 + i) === DONE) done++;
  return job.regions.length === 0 ? 1 : done / job.regions.length;
}

/** Separate region `i` of the job into its sink. */
async function separateOne(job: RegionJob, i: number): Promise<void> {
  const mix: AudioBuffer = { sampleRate: job.sampleRate, channels: job.mix };
  const region = job.regions[i];
  const { sink } = job;
  if (sink.kind === 'audio') {
    await separateRegionInPlace(mix, region, sink.out, job.options);
    return;
  }
  const at = (frame: number) => frame - job.spanStart;
  const span = { sampleRate: job.sampleRate, channels: job.mix.map((ch) => ch.subarray(at(region.readStart), at(region.readEnd))) };
  const stems = await separateRegion(span, region, job.totalLength, job.options);
  const frameBytes = job.mix.length * (sink.bitDepth / 8);
  const offset = sink.dataOffset + (region.coreStart - sink.coreOrigin) * frameBytes;
  for (const stem of DSP_STEMS) writeWavSamples(stems[stem].channels, sink.files[stem], offset, sink.bitDepth);
}

/**
 * Claim and separate regions until none is left. Returns how many this thread separated.
 * `run` (calling thread only) is told the fraction of all regions done and may abort.
 */
export async function claimRegions(job: RegionJob, run: SeparateOptions = {}): Promise<number> {
  let count = 0;
  for (;;) {
    run.signal?.throwIfAborted();
    const i = Atomics.add(job.state, 0, 1);
    if (i >= job.regions.length) return count;
    Atomics.store(job.state, 1 + i, CLAIMED);
    awaitFrames(job, job.regions[i].readEnd);
    await separateOne(job, i);
    Atomics.store(job.state, 1 + i, DONE);
    run.onProgress?.(fractionDone(job));
    count++;
  }
}

export interface ParallelSeparationOptions {
  /** Worker threads besides the caller's; default {@link defaultSeparationThreads}. 0 runs in the caller only. */
  threads?: number;
  /** Region length, seconds (default 15: one internal chunk, fine-grained enough to balance). */
  regionSec?: number;
  options?: DspSeparatorOptions;
  /** Progress (fraction of regions done) and cancellation, on the calling thread. */
  run?: SeparateOptions;
  /** Threads started ahead ({@link startSeparationCrew}); `threads` is then ignored. */
  crew?: SeparationCrew;
}

export interface ParallelSeparation<T = Record<DspStem, AudioBuffer>> {
  /** Lend the calling thread to the work until no region is left to claim. */
  help(): Promise<void>;
  /** The stems, once every region is done (the caller finishes any region a worker dropped). */
  result(): Promise<T>;
  /**
   * Once every worker thread has exited (never rejects): the regions they separated, and why any
   * worker stopped early (its regions were then redone by the caller).
   */
  workers: Promise<{ regions: number; failures: string[] }>;
}

function toShared(ch: Float32Array): Float32Array {
  if (ch.buffer instanceof SharedArrayBuffer) return ch;
  const s = sharedFloat32(ch.length);
  s.set(ch);
  return s;
}

/** The worker entry: the tsx bootstrap from sources, the compiled module from dist/. */
function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './regionWorker.mjs' : './regionWorker.js', import.meta.url);
}

/** How one worker thread's part of a job went: regions it separated, and why it stopped early (null if it did not). */
interface WorkerOutcome {
  regions: number;
  failure: string | null;
}

/**
 * One worker thread: started (loading the separator) before it is given work. It takes jobs one
 * after another (a long file's windows) until it is dismissed.
 */
interface CrewMember {
  worker: Worker | null;
  /** Why the thread cannot take work (it failed to start, crashed or exited), else null. */
  down: string | null;
  /** Settles the job in progress. */
  settle: ((outcome: WorkerOutcome) => void) | null;
}

function startMember(): CrewMember {
  let worker: Worker;
  try {
    worker = new Worker(workerUrl());
  } catch (err) {
    return { worker: null, down: `worker did not start: ${(err as Error).message}`, settle: null };
  }
  const member: CrewMember = { worker, down: null, settle: null };
  const finish = (outcome: WorkerOutcome): void => {
    const settle = member.settle;
    member.settle = null;
    settle?.(outcome);
  };
  worker.on('message', (m: { ok: boolean; regions?: number; message?: string }) =>
    finish(m.ok ? { regions: m.regions ?? 0, failure: null } : { regions: 0, failure: m.message ?? 'worker failed' }),
  );
  worker.on('error', (err) => {
    member.down = err.message;
    finish({ regions: 0, failure: err.message });
  });
  worker.on('exit', () => {
    member.down ??= 'worker exited';
    finish({ regions: 0, failure: member.down });
  });
  return member;
}

/** Give `job` to a member; resolves (never rejects) once its part is done or it failed. */
function runOn(member: CrewMember, job: RegionJob): Promise<WorkerOutcome> {
  const { worker } = member;
  if (!worker || member.down !== null) return Promise.resolve({ regions: 0, failure: member.down ?? 'no worker' });
  return new Promise((resolve) => {
    member.settle = resolve;
    worker.postMessage(job);
  });
}

/**
 * Threads whose job is done, kept for the next separation in this process (at most
 * {@link defaultSeparationThreads}): a new thread pays its start-up (loading the separator, and
 * compiling its hot code afresh) on every job, a kept one has paid it. Idle threads do not keep
 * the process alive (unref).
 */
const idleMembers: CrewMember[] = [];

/** A kept idle thread if there is a healthy one, else a new thread. */
function takeMember(): CrewMember {
  for (let m = idleMembers.pop(); m; m = idleMembers.pop()) {
    if (m.down === null && m.worker) {
      m.worker.ref();
      return m;
    }
  }
  return startMember();
}

/** The member's part is done: keep its thread for the next separation, or let it exit. */
function dismiss(member: CrewMember): void {
  if (member.down !== null || !member.worker) return;
  if (idleMembers.length < defaultSeparationThreads()) {
    member.worker.unref();
    idleMembers.push(member);
  } else {
    member.worker.postMessage(null);
  }
}

/** Stop a member's thread at once (its work would be thrown away); it is never kept. */
async function terminate(member: CrewMember): Promise<void> {
  member.down ??= 'terminated';
  await member.worker?.terminate();
}

/**
 * Worker threads for a separation, started ahead of it: each loads the separator (and, from the
 * sources, the TypeScript loader) while the caller is still decoding, then waits for its job.
 * Pass them to {@link startParallelSeparation} / {@link startParallelSeparationToWav}; a crew
 * serves one separation. `release()` lets unused threads go (after a failed decode, say).
 */
export interface SeparationCrew {
  readonly size: number;
  release(): void;
}

interface CrewInternals extends SeparationCrew {
  members: CrewMember[];
}

export function startSeparationCrew(threads = defaultSeparationThreads()): SeparationCrew {
  const members = Array.from({ length: Math.max(0, threads) }, takeMember);
  const crew: CrewInternals = {
    size: members.length,
    members,
    release() {
      members.splice(0).forEach(dismiss);
    },
  };
  return crew;
}

/** Take the first `count` members off the crew and let the rest go. */
function enlist(crew: CrewInternals, count: number): CrewMember[] {
  const members = crew.members.splice(0);
  members.slice(count).forEach(dismiss);
  return members.slice(0, count);
}

/**
 * Run `job` on `members` and on the calling thread: the caller claims regions too, waits for the
 * members' parts, and redoes any region a member claimed but did not finish (it failed or died; a
 * bad input then throws its own error from this thread). On failure or abort the members are
 * terminated: their work would be thrown away.
 */
async function runJob(job: RegionJob, members: CrewMember[], parts: Promise<WorkerOutcome[]>, run: SeparateOptions): Promise<void> {
  try {
    await claimRegions(job, run);
    await parts;
    for (let i = 0; i < job.regions.length; i++) {
      if (Atomics.load(job.state, 1 + i) !== DONE) {
        run.signal?.throwIfAborted();
        awaitFrames(job, job.regions[i].readEnd);
        await separateOne(job, i);
        Atomics.store(job.state, 1 + i, DONE);
      }
    }
  } catch (err) {
    await Promise.all(members.map(terminate));
    throw err;
  }
}

/** A job over the whole of `mix` (or its span), with its region states in shared memory. */
function makeJob(mix: AudioBuffer, spanStart: number, totalLength: number, sink: RegionSink, regions: SeparationRegion[], options: DspSeparatorOptions): RegionJob {
  return {
    sampleRate: mix.sampleRate,
    mix: mix.channels.map(toShared),
    spanStart,
    totalLength,
    sink,
    regions,
    state: new Int32Array(new SharedArrayBuffer(4 * (1 + regions.length))),
    options,
  };
}

/**
 * Start separating `mix` with the DSP separator on worker threads. Call `help()` when the calling
 * thread is free to join in, then `result()` for the stems (it also works without `help()`).
 * Invalid input (non-finite samples, mismatched channels) is found before any thread starts and
 * rejects from `help()` and `result()` with the one-shot run's error.
 */
export function startParallelSeparation(mix: AudioBuffer, options: ParallelSeparationOptions = {}): ParallelSeparation {
  const length = frameCount(mix);
  return start(
    mix,
    options,
    () => ({ kind: 'audio', out: Object.fromEntries(DSP_STEMS.map((s) => [s, mix.channels.map(() => sharedFloat32(length))])) as Record<DspStem, Float32Array[]> }),
    (sink) => Object.fromEntries(DSP_STEMS.map((s) => [s, { sampleRate: mix.sampleRate, channels: (sink as { out: Record<DspStem, Float32Array[]> }).out[s] }])) as Record<DspStem, AudioBuffer>,
  );
}

/**
 * As {@link startParallelSeparation}, but the stems come out as WAV files (`bitDepth` as
 * encodeWav writes it, byte for byte): each thread encodes its regions straight into the files,
 * so the whole-song float stems never exist (16-bit files take half their memory) and the
 * encoding is spread over the threads too.
 */
export function startParallelSeparationToWav(mix: AudioBuffer, bitDepth: WavBitDepth, options: ParallelSeparationOptions = {}): ParallelSeparation<Record<DspStem, Uint8Array>> {
  return start(mix, options, () => wavSink(mix, bitDepth), wavFiles);
}

/** The stem files of a WAV sink. */
const wavFiles = (sink: RegionSink): Record<DspStem, Uint8Array> => (sink as { files: Record<DspStem, Uint8Array> }).files;

/** Whole WAV files for the stems of `mix` (headers written), on shared memory. */
function wavSink(mix: AudioBuffer, bitDepth: WavBitDepth): RegionSink {
  const length = frameCount(mix);
  const header = wavHeader(mix.sampleRate, mix.channels.length, length, { bitDepth });
  const dataBytes = length * mix.channels.length * (bitDepth / 8);
  const files = Object.fromEntries(
    DSP_STEMS.map((s) => {
      const file = new Uint8Array(new SharedArrayBuffer(header.length + dataBytes + (dataBytes & 1)));
      file.set(header);
      return [s, file];
    }),
  ) as Record<DspStem, Uint8Array>;
  return { kind: 'wav', bitDepth, files, dataOffset: header.length, coreOrigin: 0 };
}

/**
 * A separation that starts while its mix is still being decoded: {@link startParallelSeparationToWav}
 * of a mix of a known length, whose samples the caller writes into {@link channels} in order,
 * calling {@link advance} as they come. The worker threads separate each region as soon as its
 * frames (and halo) are in, so the separation overlaps the decode.
 */
export interface FedSeparation<T> extends ParallelSeparation<T> {
  /** The mix's channels, on shared memory, `frames` long: write the decoded samples here. */
  readonly channels: Float32Array[];
  /** Frames [0, frames) are written. */
  advance(frames: number): void;
  /** The mix will not be completed (the decode failed or gave another length): the separation rejects. */
  abandon(): void;
}

function startFedSeparationToWav(
  format: { sampleRate: number; channelCount: number; frames: number },
  bitDepth: WavBitDepth,
  options: ParallelSeparationOptions = {},
): FedSeparation<Record<DspStem, Uint8Array>> {
  const mix: AudioBuffer = { sampleRate: format.sampleRate, channels: Array.from({ length: format.channelCount }, () => sharedFloat32(format.frames)) };
  const ready = new Int32Array(new SharedArrayBuffer(4));
  const run = start(mix, options, () => wavSink(mix, bitDepth), wavFiles, ready);
  return {
    ...run,
    channels: mix.channels,
    advance(frames) {
      if (Atomics.load(ready, 0) === ABANDONED) return;
      Atomics.store(ready, 0, Math.min(frames, format.frames));
      Atomics.notify(ready, 0);
    },
    abandon() {
      Atomics.store(ready, 0, ABANDONED);
      Atomics.notify(ready, 0);
      // The workers give up; the job's own failure is of no interest to anyone.
      run.result().catch(() => undefined);
    },
  };
}

/**
 * Separation into WAV files that starts while the mix is still being decoded: pass it as the
 * decode's observer ({@link DecodeObserver}). When the header gives the exact length, the
 * separation starts at once ({@link startFedSeparationToWav}) and each decoded piece is copied
 * in as it comes; then `separation(audio)`, after the decode, returns it. When the header does
 * not tell the length, or the decode gives other samples than announced, `separation(audio)`
 * separates the decoded audio the usual way ({@link startParallelSeparationToWav}) instead.
 * The stems are the same either way. `cancel()` after a failed decode.
 */
export interface SeparationFeed extends DecodeObserver {
  separation(audio: AudioBuffer): ParallelSeparation<Record<DspStem, Uint8Array>>;
  cancel(): void;
}

export function feedSeparationToWav(bitDepth: WavBitDepth, options: ParallelSeparationOptions = {}): SeparationFeed {
  let fed: FedSeparation<Record<DspStem, Uint8Array>> | null = null;
  let crew = options.crew;
  let sampleRate = 0;
  let frames = 0;
  let written = 0;
  const drop = (): void => {
    fed?.abandon();
    fed = null;
  };
  return {
    start(format) {
      if (format.frames === null || format.frames <= 0 || format.channelCount <= 0) return;
      ({ sampleRate, frames } = format as { sampleRate: number; frames: number });
      fed = startFedSeparationToWav({ ...format, frames }, bitDepth, { ...options, crew });
      // The fed separation has the crew now; a fallback starts its own threads.
      crew = undefined;
    },
    piece(piece) {
      if (fed === null) return;
      const n = frameCount(piece);
      if (piece.sampleRate !== sampleRate || piece.channels.length !== fed.channels.length || written + n > frames) return drop();
      piece.channels.forEach((ch, c) => fed!.channels[c].set(ch, written));
      written += n;
      fed.advance(written);
    },
    separation(audio) {
      if (fed !== null && (written !== frames || frameCount(audio) !== frames || audio.sampleRate !== sampleRate)) drop();
      return fed ?? startParallelSeparationToWav(audio, bitDepth, { ...options, crew });
    },
    cancel() {
      drop();
      crew?.release();
    },
  };
}

function start<T>(mix: AudioBuffer, options: ParallelSeparationOptions, makeSink: () => RegionSink, collect: (sink: RegionSink) => T, ready?: Int32Array): ParallelSeparation<T> {
  let sink: RegionSink;
  try {
    // A mix still being decoded is checked region by region (separateRegion checks its span).
    if (!ready) assertSeparable(mix);
    sink = makeSink();
  } catch (err) {
    options.crew?.release();
    const fail = () => Promise.reject(err);
    return { help: fail, result: fail, workers: Promise.resolve({ regions: 0, failures: [] }) };
  }
  const length = frameCount(mix);
  const crew = (options.crew ?? startSeparationCrew(0)) as CrewInternals;
  const regions = planRegions(length, mix.sampleRate, options.regionSec ?? 15, options.options);
  const job = makeJob(mix, 0, length, sink, regions, options.options ?? {});
  job.ready = ready;
  if (!options.crew) crew.members.push(...Array.from({ length: Math.max(0, options.threads ?? defaultSeparationThreads()) }, takeMember));
  const members = enlist(crew, regions.length > 1 ? regions.length - 1 : 0);
  const parts = Promise.all(members.map((m) => runOn(m, job)));
  // One job per member here: once its part is done, each thread is kept for the next separation or exits.
  const workers = parts.then((all) => {
    members.forEach(dismiss);
    return all;
  });
  const run = options.run ?? {};
  const help = async (): Promise<void> => {
    try {
      await claimRegions(job, run);
    } catch (err) {
      await Promise.all(members.map(terminate));
      throw err;
    }
  };
  const result = async (): Promise<T> => {
    await runJob(job, members, workers, run);
    run.onProgress?.(1);
    return collect(job.sink);
  };
  return {
    help,
    result,
    workers: workers.then((all) => ({
      regions: all.reduce((sum, w) => sum + w.regions, 0),
      failures: all.flatMap((w) => (w.failure === null ? [] : [w.failure])),
    })),
  };
}

/** Random access to a mix too long to hold: frames [start, end) of every channel. */
export interface MixSource {
  sampleRate: number;
  channelCount: number;
  /** Frames per channel. */
  frames: number;
  read(start: number, end: number): Promise<Float32Array[]>;
}

export interface WindowedSeparationOptions extends ParallelSeparationOptions {
  /** Window length, seconds (default 60): the mix held at once is a window plus its halo. */
  windowSec?: number;
}

/**
 * Separate a mix that is never held whole, a window at a time, into WAV sample bytes: for each
 * window in time order, `write(stem, bytes)` receives every stem's samples of that window,
 * encoded as {@link startParallelSeparationToWav} encodes them (no header). Concatenated behind
 * `wavHeader(rate, channels, frames)` they are byte for byte the one-shot WAV files: the windows
 * are groups of the same regions, each read with its halo. Every window runs on the crew's threads
 * and the calling thread, the same threads throughout. Memory: one window of mix and of stems.
 */
export async function separateWindowsToWav(
  source: MixSource,
  bitDepth: WavBitDepth,
  write: (stem: DspStem, bytes: Uint8Array) => Promise<void>,
  options: WindowedSeparationOptions = {},
): Promise<void> {
  const { sampleRate, channelCount, frames: total } = source;
  const crew = (options.crew ?? startSeparationCrew(options.threads ?? defaultSeparationThreads())) as CrewInternals;
  const members = enlist(crew, crew.members.length);
  const run = options.run ?? {};
  try {
    const regions = planRegions(total, sampleRate, options.regionSec ?? 15, options.options);
    const perWindow = Math.max(1, Math.round((options.windowSec ?? 60) / (options.regionSec ?? 15)));
    const frameBytes = channelCount * (bitDepth / 8);
    for (let first = 0; first < regions.length; first += perWindow) {
      const group = regions.slice(first, first + perWindow);
      const readStart = group[0].readStart;
      const coreStart = group[0].coreStart;
      const coreFrames = group[group.length - 1].coreEnd - coreStart;
      const span: AudioBuffer = { sampleRate, channels: await source.read(readStart, group[group.length - 1].readEnd) };
      assertSeparable(span);
      const files = Object.fromEntries(DSP_STEMS.map((stem) => [stem, new Uint8Array(new SharedArrayBuffer(coreFrames * frameBytes))])) as Record<DspStem, Uint8Array>;
      const job = makeJob(span, readStart, total, { kind: 'wav', bitDepth, files, dataOffset: 0, coreOrigin: coreStart }, group, options.options ?? {});
      const busy = members.slice(0, Math.max(0, group.length - 1));
      const windowRun: SeparateOptions = { signal: run.signal, onProgress: (f) => run.onProgress?.((first + f * group.length) / regions.length) };
      await runJob(job, busy, Promise.all(busy.map((m) => runOn(m, job))), windowRun);
      for (const stem of DSP_STEMS) await write(stem, files[stem]);
    }
    run.onProgress?.(1);
  } finally {
    members.forEach(dismiss);
  }
}

/** Worker threads worth starting on this machine: one per core besides the caller's. */
export function defaultSeparationThreads(): number {
  return Math.max(0, availableParallelism() - 1);
}

/**
 * The DSP separator ('dsp-masks') spread over `threads` worker threads plus the caller (default
 * {@link defaultSeparationThreads}); 0 threads runs it in the caller only. Same stems either way.
 * The caller separates its first region before `separate` returns its promise, and helps again
 * whenever its event loop is free, so work it does meanwhile (the MIR) overlaps the workers.
 */
export function createParallelDspSeparator(options: DspSeparatorOptions = {}, threads = defaultSeparationThreads()): Separator {
  const plain = createDspSeparator(options);
  if (threads <= 0) return plain;
  return {
    ...plain,
    separate: (mix, run) => startParallelSeparation(mix, { threads, options, run }).result(),
  };
}
