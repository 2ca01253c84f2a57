import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FOLDER_SETTING_KEYS,
  answerConfiguration,
  folderSettingsPayload,
  parseFloor,
  userLevelValue,
  validateFloor,
} from '../src/folderSettings';

describe('folder settings keys', () => {
  it('are the resource-scoped settings of package.json, without user-only ones', () => {
    assert.ok(FOLDER_SETTING_KEYS.includes('minCodingScore'));
    assert.ok(FOLDER_SETTING_KEYS.includes('completion.debounceMs'));
    assert.ok(!FOLDER_SETTING_KEYS.some((key) => key.startsWith('server.') || key.startsWith('trace.')));
  });
});

describe('folderSettingsPayload', () => {
  it('nests dotted keys into the server camelCase shape', () => {
    const values: Record<string, unknown> = {
      minCodingScore: 70,
      policy: 'balanced',
      'completion.enabled': false,
      'completion.debounceMs': 300,
      'server.command': ['evil'],
    };
    const payload = folderSettingsPayload((key) => values[key], ['minCodingScore', 'policy', 'completion.enabled', 'completion.debounceMs']);
    assert.deepEqual(payload, { minCodingScore: 70, policy: 'balanced', completion: { enabled: false, debounceMs: 300 } });
  });

  it('never carries keys outside the folder schema', () => {
    const payload = folderSettingsPayload((key) => (key === 'minCodingScore' ? 55 : key === 'server.command' ? ['x'] : undefined));
    assert.deepEqual(payload, { minCodingScore: 55 });
  });

  it('keeps null (unset optional settings) so the server sees them', () => {
    assert.deepEqual(folderSettingsPayload(() => null, ['maxCostPerRequestUsd', 'completion.minCodingScore']), {
      maxCostPerRequestUsd: null,
      completion: { minCodingScore: null },
    });
  });
});

describe('answerConfiguration', () => {
  it('answers "codefloor" items per folder and leaves other sections to the default', () => {
    const seen: Array<string | undefined> = [];
    const answers = answerConfiguration(
      [{ section: 'codefloor', scopeUri: 'file:///a' }, { section: 'editor' }, { section: 'codefloor', scopeUri: 'file:///b' }],
      [{ server: { command: ['x'] } }, { tabSize: 4 }, {}],
      (scopeUri) => {
        seen.push(scopeUri);
        return { minCodingScore: scopeUri === 'file:///a' ? 40 : 80 };
      },
    );
    assert.deepEqual(answers, [{ minCodingScore: 40 }, { tabSize: 4 }, { minCodingScore: 80 }]);
    assert.deepEqual(seen, ['file:///a', 'file:///b']);
  });
});

describe('validateFloor', () => {
  for (const ok of ['0', '60', '100', ' 72.5 ']) {
    it(`accepts ${JSON.stringify(ok)}`, () => assert.equal(validateFloor(ok), undefined));
  }
  for (const bad of ['', 'abc', '-1', '100.5', '101', '1e2', 'NaN', '50%']) {
    it(`rejects ${JSON.stringify(bad)} with a message`, () => assert.match(validateFloor(bad) ?? '', /0 to 100/));
  }
  it('parses what it accepts and throws on the rest', () => {
    assert.equal(parseFloor(' 72.5 '), 72.5);
    assert.throws(() => parseFloor('101'), /0 to 100/);
  });
});

describe('userLevelValue', () => {
  it('never returns a workspace value', () => {
    const inspected = { defaultValue: null, globalValue: undefined, workspaceValue: ['/tmp/evil'], workspaceFolderValue: ['x'] };
    assert.equal(userLevelValue<unknown>(inspected), null);
  });
  it('prefers the user value over the default', () => {
    assert.deepEqual(userLevelValue<unknown>({ defaultValue: null, globalValue: ['codefloor', 'serve'] }), ['codefloor', 'serve']);
  });
});
