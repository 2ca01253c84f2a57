// The per-folder settings the server pulls with workspace/configuration (section "codefloor").
// The keys come from package.json (resource scope), which a Python test keeps equal to the
// server's schema (codefloor.settings.FolderSettings), so client and server cannot drift.
import manifest from '../package.json';

export const SECTION = 'codefloor';

interface ContributedProperty {
  scope?: string;
}

const contributed: Record<string, ContributedProperty> = manifest.contributes.configuration.properties;

/** Dotted camelCase keys under "codefloor." that a folder may set, e.g. "completion.debounceMs". */
export const FOLDER_SETTING_KEYS: readonly string[] = Object.entries(contributed)
  .filter(([, property]) => property.scope === 'resource')
  .map(([name]) => name.slice(SECTION.length + 1));

/**
 * The server's camelCase shape for one folder: only folder settings (never server.* or trace.*),
 * dotted keys nested ("completion.enabled" -> {completion: {enabled}}).
 */
export function folderSettingsPayload(
  get: (key: string) => unknown,
  keys: readonly string[] = FOLDER_SETTING_KEYS,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const key of keys) {
    const value = get(key);
    if (value === undefined) continue;
    const path = key.split('.');
    let node = payload;
    for (const part of path.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return payload;
}

export interface ConfigurationItemLike {
  section?: string;
  scopeUri?: string;
}

/**
 * Answer a workspace/configuration request: "codefloor" items get the folder's settings,
 * every other item keeps the language client's default answer.
 */
export function answerConfiguration(
  items: readonly ConfigurationItemLike[],
  defaults: readonly unknown[],
  folderPayload: (scopeUri: string | undefined) => Record<string, unknown>,
): unknown[] {
  return items.map((item, index) => (item.section === SECTION ? folderPayload(item.scopeUri) : defaults[index] ?? null));
}

/** Validate the floor typed into the "set this folder's floor" input box; undefined = valid. */
export function validateFloor(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || !/^\d+(\.\d+)?$/.test(trimmed)) return 'Enter a number from 0 to 100 (e.g. 60).';
  const value = Number(trimmed);
  if (value > 100) return 'The floor is a coding score from 0 to 100.';
  return undefined;
}

export function parseFloor(text: string): number {
  const problem = validateFloor(text);
  if (problem) throw new Error(problem);
  return Number(text.trim());
}

/**
 * A setting that may only come from the user: the user-level value (or the default), never a
 * workspace's. VS Code already ignores workspace values for machine-scoped settings; this makes
 * the rule hold even if the scope were changed by mistake.
 */
export function userLevelValue<T>(inspected: { globalValue?: T; defaultValue?: T } | undefined): T | undefined {
  return inspected?.globalValue ?? inspected?.defaultValue;
}
