// Command ids. The server's own commands are registered by the language client under their own
// names, so the client's commands must use different ids (a duplicate id fails activation).

/** Commands the server implements (workspace/executeCommand). Fixed protocol names. */
export const SERVER_COMMANDS = {
  explainRouting: 'codefloor.explainRouting',
  usage: 'codefloor.usage',
  editSelection: 'codefloor.editSelection',
} as const;

/** Commands this extension contributes (package.json contributes.commands). */
export const CLIENT_COMMANDS = {
  setFolderFloor: 'codefloor.setFolderFloor',
  showRoutingExplanation: 'codefloor.showRoutingExplanation',
  showUsage: 'codefloor.showUsage',
  editSelectionWithInstruction: 'codefloor.editSelectionWithInstruction',
  setApiKey: 'codefloor.setApiKey',
  restartServer: 'codefloor.restartServer',
} as const;

export const STATUS_NOTIFICATION = 'codefloor/status';
export const SPEND_NOTIFICATION = 'codefloor/completionSpend';

export function validateInstruction(text: string): string | undefined {
  return text.trim() === '' ? 'Say what to change, e.g. "add type hints" or "handle the empty list".' : undefined;
}
