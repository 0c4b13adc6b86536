/** The local host's console logger: timestamped lines, a level threshold, or a sink for tests. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface HostLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Lines go to `sink` (default: stderr for warn/error, stdout otherwise) when at or above `level`. */
export function createHostLogger(level: LogLevel = 'info', sink?: (level: Exclude<LogLevel, 'silent'>, line: string) => void): HostLogger {
  const write = (l: Exclude<LogLevel, 'silent'>, message: string) => {
    if (ORDER[l] < ORDER[level]) return;
    const line = `[${new Date().toISOString().slice(11, 23)}] ${l === 'info' ? '' : `${l.toUpperCase()} `}${message}`;
    if (sink) sink(l, line);
    else if (l === 'warn' || l === 'error') process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
