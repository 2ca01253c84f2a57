import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editOutcomeMessage, renderCommandResult } from '../src/render';

// Shapes as server/codefloor/lsp/features/commands.py returns them (CandidateView and
// ledger.summary() through _plain).
const card = (id: string, score: number | null) => ({ id, display_name: id, coding_score: score, score_source: 'aider-polyglot' });
const route = (provider: string) => ({ provider, model_name: 'x', input_price_per_mtok: 1, output_price_per_mtok: 2, supports_fim: false });

const explanation = {
  folder: 'file:///work/app',
  floor: 60,
  policy: 'cheapest',
  task: 'action',
  candidates: [
    { card: card('claude-sonnet-4-5', 80.4), route: route('anthropic'), expected_cost_usd: 0.012, available: false, eligible: false, why_not: ['anthropic not configured: set ANTHROPIC_API_KEY'], pareto: false, chosen: false },
    { card: card('gpt-4.1-mini', 65), route: route('openai'), expected_cost_usd: 0.0004, available: true, eligible: true, why_not: [], pareto: true, chosen: false },
    { card: card('qwen2.5-coder-7b', 40), route: route('ollama'), expected_cost_usd: 0, available: true, eligible: false, why_not: ['below floor 60'], pareto: true, chosen: false },
    { card: card('deepseek-chat', 70.2), route: route('deepseek'), expected_cost_usd: 0.00021, available: true, eligible: true, why_not: [], pareto: true, chosen: true },
  ],
};

describe('renderCommandResult: routing explanation', () => {
  const text = renderCommandResult(explanation);
  const lines = text.split('\n');

  it('heads with the folder, floor, policy and task', () => {
    assert.equal(lines[0], 'Routing for file:///work/app: floor 60, policy cheapest, action requests');
    assert.equal(lines[1], '2 of 4 models eligible');
  });

  it('lists the chosen model first, then eligible, then the rest with why not', () => {
    const rows = lines.slice(4);
    assert.deepEqual(rows.map((row) => row.split(/\s+/)[1]), ['deepseek-chat', 'gpt-4.1-mini', 'qwen2.5-coder-7b', 'claude-sonnet-4-5']);
    assert.match(rows[0], /^→\s+deepseek-chat\s+70\.2\s+deepseek\s+\$0\.00021$/);
    assert.match(rows[2], /^✗\s+qwen2\.5-coder-7b\s+40\s+ollama\s+\$0\s+below floor 60$/);
    assert.match(rows[3], /anthropic not configured: set ANTHROPIC_API_KEY$/);
  });

  it('aligns the columns', () => {
    const rows = lines.slice(3);
    const column = (row: string) => row.indexOf('score') >= 0 ? row.indexOf('score') : -1;
    assert.ok(column(rows[0]) > 0);
    for (const row of rows.slice(1)) assert.match(row.slice(column(rows[0])), /^\d/);
  });

  it('says when nothing was chosen and names files outside folders', () => {
    const none = renderCommandResult({ ...explanation, folder: '', candidates: explanation.candidates.map((c) => ({ ...c, chosen: false, eligible: false })) });
    assert.match(none, /^Routing for files outside any workspace folder/);
    assert.match(none, /0 of 4 models eligible — none chosen/);
  });
});

describe('renderCommandResult: usage', () => {
  const usage = {
    since: null,
    total_usd: 0.0123,
    attempts: 5,
    by_day: [{ day: '2026-11-25', attempts: 5, ok: 4, input_tokens: 1200, output_tokens: 300, cost_usd: 0.0123 }],
    by_folder: [{ folder: 'file:///work/app', attempts: 5, ok: 4, input_tokens: 1200, output_tokens: 300, cost_usd: 0.0123 }],
    by_model: [
      { model: 'deepseek-chat', attempts: 4, ok: 4, input_tokens: 1000, output_tokens: 250, cost_usd: 0.0003 },
      { model: 'gpt-4.1', attempts: 1, ok: 0, input_tokens: null, output_tokens: null, cost_usd: 0.012 },
    ],
  };
  const text = renderCommandResult(usage);

  it('totals, then groups by model, folder and day', () => {
    assert.match(text, /^Usage so far: \$0\.012 over 5 attempts/);
    assert.match(text, /By model:\n {2}deepseek-chat\s+4 attempts \(4 ok\)\s+1000 in \/ 250 out tokens\s+\$0\.0003\n {2}gpt-4\.1\s+1 attempts \(0 ok\)\s+0 in \/ 0 out tokens\s+\$0\.012/);
    assert.match(text, /By folder:\n {2}file:\/\/\/work\/app/);
    assert.match(text, /By day \(UTC\):\n {2}2026-11-25/);
  });

  it('names the start day when there is one', () => {
    assert.match(renderCommandResult({ ...usage, since: '2026-11-01' }), /^Usage since 2026-11-01:/);
  });
});

describe('renderCommandResult: other results', () => {
  it('passes text through, prefers markdown/text fields, else pretty JSON', () => {
    assert.equal(renderCommandResult('plain'), 'plain');
    assert.equal(renderCommandResult({ markdown: '# Routing' }), '# Routing');
    assert.equal(renderCommandResult({ a: 1 }), '{\n  "a": 1\n}');
    assert.match(renderCommandResult(null), /no result/);
  });
  it('does not mistake a malformed explanation for a real one', () => {
    assert.equal(renderCommandResult({ floor: 60, candidates: [1] }), '{\n  "floor": 60,\n  "candidates": [\n    1\n  ]\n}');
  });
});

describe('editOutcomeMessage', () => {
  it('stays quiet when the edit was applied and says so when it was not', () => {
    assert.equal(editOutcomeMessage({ applied: true }), undefined);
    assert.match(editOutcomeMessage({ applied: false }) ?? '', /no edit was applied/);
    assert.equal(editOutcomeMessage(null), undefined);
  });
});
