/**
 * `npm run bench -- NAME [args…]` runs one benchmark (bench/NAME.ts) with its arguments; without
 * a name it lists them with the first line of each one's doc comment. Benchmarks are not tests:
 * they render songs, take minutes, and record their figures in BENCHMARKS.md when given --write.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Modules in bench/ that are helpers, not benchmarks. */
const HELPERS = new Set(['args', 'report', 'run']);

/** The benchmarks: every bench/*.ts but the helpers, each with the first line of its doc comment. */
function benchmarks(): Array<{ name: string; summary: string }> {
  return readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !HELPERS.has(f.slice(0, -3)))
    .map((f) => {
      const doc = /\/\*\*\s*\n\s*\*\s*(.+)/.exec(readFileSync(join(here, f), 'utf8'));
      return { name: f.slice(0, -3), summary: doc?.[1].trim() ?? '' };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const [name, ...args] = process.argv.slice(2);
const all = benchmarks();
if (!name) {
  console.log('npm run bench -- NAME [args…]   (figures and the command of each run: BENCHMARKS.md)\n');
  for (const b of all) console.log(`  ${b.name.padEnd(16)} ${b.summary}`);
} else if (!all.some((b) => b.name === name)) {
  console.error(`no benchmark "${name}"; there are: ${all.map((b) => b.name).join(', ')}`);
  process.exitCode = 2;
} else {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`), ...args], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
}
