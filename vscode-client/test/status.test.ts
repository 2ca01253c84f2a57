import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RoutingStatus, folderKey, formatCost, isRoutingStatus, serverDownView, statusView } from '../src/status';

const served: RoutingStatus = {
  folder: 'file:///work/app',
  floor: 60,
  model: 'deepseek-chat',
  codingScore: 74.2,
  reason: 'cheapest of 5 eligible models (score >= 60)',
  costUsd: 0.000123,
  latencyMs: 812.4,
  fallbacksTried: 1,
};

describe('statusView', () => {
  it('shows the floor alone before any request', () => {
    const view = statusView(60, undefined);
    assert.equal(view.text, '$(dashboard) ≥60');
    assert.match(view.tooltip, /floor: coding score 60/);
    assert.match(view.tooltip, /No model has served this folder yet/);
  });

  it('shows the floor and the last model, with score, cost and reason in the tooltip', () => {
    const view = statusView(60, served);
    assert.equal(view.text, '$(dashboard) ≥60 · deepseek-chat');
    assert.match(view.tooltip, /deepseek\\-chat\*\* \(coding score 74\.2\)/);
    assert.match(view.tooltip, /Cost: \$0\\\.00012 · 812 ms · 1 fallback tried/);
    assert.ok(view.tooltip.includes('Why: cheapest of 5 eligible models \\(score \\>= 60\\)'), view.tooltip);
    assert.match(view.tooltip, /Click to explain routing/);
  });

  it('names the provider and the task when the server says them', () => {
    const view = statusView(60, { ...served, provider: 'deepseek', task: 'completion' });
    assert.match(view.tooltip, /\*\*deepseek\\-chat\*\* via deepseek \(coding score 74\.2\) for completion/);
  });

  it('uses the folder current floor even when the last request was served under another', () => {
    assert.equal(statusView(85.5, served).text, '$(dashboard) ≥85.5 · deepseek-chat');
  });

  it('escapes markdown from the server', () => {
    const view = statusView(50, { ...served, model: 'evil](http://x)', reason: '[click](command:foo)' });
    assert.ok(!view.tooltip.includes('](command:foo)'));
    assert.ok(!view.tooltip.includes('](http://x)'));
  });

  it('says the server is down', () => {
    const view = serverDownView('cannot find `codefloor`');
    assert.equal(view.text, '$(error) codefloor');
    assert.match(view.tooltip, /not running/);
  });
});

describe('formatCost', () => {
  // The same figures the server prints (selection/wording.py usd), so status and log agree.
  const cases: Array<[number, string]> = [
    [0, '$0'],
    [0.000123, '$0.00012'],
    [0.0011, '$0.0011'],
    [0.0000001, '$0.0000001'],
    [0.01, '$0.01'],
    [0.5, '$0.5'],
    [0.123, '$0.123'],
    [12.345, '$12.35'],
    [-1, 'unknown'],
    [Number.NaN, 'unknown'],
  ];
  for (const [usd, text] of cases) it(`${usd} -> ${text}`, () => assert.equal(formatCost(usd), text));
});

describe('folderKey', () => {
  it('matches the VS Code and Python spellings of the same folder', () => {
    assert.equal(folderKey('file:///c%3A/Users/me/app'), folderKey('file:///C:/Users/me/app/'));
    assert.equal(folderKey('file:///work/my%20app'), folderKey('file:///work/my app'));
    assert.notEqual(folderKey('file:///work/a'), folderKey('file:///work/b'));
    assert.equal(folderKey(null), '');
  });
});

describe('isRoutingStatus', () => {
  it('accepts the server payload and rejects malformed ones', () => {
    assert.ok(isRoutingStatus(served));
    assert.ok(isRoutingStatus({ ...served, folder: null }));
    assert.ok(!isRoutingStatus({ ...served, model: 3 }));
    assert.ok(!isRoutingStatus(null));
    assert.ok(!isRoutingStatus('status'));
  });
});

