// The bundled extension, activated in Node against a stub `vscode` API (test/support/vscodeStub.ts)
// and the real vscode-languageclient, talking LSP over stdio to a real process
// (test/fixtures/fakeServer.ts). Checks the wiring a unit test cannot: the configuration answers
// the server receives per folder, the key in the server's environment, the status bar after a
// codefloor/status notification, and the commands' requests.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { activate, deactivate } from '../src/extension';
import type { StubControl } from './support/vscodeStub';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stub: StubControl = require('vscode').__stub;
const vscodeApi: typeof vscode = require('vscode'); // eslint-disable-line @typescript-eslint/no-require-imports

const FAKE_SERVER = resolve(__dirname, '../fixtures/fakeServer.js');
const OPENAI_KEY = 'sk-e2e-openai-0123456789';
const ANTHROPIC_KEY = 'sk-ant-e2e-9876543210';

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the extension showed:\n${everythingShown()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function fakeContext() {
  const secrets = new Map<string, string>();
  const subscriptions: Array<{ dispose(): unknown }> = [];
  const context = {
    subscriptions,
    secrets: {
      get: async (name: string) => secrets.get(name),
      store: async (name: string, value: string) => void secrets.set(name, value),
      delete: async (name: string) => void secrets.delete(name),
      onDidChange: () => ({ dispose() {} }),
    },
  };
  return { context: context as unknown as vscode.ExtensionContext, secrets, subscriptions };
}

function editorIn(folder: { uri: { toString(): string } }, file: string, selection = new vscodeApi.Selection(0, 0, 0, 0)) {
  return { document: { uri: vscodeApi.Uri.parse(`${folder.uri.toString()}/${file}`) }, selection };
}

function statusText(): string {
  return String(stub.state.statusBarItems.at(-1)?.text);
}

function everythingShown(): string {
  return [...stub.state.outputChannels.flatMap((c) => c.lines), ...stub.state.messages.map((m) => m.text)].join('\n');
}

describe('extension end to end (stub VS Code, real language client, fake server process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codefloor-e2e-'));
  const reportPath = join(dir, 'report.json');
  const report = () => (existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : undefined);
  const alpha = stub.addFolder(join(dir, 'alpha'));
  const beta = stub.addFolder(join(dir, 'beta'));
  const { context, secrets, subscriptions } = fakeContext();

  before(async () => {
    Object.assign(process.env, {
      CODEFLOOR_FAKE_FOLDERS: JSON.stringify([alpha.uri.toString(), beta.uri.toString()]),
      CODEFLOOR_FAKE_REPORT: reportPath,
      CODEFLOOR_FAKE_EXPECTED_KEY: OPENAI_KEY,
      OPENAI_API_KEY: 'inherited-key-that-the-stored-one-replaces',
    });
    stub.settings.user['codefloor.server.command'] = [process.execPath, FAKE_SERVER];
    stub.settings.user['codefloor.minCodingScore'] = 40;
    stub.settings.workspace['codefloor.server.command'] = ['/nonexistent/evil-from-repo'];
    stub.settings.workspace['codefloor.server.pythonPath'] = '/nonexistent/evil-python';
    stub.settings.folders[alpha.uri.toString()] = { 'codefloor.minCodingScore': 70, 'codefloor.completion.debounceMs': 300 };
    stub.settings.folders[beta.uri.toString()] = {
      'codefloor.policy': 'strongest',
      'codefloor.allowedProviders': ['ollama'],
      'codefloor.localOnly': true,
    };
    secrets.set('codefloor.apiKey.openai', OPENAI_KEY);
    stub.setActiveEditor(editorIn(alpha, 'main.py'));
    await activate(context);
    await waitFor('the fake server to pull settings', () => report()?.ready);
  });

  after(async () => {
    await deactivate();
    for (const disposable of subscriptions) disposable.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers workspace/configuration per folder in the server shape, without server.*', () => {
    const defaults = { policy: 'cheapest', allowedProviders: null, localOnly: false, maxCostPerRequestUsd: null, scoreConfidence: 'estimate' };
    assert.deepEqual(report().configuration, [
      { minCodingScore: 70, ...defaults, completion: { enabled: true, minCodingScore: null, debounceMs: 300, maxLatencyMs: 1500, maxCostPerHourUsd: null } },
      {
        minCodingScore: 40,
        ...defaults,
        policy: 'strongest',
        allowedProviders: ['ollama'],
        localOnly: true,
        completion: { enabled: true, minCodingScore: null, debounceMs: 150, maxLatencyMs: 1500, maxCostPerHourUsd: null },
      },
    ]);
  });

  it('starts the user-level command (never the workspace one) with the stored key in its environment', () => {
    assert.equal(report().openaiKeyMatches, true);
    assert.ok(!everythingShown().includes('evil'));
  });

  it('advertises inline completion and workspace/configuration to the server', () => {
    assert.equal(report().inlineCompletionCapability, true);
    assert.equal(report().workspaceConfigurationCapability, true);
  });

  it('shows the folder floor and the model from codefloor/status', async () => {
    await waitFor('status text', () => statusText() === '$(dashboard) ≥70 · fake-coder');
    const tooltip = (stub.state.statusBarItems.at(-1)?.tooltip as { value: string }).value;
    assert.match(tooltip, /coding score 81\.5/);
    assert.match(tooltip, /\$0\\\.0021/);
    stub.setActiveEditor(editorIn(beta, 'lib.py'));
    assert.equal(statusText(), '$(dashboard) ≥40');
  });

  it('explains routing for the active file in the output channel', async () => {
    stub.setActiveEditor(editorIn(beta, 'lib.py'));
    await vscodeApi.commands.executeCommand('codefloor.showRoutingExplanation');
    const uri = `${beta.uri.toString()}/lib.py`;
    assert.deepEqual(report().commands.at(-1), { command: 'codefloor.explainRouting', arguments: [uri] });
    const channel = stub.state.outputChannels.find((c) => c.name === 'codefloor: routing & usage');
    const shown = channel?.lines.join('\n') ?? '';
    assert.match(shown, new RegExp(`Routing for ${beta.uri.toString()}: floor 40, policy strongest`));
    assert.match(shown, /→\s+fake-coder\s+81\.5\s+ollama\s+\$0/);
  });

  it('sends the selection and instruction to codefloor.editSelection', async () => {
    stub.setActiveEditor(editorIn(alpha, 'main.py', new vscodeApi.Selection(1, 0, 2, 5)));
    stub.state.inputBoxAnswers.push('  add type hints ');
    await vscodeApi.commands.executeCommand('codefloor.editSelectionWithInstruction');
    assert.deepEqual(report().commands.at(-1), {
      command: 'codefloor.editSelection',
      arguments: [`${alpha.uri.toString()}/main.py`, { start: { line: 1, character: 0 }, end: { line: 2, character: 5 } }, 'add type hints'],
    });
    assert.deepEqual(stub.state.messages, [], 'an applied edit needs no message');
  });

  it('writes a validated floor to the folder settings and tells the server to pull again', async () => {
    stub.setActiveEditor(editorIn(alpha, 'main.py'));
    stub.state.inputBoxAnswers.push('85');
    await vscodeApi.commands.executeCommand('codefloor.setFolderFloor');
    const box = stub.state.inputBoxOptions.at(-1) as { value: string; validateInput(text: string): string | undefined };
    assert.equal(box.value, '70');
    assert.match(box.validateInput('101') ?? '', /0 to 100/);
    assert.deepEqual(stub.updates.at(-1), { key: 'codefloor.minCodingScore', value: 85, target: 3, folder: alpha.uri.toString() });
    assert.equal(statusText(), '$(dashboard) ≥85 · fake-coder');
    await waitFor('didChangeConfiguration with settings null', () => report().didChangeConfiguration.includes(null));
  });

  it('clears the error in the status bar when the client restarts a crashed server', async () => {
    const crashedPid = report().pid;
    // The language client registered the server's commands; this one makes the fake exit.
    void Promise.resolve(vscodeApi.commands.executeCommand('fake.crash')).catch(() => undefined);
    await waitFor('a restarted server', () => report()?.ready && report().pid !== crashedPid);
    await waitFor('the status bar to recover', () => statusText().startsWith('$(dashboard)'));
    assert.ok(!everythingShown().includes('did not start'), 'a crash is not a start failure');
  });

  it('stores a new API key in secret storage and restarts the server with it, never showing it', async () => {
    const firstPid = report().pid;
    stub.state.quickPickAnswers.push('anthropic');
    stub.state.inputBoxAnswers.push(ANTHROPIC_KEY);
    await vscodeApi.commands.executeCommand('codefloor.setApiKey');
    assert.equal(secrets.get('codefloor.apiKey.anthropic'), ANTHROPIC_KEY);
    assert.equal((stub.state.inputBoxOptions.at(-1) as { password: boolean }).password, true);
    await waitFor('the restarted server', () => report()?.ready && report().pid !== firstPid);
    assert.deepEqual(report().apiKeyVariables, ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
    const shown = everythingShown();
    assert.ok(!shown.includes(OPENAI_KEY) && !shown.includes(ANTHROPIC_KEY));
  });
});

describe('extension end to end: a server that cannot start', () => {
  const { context, subscriptions } = fakeContext();

  after(async () => {
    await deactivate();
    for (const disposable of subscriptions) disposable.dispose();
  });

  it('says what was run, why it failed and what to do; the status bar shows it', async () => {
    stub.state.messages.splice(0);
    // Like `python -m codefloor serve` without codefloor installed: the process exits at once.
    stub.settings.user['codefloor.server.command'] = [process.execPath, '-e', 'console.error("No module named codefloor"); process.exit(1)'];
    await activate(context);
    const error = await waitFor('the start failure message', () =>
      stub.state.messages.find((m) => m.level === 'error' && m.text.includes('did not start')),
    );
    assert.match(error.text, /from codefloor\.server\.command/);
    assert.match(error.text, /pip install codefloor.*codefloor\.server\.pythonPath/);
    assert.equal(statusText(), '$(error) codefloor');
  });

  it('answers commands with the reason instead of failing silently', async () => {
    stub.state.messages.splice(0);
    await vscodeApi.commands.executeCommand('codefloor.showUsage');
    assert.match(stub.state.messages.at(-1)?.text ?? '', /codefloor server is not running: codefloor: the language server did not start/);
  });
});
