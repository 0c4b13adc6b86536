/**
 * Basic Pitch note transcription benchmark (issue 7):
 * - speed: the same clip transcribed on the tfjs 'wasm' and 'cpu' backends (model load timed
 *   separately; median of --repeats runs after one warm-up), as seconds of audio per wall second;
 * - accuracy: note F-measure (mir_eval onset 50 ms, pitch 50 cents, no offset) of the project's
 *   own generator stems against their exact note lists (placeNotes(plan, compose…Notes(plan))),
 *   bass and vocals with harmonic suppression on, synth (lead/arp/pad by style) with it on too.
 * Prints JSON on stdout.
 *
 *   npx tsx bench/transcription.ts [--seconds 10] [--repeats 3] [--backends wasm,cpu]
 *                                  [--styles rock,pop,funk,jazz,electronic,ballad] [--seeds 1,2] [--skip-accuracy]
 */
import { noteFMeasure } from './metrics/transcription.js';
import { composeBassNotes, planGeneration, renderStem, type GenerationPlan } from '../shared/generation/index.js';
import { composeSynthNotes } from '../shared/generation/instruments/synth.js';
import { composeVocalNotes } from '../shared/generation/instruments/vocals.js';
import { placeNotes, type GridNote } from '../shared/generation/parts.js';
import { loadBasicPitchModel, transcribeNotes, type TfBackendName } from '../shared/transcription/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r3 = (x: number) => Math.round(x * 1000) / 1000;

const seconds = Number(arg('seconds', '10'));
const repeats = Number(arg('repeats', '3'));
const backends = arg('backends', 'wasm,cpu').split(',') as TfBackendName[];
const styles = arg('styles', 'rock,pop,funk,jazz,electronic,ballad').split(',');
const seeds = arg('seeds', '1,2').split(',').map(Number);
const skipAccuracy = process.argv.includes('--skip-accuracy');

const clipPlan = planGeneration({ durationSec: seconds, style: 'rock', seed: 1 });
const clip = renderStem(clipPlan, 'bass');

const speed: Record<string, unknown> = {};
for (const backend of backends) {
  const t0 = performance.now();
  await loadBasicPitchModel(backend);
  const loadSec = (performance.now() - t0) / 1000;
  await transcribeNotes(clip, { backend }); // warm-up
  const walls: number[] = [];
  let notes = 0;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    notes = (await transcribeNotes(clip, { backend })).length;
    walls.push((performance.now() - t) / 1000);
  }
  const wallSec = median(walls);
  speed[backend] = { loadSec: r3(loadSec), wallSec: r3(wallSec), audioSec: seconds, realtimeFactor: r3(seconds / wallSec), notes };
}
if (speed.wasm && speed.cpu) {
  speed.wasmSpeedup = r3((speed.cpu as { wallSec: number }).wallSec / (speed.wasm as { wallSec: number }).wallSec);
}

function truthOf(plan: GenerationPlan, notes: GridNote[]) {
  return placeNotes(plan, notes).map((n) => ({ startSec: n.startSample / plan.sampleRate, endSec: (n.startSample + n.lengthSamples) / plan.sampleRate, midi: n.midi }));
}

const accuracy: Array<Record<string, unknown>> = [];
const perStem: Record<string, number[]> = { bass: [], vocals: [], synth: [] };
if (!skipAccuracy) {
  for (const style of styles) {
    for (const seed of seeds) {
      const plan = planGeneration({ durationSec: 12, style, seed });
      const parts: Array<['bass' | 'vocals' | 'synth', GridNote[], string]> = [
        ['bass', composeBassNotes(plan), plan.programs.bass],
        ['vocals', composeVocalNotes(plan), plan.programs.voice],
        ['synth', composeSynthNotes(plan), plan.programs.synth],
      ];
      for (const [stem, notes, program] of parts) {
        const truth = truthOf(plan, notes);
        const est = await transcribeNotes(renderStem(plan, stem), { suppressHarmonics: true });
        const f = noteFMeasure(truth, est);
        perStem[stem].push(f.fMeasure);
        accuracy.push({ style, seed, stem, program, reference: truth.length, estimated: est.length, precision: r3(f.precision), recall: r3(f.recall), fMeasure: r3(f.fMeasure) });
      }
    }
  }
}
const meanF = Object.fromEntries(Object.entries(perStem).filter(([, v]) => v.length > 0).map(([k, v]) => [k, r3(v.reduce((a, b) => a + b, 0) / v.length)]));
console.log(JSON.stringify({ speed, meanFMeasure: meanF, accuracy }, null, 2));
