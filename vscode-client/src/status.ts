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
 * `last` is the most recent status the server reported for this folder, if any.
 */
export function statusView(floor: number, last: RoutingStatus | undefined): StatusView {
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

