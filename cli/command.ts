/** One CLI sub-command. Each lives in its own module under cli/commands/. */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text: usage, every option with its default and allowed values. */
  help: string;
  /** Runs the command; resolves to the process exit code. Throws for bad input. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Where a command writes. Tests pass buffers; the bin passes the process streams. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  isTTY: boolean;
}

export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
};
