// The status bar item: the active editor's folder floor, the last model that served it, and what
// its completions cost (paused while the folder's hourly completion limit is reached).
import * as vscode from 'vscode';
import { CLIENT_COMMANDS } from './commands';
import { SECTION } from './folderSettings';
import { type CompletionSpend, type RoutingStatus, folderKey, serverDownView, statusView } from './status';

export class FloorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('codefloor.status', vscode.StatusBarAlignment.Right, 100);
  private readonly lastByFolder = new Map<string, RoutingStatus>();
  private readonly spendByFolder = new Map<string, CompletionSpend>();
  private problem: string | undefined;

  constructor() {
    this.item.name = 'codefloor';
    this.item.command = CLIENT_COMMANDS.showRoutingExplanation;
  }

  record(status: RoutingStatus): void {
    this.lastByFolder.set(folderKey(status.folder), status);
    this.refresh();
  }

  recordSpend(spend: CompletionSpend): void {
    this.spendByFolder.set(folderKey(spend.folder), spend);
    this.refresh();
  }

  setProblem(problem: string | undefined): void {
    this.problem = problem;
    this.refresh();
  }

  refresh(): void {
    const document = shownDocument();
    const folder = document ? vscode.workspace.getWorkspaceFolder(document.uri) : onlyFolder();
    const floor = vscode.workspace.getConfiguration(SECTION, folder?.uri ?? document?.uri).get<number>('minCodingScore', 50);
    const view = this.problem
      ? serverDownView(this.problem)
      : statusView(floor, this.lastByFolder.get(folderKey(folder?.uri.toString())), this.spendByFolder.get(folderKey(folder?.uri.toString())));
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

/**
 * The file the status bar is about: the active editor's, else (the Output view or a terminal has
 * focus, or no editor is active) the first visible editor showing a file. Output channels are
 * documents too (scheme `output`) and belong to no folder, so they never count.
 */
function shownDocument(): vscode.TextDocument | undefined {
  const candidates = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors];
  return candidates.find((editor) => editor && isFile(editor.document.uri))?.document;
}

function isFile(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' || uri.scheme === 'untitled';
}

/** No file shown: with one folder, its floor is still the one that applies. */
function onlyFolder(): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  return folders.length === 1 ? folders[0] : undefined;
}
