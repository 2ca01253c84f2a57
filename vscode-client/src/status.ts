// Status bar text and tooltip for the active editor's folder. Pure: no `vscode` import.

/** Payload of the server's `codefloor/status` notification. */
export interface RoutingStatus {
  folder: string | null;
  floor: number;
  model: string;
  codingScore: number;
  scoreSummary?: string; // e.g. "82.7 +/- 10.2 (mapped from SWE-bench bash-only 70.6, n=13)"
  reason: string;
  costUsd: number;
  latencyMs: number;
  fallbacksTried: number;
  provider?: string;
  task?: string;
}

/** Payload of the server's `codefloor/completionSpend` notification (server: lsp/spend_status.py). */
export interface CompletionSpend {
  folder: string | null;
  /** What completions cost per hour of use in this folder, from the ledger (`text` names window and source). */
  perHourOfUse: { usdPerHour: number | null; attempts: number; windowDays: number; text: string };
  /** The rolling hour against completion.maxCostPerHourUsd; null when the folder sets no limit. */
  lastHour: { spentUsd: number; limitUsd: number; paused: boolean; resumesAt: string | null; text: string } | null;
}

export function isCompletionSpend(value: unknown): value is CompletionSpend {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const use = v.perHourOfUse as Record<string, unknown> | null | undefined;
  const hour = v.lastHour as Record<string, unknown> | null | undefined;
  return (
    (v.folder === null || typeof v.folder === 'string') &&
    typeof use === 'object' && use !== null && typeof use.text === 'string' &&
    (hour === null || (typeof hour === 'object' && hour !== undefined && typeof hour.paused === 'boolean' && typeof hour.text === 'string'))
  );
}

export interface StatusView {
  text: string;
  tooltip: string; // markdown
}

/** Compare folder URIs the way VS Code and Python may spell them (file:///c%3A/x vs file:///C:/x/). */
export function folderKey(uri: string | null | undefined): string {
  if (!uri) return '';
  let text: string;
  try {
    text = decodeURIComponent(uri);
  } catch {
    text = uri;
  }
  text = text.replace(/\/+$/, '');
  return text.replace(/^file:\/\/\/([a-zA-Z]):/, (_match, drive: string) => `file:///${drive.toLowerCase()}:`);
}

export function isRoutingStatus(value: unknown): value is RoutingStatus {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.folder === null || typeof v.folder === 'string') &&
    typeof v.model === 'string' &&
    typeof v.floor === 'number' &&
    typeof v.codingScore === 'number' &&
    typeof v.costUsd === 'number'
  );
}

/** Same wording as the server (selection/wording.py usd): 2 significant digits below a cent. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd) || usd < 0) return 'unknown';
  if (usd === 0) return '$0';
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  const digits = usd >= 0.01 ? 3 : 1 - Math.floor(Math.log10(usd));
  return `$${usd.toFixed(digits).replace(/0+$/, '')}`;
}

export function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}

/** Escape text from the server before it goes into markdown. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/**
 * `floor` is this folder's current setting (it may have changed since `last` was served);
 * `last` is the most recent status the server reported for this folder, if any; `spend` the
 * folder's latest completion spend. While its hourly limit pauses automatic completions, the
 * item says so with the hour's spend, the limit and when they resume (local time).
 */
export function statusView(floor: number, last: RoutingStatus | undefined, spend?: CompletionSpend): StatusView {
  const view = routingView(floor, last);
  if (!spend) return view;
  const lines = [`Completions: ${md(spend.perHourOfUse.text)}`];
  if (spend.lastHour) lines.push(`Hourly limit: ${md(spend.lastHour.text)}`);
  const parts = view.tooltip.split('\n\n');
  parts.splice(parts.length - 1, 0, ...lines); // before "Click to explain routing."
  const hour = spend.lastHour;
  if (!hour?.paused) return { text: view.text, tooltip: parts.join('\n\n') };
  const until = hour.resumesAt ? ` until ${clock(hour.resumesAt)}` : '';
  return {
    text: `$(debug-pause) ≥${formatScore(floor)} · completions paused (${formatCost(hour.spentUsd)} of ${formatCost(hour.limitUsd)}/h)${until}`,
    tooltip: parts.join('\n\n'),
  };
}

/** An ISO time as HH:MM on this machine's clock, rounded up to the minute (never earlier than it). */
export function clock(iso: string): string {
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return iso;
  const when = new Date(Math.ceil(ms / 60_000) * 60_000);
  return `${String(when.getHours()).padStart(2, '0')}:${String(when.getMinutes()).padStart(2, '0')}`;
}

function routingView(floor: number, last: RoutingStatus | undefined): StatusView {
  const floorText = `≥${formatScore(floor)}`;
  if (!last) {
    return {
      text: `$(dashboard) ${floorText}`,
      tooltip: `**codefloor** · this folder's floor: coding score ${formatScore(floor)}\n\nNo model has served this folder yet.\n\n_Click to explain routing._`,
    };
  }
  const fallbacks = last.fallbacksTried > 0 ? ` · ${last.fallbacksTried} fallback${last.fallbacksTried === 1 ? '' : 's'} tried` : '';
  const latency = Number.isFinite(last.latencyMs) ? ` · ${Math.round(last.latencyMs)} ms` : '';
  return {
    text: `$(dashboard) ${floorText} · ${last.model}`,
    tooltip: [
      `**codefloor** · this folder's floor: coding score ${formatScore(floor)}`,
      `Last model: **${md(last.model)}**${last.provider ? ` via ${md(last.provider)}` : ''} (coding score ${last.scoreSummary ? md(last.scoreSummary) : formatScore(last.codingScore)})${last.task ? ` for ${md(last.task)}` : ''}`,
      `Cost: ${md(formatCost(last.costUsd))}${latency}${fallbacks}`,
      `Why: ${md(last.reason)}`,
      '_Click to explain routing._',
    ].join('\n\n'),
  };
}

export function serverDownView(problem: string): StatusView {
  return { text: '$(error) codefloor', tooltip: `**codefloor server is not running**\n\n${md(problem)}` };
}

