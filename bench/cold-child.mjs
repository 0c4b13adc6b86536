// Child of `bench/speed.ts --cold`: one `stemflow analyze` in a fresh Node process running the
// compiled app (dist/, as deployed to Azure; speed.ts builds it first), with no TypeScript loader.
// The time reported is since this process started: Node's own start-up, module loading, the
// decoder's WebAssembly compile, the job and the JAMS written.
//
//   node bench/cold-child.mjs <full|mir> <file.mp3> <outDir>    (replies over the IPC channel)
import { readFileSync } from 'node:fs';

const [kind, file, outDir] = process.argv.slice(2);
const { main } = await import('../dist/cli/main.js');
let out = '';
const io = { stdout: (t) => void (out += t), stderr: (t) => process.stderr.write(t), isTTY: false };
const code = await main(['analyze', file, '--out', outDir, '--quiet', '--json', ...(kind === 'mir' ? ['--stems', 'none'] : [])], io);
if (code !== 0) throw new Error(`analyze exited ${code}`);
const wallSec = performance.now() / 1000;
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.send({ wallSec, peakRssMb: hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024, mirStepsSec: JSON.parse(out).mir_time_s });
