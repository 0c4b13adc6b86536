/**
 * Generation speed benchmark (issue 2 acceptance):
 * - all seven stems × 30 s at 44.1 kHz stereo in one process (target ≤ 1 s wall);
 * - a 3-minute render-song (target ≤ 3 s wall).
 * Each case runs after a warm-up (JIT), several times; wall and CPU (user+system) times are
 * reported, with the peak RSS. Prints JSON on stdout.
 *
 *   npx tsx bench/generation.ts [--repeats 3] [--styles rock,pop,...] [--song-seeds 1,2,3]
 */
import { GENERATED_STEMS, planGeneration, renderStem, STYLES } from '../shared/generation/index.js';
import { renderSong } from '../shared/generation/song.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function timed<T>(fn: () => T): { wallSec: number; cpuSec: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallSec = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wallSec, cpuSec: (c.user + c.system) / 1e6, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round3 = (x: number) => Math.round(x * 1000) / 1000;

const repeats = Number(arg('repeats', '3'));
const styles = arg('styles', STYLES.slice(0, 7).join(',')).split(',');
const songSeeds = arg('song-seeds', '1,2,3,4,5').split(',').map(Number);

/**
 * Machine-speed reference: 80 M float32 multiply-adds over 32 MB arrays (~0.1 s on an idle modern
 * core). On a shared, loaded machine this grows, and so do all the figures below.
 */
function calibrate(): { wallSec: number; cpuSec: number } {
  const a = new Float32Array(8e6);
  const b = new Float32Array(8e6).fill(0.5);
  const t = timed(() => {
    for (let r = 0; r < 10; r++) for (let i = 0; i < a.length; i++) a[i] += 0.3 * b[i];
    return a[1];
  });
  return { wallSec: round3(t.wallSec), cpuSec: round3(t.cpuSec) };
}
const calibrationBefore = calibrate();

// Warm-up.
for (const style of styles.slice(0, 2)) {
  const plan = planGeneration({ durationSec: 5, style, seed: 99 });
  for (const stem of GENERATED_STEMS) renderStem(plan, stem);
}
renderSong(999, { durationSec: 20 });

const stemRuns: Array<{ style: string; wallSec: number; cpuSec: number; perStemWallSec: Record<string, number> }> = [];
for (const style of styles) {
  const walls: number[] = [];
  const cpus: number[] = [];
  let perStem: Record<string, number> = {};
  for (let r = 0; r < repeats; r++) {
    const stemTimes: Record<string, number> = {};
    const t = timed(() => {
      const plan = planGeneration({ durationSec: 30, style, seed: 1 + r, sampleRate: 44100 });
      for (const stem of GENERATED_STEMS) {
        const t0 = performance.now();
        renderStem(plan, stem);
        stemTimes[stem] = round3((performance.now() - t0) / 1000);
      }
    });
    walls.push(t.wallSec);
    cpus.push(t.cpuSec);
    if (r === 0) perStem = stemTimes;
  }
  stemRuns.push({ style, wallSec: round3(median(walls)), cpuSec: round3(median(cpus)), perStemWallSec: perStem });
}

const songRuns: Array<{ seed: number; style: string; wallSec: number; cpuSec: number }> = [];
for (const seed of songSeeds) {
  const t = timed(() => renderSong(seed, { durationSec: 180 }));
  songRuns.push({ seed, style: t.value.meta.style, wallSec: round3(t.wallSec), cpuSec: round3(t.cpuSec) });
}

const result = {
  benchmark: 'generation',
  date: new Date().toISOString(),
  node: process.version,
  command: 'npx tsx bench/generation.ts',
  sevenStems30s: {
    target: 'all 7 stems x 30 s at 44.1 kHz stereo <= 1 s wall',
    medianWallSecOverStyles: round3(median(stemRuns.map((r) => r.wallSec))),
    maxWallSec: round3(Math.max(...stemRuns.map((r) => r.wallSec))),
    runs: stemRuns,
  },
  renderSong3min: {
    target: '3-minute render-song <= 3 s wall',
    medianWallSec: round3(median(songRuns.map((r) => r.wallSec))),
    maxWallSec: round3(Math.max(...songRuns.map((r) => r.wallSec))),
    runs: songRuns,
  },
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  machine: {
    note: '80 M float32 multiply-adds; about 0.1 s on an idle core. Larger values mean a loaded machine: scale the figures above accordingly.',
    calibrationBefore,
    calibrationAfter: calibrate(),
    loadAverage: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
  },
};
process.stdout.write(JSON.stringify(result, null, 2) + '\n');

if (process.argv.includes('--write')) {
  const { markdownTable, writeBenchmarkSection } = await import('./report.js');
  const d = result;
  const a = markdownTable(['style', 'wall s (7 stems × 30 s)', 'CPU s'], d.sevenStems30s.runs.map((r) => [r.style, r.wallSec, r.cpuSec]));
  const b = markdownTable(['seed', 'style', 'wall s (3-min song: 4 stems, mix, truth)', 'CPU s'], d.renderSong3min.runs.map((r) => [r.seed, r.style, r.wallSec, r.cpuSec]));
  const body = [
    `All seven stems × 30 s at 44.1 kHz stereo in one process (target ≤ 1 s; seed 000's mock took up to 1 s per stem): **max ${d.sevenStems30s.maxWallSec} s, median ${d.sevenStems30s.medianWallSecOverStyles} s**.`,
    a,
    `A 3-minute \`render-song\` (target ≤ 3 s): **max ${d.renderSong3min.maxWallSec} s, median ${d.renderSong3min.medianWallSec} s**.`,
    b,
    `Median of the repeats per case. Peak RSS of the whole benchmark process: ${d.peakRssMb} MB. Calibration loop: ${d.machine.calibrationAfter.wallSec} s (≈ 0.1 s on an idle core).`,
  ].join('\n\n');
  await writeBenchmarkSection('generation', 'Generation speed', `npx tsx bench/generation.ts --repeats ${arg('repeats', '3')} --song-seeds ${arg('song-seeds', '1,2,3')} --write`, body);
}
