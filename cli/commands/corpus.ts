/**
 * `stemflow corpus --out DIR`: the project's benchmark corpus of songs with known truth.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WavBitDepth } from '../../shared/audio/wav.js';
import { renderSong, HELD_OUT_FIRST_SEED } from '../../shared/generation/song.js';
import { VERSION } from '../../shared/version.js';
import { choiceOption, integerOption, numberOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import { BIT_DEPTHS, writeSong } from './renderSong.js';
import { InvalidRequestError } from '../../shared/errors.js';

const help = `usage: stemflow corpus --out DIR [options]

Renders songs with known truth (see 'stemflow render-song --help') into
  DIR/song-<seed>/{mix,vocals,drums,bass,other}.wav, truth.jams, song.json
and DIR/manifest.json listing every song with its style, tempo, meter, key, tuning and files.
Every truth JAMS is validated against the JAMS schema before it is written.

Seeds 1..999 are the development corpus. Seeds >= ${HELD_OUT_FIRST_SEED} are the held-out set: nothing in
this project is tuned on them; use --first-seed ${HELD_OUT_FIRST_SEED} only to report final figures.

options:
  --out DIR              output folder (required)
  --count N              number of songs, 1..1000 (default: 40)
  --first-seed N         seed of the first song; songs use consecutive seeds (default: 1)
  --duration SEC         length of every song, 5..900 (default: 60-100 s, chosen per seed)
  --sample-rate HZ       8000..192000 (default: 44100)
  --bit-depth 16|24|32   WAV sample format; 32 = float (default: 16)
  --quiet                no progress on stderr
  -h, --help             this help
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: raw } = parseCliArgs(argv, {
    out: { type: 'string' },
    count: { type: 'string' },
    'first-seed': { type: 'string' },
    duration: { type: 'string' },
    'sample-rate': { type: 'string' },
    'bit-depth': { type: 'string' },
    quiet: { type: 'boolean' },
  });
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : v === true ? 'true' : undefined])) as Record<string, string | undefined>;
  if (!values.out) throw new InvalidRequestError('--out is required (the corpus folder)');
  const count = integerOption('count', values.count, 1, 1000) ?? 40;
  const firstSeed = integerOption('first-seed', values['first-seed'], 0, 4294967295 - 1000) ?? 1;
  const durationSec = numberOption('duration', values.duration, 5, 900);
  const sampleRate = integerOption('sample-rate', values['sample-rate'], 8000, 192000);
  const bitDepth = Number(choiceOption('bit-depth', values['bit-depth'], BIT_DEPTHS) ?? '16') as WavBitDepth;
  await mkdir(values.out, { recursive: true });
  const t0 = performance.now();
  const songs = [];
  for (let k = 0; k < count; k++) {
    const seed = firstSeed + k;
    const song = renderSong(seed, { durationSec, sampleRate });
    const dirName = `song-${String(seed).padStart(4, '0')}`;
    const files = await writeSong(song, join(values.out, dirName), bitDepth);
    const m = song.meta;
    songs.push({
      seed,
      dir: dirName,
      title: m.title,
      style: m.style,
      bpm: m.bpm,
      beatsPerBar: m.beatsPerBar,
      key: m.key,
      tuningHz: m.tuningHz,
      tempoDrift: m.tempoDrift,
      durationSec: song.truth.durationSec,
      heldOut: seed >= HELD_OUT_FIRST_SEED,
      files,
    });
    if (!values.quiet) io.stderr(`corpus: ${k + 1}/${count} song ${seed} (${m.style}, ${m.bpm} BPM, ${m.key}) ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const manifest = {
    generator: 'stemflow',
    version: VERSION,
    command: `stemflow corpus --out ${values.out} --count ${count} --first-seed ${firstSeed}${durationSec ? ` --duration ${durationSec}` : ''}`,
    heldOutFirstSeed: HELD_OUT_FIRST_SEED,
    sampleRate: sampleRate ?? 44100,
    bitDepth,
    stemsSumToMix: 'exact: stems are on the 16-bit grid and mix = vocals + drums + bass + other',
    songs,
  };
  await writeFile(join(values.out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  io.stdout(`corpus: ${count} songs (seeds ${firstSeed}..${firstSeed + count - 1}) in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${values.out}/manifest.json\n`);
  return 0;
}

export const command: CliCommand = { name: 'corpus', summary: 'render the benchmark corpus (songs with known truth)', help, run };
