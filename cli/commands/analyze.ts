import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PITCH_CLASS_NAMES } from '../../shared/music/pitch.js';
import { InvalidRequestError } from '../../shared/errors.js';
import { probeSource } from '../../shared/audio/stream.js';
import { analyzeEncoded, type FileAnalysis } from '../../shared/pipeline/analyze.js';
import { analyzeLong } from '../../shared/pipeline/analyzeLong.js';
import { fileSource, localLongAnalysisIO } from '../fileIO.js';
import { CORE_STEMS } from '../../shared/separation/types.js';
import { choiceOption, numberOption, parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import { progressReporter } from '../progress.js';

const BIT_DEPTHS = ['16', '24', '32'] as const;

/**
 * Inputs longer than this (seconds, from the header) are analysed piece by piece (`--stream`):
 * the one-shot path holds the mix twice (decoded, and fed to the separation threads) and the stem
 * WAVs, about 1.2 GB at 10 minutes; the piece-by-piece path stays under 1.1 GB for an hour.
 */
const STREAM_ABOVE_SEC = 10 * 60;

const help = `usage: stemflow analyze <audio> --out DIR [options]

Separates <audio> (WAV, MP3, FLAC or Ogg Vorbis, recognised by content) into stems and writes
  DIR/stems/{vocals,drums,bass,other}.wav
  DIR/analysis/annotation.jams   (tempo, beats, key, tuning, chords, sections, descriptors)
and prints a summary.

options:
  --out DIR            output folder (required)
  --stems all|none     'none' runs the MIR analysis only (default: all)
  --bit-depth 16|24|32 stem WAV sample format; 32 = float (default: 16)
  --max-duration SEC   refuse longer inputs (default: 3600)
  --stream             decode, analyse and separate piece by piece in bounded memory (chosen
                       by itself for inputs over 10 minutes); same results, MIR and separation
                       run one after the other
  --json               print the summary as JSON on stdout
  --quiet              no progress on stderr
  -h, --help           this help
`;

export interface AnalysisSummary {
  file: string;
  duration_s: number;
  bpm: number | null;
  meter: string | null;
  key: string | null;
  key_confidence: number | null;
  tuning_hz: number;
  beats: number;
  chords: number;
  distinct_chords: string[];
  sections: { start: number; end: number; label: string; letter: string }[];
  loudness_lufs: number | null;
  outputs: { jams: string; stems: Record<string, string> };
  /** Decode to annotation, seconds (stem files written afterwards are not included). */
  wall_time_s: number;
  /** The MIR steps alone (resample, rhythm, tonal, structure, descriptors), seconds. */
  mir_time_s: number;
}

/** The summary printed by the CLI (and by `--json`). */
export function summarize(file: string, result: Omit<FileAnalysis, 'stems'>, outputs: AnalysisSummary['outputs']): AnalysisSummary {
  const d = result.description;
  return {
    file,
    duration_s: round(d.durationSec, 3),
    bpm: d.tempo ? round(d.tempo.bpm, 2) : null,
    meter: d.beatsPerBar ? `${d.beatsPerBar}/4` : null,
    key: d.key ? `${PITCH_CLASS_NAMES[d.key.tonic]} ${d.key.mode}` : null,
    key_confidence: d.key ? round(d.key.confidence, 3) : null,
    tuning_hz: round(d.tuningHz, 2),
    beats: d.beats.length,
    chords: d.chords.filter((c) => c.label !== 'N').length,
    distinct_chords: [...new Set(d.chords.map((c) => c.label).filter((l) => l !== 'N'))],
    sections: d.sections.map((s) => ({ start: round(s.startSec, 2), end: round(s.endSec, 2), label: s.label, letter: s.letter })),
    loudness_lufs: d.descriptors?.integratedLoudnessLufs != null ? round(d.descriptors.integratedLoudnessLufs, 1) : null,
    outputs,
    wall_time_s: round(result.wallTimeSec, 3),
    mir_time_s: round(Object.values(d.timings).reduce((a, b) => a + b, 0), 3),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Human-readable summary lines. */
export function formatSummary(s: AnalysisSummary): string {
  const lines = [
    `${s.file}: ${s.duration_s.toFixed(1)} s`,
    `  tempo     ${s.bpm === null ? 'none detected' : `${s.bpm.toFixed(1)} BPM`}${s.meter ? `, ${s.meter}` : ''} (${s.beats} beats)`,
    `  key       ${s.key ?? 'none detected'}${s.key_confidence !== null ? ` (confidence ${s.key_confidence.toFixed(2)})` : ''}`,
    `  tuning    A4 = ${s.tuning_hz.toFixed(1)} Hz`,
    `  chords    ${s.chords} (${s.distinct_chords.slice(0, 12).join(' ')}${s.distinct_chords.length > 12 ? ' …' : ''})`,
    `  sections  ${s.sections.map((x) => `${x.label}(${x.letter}) ${x.start.toFixed(1)}s`).join(', ') || 'none'}`,
    `  loudness  ${s.loudness_lufs === null ? 'silent' : `${s.loudness_lufs.toFixed(1)} LUFS`}`,
    `  wrote     ${s.outputs.jams}${Object.keys(s.outputs.stems).length ? ` and ${Object.keys(s.outputs.stems).length} stems` : ''}`,
    `  took      ${s.wall_time_s.toFixed(2)} s`,
  ];
  return lines.join('\n') + '\n';
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCliArgs(
    argv,
    {
      out: { type: 'string' },
      stems: { type: 'string' },
      'bit-depth': { type: 'string' },
      'max-duration': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      stream: { type: 'boolean' },
    },
    true,
  );
  if (positionals.length !== 1) throw new InvalidRequestError(`expected exactly one audio file, got ${positionals.length} (see --help)`);
  if (!values.out) throw new InvalidRequestError('--out DIR is required');
  const stemsMode = choiceOption('stems', values.stems, ['all', 'none'] as const) ?? 'all';
  const bitDepth = Number(choiceOption('bit-depth', values['bit-depth'], BIT_DEPTHS) ?? '16') as 16 | 24 | 32;
  const maxDurationSec = numberOption('max-duration', values['max-duration'], 1, 24 * 3600) ?? 3600;
  const file = positionals[0];
  const source = await fileSource(file).catch((err: NodeJS.ErrnoException) => {
    throw new InvalidRequestError(`cannot read "${file}": ${err.code ?? String(err)}`);
  });
  const out = values.out;
  const progress = values.quiet ? undefined : progressReporter(io, 'analyze');
  const options = { separate: stemsMode === 'all', stemBitDepth: bitDepth, maxDurationSec, onProgress: progress?.update };
  const stemPath = (name: string) => join(out, 'stems', `${name}.wav`);
  const stemPaths: Record<string, string> = {};
  let result: Omit<FileAnalysis, 'stems'>;
  try {
    const probe = await probeSource(source);
    if (values.stream || probe.durationSec > STREAM_ABOVE_SEC) {
      await mkdir(join(out, 'stems'), { recursive: true });
      const longIO = await localLongAnalysisIO(probe.channelCount, stemPath);
      try {
        const long = await analyzeLong(source, options.separate ? longIO : null, options);
        for (const name of long.stemsWritten) stemPaths[name] = stemPath(name);
        result = long;
      } finally {
        await longIO.dispose();
      }
    } else {
      const whole = await analyzeEncoded(await source.read(0, source.size), options);
      if (whole.stems) {
        await mkdir(join(out, 'stems'), { recursive: true });
        const stems = whole.stems;
        const names = CORE_STEMS.filter((name) => stems[name]);
        // The files are written side by side (libuv's thread pool), not one after the other.
        await Promise.all(names.map((name) => writeFile(stemPath(name), stems[name])));
        for (const name of names) stemPaths[name] = stemPath(name);
      }
      result = whole;
    }
  } finally {
    await source.close();
  }
  progress?.done();
  await mkdir(join(out, 'analysis'), { recursive: true });
  const jamsPath = join(out, 'analysis', 'annotation.jams');
  await writeFile(jamsPath, JSON.stringify(result.jams, null, 1));
  const summary = summarize(file, result, { jams: jamsPath, stems: stemPaths });
  io.stdout(values.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
  return 0;
}

export const command: CliCommand = { name: 'analyze', summary: 'separate stems and write a JAMS annotation', help, run };
