// The extension in a real VS Code (code-server, the real extension host) driven through its UI by
// Debian's Chromium. Each check is a named test; a failing one leaves a screenshot under
// .ci-artifacts/vscode-e2e/. Run after `npm run ci` (which packages the .vsix):
//   node --test --test-reporter=spec e2e/vscode.e2e.mjs
// Needs: the repository's .venv (or $CODEFLOOR_PYTHON) with codefloor, /usr/bin/chromium, and
// what e2e/install.mjs installs from npm (cached under ~/.cache/codefloor-e2e).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MODEL_TEXT, OPENAI_KEY, Session, waitFor } from './session.mjs';
import { Workbench } from './workbench.mjs';

const SET_KEY = 'sk-e2e-secret-via-ui-4242';
/** Notifications that show the language client talking about itself instead of the cause. */
const NOISE = /-32097|crashed \d+ times|connection got disposed|couldn't create connection/i;

describe('codefloor in a real VS Code (code-server)', { concurrency: false }, () => {
  /** @type {Session} */
  let session;
  /** @type {Workbench} */
  let wb;
  const started = Date.now();

  before(async () => {
    session = await Session.open();
    wb = new Workbench(session.page);
  });

  after(async () => {
    if (session) {
      const t = session.timings;
      process.stdout.write(
        `# timings: install ${t.install.cached ? 'cached' : 'fresh'} ${t.install.seconds.toFixed(1)} s, ` +
          `extension install ${t.installExtension.toFixed(1)} s, code-server up ${t.codeServerStart.toFixed(1)} s, ` +
          `workbench ${t.workbench.toFixed(1)} s, whole run ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
      await session.close();
    }
  });

  /** A named check; on failure a screenshot is kept and the output channel saved beside it. */
  const check = (name, fn) =>
    it(name, async () => {
      try {
        await fn();
      } catch (error) {
        const shot = await session?.screenshot(name);
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n  screenshot: ${shot}`, { cause: error });
      }
    });

  const starts = () => session.outputLog().split('\n').filter((line) => line.includes('] starting ')).length;
  /** The codefloor error notifications (an earlier check's information message may still be listed). */
  const codefloorNotifications = async () => (await wb.notifications({ errorsOnly: true })).filter((text) => /codefloor/i.test(text));

  check('activation without error notifications', async () => {
    await wb.waitStatus(/≥\d+/, 60_000);
    await waitFor('the server to start', () => session.outputLog().includes('starting '), 30_000);
    const notes = await wb.notifications();
    assert.deepEqual(notes.filter((n) => /codefloor|error/i.test(n)), [], 'no codefloor or error notification after activation');
  });

  check('untrusted workspace: the folder floor and a workspace server command are ignored', async () => {
    // alpha's folder settings say 30, and its workspace file tries to set the server command;
    // restricted mode must leave the user level (default 50) and the real server running.
    await wb.openFile('calc.py', 'alpha');
    await wb.waitStatus(/^≥50\b/);
    const log = session.outputLog();
    assert.doesNotMatch(log, /\/bin\/false/, 'the workspace chose the server command');
    await wb.runCommand('Workspaces: Manage Workspace Trust');
    const trust = session.page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust/ }).first();
    await trust.click();
    await wb.waitStatus(/^≥30\b/);
    await wb.escape();
    await session.page.keyboard.press('Control+W');
  });

  let alphaModel;
  check('two folders: each folder floor in the status bar, actions titled with different models', async () => {
    await wb.openFile('calc.py', 'alpha');
    await wb.waitStatus(/^≥30\b/);
    await wb.goTo(1, 5);
    const alpha = await wb.codeActions();
    await wb.escape();
    const alphaTitle = alpha.find((t) => t.startsWith('Generate body'));
    assert.ok(alphaTitle, `Generate body offered in alpha: ${JSON.stringify(alpha)}`);
    const alphaMatch = /^Generate body · (\S+) \(([\d.]+) ≥ 30\)/.exec(alphaTitle);
    assert.ok(alphaMatch, alphaTitle);

    await wb.openFile('pay.py', 'beta');
    await wb.waitStatus(/^≥90\b/);
    await wb.goTo(1, 5);
    const beta = await wb.codeActions();
    await wb.escape();
    const betaTitle = beta.find((t) => t.startsWith('Generate body'));
    const betaMatch = /^Generate body · (\S+) \(([\d.]+) ≥ 90\)/.exec(betaTitle ?? '');
    assert.ok(betaMatch, `beta: ${JSON.stringify(beta)}`);
    assert.notEqual(alphaMatch[1], betaMatch[1], 'the two floors pick different models');
    assert.ok(Number(betaMatch[2]) >= 90 && Number(alphaMatch[2]) >= 30);
    alphaModel = alphaMatch[1];
  });

  check('Generate body edits the document and the edit survives save', async () => {
    await wb.openFile('calc.py', 'alpha');
    await wb.goTo(1, 5);
    await wb.codeActions();
    await wb.pickCodeAction('Generate body');
    await waitFor('the body in the editor', async () => (await wb.editorText()).includes(MODEL_TEXT), 30_000);
    await wb.save();
    await waitFor('the body on disk', () => readFileSync(join(session.ws, 'alpha/calc.py'), 'utf8').includes(MODEL_TEXT), 10_000);
  });

  check('the status bar then names the model; its tooltip the score, cost and reason', async () => {
    const text = await wb.waitStatus(/^≥30 · \S+/);
    assert.ok(!alphaModel || text.includes(alphaModel), `${text} names ${alphaModel}`);
    const tooltip = await wb.statusTooltip();
    assert.match(tooltip, /coding score [\d.]+/);
    assert.match(tooltip, /Cost: \$[\d.]+/);
    assert.match(tooltip, /Why: \S+/);
  });

  check('clicking the status bar shows the routing explanation', async () => {
    const before = session.resultsLog().split('Routing for ').length;
    await wb.statusItem().click();
    await waitFor('a new routing explanation', () => session.resultsLog().split('Routing for ').length > before, 20_000);
    const explanation = session.resultsLog().split('Routing for ').at(-1);
    assert.match(explanation, /^\S*alpha: floor 30, policy cheapest/);
    assert.match(explanation, /\d+ of \d+ models eligible/);
    assert.match(explanation, /^→\s+\S+\s+[\d.]+\s+openai\s+\$/m, 'the chosen model is marked');
    // ... and the Output view shows that channel (scrolled to its end: the models that are not configured).
    await waitFor('the Output view on the routing channel', async () => /routing/.test(await wb.outputChannelShown()), 10_000);
    await waitFor('the explanation in the Output view', async () => /not configured: set \w+_API_KEY/.test(await wb.panelText()), 10_000);
  });

  check('with the Output view focused, the status bar keeps the visible file folder floor', async () => {
    // Focus in the Output view's text: the active editor is then the output channel (no folder),
    // while calc.py (alpha, floor 30) is still the file on screen.
    await wb.openFile('calc.py', 'alpha');
    await wb.waitStatus(/^≥30\b/);
    await wb.runCommand('Output: Focus on Output View');
    await wb.clickIntoPanelText();
    await wb.waitStatus(/^≥30\b/, 10_000);
    await wb.openFile('pay.py', 'beta');
    await wb.waitStatus(/^≥90\b/);
    await wb.clickIntoPanelText();
    await wb.waitStatus(/^≥90\b/, 10_000);
  });

  check('inline completion shows ghost text and Tab accepts it', async () => {
    await wb.openFile('more.py', 'alpha');
    await session.page.keyboard.press('Control+End');
    // Enter after the header indents the body line by itself.
    await session.page.keyboard.type('\n\ndef add3(a, b):\n', { delay: 20 });
    // Ghost text is drawn as injected text (CSS content), so it is found by its decoration and
    // must not be in the document until Tab accepts it.
    const ghost = session.page.locator('.editor-group-container.active .monaco-editor .ghost-text-decoration');
    await waitFor('ghost text', async () => (await ghost.allInnerTexts()).join('').includes('return'), 30_000);
    await session.page.keyboard.press('Tab');
    await waitFor('the ghost text to become text', async () => (await ghost.count()) === 0, 10_000);
    await waitFor('the accepted completion in the editor', async () => (await wb.editorText()).includes(MODEL_TEXT), 10_000);
    await wb.save();
    await waitFor('the accepted completion on disk', () => /def add3\(a, b\):\n\s+return a \+ b/.test(readFileSync(join(session.ws, 'alpha/more.py'), 'utf8')), 10_000);
  });

  check('Edit selection with an instruction applies through the real UI', async () => {
    await wb.openFile('typed.py', 'alpha');
    await wb.goTo(2, 1);
    await session.page.keyboard.press('End');
    await session.page.keyboard.press('Shift+Home');
    await wb.runCommand('codefloor: Edit selection with an instruction');
    await wb.answerInput('add the other operand');
    await waitFor('the edited selection', async () => (await wb.editorText()).includes(MODEL_TEXT), 30_000);
    await wb.save();
    await waitFor('the edit on disk', () => readFileSync(join(session.ws, 'alpha/typed.py'), 'utf8').includes(MODEL_TEXT), 10_000);
  });

  check('Fix diagnostic applies through the real UI', async () => {
    await wb.openFile('broken.json', 'alpha');
    await waitFor('a diagnostic in the editor', async () => (await session.page.locator('.monaco-editor .squiggly-error').count()) > 0, 30_000);
    await wb.goTo(1, 10);
    const titles = await wb.codeActions();
    assert.ok(titles.some((t) => t.startsWith('Fix: ')), JSON.stringify(titles));
    await wb.pickCodeAction('Fix: ');
    await waitFor('the fix in the editor', async () => (await wb.editorText()).includes(MODEL_TEXT), 30_000);
  });

  check('Write tests applies through the real UI', async () => {
    await wb.openFile('more.py', 'alpha');
    await wb.goTo(1, 5);
    const titles = await wb.codeActions();
    assert.ok(titles.some((t) => t.startsWith('Write tests')), JSON.stringify(titles));
    await wb.pickCodeAction('Write tests');
    await waitFor('a test file with the answer', async () => {
      await wb.runCommand('File: Save All Files');
      return findTestFile(session.ws)?.includes(MODEL_TEXT);
    }, 30_000);
  });

  check('the output channel has no error lines in normal use', async () => {
    const log = session.outputLog();
    assert.ok(log.length > 0, 'the codefloor output channel was found on disk');
    const errors = log.split('\n').filter((line) => /\[error\]/.test(line));
    assert.deepEqual(errors, []);
    assert.ok(!log.includes(OPENAI_KEY), 'the key from the environment is not logged');
  });

  check('"Set API key" stores the key in SecretStorage and the server sees it', async () => {
    await wb.openFile('calc.py', 'alpha');
    const before = starts();
    await wb.runCommand('codefloor: Set API key');
    await wb.pickQuickItem('deepseek');
    await wb.answerInput(SET_KEY);
    await waitFor('the server to restart with the key', () => starts() > before, 30_000);
    await wb.waitStatus(/^≥30\b/);
    await waitFor('the confirmation', async () => (await wb.notifications()).some((n) => /stored the key for deepseek/.test(n)), 10_000);
    const explained = session.resultsLog().split('Routing for ').length;
    await wb.runCommand('codefloor: Explain routing for this file');
    await waitFor('the explanation', () => session.resultsLog().split('Routing for ').length > explained, 20_000);
    const text = session.resultsLog().split('Routing for ').at(-1);
    assert.match(text, /\sdeepseek\s/, 'deepseek models are listed');
    assert.doesNotMatch(text, /deepseek not configured/, 'the server sees DEEPSEEK_API_KEY');
    for (const file of settingsFiles(session)) assert.ok(!readFileSync(file, 'utf8').includes(SET_KEY), `${file} holds no key`);
    assert.ok(!session.outputLog().includes(SET_KEY), 'the key is not logged');
  });

  check('python3 fallback without codefloor: one actionable error, no crash loop', async () => {
    await wb.clearNotifications();
    session.setServerSettings({});
    await waitFor('the fallback error', () => /No module named .?codefloor/.test(session.outputLog()), 30_000);
    await wb.waitStatus(/codefloor/);
    // Give a crash loop time to show itself before counting.
    await new Promise((r) => setTimeout(r, 3000));
    const notes = await codefloorNotifications();
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.match(notes[0], /\/usr\/bin\/python3.* -m pip install codefloor/);
    assert.match(notes[0], /Remote settings/);
    assert.doesNotMatch(notes.join('\n'), NOISE);
  });

  check('a bad server command shows an actionable error, and fixing it recovers', async () => {
    await wb.clearNotifications();
    session.setServerSettings({ 'codefloor.server.command': ['/nonexistent/codefloor', 'serve'] });
    await waitFor('the start error', () => session.outputLog().includes('spawn /nonexistent/codefloor ENOENT'), 30_000);
    const notes = await codefloorNotifications();
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.match(notes[0], /did not start/);
    assert.match(notes[0], /Remote settings/);
    assert.doesNotMatch(notes.join('\n'), NOISE);
    // The fix: an interpreter instead (a change of pythonPath alone must restart the server).
    session.setServerSettings({ 'codefloor.server.pythonPath': session.python });
    await waitFor('a restart from pythonPath', () => session.outputLog().includes('(from codefloor.server.pythonPath)'), 30_000);
    await wb.waitStatus(/^≥30\b/);
    await wb.goTo(1, 5);
    const titles = await wb.codeActions();
    await wb.escape();
    assert.ok(titles.some((t) => t.startsWith('Add docstring') || t.startsWith('Write tests')), JSON.stringify(titles));
    const after = await codefloorNotifications();
    assert.ok(after.length <= 1, `the error is not repeated after recovery: ${JSON.stringify(after)}`);
  });

  check('README screenshot: status bar and code-action menu', async () => {
    await wb.openFile('pay.py', 'beta');
    await wb.waitStatus(/^≥90\b/);
    await wb.goTo(1, 5);
    await wb.codeActions();
    const file = await session.screenshot('readme-code-actions');
    assert.ok(existsSync(file));
    await wb.escape();
  });
});

function findTestFile(ws) {
  const candidates = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.')) walk(full);
      else if (/^test_more\.py$/.test(entry.name)) candidates.push(full);
    }
  };
  walk(ws);
  return candidates.length ? readFileSync(candidates[0], 'utf8') : undefined;
}

function settingsFiles(session) {
  const files = [join(session.userData, 'User/settings.json'), join(session.userData, 'Machine/settings.json')];
  for (const folder of ['alpha', 'beta']) files.push(join(session.ws, folder, '.vscode/settings.json'));
  files.push(session.workspaceFile);
  return files.filter((file) => existsSync(file));
}
