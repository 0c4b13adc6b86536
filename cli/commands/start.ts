import { existsSync, readFileSync } from 'node:fs';
import { InvalidRequestError } from '../../shared/errors.js';
import { choiceOption, integerOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';

const help = `usage: stemflow start [--port 7071] [--persist DIR] [options]

Runs the whole app on this machine (npm start): an embedded Azurite (blob, queue, table) and a
local Functions host running the same function definitions as Azure:
  HTTP     http://localhost:PORT/api/{analyze,generate,jobs/{id},health}
  blob     uploads to audio-files/{id}.{mp3|wav|flac|ogg} start an analysis (polled)
  queues   analysis-requests, generation-requests; results on job-events
  Durable  orchestrations replayed by durable-functions, state in storage (resumed on restart)
Ctrl-C stops it cleanly. Differences from the real host: docs/local-host.md.

Settings come from the environment, then ./local.settings.json "Values" (as Core Tools does).
Storage: an explicit AzureWebJobsStorage connection string is used as is (no Azurite);
unset or UseDevelopmentStorage=true starts the embedded Azurite.

options:
  --port N                  HTTP port (default: 7071; 0 = any free port)
  --persist DIR             keep Azurite's data in DIR (default: in memory, lost on exit)
  --azurite-ports B,Q,T     embedded Azurite ports (default: 10000,10001,10002; 0 = any free)
  --workers N               activity worker threads (default: the number of cores)
  --poll-ms N               blob/queue polling interval (default: 1000)
  --log-level L             debug|info|warn|error (default: info)
  --core-module PATH        testing hook: a module exporting createCore(env) used instead of the real core
  -h, --help                this help
`;

/** local.settings.json "Values" fill settings the environment does not already have. */
export function loadLocalSettings(path = 'local.settings.json', env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(path)) return [];
  let doc: { Values?: Record<string, unknown> };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidRequestError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const applied: string[] = [];
  for (const [k, v] of Object.entries(doc.Values ?? {})) {
    if (env[k] !== undefined || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) continue;
    env[k] = String(v);
    applied.push(k);
  }
  return applied;
}

function parsePorts(raw: string | undefined): { blob: number; queue: number; table: number } | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 65535))
    throw new InvalidRequestError(`--azurite-ports must be three ports BLOB,QUEUE,TABLE (0-65535), got "${raw}"`);
  return { blob: parts[0], queue: parts[1], table: parts[2] };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: raw } = parseCliArgs(argv, {
    port: { type: 'string' },
    persist: { type: 'string' },
    'azurite-ports': { type: 'string' },
    workers: { type: 'string' },
    'poll-ms': { type: 'string' },
    'log-level': { type: 'string' },
    'core-module': { type: 'string' },
  });
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : v === true ? 'true' : undefined])) as Record<string, string | undefined>;
  const port = integerOption('port', values.port, 0, 65535) ?? 7071;
  const workers = integerOption('workers', values.workers, 0, 256);
  const pollIntervalMs = integerOption('poll-ms', values['poll-ms'], 50, 600_000) ?? 1000;
  const logLevel = choiceOption('log-level', values['log-level'], ['debug', 'info', 'warn', 'error'] as const) ?? 'info';
  const azuritePorts = parsePorts(values['azurite-ports']);
  const applied = loadLocalSettings();
  if (applied.length > 0) io.stdout(`settings: ${applied.length} value(s) from local.settings.json\n`);

  const { startLocalHost } = await import('../../devhost/host.js');
  const host = await startLocalHost({
    port,
    persistDir: values.persist,
    azuritePorts,
    workers,
    pollIntervalMs,
    logLevel,
    coreModule: values['core-module'],
  });
  io.stdout(`\nstemflow is running: ${host.url.replace('127.0.0.1', 'localhost')}/api/health\n  try: stemflow submit <audio.mp3>   (Ctrl-C to stop)\n\n`);
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        io.stderr(`\n${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      io.stdout(`\n${signal}: stopping (finishing running activities; Ctrl-C again to force)\n`);
      host
        .stop()
        .then(() => resolve(0))
        .catch((err) => {
          io.stderr(`shutdown failed: ${(err as Error)?.message ?? err}\n`);
          resolve(1);
        })
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export const command: CliCommand = {
  name: 'start',
  summary: 'run the whole app locally (embedded Azurite + local Functions host)',
  help,
  run,
};
