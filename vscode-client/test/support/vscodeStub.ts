// Just enough of the `vscode` API, in Node, to activate the bundled extension and run the real
// vscode-languageclient against a real process. Built to out/node_modules/vscode so that
// `require('vscode')` finds it. Settings are layered like VS Code's (default < user < workspace <
// folder) and machine/application-scoped settings ignore workspace layers, as VS Code does.
import manifest from '../../package.json';

type Listener = (event: unknown) => unknown;

class Disposable {
  constructor(private readonly onDispose: () => void = () => undefined) {}
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}

class EventEmitter<T> {
  private listeners: Array<(value: T) => unknown> = [];
  event = (listener: (value: T) => unknown): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Uri {
  private constructor(private readonly text: string) {}
  static parse(text: string): Uri {
    return new Uri(text);
  }
  static file(path: string): Uri {
    return new Uri(`file://${path}`);
  }
  get scheme(): string {
    return this.text.slice(0, this.text.indexOf(':'));
  }
  get path(): string {
    return new URL(this.text).pathname;
  }
  get fsPath(): string {
    return decodeURIComponent(this.path);
  }
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
  with(): Uri {
    return this;
  }
}

class Position {
  constructor(readonly line: number, readonly character: number) {}
}
class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c as number, d as number) : (b as Position);
  }
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}
class Selection extends Range {}
class CancellationError extends Error {}
class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {}
}
class MarkdownString {
  supportThemeIcons = false;
  constructor(readonly value = '') {}
}
// Base classes vscode-languageclient extends at load time; their behaviour is not exercised here.
class Constructible {
  constructor(..._args: unknown[]) {}
}
class CallHierarchyItem extends Constructible {}
class CodeAction extends Constructible {}
class CodeLens extends Constructible {}
class CompletionItem extends Constructible {}
class Diagnostic extends Constructible {}
class DocumentLink extends Constructible {}
class InlayHint extends Constructible {}
class SymbolInformation extends Constructible {}
class TypeHierarchyItem extends Constructible {}
class CodeActionKind {
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  static readonly Empty = new CodeActionKind('');
  static readonly QuickFix = new CodeActionKind('quickfix');
  static readonly Refactor = new CodeActionKind('refactor');
  static readonly RefactorExtract = new CodeActionKind('refactor.extract');
  static readonly RefactorInline = new CodeActionKind('refactor.inline');
  static readonly RefactorMove = new CodeActionKind('refactor.move');
  static readonly RefactorRewrite = new CodeActionKind('refactor.rewrite');
  static readonly Source = new CodeActionKind('source');
  static readonly SourceOrganizeImports = new CodeActionKind('source.organizeImports');
  static readonly SourceFixAll = new CodeActionKind('source.fixAll');
  static readonly Notebook = new CodeActionKind('notebook');
}
class InlineCompletionItem {
  constructor(readonly insertText: string | { value: string }, readonly range?: Range, readonly command?: unknown) {}
}
class InlineCompletionList {
  constructor(readonly items: InlineCompletionItem[]) {}
}
class SnippetString {
  constructor(readonly value = '') {}
}
const InlineCompletionTriggerKind = { Invoke: 0, Automatic: 1 };
class TabInputText {}
class TabInputTextDiff {}
class TabInputNotebook {}
class TabInputCustom {}

// ---- settings -------------------------------------------------------------------------------
type Layer = Record<string, unknown>;
const properties: Record<string, { default?: unknown; scope?: string }> = manifest.contributes.configuration.properties;
const settings = { user: {} as Layer, workspace: {} as Layer, folders: {} as Record<string, Layer> };
const configurationEmitter = new EventEmitter<unknown>();
const updates: Array<{ key: string; value: unknown; target: number; folder?: string }> = [];

function folderOf(uri: Uri | undefined): WorkspaceFolder | undefined {
  const text = uri?.toString();
  return text ? state.workspaceFolders.find((f) => text === f.uri.toString() || text.startsWith(`${f.uri.toString()}/`)) : undefined;
}

function lookup(fullKey: string, scope: Uri | undefined): unknown {
  const userOnly = ['machine', 'application'].includes(properties[fullKey]?.scope ?? '');
  const folder = folderOf(scope);
  const layers: Array<Layer | undefined> = userOnly
    ? [settings.user]
    : [folder ? settings.folders[folder.uri.toString()] : undefined, settings.workspace, settings.user];
  for (const layer of layers) if (layer && fullKey in layer) return layer[fullKey];
  if (fullKey in properties) return properties[fullKey].default;
  const nested: Record<string, unknown> = {};
  for (const name of Object.keys(properties).filter((n) => n.startsWith(`${fullKey}.`))) {
    const path = name.slice(fullKey.length + 1).split('.');
    let node = nested;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = lookup(name, scope);
  }
  return Object.keys(nested).length ? nested : undefined;
}

function getConfiguration(section?: string, scope?: Uri) {
  const full = (key: string) => (section ? `${section}.${key}` : key);
  return {
    get: (key: string, fallback?: unknown) => {
      const value = lookup(full(key), scope);
      return value === undefined ? fallback : value; // like VS Code: a null default stays null
    },
    has: (key: string) => lookup(full(key), scope) !== undefined,
    inspect: (key: string) => ({
      key: full(key),
      defaultValue: properties[full(key)]?.default,
      globalValue: settings.user[full(key)],
      workspaceValue: settings.workspace[full(key)],
      workspaceFolderValue: folderOf(scope) ? settings.folders[folderOf(scope)!.uri.toString()]?.[full(key)] : undefined,
    }),
    update: async (key: string, value: unknown, target: number) => {
      const folder = folderOf(scope)?.uri.toString();
      updates.push({ key: full(key), value, target, folder });
      const layer = target === 3 && folder ? (settings.folders[folder] ??= {}) : target === 2 ? settings.workspace : settings.user;
      layer[full(key)] = value;
      configurationEmitter.fire({ affectsConfiguration: (s: string) => full(key) === s || full(key).startsWith(`${s}.`) });
    },
  };
}

// ---- window -----------------------------------------------------------------------------------
interface WorkspaceFolder {
  uri: Uri;
  name: string;
  index: number;
}
interface OutputChannel {
  name: string;
  lines: string[];
}
const state = {
  workspaceFolders: [] as WorkspaceFolder[],
  activeTextEditor: undefined as unknown,
  isTrusted: true,
  outputChannels: [] as OutputChannel[],
  statusBarItems: [] as Array<Record<string, unknown>>,
  messages: [] as Array<{ level: string; text: string }>,
  inputBoxAnswers: [] as Array<string | undefined>,
  quickPickAnswers: [] as string[],
  inputBoxOptions: [] as Array<Record<string, unknown>>,
};
const activeEditorEmitter = new EventEmitter<unknown>();

function createOutputChannel(name: string): Record<string, unknown> {
  const channel: OutputChannel = { name, lines: [] };
  state.outputChannels.push(channel);
  const log = (text: string) => channel.lines.push(text);
  return {
    name,
    lines: channel.lines,
    logLevel: 2,
    onDidChangeLogLevel: new EventEmitter<unknown>().event,
    append: log,
    appendLine: log,
    replace: log,
    trace: log,
    debug: log,
    info: log,
    warn: log,
    error: (e: unknown) => log(String(e)),
    clear: () => channel.lines.splice(0),
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
  };
}

const message = (level: string) => async (text: string) => {
  state.messages.push({ level, text });
  return undefined;
};

export const window = {
  get activeTextEditor() {
    return state.activeTextEditor;
  },
  visibleTextEditors: [],
  tabGroups: { all: [], onDidChangeTabs: new EventEmitter<unknown>().event, onDidChangeTabGroups: new EventEmitter<unknown>().event },
  onDidChangeActiveTextEditor: activeEditorEmitter.event,
  onDidChangeVisibleTextEditors: new EventEmitter<unknown>().event,
  createOutputChannel,
  createStatusBarItem: (id: string) => {
    const item: Record<string, unknown> = { id, visible: false, show: () => (item.visible = true), hide: () => (item.visible = false), dispose: () => undefined };
    state.statusBarItems.push(item);
    return item;
  },
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  showInputBox: async (options: Record<string, unknown>) => {
    state.inputBoxOptions.push(options);
    return state.inputBoxAnswers.shift();
  },
  showQuickPick: async (items: Array<{ label: string }>) => {
    const answer = state.quickPickAnswers.shift();
    return items.find((item) => item.label === answer);
  },
  showWorkspaceFolderPick: async () => state.workspaceFolders[0],
  withProgress: (_options: unknown, task: (progress: unknown, token: unknown) => unknown) =>
    task({ report: () => undefined }, new CancellationTokenSource().token),
  showTextDocument: async () => undefined,
};

const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();
export const commands = {
  registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
    if (commandHandlers.has(id)) throw new Error(`command '${id}' already exists`);
    commandHandlers.set(id, handler);
    return new Disposable(() => commandHandlers.delete(id));
  },
  executeCommand: async (id: string, ...args: unknown[]) => commandHandlers.get(id)?.(...args),
};

const event = () => new EventEmitter<unknown>().event;
const openDocumentEmitter = new EventEmitter<unknown>();
const textDocuments: unknown[] = [];

/** A read-only text document with the parts the language client uses. */
function makeDocument(uri: Uri, text: string, languageId: string) {
  const lines = text.split('\n');
  const offsetAt = (p: Position) => lines.slice(0, p.line).reduce((n, line) => n + line.length + 1, 0) + p.character;
  return {
    uri,
    fileName: uri.fsPath,
    languageId,
    version: 1,
    isClosed: false,
    isDirty: false,
    isUntitled: false,
    eol: 1,
    lineCount: lines.length,
    getText: (range?: Range) => (range ? text.slice(offsetAt(range.start), offsetAt(range.end)) : text),
    offsetAt,
    lineAt: (line: number) => ({ text: lines[line], lineNumber: line }),
    save: async () => true,
  };
}

export const workspace = {
  get workspaceFolders() {
    return state.workspaceFolders;
  },
  get isTrusted() {
    return state.isTrusted;
  },
  textDocuments,
  notebookDocuments: [],
  getConfiguration,
  getWorkspaceFolder: folderOf,
  asRelativePath: (uri: Uri) => uri.toString(),
  onDidChangeConfiguration: configurationEmitter.event,
  onDidGrantWorkspaceTrust: event(),
  onDidOpenTextDocument: openDocumentEmitter.event,
  onDidChangeTextDocument: event(),
  onDidCloseTextDocument: event(),
  onDidSaveTextDocument: event(),
  onWillSaveTextDocument: event(),
  onDidChangeWorkspaceFolders: event(),
  onDidCreateFiles: event(),
  onDidRenameFiles: event(),
  onDidDeleteFiles: event(),
  onWillCreateFiles: event(),
  onWillRenameFiles: event(),
  onWillDeleteFiles: event(),
  createFileSystemWatcher: () => ({ dispose: () => undefined, onDidCreate: event(), onDidChange: event(), onDidDelete: event() }),
  applyEdit: async () => true,
};

// Any provider registration the server's capabilities trigger is recorded and succeeds.
const registeredProviders: string[] = [];
const providers = new Map<string, unknown>();
export const languages = new Proxy(
  {
    match: () => 10,
    createDiagnosticCollection: () => ({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined }),
  } as Record<string, unknown>,
  {
    get(target, name: string) {
      if (name in target) return target[name];
      if (name.startsWith('register')) {
        return (_selector: unknown, provider: unknown) => {
          registeredProviders.push(name);
          providers.set(name, provider);
          return new Disposable(() => providers.delete(name));
        };
      }
      return undefined;
    },
  },
);

export const env = { appName: 'Visual Studio Code (stub)', language: 'en', openExternal: async () => true };
export const version = '1.91.0';
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const LogLevel = { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 };
export { InlineCompletionTriggerKind };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 };

export {
  CallHierarchyItem,
  CodeAction,
  CodeActionKind,
  CodeLens,
  InlineCompletionItem,
  InlineCompletionList,
  SnippetString,
  CompletionItem,
  Diagnostic,
  DocumentLink,
  InlayHint,
  SymbolInformation,
  TypeHierarchyItem,
  CancellationError,
  CancellationTokenSource,
  Disposable,
  EventEmitter,
  MarkdownString,
  Position,
  Range,
  Selection,
  TabInputCustom,
  TabInputNotebook,
  TabInputText,
  TabInputTextDiff,
  Uri,
};

/** Test-only handle on the stub's state. */
export const __stub = {
  state,
  settings,
  updates,
  registeredProviders,
  providers,
  commandHandlers,
  /** Open a document as VS Code would: listed in workspace.textDocuments, then the open event. */
  openDocument(uri: { toString(): string }, text: string, languageId = 'python') {
    const document = makeDocument(Uri.parse(uri.toString()), text, languageId);
    textDocuments.push(document);
    openDocumentEmitter.fire(document);
    return document;
  },
  setActiveEditor(editor: unknown) {
    state.activeTextEditor = editor;
    activeEditorEmitter.fire(editor);
  },
  addFolder(path: string): WorkspaceFolder {
    const folder = { uri: Uri.file(path), name: path.split('/').pop() ?? path, index: state.workspaceFolders.length };
    state.workspaceFolders.push(folder);
    return folder;
  },
};
export type StubControl = typeof __stub;
export type { Listener };
