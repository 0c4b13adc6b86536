import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav } from '../../shared/audio/wav.js';
import type { MusicDescription } from '../../shared/contracts/music.js';
import { GENERATED_STEMS, planGeneration, renderStem } from '../../shared/generation/index.js';
import { renderSong } from '../../shared/generation/song.js';
import { buildJams } from '../../shared/jams/build.js';
import { formatKey } from '../../shared/music/key.js';
import { analyzeEncoded } from '../../shared/pipeline/analyze.js';
import { CORE_STEMS } from '../../shared/separation/types.js';
import { integerOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import { formatSummary, summarize } from './analyze.js';

const help = `usage: stemflow demo [--out DIR] [--seed N] [--duration SEC]

The built-in example, end to end, with no storage:
  1. renders a song with known truth        DIR/song/{mix,vocals,drums,bass,other}.wav, truth.jams
  2. analyses its mix like an upload        DIR/result/stems/*.wav, DIR/result/analysis/annotation.jams
  3. generates all seven stems fitted to it DIR/generated/{drums,bass,guitar,piano,synth,vocals,other}.wav
and prints the analysis next to the truth.

options:
  --out DIR        output folder (default: demo-out)
  --seed N         song seed (default: 7)
  --duration SEC   song length (default: 30)
`;

function keyText(d: MusicDescription): string {
  return d.key ? formatKey(d.key) : 'none';
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCliArgs(argv, { out: { type: 'string' }, seed: { type: 'string' }, duration: { type: 'string' } });
  const out = values.out ?? 'demo-out';
  const seed = integerOption('seed', values.seed, 0, 2 ** 31 - 1) ?? 7;
  const durationSec = integerOption('duration', values.duration, 5, 600) ?? 30;

  const t0 = performance.now();
  const song = renderSong(seed, { durationSec });
  const songDir = join(out, 'song');
  await mkdir(songDir, { recursive: true });
  const mixWav = encodeWav(song.mix, { bitDepth: 16 });
  await writeFile(join(songDir, 'mix.wav'), mixWav);
  for (const name of CORE_STEMS) await writeFile(join(songDir, `${name}.wav`), encodeWav(song.stems[name], { bitDepth: 16 }));
  await writeFile(join(songDir, 'truth.jams'), JSON.stringify(buildJams(song.truth, { title: song.meta.title, annotationType: 'truth' }), null, 1));
  const renderSec = (performance.now() - t0) / 1000;

  const result = await analyzeEncoded(mixWav);
  const analysisDir = join(out, 'result');
  await mkdir(join(analysisDir, 'analysis'), { recursive: true });
  await mkdir(join(analysisDir, 'stems'), { recursive: true });
  const jamsPath = join(analysisDir, 'analysis', 'annotation.jams');
  await writeFile(jamsPath, JSON.stringify(result.jams, null, 1));
  const stemPaths: Record<string, string> = {};
  for (const name of CORE_STEMS) {
    const p = join(analysisDir, 'stems', `${name}.wav`);
    await writeFile(p, result.stems![name]);
    stemPaths[name] = p;
  }

  const t1 = performance.now();
  const plan = planGeneration({ durationSec, fit: result.description, seed, style: song.meta.style });
  const genDir = join(out, 'generated');
  await mkdir(genDir, { recursive: true });
  for (const stem of GENERATED_STEMS) await writeFile(join(genDir, `${stem}.wav`), encodeWav(renderStem(plan, stem), { bitDepth: 16 }));
  const genSec = (performance.now() - t1) / 1000;

  const truth = song.truth;
  const est = result.description;
  io.stdout(`rendered song seed ${seed} (${song.meta.style}, ${durationSec} s) in ${renderSec.toFixed(2)} s → ${songDir}\n\n`);
  io.stdout(formatSummary(summarize(join(songDir, 'mix.wav'), result, { jams: jamsPath, stems: stemPaths })));
  io.stdout(`\n  truth     ${truth.tempo?.bpm.toFixed(1)} BPM, ${truth.beatsPerBar}/4, ${keyText(truth)}, A4 = ${truth.tuningHz.toFixed(1)} Hz\n`);
  io.stdout(`  estimate  ${est.tempo?.bpm.toFixed(1) ?? '-'} BPM, ${est.beatsPerBar ?? '-'}/4, ${keyText(est)}, A4 = ${est.tuningHz.toFixed(1)} Hz\n\n`);
  io.stdout(`generated ${GENERATED_STEMS.length} stems fitted to the analysis in ${genSec.toFixed(2)} s → ${genDir}\n`);
  return 0;
}

export const command: CliCommand = { name: 'demo', summary: 'render a built-in song, analyse it, generate stems fitted to it', help, run };
