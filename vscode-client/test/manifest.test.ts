// package.json agrees with the code: commands, settings scopes, workspace trust, client library.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import manifest from '../package.json';
import { CLIENT_COMMANDS, SERVER_COMMANDS } from '../src/commands';
import { FOLDER_SETTING_KEYS } from '../src/folderSettings';

const properties: Record<string, { scope?: string }> = manifest.contributes.configuration.properties;

describe('package.json', () => {
  it('contributes exactly the commands the extension registers', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(CLIENT_COMMANDS).sort());
  });

  it('never reuses a server command id (the language client registers those itself)', () => {
    const server = new Set<string>(Object.values(SERVER_COMMANDS));
    assert.deepEqual(Object.values(CLIENT_COMMANDS).filter((id) => server.has(id)), []);
  });

  it('restricts every folder setting in untrusted workspaces', () => {
    const restricted = [...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort();
    assert.deepEqual(restricted, FOLDER_SETTING_KEYS.map((key) => `codefloor.${key}`).sort());
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('reads the server command only from user or machine settings', () => {
    for (const name of ['codefloor.server.command', 'codefloor.server.pythonPath']) {
      assert.ok(['application', 'machine'].includes(properties[name]?.scope ?? ''), `${name} scope`);
    }
  });

  it('bundles the extension to the file it names as main', () => {
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(manifest.scripts['vscode:prepublish'], /build\.mjs --production/);
  });
});

describe('installed vscode-languageclient', () => {
  // Inline completion (LSP 3.18) was a proposed feature in older majors, needing
  // client.registerProposedFeatures(); the installed major registers it by default.
  it('registers the inline completion feature without proposed features', () => {
    const source = readFileSync(resolve(__dirname, '../../node_modules/vscode-languageclient/lib/common/client.js'), 'utf8');
    const builtins = source.slice(source.indexOf('registerBuiltinFeatures()'), source.indexOf('registerProposedFeatures()'));
    assert.match(builtins, /new inlineCompletion_1\.InlineCompletionItemFeature\(this\)/);
  });
});

describe('module layout', () => {
  // Only these talk to VS Code; everything else is plain logic that the unit tests run in Node.
  const VSCODE_GLUE = new Set(['extension.ts', 'serverController.ts', 'statusBar.ts']);
  const src = resolve(__dirname, '../../src');

  it('keeps pure logic free of vscode and vscode-languageclient imports', () => {
    const offenders = readdirSync(src)
      .filter((name) => name.endsWith('.ts') && !VSCODE_GLUE.has(name))
      .filter((name) => /from ['"]vscode(-languageclient[^'"]*)?['"]|require\(['"]vscode/.test(readFileSync(resolve(src, name), 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
