import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentErrors, ServerLogLevels } from '../src/serverLog';

describe('ServerLogLevels', () => {
  it('keeps the level the server logged at (a pygls warning is not an error)', () => {
    const levels = new ServerLogLevels();
    assert.equal(levels.level('2026-12-01 16:05:01,123 pygls.protocol.json_rpc WARNING Cancel notification for unknown message id "7"'), 'warn');
    assert.equal(levels.level('2026-12-01 16:05:01,124 codefloor.lsp.server INFO folder settings'), 'info');
    assert.equal(levels.level('2026-12-01 16:05:01,125 codefloor.lsp.server DEBUG sent'), 'debug');
    assert.equal(levels.level('2026-12-01 16:05:01,126 codefloor.router ERROR provider failed'), 'error');
    assert.equal(levels.level('2026-12-01 16:05:01,127 asyncio CRITICAL loop died'), 'error');
  });

  it('gives a traceback the level of the record it belongs to', () => {
    const levels = new ServerLogLevels();
    levels.level('2026-12-01 16:05:01,123 pygls.server WARNING handler raised');
    assert.equal(levels.level('Traceback (most recent call last):'), 'warn');
    assert.equal(levels.level('ValueError: x'), 'warn');
  });

  it('treats output before any log record as an error (Python failed before logging started)', () => {
    assert.equal(new ServerLogLevels().level("ModuleNotFoundError: No module named 'codefloor'"), 'error');
  });
});

describe('RecentErrors', () => {
  it('keeps the last few non-empty lines', () => {
    const recent = new RecentErrors(2);
    assert.equal(recent.last(), undefined);
    for (const line of ['a', '', 'b', 'c']) recent.add(line);
    assert.equal(recent.last(), 'c');
    recent.clear();
    assert.equal(recent.last(), undefined);
  });
});
