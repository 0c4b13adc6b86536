/**
 * `stemflow generate`: render procedural stems from tempo, key, chords, style, prompt,
 * temperature and seed, or fitted to an analysed song (--fit annotation.jams).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav, type WavBitDepth } from '../../shared/audio/wav.js';
import { InvalidRequestError } from '../../shared/errors.js';
import { GENERATED_STEMS, STYLES, planGeneration, renderStem, type GeneratedStem, type GenerationParams } from '../../shared/generation/index.js';
import { readJamsDescription } from '../../shared/jams/read.js';
import { choiceOption, integerOption, numberOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import { BIT_DEPTHS } from './renderSong.js';

const help = `usage: stemflow generate --out DIR [options]

Renders procedural stems (synthesised instruments on an exact beat grid) and writes DIR/<stem>.wav
for each requested stem, plus DIR/generation.json (the resolved plan: tempo, key, chords, style).
Every stem is exactly round(duration x sample rate) samples, stereo, peaking at -3 dBFS.
The same seed and options give byte-identical files.

options:
  --out DIR              output folder (required)
  --stems LIST           comma-separated, from: ${GENERATED_STEMS.join(', ')} (default: all)
  --duration SEC         length in seconds, 0 < SEC <= 900 (default: 30, or the fitted song's length)
  --bpm N                tempo, 20..300 (default: the style's tempo)
  --key KEY              e.g. A:minor, "C major", F#m (default: from the chords, else chosen by style/seed)
  --chords TEXT          Harte or plain names, one chord per bar, cycled: "Am F C G", "A:min7 D:7";
                         bars in "|...|" split the bar: "|Am F|C G|" (default: a progression for the style)
  --style NAME           one of: ${STYLES.join(', ')} (default: from --prompt, else pop)
  --prompt TEXT          read for style, mood (sad, happy, calm, energetic, dark), "90 bpm", "in D minor"
  --temperature T        0..1: 0 = plainest pattern, 1 = most fills and variation (default: 0.3)
  --seed N               0..4294967295 (default: 0)
  --meter N              beats per bar, 2..7 (default: 4)
  --tuning HZ            A4 in Hz, 400..480 (default: 440)
  --fit FILE.jams        fit a song: its beat grid (incl. drift and downbeats), key, tuning and chords
                         override --bpm, --key, --chords, --meter and --tuning
  --sample-rate HZ       8000..192000 (default: 44100)
  --bit-depth 16|24|32   WAV sample format; 32 = float (default: 16)
  -h, --help             this help
`;

const OPTION_OF: Record<string, string> = {
  durationSec: '--duration', bpm: '--bpm', key: '--key', chordProgression: '--chords', style: '--style', prompt: '--prompt',
  temperature: '--temperature', seed: '--seed', beatsPerBar: '--meter', tuningHz: '--tuning', sampleRate: '--sample-rate', fit: '--fit',
};

/** Parse "--stems drums,bass" into stem names; errors name the option and the allowed stems. */
export function parseStemList(raw: string | undefined): GeneratedStem[] {
  if (raw === undefined || raw === 'all') return [...GENERATED_STEMS];
  const stems = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (stems.length === 0) throw new InvalidRequestError(`--stems must list stems from ${GENERATED_STEMS.join(', ')}; got "${raw}"`);
  for (const s of stems) {
    if (!(GENERATED_STEMS as readonly string[]).includes(s)) {
      throw new InvalidRequestError(`--stems: unknown stem "${s}"; allowed: ${GENERATED_STEMS.join(', ')}`);
    }
  }
  return [...new Set(stems)] as GeneratedStem[];
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: raw } = parseCliArgs(argv, {
    out: { type: 'string' },
    stems: { type: 'string' },
    duration: { type: 'string' },
    bpm: { type: 'string' },
    key: { type: 'string' },
    chords: { type: 'string' },
    style: { type: 'string' },
    prompt: { type: 'string' },
    temperature: { type: 'string' },
    seed: { type: 'string' },
    meter: { type: 'string' },
    tuning: { type: 'string' },
    fit: { type: 'string' },
    'sample-rate': { type: 'string' },
    'bit-depth': { type: 'string' },
  });
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])) as Record<string, string | undefined>;
  if (!values.out) throw new InvalidRequestError('--out is required (the output folder)');
  const stems = parseStemList(values.stems);
  const style = choiceOption('style', values.style, STYLES);
  const bitDepth = Number(choiceOption('bit-depth', values['bit-depth'], BIT_DEPTHS) ?? '16') as WavBitDepth;
  let fit: GenerationParams['fit'];
  if (values.fit !== undefined) {
    let text: string;
    try {
      text = await readFile(values.fit, 'utf8');
    } catch (err) {
      throw new InvalidRequestError(`--fit: cannot read "${values.fit}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new InvalidRequestError(`--fit: "${values.fit}" is not JSON (expected a JAMS file)`);
    }
    try {
      fit = readJamsDescription(doc);
    } catch (err) {
      throw new InvalidRequestError(`--fit: "${values.fit}" is not a valid JAMS file: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const durationSec = numberOption('duration', values.duration, 0.001, 900) ?? (fit && fit.durationSec > 0 ? Math.min(900, fit.durationSec) : 30);
  const params: GenerationParams = {
    durationSec,
    bpm: numberOption('bpm', values.bpm, 20, 300),
    key: values.key,
    chordProgression: values.chords,
    style,
    prompt: values.prompt,
    temperature: numberOption('temperature', values.temperature, 0, 1),
    seed: integerOption('seed', values.seed, 0, 4294967295),
    beatsPerBar: integerOption('meter', values.meter, 2, 7),
    tuningHz: numberOption('tuning', values.tuning, 400, 480),
    sampleRate: integerOption('sample-rate', values['sample-rate'], 8000, 192000),
    fit,
  };
  const t0 = performance.now();
  let plan: ReturnType<typeof planGeneration>;
  try {
    plan = planGeneration(params);
  } catch (err) {
    // Name the CLI option rather than the API parameter.
    if (err instanceof InvalidRequestError) {
      const msg = err.message.replace(/^(\w+):/, (m, p: string) => (OPTION_OF[p] ? `${OPTION_OF[p]}:` : m));
      throw new InvalidRequestError(msg);
    }
    throw err;
  }
  await mkdir(values.out, { recursive: true });
  for (const stem of stems) {
    await writeFile(join(values.out, `${stem}.wav`), encodeWav(renderStem(plan, stem), { bitDepth }));
  }
  const summary = {
    stems,
    durationSec: plan.durationSec,
    sampleRate: plan.sampleRate,
    bpm: plan.bpm,
    beatsPerBar: plan.beatsPerBar,
    key: plan.keyLabel,
    tuningHz: plan.tuningHz,
    style: plan.style,
    mood: plan.mood,
    temperature: plan.temperature,
    seed: plan.seed,
    fitted: plan.fitted,
    progression: plan.progression,
    chords: plan.chords.filter((c) => c.startSec < plan.durationSec).map((c) => ({ startSec: c.startSec, endSec: Math.min(c.endSec, plan.durationSec), label: c.label })),
  };
  await writeFile(join(values.out, 'generation.json'), JSON.stringify(summary, null, 2));
  const sec = (performance.now() - t0) / 1000;
  io.stdout(
    `generated ${stems.join(', ')}: ${plan.style}, ${plan.bpm.toFixed(1)} BPM ${plan.beatsPerBar}/4, ${plan.keyLabel}, ` +
      `chords ${plan.progression.map((b) => b.join(' ')).join(' | ')}, ${plan.durationSec} s, in ${sec.toFixed(2)} s → ${values.out}\n`,
  );
  return 0;
}

export const command: CliCommand = { name: 'generate', summary: 'render stems from BPM, key, chords and style', help, run };
