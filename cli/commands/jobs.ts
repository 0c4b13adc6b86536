import { InvalidRequestError, TransientError } from '../../shared/errors.js';
import { integerOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import type { JobStatusBody } from './submit.js';

const help = `usage: stemflow jobs [--url http://localhost:7071] [--top 20] [--json]

Lists the most recent jobs of the running local host (newest first): id, status, stage,
percent, last update, and the error of failed jobs.

options:
  --url URL     the local host (default: http://localhost:7071; STEMFLOW_URL)
  --top N       how many (default: 20)
  --json        print the list as JSON
  -h, --help    this help
`;

type JobRow = JobStatusBody & { updated_at?: string; kind?: string };

/** The table `stemflow jobs` prints. */
export function formatJobs(jobs: JobRow[]): string {
  if (jobs.length === 0) return 'no jobs yet\n';
  const rows = jobs.map((j) => [
    j.job_id,
    j.runtime_status,
    j.stage ?? '',
    j.percent === undefined ? '' : `${j.percent}%`,
    j.updated_at ? j.updated_at.replace('T', ' ').slice(0, 19) : '',
    j.error ? `[${j.error.code}] ${j.error.message}`.slice(0, 80) : j.callback && !j.callback.delivered ? `callback not delivered (${j.callback.attempts} attempts)` : '',
  ]);
  const header = ['JOB', 'STATUS', 'STAGE', '%', 'UPDATED (UTC)', 'NOTE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: raw } = parseCliArgs(argv, { url: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' } });
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : v === true ? 'true' : undefined])) as Record<string, string | undefined>;
  const url = (values.url ?? process.env.STEMFLOW_URL ?? 'http://localhost:7071').replace(/\/+$/, '');
  const top = integerOption('top', values.top, 1, 500) ?? 20;
  let res: Response;
  try {
    res = await fetch(`${url}/runtime/devhost/jobs?top=${top}`, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new TransientError(`no stemflow local host answers at ${url} (is "stemflow start" running?): ${(err as Error).message}`);
  }
  if (res.status !== 200) throw new InvalidRequestError(`${url} answered ${res.status} to /runtime/devhost/jobs: is it a stemflow local host?`);
  const body = (await res.json()) as { jobs: JobRow[] };
  io.stdout(values.json ? `${JSON.stringify(body.jobs, null, 2)}\n` : formatJobs(body.jobs));
  return 0;
}

export const command: CliCommand = {
  name: 'jobs',
  summary: 'list recent jobs of the running local host',
  help,
  run,
};
