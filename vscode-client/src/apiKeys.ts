// Which environment variable carries each provider's key into the server process.
// providerKeys.json mirrors server/codefloor/config.py PROVIDERS (a Python test keeps them equal).
import providerKeyEnv from './providerKeys.json';

export const PROVIDER_KEY_ENV: Readonly<Record<string, string>> = providerKeyEnv;

export const KEYED_PROVIDERS: readonly string[] = Object.keys(PROVIDER_KEY_ENV);

/** SecretStorage entry name for a provider's key. */
export function secretName(provider: string): string {
  return `codefloor.apiKey.${provider}`;
}

/**
 * The environment for the spawned server: the editor's own environment plus the keys stored in
 * SecretStorage. A stored key wins over an inherited variable: the user set it here on purpose.
 */
export function serverEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  storedKeys: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined) env[name] = value;
  }
  for (const [provider, key] of Object.entries(storedKeys)) {
    const variable = PROVIDER_KEY_ENV[provider];
    if (variable === undefined) throw new Error(`codefloor: no key variable for provider '${provider}'`);
    if (key) env[variable] = key;
  }
  return env;
}

/** InputBox validation for a pasted key: no whitespace inside (a common copy/paste slip). */
export function validateApiKey(text: string): string | undefined {
  const key = text.trim();
  if (key === '') return undefined; // empty = remove the stored key
  if (/\s/.test(key)) return 'An API key has no spaces or line breaks; paste just the key.';
  return undefined;
}
