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
  /** A remote window (vscode.env.remoteName set): the settings live in Remote settings. */
  remote?: boolean;
}

export class ServerCommandError extends Error {}

/**
 * Where the machine-scoped `codefloor.server.*` settings are read from. VS Code reads machine-scoped
 * settings from the User settings of a local window, and only from the Remote settings of a remote
 * window (code-server, SSH, containers, WSL): there the User settings' values are ignored.
 */
export function serverSettingsPlace(remote: boolean): string {
  return remote ? 'Remote settings (run "Preferences: Open Remote Settings")' : 'User settings';
}

export function installHint(remote: boolean): string {
  return (
    'Install the server (`pip install codefloor`) so `codefloor` is on PATH, or set `codefloor.server.pythonPath` ' +
    `to a Python that has it, or \`codefloor.server.command\` to the full command, in your ${serverSettingsPlace(remote)}.`
  );
}

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
  throw new ServerCommandError(`codefloor: cannot find \`codefloor\` or Python on PATH. ${installHint(inputs.remote ?? false)}`);
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
export function startFailureMessage(command: ServerCommand | undefined, error: unknown, remote = false): string {
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  return `codefloor: the language server did not start${ran(command)}: ${reason}. ${installHint(remote)}`;
}

function ran(command: ServerCommand | undefined): string {
  return command ? ` (\`${[command.command, ...command.args].join(' ')}\` from ${command.origin})` : '';
}

/**
 * For `<python> -m codefloor ...`: the cheap check to run first (`<python> -c "import codefloor"`),
 * so a Python without codefloor is reported once instead of crashing the language client in a loop.
 * Undefined for any other command (its own program says what is wrong).
 */
export function importCheck(command: ServerCommand): { command: string; args: string[] } | undefined {
  const [flag, module] = command.args;
  if (flag !== '-m' || module !== 'codefloor') return undefined;
  return { command: command.command, args: ['-c', 'import codefloor'] };
}

/** The import check failed: say which Python, why (its last stderr line), and what to do. */
export function importFailureMessage(command: ServerCommand, stderr: string, remote = false): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const reason = lines.at(-1) ?? 'it exited with an error';
  return (
    `codefloor: ${command.command} (from ${command.origin}) cannot run the server: ${reason.replace(/\.$/, '')}. ` +
    `Install it there (\`${command.command} -m pip install codefloor\`), or set \`codefloor.server.pythonPath\` to a ` +
    `Python that has it, or \`codefloor.server.command\` to the full command, in your ${serverSettingsPlace(remote)}.`
  );
}
