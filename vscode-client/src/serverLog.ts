// The server's stderr into the output channel at the level the server logged it at. Pure: no
// `vscode` import. The language client's default sends every stderr line to `error`, so a pygls
// warning ("Cancel notification for unknown message id") looked like a failure.
//
// The server's format (server/codefloor/cli/serve.py): "<asctime> <logger name> <LEVEL> <message>".

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const RECORD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) /;

const LEVELS: Record<string, LogLevel> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'error',
};

/**
 * Classifies stderr lines one at a time. A line that starts a log record takes that record's level;
 * a continuation line (a traceback under a record) keeps the level of the record above it. A line
 * before any record (Python failing before logging is set up, "No module named codefloor") is an
 * error: the server did not get far enough to say otherwise.
 */
export class ServerLogLevels {
  private current: LogLevel = 'error';

  level(line: string): LogLevel {
    const match = RECORD.exec(line);
    if (match) this.current = LEVELS[match[1]];
    return this.current;
  }
}

/** Keeps the last few error lines, to say why a server stopped in the notification itself. */
export class RecentErrors {
  private readonly lines: string[] = [];

  constructor(private readonly keep = 5) {}

  add(line: string): void {
    if (line.trim() === '') return;
    this.lines.push(line.trim());
    if (this.lines.length > this.keep) this.lines.shift();
  }

  /** The most telling line: the last one (for a Python traceback, the exception itself). */
  last(): string | undefined {
    return this.lines.at(-1);
  }

  clear(): void {
    this.lines.length = 0;
  }
}
