// Owns the LanguageClient: starts `codefloor serve` with the stored API keys in its environment,
// answers workspace/configuration with each folder's settings, restarts on demand.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { KEYED_PROVIDERS, secretName, serverEnvironment } from './apiKeys';
import { STATUS_NOTIFICATION } from './commands';
import { SECTION, answerConfiguration, folderSettingsPayload, userLevelValue } from './folderSettings';
import { type ServerCommand, ServerCommandError, resolveServerCommand, startFailureMessage } from './serverCommand';
import { type RoutingStatus, isRoutingStatus } from './status';

export interface ServerEvents {
  status(status: RoutingStatus): void;
  /** `problem` is undefined when the server runs, else what went wrong and what to do. */
  health(problem: string | undefined): void;
}

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private problem: string | undefined = 'it is still starting';

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly output: vscode.LogOutputChannel,
    private readonly events: ServerEvents,
  ) {}

  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  async start(): Promise<void> {
    let command: ServerCommand | undefined;
    try {
      command = this.serverCommand();
      const env = serverEnvironment(process.env, await this.storedKeys());
      const serverOptions: ServerOptions = {
        command: command.command,
        args: command.args,
        transport: TransportKind.stdio,
        options: { env },
      };
      this.output.info(`starting ${[command.command, ...command.args].join(' ')} (from ${command.origin})`);
      const client = new LanguageClient('codefloor', 'codefloor', serverOptions, this.clientOptions());
      client.onNotification(STATUS_NOTIFICATION, (payload: unknown) => {
        if (isRoutingStatus(payload)) this.events.status(payload);
      });
      // The client restarts a crashed server by itself (a few times); follow it either way.
      client.onDidChangeState(({ newState }) => {
        if (this.client !== client) return;
        if (newState === State.Running) this.setProblem(undefined);
        if (newState === State.Stopped) this.setProblem('the server stopped; run "codefloor: Restart language server"');
      });
      this.client = client;
      await client.start();
      this.setProblem(undefined);
    } catch (error) {
      const message = error instanceof ServerCommandError ? error.message : startFailureMessage(command, error);
      this.setProblem(message);
      this.output.error(message);
      void vscode.window.showErrorMessage(message, 'Open User Settings', 'Show Output').then((choice) => {
        if (choice === 'Open User Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'codefloor.server');
        if (choice === 'Show Output') this.output.show();
      });
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      if (client.isRunning()) await client.stop();
    } catch (error) {
      this.output.warn(`stopping the server: ${error instanceof Error ? error.message : String(error)}`);
    }
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

  private setProblem(problem: string | undefined): void {
    this.problem = problem;
    this.events.health(problem);
  }

  private serverCommand(): ServerCommand {
    const config = vscode.workspace.getConfiguration(SECTION);
    return resolveServerCommand({
      command: userLevelValue(config.inspect<unknown>('server.command')),
      pythonPath: userLevelValue(config.inspect<unknown>('server.pythonPath')),
      env: process.env,
      platform: process.platform,
      isExecutable: isExecutableFile,
    });
  }

  private async storedKeys(): Promise<Record<string, string | undefined>> {
    const keys: Record<string, string | undefined> = {};
    for (const provider of KEYED_PROVIDERS) keys[provider] = await this.secrets.get(secretName(provider));
    return keys;
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      outputChannel: this.output,
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

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
