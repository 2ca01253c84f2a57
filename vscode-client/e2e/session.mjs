// One real VS Code session for the checks: code-server on 127.0.0.1 with private HOME, user-data
// and extensions directories, the packaged .vsix installed, the repository's Python server, a
// loopback fake OpenAI-compatible provider, and Debian's Chromium driven by playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureInstalled } from './install.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CLIENT_DIR = resolve(HERE, '..');
export const REPO_ROOT = resolve(CLIENT_DIR, '..');
export const ARTIFACTS = join(REPO_ROOT, '.ci-artifacts', 'vscode-e2e');
export const OPENAI_KEY = 'sk-e2e-env-key-0000';
/** What the fake provider answers every model call with (a body for `add`, a completion, ...). */
export const MODEL_TEXT = 'return a + b';

export function repoPython() {
  if (process.env.CODEFLOOR_PYTHON) return process.env.CODEFLOOR_PYTHON;
  return join(REPO_ROOT, '.venv', 'bin', 'python');
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export async function waitFor(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function findVsix() {
  const found = readdirSync(CLIENT_DIR).filter((name) => name.endsWith('.vsix'));
  if (found.length !== 1) throw new Error(`expected one .vsix in ${CLIENT_DIR} (run \`npm run ci\` first), found ${found.length}`);
  return join(CLIENT_DIR, found[0]);
}

async function startFakeProvider(python, logFile) {
  const child = spawn(python, ['-m', 'tests.fakes.server', '--wire', 'openai', '--port', '0', '--text', MODEL_TEXT], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk) => writeFileSync(logFile, chunk, { flag: 'a' }));
  const port = await new Promise((resolvePort, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      if (buffered.includes('\n')) resolvePort(buffered.split('\n')[0].trim());
    });
    child.once('exit', (code) => reject(new Error(`fake provider exited (${code}) before printing its port`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

export class Session {
  /** Everything set up and the workbench open on the two-folder workspace. */
  static async open() {
    const session = new Session();
    await session.setUp();
    return session;
  }

  constructor() {
    this.children = [];
    this.timings = {};
  }

  async setUp() {
    // Screenshots of this run only.
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const python = repoPython();
    execFileSync(python, ['-c', 'import codefloor.lsp.server'], { stdio: 'pipe' });
    this.python = python;

    const installed = ensureInstalled();
    this.timings.install = installed;
    this.root = mkdtempSync(join(tmpdir(), 'codefloor-e2e-'));
    const dirs = ['home', 'user-data/User', 'user-data/Machine', 'extensions', 'chromium', 'bin', 'data', 'ws/alpha/.vscode', 'ws/beta/.vscode'];
    for (const dir of dirs) mkdirSync(join(this.root, dir), { recursive: true });
    this.userData = join(this.root, 'user-data');
    this.ws = join(this.root, 'ws');

    // The folders: a cheap floor and a strict one.
    // alpha also tries to choose the server program: a workspace must never be able to.
    this.writeJson(join(this.ws, 'alpha/.vscode/settings.json'), { 'codefloor.minCodingScore': 30, 'codefloor.server.command': ['/bin/false'] });
    this.writeJson(join(this.ws, 'beta/.vscode/settings.json'), { 'codefloor.minCodingScore': 90 });
    writeFileSync(join(this.ws, 'alpha/broken.json'), '{"a": 1 "b": 2}\n');
    writeFileSync(join(this.ws, 'alpha/calc.py'), 'def add(a, b):\n    """Add two numbers."""\n');
    writeFileSync(join(this.ws, 'alpha/more.py'), 'def mul(a, b):\n    return a * b\n\n\ndef sub(a, b):\n    return a - b\n');
    writeFileSync(join(this.ws, 'alpha/typed.py'), 'def twice(x):\n    return x + x\n');
    writeFileSync(join(this.ws, 'beta/pay.py'), 'def total(items):\n    """Sum of the prices."""\n');
    this.workspaceFile = join(this.ws, 'e2e.code-workspace');
    writeFileSync(this.workspaceFile, JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }] }, null, 2));

    // User settings: a quiet workbench. The server command is machine-scoped, so in this remote
    // window (code-server) it is read from the Remote settings (user-data/Machine/settings.json).
    this.writeJson(join(this.userData, 'User/settings.json'), {
      'workbench.startupEditor': 'none',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'window.restoreWindows': 'none',
      'files.autoSave': 'off',
      'editor.inlineSuggest.enabled': true,
      'editor.quickSuggestions': { other: false, comments: false, strings: false },
      'editor.suggestOnTriggerCharacters': false,
      'editor.lightbulb.enabled': 'on',
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.banner': 'never',
    });
    this.setServerSettings({ 'codefloor.server.command': [python, '-m', 'codefloor', 'serve'] });

    // PATH for code-server (and so for the extension host): Node 24, and a python3 that has no
    // codefloor (Debian's), for the fallback check. No `codefloor` on it.
    const path = [installed.nodeBin, '/usr/bin', '/bin'].join(':');

    const vsix = findVsix();
    const t0 = Date.now();
    execFileSync(installed.node, [installed.codeServer, '--user-data-dir', this.userData, '--extensions-dir', join(this.root, 'extensions'), '--install-extension', vsix], {
      stdio: 'pipe',
      env: { HOME: join(this.root, 'home'), PATH: path },
    });
    this.timings.installExtension = (Date.now() - t0) / 1000;

    this.fake = await startFakeProvider(python, join(ARTIFACTS, 'fake-provider.log'));
    this.children.push(this.fake.child);
    const config = join(this.root, 'home', 'codefloor-config.toml');
    writeFileSync(config, '# user-level config for the e2e run: nothing beyond the defaults\n');

    this.port = await freePort();
    const env = {
      HOME: join(this.root, 'home'),
      PATH: path,
      LANG: 'C.UTF-8',
      CODEFLOOR_CONFIG: config,
      CODEFLOOR_DATA_DIR: join(this.root, 'data'),
      OPENAI_API_KEY: OPENAI_KEY,
      CODEFLOOR_OPENAI_BASE_URL: `${this.fake.url}/v1`,
      // The Set-API-key check configures DeepSeek: its calls go to the fake too, never out.
      CODEFLOOR_DEEPSEEK_BASE_URL: this.fake.url,
    };
    const t1 = Date.now();
    const server = spawn(
      installed.node,
      [
        installed.codeServer,
        '--bind-addr', `127.0.0.1:${this.port}`,
        '--auth', 'none',
        '--user-data-dir', this.userData,
        '--extensions-dir', join(this.root, 'extensions'),
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-getting-started-override',
        '--ignore-last-opened',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.children.push(server);
    const serverLog = join(ARTIFACTS, 'code-server.log');
    writeFileSync(serverLog, '');
    server.stdout.on('data', (chunk) => writeFileSync(serverLog, chunk, { flag: 'a' }));
    server.stderr.on('data', (chunk) => writeFileSync(serverLog, chunk, { flag: 'a' }));
    this.url = `http://127.0.0.1:${this.port}`;
    await waitFor('code-server to answer /healthz', async () => (await fetch(`${this.url}/healthz`)).ok, 60_000);
    this.timings.codeServerStart = (Date.now() - t1) / 1000;

    const t2 = Date.now();
    this.context = await chromium.launchPersistentContext(join(this.root, 'chromium'), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1400, height: 850 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    await this.page.goto(`${this.url}/?workspace=${encodeURIComponent(this.workspaceFile)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    this.timings.workbench = (Date.now() - t2) / 1000;
  }

  writeJson(file, value) {
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  }

  /** The Remote settings file, where VS Code reads machine-scoped settings in a remote window. */
  setServerSettings(settings) {
    this.writeJson(join(this.userData, 'Machine/settings.json'), settings);
  }

  /** The extension's log output channel ("codefloor"), as the extension host writes it to disk. */
  outputLog() {
    return this.channelFiles((name) => name === 'codefloor.log');
  }

  /** The "codefloor: routing & usage" output channel, from disk. */
  resultsLog() {
    return this.channelFiles((name) => name.endsWith('codefloor routing & usage.log'));
  }

  channelFiles(matches) {
    const files = [];
    const walk = (dir) => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (matches(entry.name)) files.push(full);
      }
    };
    walk(join(this.userData, 'logs'));
    return files.map((file) => readFileSync(file, 'utf8')).join('\n');
  }

  async fakeRequests() {
    return (await fetch(`${this.fake.url}/_fake/requests`)).json();
  }

  async screenshot(name) {
    const file = join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    await this.page.screenshot({ path: file }).catch(() => undefined);
    return file;
  }

  async close() {
    await this.context?.close().catch(() => undefined);
    // Keep the extension's output channels with the screenshots; the rest of the run goes.
    if (this.userData) {
      writeFileSync(join(ARTIFACTS, 'codefloor-output.log'), this.outputLog());
      writeFileSync(join(ARTIFACTS, 'codefloor-routing-and-usage.log'), this.resultsLog());
    }
    for (const child of this.children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    await Promise.all(
      this.children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)),
    );
    if (this.root) rmSync(this.root, { recursive: true, force: true });
  }
}
