import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CompletionSpend,
  type RoutingStatus,
  clock,
  folderKey,
  formatCost,
  isCompletionSpend,
  isRoutingStatus,
  serverDownView,
  statusView,
} from '../src/status';

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

const spend: CompletionSpend = {
  folder: 'file:///work/app',
  perHourOfUse: {
    usdPerHour: 0.42,
    attempts: 812,
    windowDays: 7,
    text: '$0.42/h of use over the last 7 days ($0.55 for 1.31 h of use, from 812 completion attempts in the ledger)',
  },
  lastHour: null,
};

describe('statusView with the completion spend', () => {
  it('adds the cost per hour of use, with its window and source, before the click hint', () => {
    const view = statusView(60, served, spend);
    assert.equal(view.text, '$(dashboard) ≥60 · deepseek-chat');
    const parts = view.tooltip.split('\n\n');
    assert.match(parts[parts.length - 2], /^Completions: \$0\\\.42\/h of use over the last 7 days .*812 completion attempts in the ledger/);
    assert.match(parts[parts.length - 1], /Click to explain routing/);
    assert.doesNotMatch(view.tooltip, /Hourly limit/);
  });

  it('shows the hour against the limit while it runs', () => {
    const lastHour = { spentUsd: 0.12, limitUsd: 0.5, paused: false, resumesAt: null, text: '$0.12 spent on completions in this folder in the last hour, of completion.maxCostPerHourUsd $0.50' };
    const view = statusView(60, undefined, { ...spend, lastHour });
    assert.equal(view.text, '$(dashboard) ≥60');
    assert.match(view.tooltip, /Hourly limit: \$0\\\.12 spent/);
  });

  it('says in the status bar that automatic completions pause, with the spend, the limit and when they resume', () => {
    const resumesAt = '2026-12-01T19:41:05.000+00:00';
    const lastHour = { spentUsd: 0.52, limitUsd: 0.5, paused: true, resumesAt, text: 'automatic completions paused: $0.52 spent ...; invoked completions still run' };
    const view = statusView(60, served, { ...spend, lastHour });
    assert.equal(view.text, `$(debug-pause) ≥60 · completions paused ($0.52 of $0.5/h) until ${clock(resumesAt)}`);
    assert.match(view.tooltip, /Hourly limit: automatic completions paused/);
    assert.match(view.tooltip, /Last model: \*\*deepseek\\-chat/); // the routing lines stay
  });

  it('rounds the resume time up to the minute', () => {
    const at = new Date(2026, 11, 1, 19, 41, 5);
    assert.equal(clock(at.toISOString()), '19:42');
    assert.equal(clock(new Date(2026, 11, 1, 19, 41, 0).toISOString()), '19:41');
    assert.equal(clock('soon'), 'soon');
  });
});

describe('isCompletionSpend', () => {
  it('accepts the server payload and rejects malformed ones', () => {
    assert.ok(isCompletionSpend(spend));
    assert.ok(isCompletionSpend({ ...spend, folder: null }));
    assert.ok(!isCompletionSpend({ ...spend, perHourOfUse: null }));
    assert.ok(!isCompletionSpend({ ...spend, lastHour: { paused: 'yes', text: 'x' } }));
    assert.ok(!isCompletionSpend({ ...spend, lastHour: undefined }));
    assert.ok(!isCompletionSpend(null));
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

