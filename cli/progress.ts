import type { CliIO } from './command.js';

/**
 * Progress on stderr: a redrawn bar on a terminal, a line per 10 % otherwise. Silent for jobs
 * that finish within `quietMs` (short inputs print nothing).
 */
export function progressReporter(io: CliIO, label: string, quietMs = 1500) {
  const start = Date.now();
  let lastDecile = -1;
  let drawn = false;
  return {
    update(stage: string, fraction: number): void {
      if (Date.now() - start < quietMs) return;
      const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
      if (io.isTTY) {
        const width = 30;
        const fill = Math.round((pct / 100) * width);
        io.stderr(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${stage.padEnd(12)}`);
        drawn = true;
      } else if (Math.floor(pct / 10) > lastDecile) {
        lastDecile = Math.floor(pct / 10);
        io.stderr(`${label}: ${pct}% ${stage}\n`);
      }
    },
    done(): void {
      if (drawn) io.stderr('\n');
    },
  };
}
