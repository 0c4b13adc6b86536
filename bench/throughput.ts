/**
 * Local-host throughput (issue 5 acceptance): N uploads of S-second songs dropped into
 * audio-files at once on a running local host (embedded Azurite in memory, activities on the
 * worker pool); waits for every job, then checks that nothing was lost or duplicated (one
 * instance, one job event and the full output set per upload) and reports throughput and peak
 * RSS (host process incl. its worker threads; Azurite separately). Prints JSON on stdout.
 *
 *   npx tsx bench/throughput.ts [--count 20] [--duration 30] [--workers N] [--distinct 5] [--core real|fast]
 *
 * Heavy with the defaults (20 × 30 s analyses): run it on an idle machine.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '../shared/audio/wav.js';
import { renderSong } from '../shared/generation/song.js';
import { createAzureBlobStore } from '../shared/storage/blobStore.js';
import { analysisInstanceId } from '../functions/jobs.js';
import { startLocalHost } from '../devhost/host.js';
import { createHostLogger } from '../devhost/log.js';
import { QueueServiceClient } from '@azure/storage-queue';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Peak resident set of another process, MB (Linux /proc VmHWM), or null. */
function peakRssMbOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

const count = Number(arg('count', '20'));
const durationSec = Number(arg('duration', '30'));
const workers = Number(arg('workers', String(availableParallelism())));
const distinct = Math.max(1, Math.min(count, Number(arg('distinct', '5'))));
const coreKind = arg('core', 'real');
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const tRender = performance.now();
const songs = Array.from({ length: distinct }, (_, i) => encodeWav(renderSong(100 + i, { durationSec }).mix, { bitDepth: 16 }));
const renderSec = (performance.now() - tRender) / 1000;

let lastLog = '';
const host = await startLocalHost({
  env: { ...process.env, AzureWebJobsStorage: 'UseDevelopmentStorage=true', STEMFLOW_QUEUES_ENABLED: 'true' },
  port: 0,
  azuritePorts: { blob: 0, queue: 0, table: 0 },
  workers,
  coreModule: coreKind === 'fast' ? fileURLToPath(new URL('../test/e2e/fastCore.ts', import.meta.url)) : undefined,
  pollIntervalMs: 500,
  log: createHostLogger('warn', (_l, line) => (lastLog = line)),
});
try {
  const blobs = createAzureBlobStore(host.connectionString, host.config.containerName);
  const t0 = performance.now();
  const jobIds = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `bench-${String(i).padStart(3, '0')}`;
      const { etag } = await blobs.write(`${id}.wav`, songs[i % distinct], 'audio/wav');
      return analysisInstanceId(host.config.containerName, `${id}.wav`, etag, id);
    }),
  );
  const uploadSec = (performance.now() - t0) / 1000;
  const finished = await Promise.all(jobIds.map((id) => host.engine.waitFor(id, 6 * 3600_000)));
  const wallSec = (performance.now() - t0) / 1000;

  // nothing lost, nothing duplicated
  const instances = (await host.engine.list(10_000)).filter((r) => r.instanceId.startsWith('analysis-bench-'));
  const q = QueueServiceClient.fromConnectionString(host.connectionString).getQueueClient(host.config.queues.jobEvents);
  const events: string[] = [];
  for (;;) {
    const got = await q.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 });
    if (got.receivedMessageItems.length === 0) break;
    events.push(...got.receivedMessageItems.map((m) => JSON.parse(m.messageText).job_id as string));
  }
  let outputsOk = 0;
  for (let i = 0; i < count; i++) {
    const names = await blobs.list(`bench-${String(i).padStart(3, '0')}/`);
    if (names.filter((n) => n.includes('/stems/')).length === 4 && names.some((n) => n.endsWith('analysis/annotation.jams'))) outputsOk++;
  }
  const completed = finished.filter((r) => r.runtimeStatus === 'Completed').length;
  const result = {
    date: new Date().toISOString(),
    command: `npx tsx bench/throughput.ts --count ${count} --duration ${durationSec} --workers ${workers} --core ${coreKind}`,
    uploads: count,
    song_duration_s: durationSec,
    workers,
    cores: availableParallelism(),
    completed,
    failed: finished.length - completed,
    instances: instances.length,
    distinct_instances: new Set(instances.map((r) => r.instanceId)).size,
    job_events: events.length,
    distinct_job_events: new Set(events).size,
    complete_output_sets: outputsOk,
    upload_s: round(uploadSec),
    wall_s: round(wallSec),
    jobs_per_min: round((60 * count) / wallSec),
    audio_s_per_wall_s: round((count * durationSec) / wallSec),
    peak_rss_host_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    peak_rss_azurite_mb: peakRssMbOf(host.azurite?.pid),
    render_s: round(renderSec),
    ok: completed === count && instances.length === count && new Set(events).size === count && events.length === count && outputsOk === count,
    last_log: lastLog || undefined,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exitCode = result.ok ? 0 : 1;
} finally {
  await host.stop();
}
