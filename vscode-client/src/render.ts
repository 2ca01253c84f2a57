// Text for the "codefloor: routing & usage" output channel, from the server's command results
// (lsp/features/commands.py). Unknown shapes fall back to pretty JSON so nothing is hidden.
import { formatCost, formatScore } from './status';

interface CandidateRow {
  card: { id: string; coding_score: number | null; score_source?: string | null };
  route: { provider: string; model_name: string };
  expected_cost_usd: number;
  eligible: boolean;
  available: boolean;
  why_not: string[];
  chosen: boolean;
  pareto?: boolean;
}

interface Explanation {
  folder: string;
  floor: number;
  policy: string;
  task: string;
  candidates: CandidateRow[];
}

interface UsageGroup {
  attempts: number;
  ok: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number;
  [key: string]: unknown;
}

interface UsageSummary {
  since: string | null;
  total_usd: number;
  attempts: number;
  by_day: UsageGroup[];
  by_folder: UsageGroup[];
  by_model: UsageGroup[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function isExplanation(value: unknown): value is Explanation {
  return isObject(value) && typeof value.floor === 'number' && Array.isArray(value.candidates) &&
    value.candidates.every((row) => isObject(row) && isObject(row.card) && isObject(row.route));
}

function isUsage(value: unknown): value is UsageSummary {
  return isObject(value) && typeof value.total_usd === 'number' && Array.isArray(value.by_model) && Array.isArray(value.by_folder);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column].length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}

export function renderExplanation(explanation: Explanation): string {
  const where = explanation.folder || 'files outside any workspace folder';
  const order = (row: CandidateRow) => (row.chosen ? 0 : row.eligible ? 1 : row.available ? 2 : 3);
  const rows = [...explanation.candidates].sort((a, b) => order(a) - order(b));
  const eligible = rows.filter((row) => row.eligible).length;
  const lines = [
    `Routing for ${where}: floor ${formatScore(explanation.floor)}, policy ${explanation.policy}, ${explanation.task} requests`,
    `${eligible} of ${rows.length} models eligible${rows.some((row) => row.chosen) ? '' : ' — none chosen'}`,
    '',
    ...table([
      ['', 'model', 'score', 'provider', 'cost/request', 'why not'],
      ...rows.map((row) => [
        row.chosen ? '→' : row.eligible ? '✓' : '✗',
        row.card.id,
        row.card.coding_score === null ? '-' : formatScore(row.card.coding_score),
        row.route.provider,
        formatCost(row.expected_cost_usd),
        row.why_not.join('; '),
      ]),
    ]),
  ];
  return lines.join('\n');
}

export function renderUsage(usage: UsageSummary): string {
  const group = (title: string, key: string, rows: UsageGroup[]) =>
    rows.length === 0
      ? []
      : [
          '',
          `By ${title}:`,
          ...table(
            rows.map((row) => [
              `  ${String(row[key] || '(none)')}`,
              `${row.attempts} attempts (${row.ok} ok)`,
              `${row.input_tokens ?? 0} in / ${row.output_tokens ?? 0} out tokens`,
              formatCost(row.cost_usd),
            ]),
          ),
        ];
  return [
    `Usage ${usage.since ? `since ${usage.since}` : 'so far'}: ${formatCost(usage.total_usd)} over ${usage.attempts} attempts`,
    ...group('model', 'model', usage.by_model),
    ...group('folder', 'folder', usage.by_folder),
    ...group('day (UTC)', 'day', usage.by_day),
  ].join('\n');
}

/** Any executeCommand result as text: known shapes get a readable layout, others pretty JSON. */
export function renderCommandResult(result: unknown): string {
  if (result === null || result === undefined) return '(no result: the server showed a message or logged why)';
  if (typeof result === 'string') return result;
  if (isExplanation(result)) return renderExplanation(result);
  if (isUsage(result)) return renderUsage(result);
  if (isObject(result)) {
    for (const field of ['markdown', 'text', 'message']) {
      if (typeof result[field] === 'string') return result[field] as string;
    }
  }
  return JSON.stringify(result, null, 2);
}

/** What to tell the user after codefloor.editSelection ({applied: boolean}); undefined = nothing. */
export function editOutcomeMessage(result: unknown): string | undefined {
  if (isObject(result) && result.applied === true) return undefined; // the edit is visible in the editor
  if (isObject(result) && result.applied === false) {
    return 'codefloor: no edit was applied (see the codefloor output channel for why).';
  }
  return result === null || result === undefined ? undefined : renderCommandResult(result);
}
