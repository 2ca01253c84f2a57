// Owns the LanguageClient: starts `codefloor serve` with the stored API keys in its environment,
// answers workspace/configuration with each folder's settings, restarts on demand.
//
// Problems reach the user once: the language client's own notifications are turned off (they
// repeat, and name protocol errors like -32097 instead of the cause); this class shows one
// notification per distinct problem, with the server's last error line, and the status bar shows
// the problem until the server runs again.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type * as stream from 'node:stream';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  type ErrorHandler,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { KEYED_PROVIDERS, secretName, serverEnvironment } from './apiKeys';
import { SPEND_NOTIFICATION, STATUS_NOTIFICATION } from './commands';
import { SECTION, answerConfiguration, folderSettingsPayload, userLevelValue } from './folderSettings';
import {
  type ServerCommand,
  ServerCommandError,
  importCheck,
  importFailureMessage,
  resolveServerCommand,
  startFailureMessage,
} from './serverCommand';
import { RecentErrors, ServerLogLevels } from './serverLog';
import { type CompletionSpend, type RoutingStatus, isCompletionSpend, isRoutingStatus } from './status';

export interface ServerEvents {
  status(status: RoutingStatus): void;
  /** A folder's completion spend: cost per hour of use, and the hourly limit's pause. */
  spend(spend: CompletionSpend): void;
  /** `problem` is undefined when the server runs, else what went wrong and what to do. */
  health(problem: string | undefined): void;
}

/** A server that ran and then crashed is restarted this many times within CRASH_WINDOW_MS. */
const MAX_RESTARTS = 4;
const CRASH_WINDOW_MS = 3 * 60_000;
const IMPORT_CHECK_TIMEOUT_MS = 30_000;

/** The library's notifications off: every message still goes to the output channel. */
class QuietLanguageClient extends LanguageClient {
  override error(message: string, data?: unknown, _showNotification?: boolean | 'force'): void {
    super.error(message, data, false);
  }
}

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private problem: string | undefined = 'it is still starting';
  /** The problem last shown as a notification (not shown again while it lasts). */
  private notified: string | undefined;
  /** Start, stop and restart run one at a time, in the order asked. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly output: vscode.LogOutputChannel,
    private readonly events: ServerEvents,
  ) {}

  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopNow();
      await this.startNow();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopNow());
  }

  /** workspace/executeCommand on the server; throws with an actionable message when it is down. */
  async executeServerCommand(command: string, args: unknown[]): Promise<unknown> {
    const client = this.running;
    if (!client) throw new Error(`codefloor server is not running: ${this.problem ?? 'unknown reason'}`);
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  /**
   * Ask the server to pull every folder's settings again. Settings differ per folder, so one pushed
   * object would be wrong for some of them: `settings: null` is the LSP signal to pull.
   */
  settingsChanged(): void {
    void this.running?.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  asProtocolUri(uri: vscode.Uri): string {
    return this.client ? this.client.code2ProtocolConverter.asUri(uri) : uri.toString();
  }

  asProtocolRange(range: vscode.Range): unknown {
    return this.client ? this.client.code2ProtocolConverter.asRange(range) : range;
  }

  dispose(): void {
    void this.stop();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async startNow(): Promise<void> {
    const remote = vscode.env.remoteName !== undefined;
    const recent = new RecentErrors();
    let ran = false;
    let command: ServerCommand | undefined;
    try {
      command = this.serverCommand(remote);
      const check = importCheck(command);
      if (check) {
        const failure = await runImportCheck(check.command, check.args);
        if (failure !== undefined) throw new ServerCommandError(importFailureMessage(command, failure, remote));
      }
      const env = serverEnvironment(process.env, await this.storedKeys());
      const serverOptions: ServerOptions = {
        command: command.command,
        args: command.args,
        transport: TransportKind.stdio,
        options: { env },
      };
      this.output.info(`starting ${[command.command, ...command.args].join(' ')} (from ${command.origin})`);
      const client = new QuietLanguageClient('codefloor', 'codefloor', serverOptions, this.clientOptions(recent, () => ran));
      client.onNotification(STATUS_NOTIFICATION, (payload: unknown) => {
        if (isRoutingStatus(payload)) this.events.status(payload);
      });
      client.onNotification(SPEND_NOTIFICATION, (payload: unknown) => {
        if (isCompletionSpend(payload)) this.events.spend(payload);
      });
      // The client restarts a crashed server by itself (see errorHandler); follow it either way.
      client.onDidChangeState(({ newState }) => {
        if (this.client !== client) return;
        if (newState === State.Running) {
          ran = true;
          this.setProblem(undefined);
        }
        if (newState === State.Stopped && ran) {
          const why = recent.last();
          this.fail(`codefloor: the server stopped${why ? ` (${why})` : ''}. See the codefloor output, then run "codefloor: Restart language server".`);
        }
      });
      this.client = client;
      await client.start();
      this.setProblem(undefined);
    } catch (error) {
      const why = recent.last();
      const message =
        error instanceof ServerCommandError
          ? error.message
          : startFailureMessage(command, why ? new Error(`it exited: ${why}`) : error, remote);
      this.fail(message);
    }
  }

  private async stopNow(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      if (client.isRunning()) await client.stop();
    } catch (error) {
      this.output.warn(`stopping the server: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private fail(message: string): void {
    this.setProblem(message);
    this.output.error(message);
    if (this.notified === message) return;
    this.notified = message;
    const remote = vscode.env.remoteName !== undefined;
    const settings = remote ? 'Open Remote Settings' : 'Open User Settings';
    void vscode.window.showErrorMessage(message, settings, 'Show Output').then((choice) => {
      if (choice === settings) {
        if (remote) void vscode.commands.executeCommand('workbench.action.openRemoteSettings', 'codefloor.server');
        else void vscode.commands.executeCommand('workbench.action.openSettings', 'codefloor.server');
      }
      if (choice === 'Show Output') this.output.show();
    });
  }

  private setProblem(problem: string | undefined): void {
    this.problem = problem;
    if (problem === undefined) this.notified = undefined;
    this.events.health(problem);
  }

  private serverCommand(remote: boolean): ServerCommand {
    const config = vscode.workspace.getConfiguration(SECTION);
    return resolveServerCommand({
      command: userLevelValue(config.inspect<unknown>('server.command')),
      pythonPath: userLevelValue(config.inspect<unknown>('server.pythonPath')),
      env: process.env,
      platform: process.platform,
      isExecutable: isExecutableFile,
      remote,
    });
  }

  private async storedKeys(): Promise<Record<string, string | undefined>> {
    const keys: Record<string, string | undefined> = {};
    for (const provider of KEYED_PROVIDERS) keys[provider] = await this.secrets.get(secretName(provider));
    return keys;
  }

  private clientOptions(recent: RecentErrors, hasRun: () => boolean): LanguageClientOptions {
    const output = this.output;
    const levels = new ServerLogLevels();
    const pipe = (input: stream.Readable, fallback: 'info' | 'error') => {
      readline.createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on('line', (line) => {
        const level = fallback === 'info' ? 'info' : levels.level(line);
        if (level === 'error') recent.add(line);
        output[level](line);
      });
    };
    return {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      outputChannel: output,
      stdioOptions: { stdout: (input) => pipe(input, 'info'), stderr: (input) => pipe(input, 'error') },
      errorHandler: crashPolicy(hasRun),
      middleware: {
        workspace: {
          // The server pulls "codefloor" per folder (scopeUri); answer with that folder's settings in
          // the server's shape, without the user-only server.* / trace.* keys.
          configuration: async (params, token, next) => {
            const defaults = await next(params, token);
            if (!Array.isArray(defaults)) return defaults;
            return answerConfiguration(params.items, defaults, (scopeUri) => {
              const config = vscode.workspace.getConfiguration(SECTION, scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
              return folderSettingsPayload((key) => config.get(key));
            });
          },
        },
      },
    };
  }
}

/**
 * Restart a server that crashed after it ran, a few times; never one that could not start at all
 * (the same command would fail the same way, in a loop of notifications).
 */
function crashPolicy(hasRun: () => boolean): ErrorHandler {
  const crashes: number[] = [];
  return {
    error: (_error, _message, count) => ({ action: (count ?? 1) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true }),
    closed: () => {
      if (!hasRun()) return { action: CloseAction.DoNotRestart, handled: true };
      const now = Date.now();
      while (crashes.length > 0 && now - crashes[0] > CRASH_WINDOW_MS) crashes.shift();
      crashes.push(now);
      return { action: crashes.length <= MAX_RESTARTS ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true };
    },
  };
}

/** Undefined when `python -c "import codefloor"` succeeds, else its stderr. */
function runImportCheck(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: IMPORT_CHECK_TIMEOUT_MS, windowsHide: true }, (error, _stdout, stderr) => {
      if (!error) return resolve(undefined);
      resolve(stderr.trim() || error.message);
    });
  });
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
