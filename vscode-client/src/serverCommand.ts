// How to start `codefloor serve`. Pure: the file system and environment are passed in.

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from, for messages ("codefloor.server.command", "PATH", ...). */
  origin: string;
}

export interface ServerCommandInputs {
  /** codefloor.server.command (user/machine level only): program and arguments. */
  command: unknown;
  /** codefloor.server.pythonPath (user/machine level only). */
  pythonPath: unknown;
  env: Readonly<Record<string, string | undefined>>;
  platform: string;
  isExecutable: (file: string) => boolean;
}

export class ServerCommandError extends Error {}

export const INSTALL_HINT =
  'Install the server (`pip install codefloor`) so `codefloor` is on PATH, or set `codefloor.server.pythonPath` ' +
  'to a Python that has it, or `codefloor.server.command` to the full command (user settings).';

/**
 * Resolution order: the configured command; `<pythonPath> -m codefloor serve`; `codefloor serve`
 * found on PATH; `python3`/`python` on PATH with `-m codefloor serve`. Throws ServerCommandError
 * saying what to do when nothing fits.
 */
export function resolveServerCommand(inputs: ServerCommandInputs): ServerCommand {
  const { command, pythonPath } = inputs;
  if (command !== undefined && command !== null) {
    if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === 'string' && part !== '')) {
      throw new ServerCommandError(
        'codefloor.server.command must be a list of non-empty strings, e.g. ["/path/to/codefloor", "serve"].',
      );
    }
    const [program, ...args] = command as string[];
    return { command: program, args, origin: 'codefloor.server.command' };
  }
  if (pythonPath !== undefined && pythonPath !== null && pythonPath !== '') {
    if (typeof pythonPath !== 'string') throw new ServerCommandError('codefloor.server.pythonPath must be a path (string).');
    return { command: pythonPath, args: ['-m', 'codefloor', 'serve'], origin: 'codefloor.server.pythonPath' };
  }
  const codefloor = findOnPath('codefloor', inputs);
  if (codefloor) return { command: codefloor, args: ['serve'], origin: 'PATH' };
  const pythonNames = inputs.platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
  for (const name of pythonNames) {
    const python = findOnPath(name, inputs);
    if (python) return { command: python, args: ['-m', 'codefloor', 'serve'], origin: `${name} on PATH` };
  }
  throw new ServerCommandError(`codefloor: cannot find \`codefloor\` or Python on PATH. ${INSTALL_HINT}`);
}

/** First executable `name` in PATH (with PATHEXT on Windows), or undefined. */
export function findOnPath(
  name: string,
  { env, platform, isExecutable }: Pick<ServerCommandInputs, 'env' | 'platform' | 'isExecutable'>,
): string | undefined {
  const windows = platform === 'win32';
  const pathValue = env.PATH ?? env.Path ?? '';
  const separator = windows ? ';' : ':';
  const slash = windows ? '\\' : '/';
  const extensions = windows ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  for (const dir of pathValue.split(separator)) {
    if (!dir) continue;
    const base = dir.endsWith(slash) || dir.endsWith('/') ? dir + name : dir + slash + name;
    for (const ext of extensions) {
      if (isExecutable(base + ext)) return base + ext;
    }
  }
  return undefined;
}

/** Shown when the server process fails to start: what was run, why it failed, what to do. */
export function startFailureMessage(command: ServerCommand | undefined, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const ran = command ? ` (\`${[command.command, ...command.args].join(' ')}\` from ${command.origin})` : '';
  return `codefloor: the language server did not start${ran}: ${reason}. ${INSTALL_HINT}`;
}
