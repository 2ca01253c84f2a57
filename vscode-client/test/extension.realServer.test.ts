// The extension (stub VS Code, real language client) against the real `python -m codefloor serve`
// from this repository: the server must accept the per-folder settings the client sends without
// a single complaint, answer codefloor.explainRouting in the shape the client renders, and serve an
// inline completion through a loopback fake OpenAI (tests/fakes) whose codefloor/status reaches
// the status bar.
// Python: $CODEFLOOR_PYTHON, else <repo>/.venv/bin/python (what .ci/run builds), else python3.
// It must have codefloor installed; the test fails (does not skip) when it has not.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { activate, deactivate } from '../src/extension';
import type { StubControl } from './support/vscodeStub';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stub: StubControl = require('vscode').__stub;
const vscodeApi: typeof vscode = require('vscode'); // eslint-disable-line @typescript-eslint/no-require-imports

const OPENAI_KEY = 'sk-real-server-test-5555';
const REPO_ROOT = resolve(__dirname, '../../..');
const COMPLETION_TEXT = 'return a + b';

/** `python -m tests.fakes.server --wire openai`: prints its port on the first stdout line. */
async function startFakeOpenAI(python: string): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(python, ['-m', 'tests.fakes.server', '--wire', 'openai', '--port', '0', '--text', COMPLETION_TEXT], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolvePort, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('\n')) resolvePort(buffered.split('\n')[0].trim());
    });
    child.on('exit', (code) => reject(new Error(`fake OpenAI server exited (${code}) before printing its port`)));
  });
  return { process: child, url: `http://127.0.0.1:${port}` };
}

function repoPython(): string {
  if (process.env.CODEFLOOR_PYTHON) return process.env.CODEFLOOR_PYTHON;
  const venv = resolve(__dirname, '../../../.venv/bin/python');
  return existsSync(venv) ? venv : 'python3';
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the extension showed:\n${shown()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function shown(): string {
  return [...stub.state.outputChannels.flatMap((c) => c.lines), ...stub.state.messages.map((m) => `[${m.level}] ${m.text}`)].join('\n');
}

describe('extension against the real codefloor server', () => {
  const python = repoPython();
  const dir = mkdtempSync(join(tmpdir(), 'codefloor-real-'));
  const secrets = new Map<string, string>([['codefloor.apiKey.openai', OPENAI_KEY]]);
  const subscriptions: Array<{ dispose(): unknown }> = [];
  const context = {
    subscriptions,
    secrets: {
      get: async (name: string) => secrets.get(name),
      store: async (name: string, value: string) => void secrets.set(name, value),
      delete: async (name: string) => void secrets.delete(name),
      onDidChange: () => ({ dispose() {} }),
    },
  } as unknown as vscode.ExtensionContext;
  let alpha: { uri: vscode.Uri };
  let beta: { uri: vscode.Uri };
  let fakeOpenAI: { process: ChildProcess; url: string } | undefined;

  before(async () => {
    try {
      execFileSync(python, ['-c', 'import codefloor.lsp.server'], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`${python} cannot import codefloor (${String(error)}); set CODEFLOOR_PYTHON to a Python with codefloor[test] installed`, { cause: error });
    }
    stub.state.workspaceFolders.splice(0);
    stub.state.outputChannels.splice(0);
    stub.state.messages.splice(0);
    alpha = stub.addFolder(join(dir, 'alpha')) as unknown as { uri: vscode.Uri };
    beta = stub.addFolder(join(dir, 'beta')) as unknown as { uri: vscode.Uri };
    // Isolate the server from this machine's user config, ledger and keys.
    for (const name of Object.keys(process.env)) if (name.endsWith('_API_KEY')) delete process.env[name];
    fakeOpenAI = await startFakeOpenAI(python);
    Object.assign(process.env, {
      CODEFLOOR_CONFIG: join(dir, 'config.toml'),
      CODEFLOOR_DATA_DIR: join(dir, 'data'),
      CODEFLOOR_OPENAI_BASE_URL: `${fakeOpenAI.url}/v1`,
    });
    stub.settings.user = { 'codefloor.server.command': [python, '-m', 'codefloor', 'serve'] };
    stub.settings.workspace = {};
    stub.settings.folders = {
      [alpha.uri.toString()]: { 'codefloor.minCodingScore': 72.5, 'codefloor.completion.debounceMs': 300 },
      [beta.uri.toString()]: { 'codefloor.policy': 'strongest', 'codefloor.allowedProviders': ['openai'], 'codefloor.maxCostPerRequestUsd': 0.5 },
    };
    stub.setActiveEditor({ document: { uri: vscodeApi.Uri.parse(`${alpha.uri.toString()}/main.py`) }, selection: new vscodeApi.Selection(0, 0, 0, 0) });
    await activate(context);
  });

  after(async () => {
    await deactivate();
    fakeOpenAI?.process.kill();
    for (const disposable of subscriptions) disposable.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the server applies each folder its own settings, with no setting reported as bad', async () => {
    await waitFor('the server to log folder settings', () =>
      shown().includes(`${alpha.uri.toString()}: minCodingScore 72.5, policy cheapest`) &&
      shown().includes(`${beta.uri.toString()}: minCodingScore 50, policy strongest`),
    );
    assert.doesNotMatch(shown(), /setting '.*' = .* ignored/);
  });

  it('explains routing for a file with the folder floor, in the shape the client renders', async () => {
    await vscodeApi.commands.executeCommand('codefloor.showRoutingExplanation');
    const results = stub.state.outputChannels.find((c) => c.name === 'codefloor: routing & usage');
    const text = results?.lines.join('\n') ?? '';
    assert.match(text, new RegExp(`Routing for ${alpha.uri.toString()}: floor 72\\.5, policy cheapest, action requests`), shown());
    assert.match(text, /^\d+ of \d+ models eligible/m);
    // With only an OpenAI key stored, an eligible OpenAI model is chosen and others say why not.
    assert.match(text, /^→\s+\S+\s+[\d.]+\s+openai\s+\$/m);
    assert.match(text, /not configured: set ANTHROPIC_API_KEY/);
  });

  it('serves an inline completion from the fake provider and shows the model in the status bar', async () => {
    const document = stub.openDocument(vscodeApi.Uri.parse(`${alpha.uri.toString()}/calc.py`), 'def add(a, b):\n    ');
    stub.setActiveEditor({ document, selection: new vscodeApi.Selection(1, 4, 1, 4) });
    const provider = (await waitFor('the inline completion provider', () =>
      stub.providers.get('registerInlineCompletionItemProvider'),
    )) as vscode.InlineCompletionItemProvider;
    const token = new vscodeApi.CancellationTokenSource().token;
    const context = { triggerKind: vscodeApi.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined };
    const result = await provider.provideInlineCompletionItems(document as unknown as vscode.TextDocument, new vscodeApi.Position(1, 4), context, token);
    const items = Array.isArray(result) ? result : (result?.items ?? []);
    assert.ok(items.some((item) => String(item.insertText).includes(COMPLETION_TEXT)), `completion items: ${JSON.stringify(items)}\n${shown()}`);
    const text = await waitFor('the status bar to name the model', () => {
      const current = String(stub.state.statusBarItems.at(-1)?.text);
      return current.startsWith('$(dashboard) ≥72.5 · ') && current;
    });
    const tooltip = (stub.state.statusBarItems.at(-1)?.tooltip as { value: string }).value;
    assert.match(tooltip, /via openai \(coding score \d[^\n]*\) for completion/, `${text}\n${tooltip}`);
    // codefloor/completionSpend: the folder's cost per hour of use, naming its window and source.
    const spend = await waitFor('the tooltip to show the completion spend', () => {
      const current = (stub.state.statusBarItems.at(-1)?.tooltip as { value: string }).value;
      return current.includes('Completions: ') && current;
    });
    assert.match(spend, /Completions: no cost per hour of use yet: 1 completion attempt in the ledger over the last 7 days/, spend);
    const requests = (await (await fetch(`${fakeOpenAI?.url}/_fake/requests`)).json()) as unknown[];
    assert.ok(requests.length >= 1, 'the fake provider was called');
  });

  it('shows usage from the real ledger, grouped by model', async () => {
    await vscodeApi.commands.executeCommand('codefloor.showUsage');
    const results = stub.state.outputChannels.find((c) => c.name === 'codefloor: routing & usage');
    const text = results?.lines.join('\n') ?? '';
    assert.match(text, /^Usage so far: \$[\d.]+ over [1-9]\d* attempts/, text);
    assert.match(text, /By model:\n {2}\S+\s+[1-9]\d* attempts \([1-9]\d* ok\)/, text);
    assert.match(text, new RegExp(`By folder:\n {2}${alpha.uri.toString()}`), text);
  });

  it('never shows the stored key', () => {
    assert.ok(!shown().includes(OPENAI_KEY));
  });
});
