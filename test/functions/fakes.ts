/** Test doubles for the Functions handlers: config, a recording Durable client, a fast fake core. */
import { parseConfig, type AppConfig } from '../../shared/config.js';
import { InvalidRequestError } from '../../shared/errors.js';
import { decodeAudio } from '../../shared/audio/decode.js';
import { openAudioStream } from '../../shared/audio/stream.js';
import { encodeWav } from '../../shared/audio/wav.js';
import type { AudioBuffer } from '../../shared/audio/types.js';
import type { MusicDescription } from '../../shared/contracts/music.js';
import { createMemoryBlobStore, type BlobStore } from '../../shared/storage/blobStore.js';
import { createMemoryQueueSender, type QueueSender } from '../../shared/storage/queues.js';
import type { CorePort } from '../../functions/core.js';
import { createServices } from '../../functions/services.js';
import type { HandlerContext, HttpRequestLike, JobClient, JobRuntimeInfo, Services } from '../../functions/types.js';

export const BASE_ENV: Record<string, string> = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  STEMFLOW_CALLBACK_ALLOWED_HOSTS: 'api.example.com,*.trusted.test,127.0.0.1',
  STEMFLOW_CALLBACK_SECRET: 'test-secret',
  STEMFLOW_BLOB_ENDPOINT_ALIASES: 'http://azurite:10000/devstoreaccount1',
};

export function testConfig(env: Record<string, string> = {}): Readonly<AppConfig> {
  return parseConfig({ ...BASE_ENV, ...env });
}

/** A JobClient that records every start and answers getStatus from its own table: the boundary of the HTTP tests. */
export function recordingJobClient(): JobClient & { starts: { name: string; instanceId: string; input: any }[]; statuses: Map<string, JobRuntimeInfo> } {
  const starts: { name: string; instanceId: string; input: any }[] = [];
  const statuses = new Map<string, JobRuntimeInfo>();
  return {
    starts,
    statuses,
    async startNew(name, options) {
      starts.push({ name, instanceId: options.instanceId, input: JSON.parse(JSON.stringify(options.input)) });
      statuses.set(options.instanceId, { name, instanceId: options.instanceId, runtimeStatus: 'pending', createdTime: new Date(), lastUpdatedTime: new Date() });
      return options.instanceId;
    },
    async getStatus(id) {
      return statuses.get(id);
    },
    managementUrls(id) {
      const base = `http://localhost:7071/runtime/webhooks/durabletask/instances/${id}`;
      return { id, statusQueryGetUri: base, sendEventPostUri: `${base}/raiseEvent/{eventName}`, terminatePostUri: `${base}/terminate`, purgeHistoryDeleteUri: base };
    },
  };
}

export function sine(seconds: number, sampleRate = 8000, channels = 2, freqHz = 440): AudioBuffer {
  const n = Math.round(seconds * sampleRate);
  return {
    sampleRate,
    channels: Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * freqHz * i) / sampleRate + c))),
  };
}

export const FAKE_DESCRIPTION: MusicDescription = {
  durationSec: 1,
  tempo: { bpm: 120, confidence: 0.9 },
  beatsPerBar: 4,
  beats: [0, 0.5].map((t, i) => ({ timeSec: t, positionInBar: i + 1 })),
  key: { tonic: 9, mode: 'minor', confidence: 0.8 },
  tuningHz: 440,
  chords: [{ startSec: 0, endSec: 1, label: 'A:min', confidence: 0.7 }],
  sections: [{ startSec: 0, endSec: 1, label: 'intro', letter: 'A', confidence: 0.5 }],
};

/** The fake separation: each stem a known gain of the mix (the gains sum to 1). */
function gainStems(mix: AudioBuffer): Record<string, AudioBuffer> {
  const scaled = (g: number): AudioBuffer => ({ sampleRate: mix.sampleRate, channels: mix.channels.map((c) => c.map((x) => x * g)) });
  return { vocals: scaled(0.4), drums: scaled(0.3), bass: scaled(0.2), other: scaled(0.1) };
}

/** Real WAV decode/encode (pure and fast); separation/analysis/generation faked with known answers. */
export function fakeCore(calls: string[] = []): CorePort {
  return {
    decodeAudio: async (bytes, options) => {
      calls.push('decodeAudio');
      return decodeAudio(bytes, options);
    },
    openAudio: async (source, options) => {
      calls.push('decodeAudio');
      return openAudioStream(source, options);
    },
    encodeWav: (audio, options) => encodeWav(audio, options),
    separateMix: async (mix) => {
      calls.push('separateMix');
      return gainStems(mix);
    },
    // Gains need no context: regions of regionSec with no halo.
    planSeparation: async (frames, sampleRate, regionSec) => {
      const size = Math.max(1, Math.round(regionSec * sampleRate));
      const regions = [];
      for (let start = 0; start < frames; start += size) {
        const end = Math.min(frames, start + size);
        regions.push({ coreStart: start, coreEnd: end, readStart: start, readEnd: end });
      }
      return regions;
    },
    separateRegion: async (span, region) => {
      calls.push(`separateRegion:${region.coreStart}`);
      const at = region.coreStart - region.readStart;
      const core = { sampleRate: span.sampleRate, channels: span.channels.map((c) => c.slice(at, at + region.coreEnd - region.coreStart)) };
      return gainStems(core);
    },
    analyzeMix: async () => {
      calls.push('analyzeMix');
      return FAKE_DESCRIPTION;
    },
    buildAnnotation: async (desc, info, extras) => ({ file_metadata: { duration: desc.durationSec, identifiers: {}, jams_version: '0.3.4' }, annotations: [], sandbox: { tuning_hz: desc.tuningHz, wall_time_s: extras.wallTimeSec, format: info.format } }),
    renderGeneratedStem: async (params, stem) => {
      calls.push(`render:${stem}:${params.fit ? 'fit' : 'free'}`);
      return sine(Math.min(params.durationSec, 2), 8000, 2, 220);
    },
    checkGenerationParams: async (params) => {
      if (params.key !== undefined && !/^[A-G][#b]?(?::|\s)?(?:maj(?:or)?|min(?:or)?|m)?$/.test(params.key)) throw new InvalidRequestError(`key: cannot read ${JSON.stringify(params.key)}`);
    },
    readJamsDescription: () => FAKE_DESCRIPTION,
    transcribeStem: async (audio, stem) => {
      calls.push(`transcribe:${stem}`);
      const durationSec = audio.channels[0].length / audio.sampleRate;
      return {
        noteCount: 1,
        annotation: { namespace: 'note_midi', data: [{ time: 0, duration: durationSec, value: 60, confidence: 1 }], annotation_metadata: {}, sandbox: { stem }, time: 0, duration: durationSec },
        midi: new Uint8Array([0x4d, 0x54, 0x68, 0x64]),
      };
    },
  };
}

export interface TestContext extends HandlerContext {
  services: Services;
  jobs: ReturnType<typeof recordingJobClient>;
  logs: string[];
}

export function testContext(options: { config?: Readonly<AppConfig>; blobs?: BlobStore; queues?: QueueSender; core?: CorePort; fetch?: typeof fetch } = {}): TestContext & {
  memoryBlobs: ReturnType<typeof createMemoryBlobStore>;
  memoryQueues: ReturnType<typeof createMemoryQueueSender>;
} {
  const config = options.config ?? testConfig();
  const jobs = recordingJobClient();
  const memoryBlobs = createMemoryBlobStore(config.containerName);
  const memoryQueues = createMemoryQueueSender();
  const core = options.core ?? fakeCore();
  const services = createServices(config, {
    jobs,
    blobs: options.blobs ?? memoryBlobs,
    queues: options.queues ?? memoryQueues,
    core: async () => core,
    fetch: options.fetch ?? fetch,
  });
  const logs: string[] = [];
  const log = (...a: unknown[]) => logs.push(a.map(String).join(' '));
  return { log: { info: log, warn: log, error: log }, services, jobs, logs, memoryBlobs, memoryQueues };
}

export function fakeRequest(options: { method?: string; url?: string; body?: string | object; headers?: Record<string, string>; params?: Record<string, string> }): HttpRequestLike {
  const text = options.body === undefined ? '' : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers = new Headers({ 'content-type': 'application/json', ...(options.headers ?? {}) });
  return {
    method: options.method ?? 'POST',
    url: options.url ?? 'http://localhost:7071/api/analyze',
    headers,
    params: options.params ?? {},
    text: async () => text,
  };
}
