/**
 * Orchestrator replay tests through durable-functions' own machinery (createOrchestrator +
 * TaskOrchestrationExecutor replaying a host-style history; see durableDriver.ts).
 */
import { describe, expect, it } from 'vitest';
import type * as df from 'durable-functions';
import { analyzeOrchestrator } from '../../functions/analyzeOrchestrator/index.js';
import { generateOrchestrator } from '../../functions/generateHttpStart/generateOrchestrator.js';
import { encodeActivityError } from '../../functions/durable/errors.js';
import { retryDelayMs } from '../../functions/durable/retry.js';
import type { AnalyzeJobInput, GenerateJobInput } from '../../functions/jobs.js';
import { NotAudioError, TransientError } from '../../shared/errors.js';
import { driveOrchestration, fail, ok, type ActivityImpl } from './durableDriver.js';

const retry = { maxAttempts: 3, firstRetryMs: 2000, backoffCoefficient: 2, maxRetryMs: 60_000 };
const analyzeInput: AnalyzeJobInput = {
  kind: 'analysis',
  jobId: 'analysis-song1-0123456789abcdef',
  audioFileId: 'song1',
  blobName: 'song1.mp3',
  etag: '"0x1"',
  callbackUrl: 'https://api.example.com/cb',
  retry,
};

const happy: ActivityImpl = (name, input) => {
  switch (name) {
    case 'prepareAudio':
      return ok({ mixPath: 'song1/work/mix.pcm', infoPath: 'song1/work/info.json', durationSec: 30, sampleRate: 44100, channelCount: 2, format: 'mp3' });
    case 'separateStems':
      return ok({ stems: { vocals: 'song1/stems/vocals.wav', drums: 'song1/stems/drums.wav', bass: 'song1/stems/bass.wav', other: 'song1/stems/other.wav' } });
    case 'analyzeMix':
      return ok({ descriptionPath: 'song1/work/description.json', summary: { bpm: 120, key: 'A minor', beat_count: 60 } });
    case 'transcribeStems':
      return ok({ midi: { vocals: 'song1/stems/vocals.mid', bass: 'song1/stems/bass.mid' }, notesPath: 'song1/work/notes.json', noteCounts: { vocals: 12, bass: 30 } });
    case 'writeJams':
      return ok({ annotationPath: 'song1/analysis/annotation.jams' });
    case 'notify':
      return ok({ eventQueued: true, callback: { delivered: true, attempts: 1, status_code: 200 } });
    case 'renderStem':
      return ok({ stem: input.stem, path: `audio-123/generated/gen-1/${input.stem}.wav`, durationSec: 10, fittedTo: input.audioFileId });
    default:
      throw new Error(`unexpected activity ${name}`);
  }
};

const activityNames = (r: { scheduled: { kind: string; name?: string }[] }) => r.scheduled.filter((s) => s.kind === 'activity').map((s) => s.name);
const handler = (g: unknown) => g as df.OrchestrationHandler;

describe('analyzeOrchestrator (replayed by durable-functions)', () => {
  it('runs prepareAudio → [separateStems ∥ analyzeMix] → writeJams → notify, passing only paths', async () => {
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, happy);
    expect(r.status).toBe('completed');
    expect(activityNames(r)).toEqual(['prepareAudio', 'separateStems', 'analyzeMix', 'writeJams', 'notify']);
    // fan-out: both branches scheduled in the same episode, after prepareAudio's
    const [prep, sep, ana, jams] = r.scheduled;
    expect(sep.episode).toBe(ana.episode);
    expect(sep.episode).toBeGreaterThan(prep.episode);
    expect(jams.episode).toBeGreaterThan(sep.episode);
    expect(sep.input).toEqual({ audioFileId: 'song1', mixPath: 'song1/work/mix.pcm' });
    // every activity input is an object, and the history stays tiny (no audio)
    for (const s of r.scheduled) if (s.kind === 'activity') expect(typeof s.input === 'object' && !Array.isArray(s.input)).toBe(true);
    expect(JSON.stringify(r.history).length).toBeLessThan(45_000);
    expect(r.output).toMatchObject({
      outputs: { annotation: 'song1/analysis/annotation.jams', stems: { vocals: 'song1/stems/vocals.wav' } },
      summary: { bpm: 120, key: 'A minor', duration_seconds: 30 },
      callback: { delivered: true },
    });
    const notify = r.scheduled.find((s) => s.name === 'notify')!;
    expect(notify.input.callbackUrl).toBe('https://api.example.com/cb');
    expect(notify.input.event).toMatchObject({ event_id: `${analyzeInput.jobId}:completed`, status: 'completed', audio_file_id: 'song1', kind: 'analysis' });
  });

  it('separates a long mix as parallel chunk activities beside analyzeMix, then joins the parts into the stems', async () => {
    const regions = [0, 1, 2].map((i) => ({ coreStart: i * 100, coreEnd: (i + 1) * 100, readStart: Math.max(0, i * 100 - 10), readEnd: Math.min(300, (i + 1) * 100 + 10) }));
    const chunked: ActivityImpl = (name, input, attempt) => {
      if (name === 'prepareAudio') return ok({ ...((happy(name, input, attempt) as { value: object }).value), frames: 300, separationRegions: regions });
      if (name === 'separateChunk') return ok({ parts: { vocals: `song1/work/stems/vocals.0000${input.index}.pcm` } });
      if (name === 'joinStems') return ok({ stems: { vocals: 'song1/stems/vocals.wav' } });
      return happy(name, input, attempt);
    };
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, chunked);
    expect(r.status).toBe('completed');
    expect(activityNames(r)).toEqual(['prepareAudio', 'separateChunk', 'separateChunk', 'separateChunk', 'analyzeMix', 'joinStems', 'writeJams', 'notify']);
    const chunks = r.scheduled.filter((s) => s.name === 'separateChunk');
    const analyse = r.scheduled.find((s) => s.name === 'analyzeMix')!;
    const join = r.scheduled.find((s) => s.name === 'joinStems')!;
    // all chunks and the MIR in one episode (parallel), the join after them
    for (const c of chunks) expect(c.episode).toBe(analyse.episode);
    expect(join.episode).toBeGreaterThan(analyse.episode);
    expect(chunks.map((c) => c.input)).toEqual(regions.map((region, index) => ({ audioFileId: 'song1', mixPath: 'song1/work/mix.pcm', index, region })));
    expect(join.input).toEqual({ audioFileId: 'song1', parts: [0, 1, 2].map((i) => ({ parts: { vocals: `song1/work/stems/vocals.0000${i}.pcm` } })) });
    expect(r.output).toMatchObject({ outputs: { stems: { vocals: 'song1/stems/vocals.wav' } } });
  });

  it('with transcription on, transcribes the separated stems after the fan-out and hands the notes to writeJams', async () => {
    const r = await driveOrchestration(handler(analyzeOrchestrator), { ...analyzeInput, transcribe: true }, happy);
    expect(r.status).toBe('completed');
    expect(activityNames(r)).toEqual(['prepareAudio', 'separateStems', 'analyzeMix', 'transcribeStems', 'writeJams', 'notify']);
    const transcribe = r.scheduled.find((s) => s.name === 'transcribeStems')!;
    expect(transcribe.input).toEqual({ audioFileId: 'song1', stems: { vocals: 'song1/stems/vocals.wav', drums: 'song1/stems/drums.wav', bass: 'song1/stems/bass.wav', other: 'song1/stems/other.wav' } });
    expect(r.scheduled.find((s) => s.name === 'writeJams')!.input.notesPath).toBe('song1/work/notes.json');
    expect(r.output).toMatchObject({ outputs: { midi: { vocals: 'song1/stems/vocals.mid', bass: 'song1/stems/bass.mid' } } });
    expect((r.customStatuses as { stage: string }[]).map((s) => s.stage)).toContain('transcribing');
    // off by default: no transcription step, no notes
    const plain = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, happy);
    expect(activityNames(plain)).not.toContain('transcribeStems');
    expect(plain.scheduled.find((s) => s.name === 'writeJams')!.input.notesPath).toBeUndefined();
  });

  it('reports progress as a custom status with monotonically rising percent, ending at 100', async () => {
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, happy);
    const statuses = r.customStatuses as { stage: string; percent: number }[];
    const stages = statuses.map((s) => s.stage);
    expect(stages[0]).toBe('preparing');
    expect(stages).toContain('separating_and_analyzing');
    expect(stages).toContain('writing_annotation');
    expect(stages.at(-1)).toBe('completed');
    for (let i = 1; i < statuses.length; i++) expect(statuses[i].percent).toBeGreaterThanOrEqual(statuses[i - 1].percent);
    expect(statuses.at(-1)).toMatchObject({ percent: 100, callback: { delivered: true } });
    expect(JSON.stringify(statuses.at(-1)).length).toBeLessThan(16_000);
  });

  it('gives the same result whichever branch of the fan-out completes first', async () => {
    const a = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, happy);
    const b = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, happy, { reverseCompletions: true });
    expect(b.output).toEqual(a.output);
    expect(activityNames(b)).toEqual(activityNames(a));
  });

  it('retries a transient failure with exponential backoff on durable timers, then succeeds', async () => {
    const flaky: ActivityImpl = (name, input, attempt) =>
      name === 'analyzeMix' && attempt <= 2 ? fail(encodeActivityError(new TransientError('storage busy (503)'))) : happy(name, input, attempt);
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, flaky);
    expect(r.status).toBe('completed');
    expect(activityNames(r).filter((n) => n === 'analyzeMix')).toHaveLength(3);
    expect(activityNames(r).filter((n) => n === 'separateStems')).toHaveLength(1); // the other branch is not restarted
    const timers = r.scheduled.filter((s) => s.kind === 'timer');
    expect(timers).toHaveLength(2);
    // exponential: 2 s then 4 s (orchestration clock; the driver advances 1 s per episode)
    expect(retryDelayMs(retry, 1)).toBe(2000);
    expect(retryDelayMs(retry, 2)).toBe(4000);
    const ev = (i: number) => r.history.filter((h) => h.EventType === 10)[i];
    const started = r.history.filter((h) => h.EventType === 12);
    expect(ev(0).FireAt.getTime() - started[2].Timestamp.getTime()).toBe(2000);
    expect(ev(1).FireAt.getTime() - ev(0).FireAt.getTime()).toBeGreaterThanOrEqual(4000);
  });

  it('retries a failed branch while the other is still running, without rescheduling the running one', async () => {
    const flaky: ActivityImpl = (name, input, attempt) =>
      name === 'analyzeMix' && attempt === 1 ? fail(encodeActivityError(new TransientError('throttled (429)'))) : happy(name, input, attempt);
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, flaky, { holdBack: (name) => name === 'separateStems' });
    expect(r.status, r.error).toBe('completed');
    expect(activityNames(r).filter((n) => n === 'separateStems')).toHaveLength(1);
    expect(activityNames(r).filter((n) => n === 'analyzeMix')).toHaveLength(2);
    expect(r.output).toMatchObject({ outputs: { stems: { vocals: 'song1/stems/vocals.wav' } } });
  });

  it('fails fast on a fatal branch even while the other branch is still running', async () => {
    const bad: ActivityImpl = (name, input, attempt) => (name === 'analyzeMix' ? fail(encodeActivityError(new NotAudioError('no samples'))) : happy(name, input, attempt));
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, bad, { holdBack: (name) => name === 'separateStems' });
    expect(r.status).toBe('failed');
    expect((r.customStatuses.at(-1) as any).error).toMatchObject({ code: 'not_audio', step: 'analyzeMix' });
    expect(activityNames(r)).toEqual(['prepareAudio', 'separateStems', 'analyzeMix', 'notify']);
  });

  it('retries transient failures of a sequential step too, and gives up after maxAttempts', async () => {
    const down: ActivityImpl = (name, input, attempt) =>
      name === 'prepareAudio' ? fail(encodeActivityError(new TransientError('connect ECONNREFUSED'))) : happy(name, input, attempt);
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, down);
    expect(r.status).toBe('failed');
    expect(activityNames(r).filter((n) => n === 'prepareAudio')).toHaveLength(3);
    expect(r.error).toMatch(/prepareAudio.*\[transient\] connect ECONNREFUSED/);
  });

  for (const failureDetails of [false, true]) {
    it(`fails fast on a bad input without retrying (${failureDetails ? 'FailureDetails' : 'Reason/Details'} history)`, async () => {
      const corrupt: ActivityImpl = (name, input, attempt) =>
        name === 'prepareAudio' ? fail(encodeActivityError(new NotAudioError('bytes 0-3 "junk" are not a known audio format'))) : happy(name, input, attempt);
      const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, corrupt, { failureDetails });
      expect(r.status).toBe('failed');
      expect(activityNames(r)).toEqual(['prepareAudio', 'notify']);
      expect(r.scheduled.filter((s) => s.kind === 'timer')).toHaveLength(0);
      expect(r.error).toMatch(/failed in prepareAudio: \[not_audio\] bytes 0-3 "junk" are not a known audio format/);
      const last = r.customStatuses.at(-1) as any;
      expect(last).toMatchObject({ stage: 'failed', error: { code: 'not_audio', step: 'prepareAudio' }, callback: { delivered: true } });
      const notify = r.scheduled.find((s) => s.name === 'notify')!;
      expect(notify.input.event).toMatchObject({ status: 'failed', error: { code: 'not_audio' }, outputs: {} });
    });
  }

  it('fails the whole fan-out when one branch has a bad input (Task.any fail-fast)', async () => {
    const bad: ActivityImpl = (name, input, attempt) => (name === 'separateStems' ? fail(encodeActivityError(new NotAudioError('silent garbage'))) : happy(name, input, attempt));
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, bad);
    expect(r.status).toBe('failed');
    expect(activityNames(r)).not.toContain('writeJams');
    expect((r.customStatuses.at(-1) as any).error).toMatchObject({ code: 'not_audio', step: 'separateStems' });
  });

  it('treats an unmarked crash (a bug) as fatal', async () => {
    const bug: ActivityImpl = (name, input, attempt) => (name === 'writeJams' ? fail(new TypeError("Cannot read properties of undefined (reading 'x')")) : happy(name, input, attempt));
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, bug);
    expect(r.status).toBe('failed');
    expect(activityNames(r).filter((n) => n === 'writeJams')).toHaveLength(1);
  });

  it('records an undelivered callback in the status without failing the job', async () => {
    const cbDown: ActivityImpl = (name, input, attempt) =>
      name === 'notify' ? ok({ eventQueued: true, callback: { delivered: false, attempts: 5, last_error: 'HTTP 503' } }) : happy(name, input, attempt);
    const r = await driveOrchestration(handler(analyzeOrchestrator), analyzeInput, cbDown);
    expect(r.status).toBe('completed');
    expect(r.customStatuses.at(-1)).toMatchObject({ stage: 'completed', callback: { delivered: false, attempts: 5 } });
  });
});

describe('generateOrchestrator (replayed by durable-functions)', () => {
  const genInput: GenerateJobInput = {
    kind: 'generation',
    jobId: 'generation-gen-1',
    generationRequestId: 'gen-1',
    audioFileId: 'audio-123',
    stems: ['guitar', 'bass', 'drums'],
    params: { durationSec: 10, bpm: 120, seed: 7 },
    retry,
  };

  it('renders every stem in one parallel episode, then notifies', async () => {
    const r = await driveOrchestration(handler(generateOrchestrator), genInput, happy, { reverseCompletions: true });
    expect(r.status).toBe('completed');
    const renders = r.scheduled.filter((s) => s.name === 'renderStem');
    expect(renders.map((s) => s.input.stem)).toEqual(['guitar', 'bass', 'drums']);
    expect(new Set(renders.map((s) => s.episode)).size).toBe(1);
    expect(activityNames(r).at(-1)).toBe('notify');
    expect(r.output).toMatchObject({
      outputs: { stems: { guitar: 'audio-123/generated/gen-1/guitar.wav', bass: 'audio-123/generated/gen-1/bass.wav', drums: 'audio-123/generated/gen-1/drums.wav' } },
      summary: { bpm: 120, fitted_to: 'audio-123' },
    });
    const percents = (r.customStatuses as any[]).map((s) => s.percent);
    expect(percents.at(-1)).toBe(100);
  });

  it('retries one transient stem without re-rendering the others', async () => {
    const flaky: ActivityImpl = (name, input, attempt) =>
      name === 'renderStem' && input.stem === 'bass' && attempt === 1 ? fail(encodeActivityError(new TransientError('throttled (429)'))) : happy(name, input, attempt);
    const r = await driveOrchestration(handler(generateOrchestrator), genInput, flaky);
    expect(r.status).toBe('completed');
    const renders = r.scheduled.filter((s) => s.name === 'renderStem').map((s) => s.input.stem);
    expect(renders.sort()).toEqual(['bass', 'bass', 'drums', 'guitar']);
  });
});
