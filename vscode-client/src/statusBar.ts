// The status bar item: the active editor's folder floor and the last model that served it.
import * as vscode from 'vscode';
import { CLIENT_COMMANDS } from './commands';
import { SECTION } from './folderSettings';
import { type RoutingStatus, folderKey, serverDownView, statusView } from './status';

export class FloorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('codefloor.status', vscode.StatusBarAlignment.Right, 100);
  private readonly lastByFolder = new Map<string, RoutingStatus>();
  private problem: string | undefined;

  constructor() {
    this.item.name = 'codefloor';
    this.item.command = CLIENT_COMMANDS.showRoutingExplanation;
  }

  record(status: RoutingStatus): void {
    this.lastByFolder.set(folderKey(status.folder), status);
    this.refresh();
  }

  setProblem(problem: string | undefined): void {
    this.problem = problem;
    this.refresh();
  }

  refresh(): void {
    const document = vscode.window.activeTextEditor?.document;
    const folder = document ? vscode.workspace.getWorkspaceFolder(document.uri) : undefined;
    const floor = vscode.workspace.getConfiguration(SECTION, folder?.uri ?? document?.uri).get<number>('minCodingScore', 50);
    const view = this.problem
      ? serverDownView(this.problem)
      : statusView(floor, this.lastByFolder.get(folderKey(folder?.uri.toString())));
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
