/**
 * Benchmarks write their figures into BENCHMARKS.md between markers, so the file always holds the
 * latest run of each benchmark with its command and date:
 *   <!-- bench:NAME -->  …  <!-- /bench:NAME -->
 */
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

/** Replace (or append) the section NAME of BENCHMARKS.md. */
export async function writeBenchmarkSection(name: string, title: string, command: string, body: string): Promise<void> {
  const text = await readFile(FILE, 'utf8').catch(() => '# Benchmarks\n');
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`;
  const section = `<!-- bench:${name} -->\n## ${title}\n\n\`${command}\` — ${date}, ${machine}\n\n${body.trim()}\n<!-- /bench:${name} -->`;
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  const next = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(FILE, next);
}

/** A markdown table from a header and rows. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`),
  ].join('\n');
}

/**
 * Peak resident set size of this process since it started, MB. On Linux this is VmHWM from
 * /proc/self/status: getrusage's maxRSS of a forked child also counts the parent's pages it
 * shared before exec, so a child forked from a bench that holds a rendered hour of audio would
 * report the parent's size. Elsewhere, maxRSS.
 */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Wall time of a function in seconds, and the process's peak RSS so far in MB
 * (`process.resourceUsage().maxRSS`, which also sees synchronous work). For a per-case peak, run
 * each case in its own child process (see bench/child.ts).
 */
export async function measure<T>(fn: () => Promise<T> | T): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  return { result, seconds, peakRssMb: peakRssMb() };
}
