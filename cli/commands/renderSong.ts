/**
 * `stemflow render-song --seed N --out DIR`: one song with known truth.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav, type WavBitDepth } from '../../shared/audio/wav.js';
import { InvalidRequestError } from '../../shared/errors.js';
import { renderSong, SONG_STEMS, HELD_OUT_FIRST_SEED, type RenderedSong } from '../../shared/generation/song.js';
import { buildJams } from '../../shared/jams/build.js';
import { assertValidJams } from '../../shared/jams/validate.js';
import { VERSION } from '../../shared/version.js';
import { choiceOption, integerOption, numberOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';

export const BIT_DEPTHS = ['16', '24', '32'] as const;

const help = `usage: stemflow render-song --seed N --out DIR [options]

Renders a full song (intro, verse, chorus, bridge, outro) with its exact truth and writes
  DIR/mix.wav                         the sample-wise sum of the four stems
  DIR/{vocals,drums,bass,other}.wav   the stems
  DIR/truth.jams                      tempo, beats with bar positions, key, tuning (sandbox.tuning_hz),
                                      chords (Harte) and sections, validated against the JAMS schema
  DIR/song.json                       how the song was made (style, instruments, structure, levels)

The seed chooses style, tempo, key, meter (seeds = 2 mod 5 are in 3/4), instruments, levels, tempo
drift (seeds = 1 mod 6 drift by 1-3 %) and tuning (seeds divisible by 3 are detuned by 5-40 cents). Seeds >= ${HELD_OUT_FIRST_SEED}
are the held-out set: do not tune anything on them.

The stems are quantised to the 16-bit grid before they are summed, so stems written at any bit
depth add up exactly to the mix (16-bit: integer sums; 24-bit and 32-bit float: exact too).

options:
  --seed N               song seed, 0..4294967295 (required)
  --out DIR              output folder (required)
  --duration SEC         total length, 5..900 (default: 60-100, chosen by the seed)
  --sample-rate HZ       8000..192000 (default: 44100)
  --bit-depth 16|24|32   WAV sample format; 32 = float (default: 16)
  -h, --help             this help
`;

/** Write a rendered song's WAVs, truth JAMS and song.json into `dir`. Returns the file names. */
export async function writeSong(song: RenderedSong, dir: string, bitDepth: WavBitDepth): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = { mix: 'mix.wav' };
  await writeFile(join(dir, 'mix.wav'), encodeWav(song.mix, { bitDepth, tags: { title: song.meta.title, artist: 'stemflow generator' } }));
  for (const stem of SONG_STEMS) {
    files[stem] = `${stem}.wav`;
    await writeFile(join(dir, `${stem}.wav`), encodeWav(song.stems[stem], { bitDepth }));
  }
  const jams = buildJams(song.truth, {
    title: song.meta.title,
    artist: 'stemflow generator',
    annotationType: 'truth',
    toolVersion: VERSION,
    corpus: 'stemflow-generated',
    sandbox: { generator: { seed: song.meta.seed, style: song.meta.style, detune_cents: song.meta.detuneCents, tempo_drift: song.meta.tempoDrift } },
  });
  assertValidJams(jams);
  await writeFile(join(dir, 'truth.jams'), JSON.stringify(jams, null, 1));
  files.truth = 'truth.jams';
  await writeFile(join(dir, 'song.json'), JSON.stringify({ ...song.meta, durationSec: song.truth.durationSec, sampleRate: song.mix.sampleRate, bitDepth }, null, 2));
  files.meta = 'song.json';
  return files;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: raw } = parseCliArgs(argv, {
    seed: { type: 'string' },
    out: { type: 'string' },
    duration: { type: 'string' },
    'sample-rate': { type: 'string' },
    'bit-depth': { type: 'string' },
  });
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : v === true ? 'true' : undefined])) as Record<string, string | undefined>;
  const seed = integerOption('seed', values.seed, 0, 4294967295);
  if (seed === undefined) throw new InvalidRequestError('--seed is required (an integer 0..4294967295)');
  if (!values.out) throw new InvalidRequestError('--out is required (the output folder)');
  const durationSec = numberOption('duration', values.duration, 5, 900);
  const sampleRate = integerOption('sample-rate', values['sample-rate'], 8000, 192000);
  const bitDepth = Number(choiceOption('bit-depth', values['bit-depth'], BIT_DEPTHS) ?? '16') as WavBitDepth;
  const t0 = performance.now();
  const song = renderSong(seed, { durationSec, sampleRate });
  const renderSec = (performance.now() - t0) / 1000;
  await writeSong(song, values.out, bitDepth);
  const m = song.meta;
  io.stdout(
    `song ${seed}: ${m.style}, ${m.bpm} BPM ${m.beatsPerBar}/4, ${m.key}, A4 = ${m.tuningHz.toFixed(2)} Hz, ` +
      `${song.truth.durationSec} s, ${song.truth.chords.length} chords, sections ${m.structure.map((s) => `${s.label}(${s.letter})`).join(' ')}\n` +
      `rendered in ${renderSec.toFixed(2)} s → ${values.out}\n`,
  );
  return 0;
}

export const command: CliCommand = { name: 'render-song', summary: 'render a full song with its exact truth JAMS', help, run };
