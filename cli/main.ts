/**
 * `stemflow` — the command-line entry. Sub-commands are loaded lazily so that `stemflow generate`
 * never pays for the analysis stack's start-up.
 */
import { BadInputError, describeError } from '../shared/errors.js';
import { type CliCommand, type CliIO, processIO } from './command.js';

const COMMANDS: Record<string, { summary: string; load: (argv: string[]) => Promise<CliCommand> }> = {
  generate: { summary: 'render stems from BPM, key, chords and style', load: async () => (await import('./commands/generate.js')).command },
  'render-song': { summary: 'render a full song with its exact truth JAMS', load: async () => (await import('./commands/renderSong.js')).command },
  corpus: { summary: 'render the benchmark corpus (songs with known truth)', load: async () => (await import('./commands/corpus.js')).command },
  analyze: {
    summary: 'separate stems and write a JAMS annotation for an audio file',
    load: async (argv) => {
      // Without separation the MIR's helper thread takes half the decode; started before the
      // analysis modules load, it is ready by the time the decode starts.
      if (argv.some((a, i) => a === '--stems=none' || (a === '--stems' && argv[i + 1] === 'none'))) {
        (await import('../shared/mir/tonalThread.js')).prestartTonalThread();
      }
      return (await import('./commands/analyze.js')).command;
    },
  },
  info: { summary: 'show the mode, engines, execution provider and installed models', load: async () => (await import('./commands/info.js')).command },
  demo: { summary: 'render a built-in example song and analyse it', load: async () => (await import('./commands/demo.js')).command },
  start: { summary: 'run the whole app locally (embedded Azurite + local Functions host)', load: async () => (await import('./commands/start.js')).command },
  submit: { summary: 'upload an audio file to the running app and follow its analysis', load: async () => (await import('./commands/submit.js')).command },
  jobs: { summary: 'list recent jobs of the running local host', load: async () => (await import('./commands/jobs.js')).command },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: stemflow <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'stemflow <command> --help' for a command's options.\n`;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`stemflow: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  const command = await entry.load(rest);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    io.stderr(`stemflow ${name}: ${describeError(err)}\n`);
    return err instanceof BadInputError ? 2 : 1;
  }
}
