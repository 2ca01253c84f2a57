import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEYED_PROVIDERS, PROVIDER_KEY_ENV, secretName, serverEnvironment, validateApiKey } from '../src/apiKeys';

describe('serverEnvironment', () => {
  it('adds stored keys under the provider variable and keeps the rest of the environment', () => {
    const env = serverEnvironment({ PATH: '/bin', HOME: '/home/me', UNSET: undefined }, { openai: 'sk-test-1', anthropic: undefined });
    assert.deepEqual(env, { PATH: '/bin', HOME: '/home/me', OPENAI_API_KEY: 'sk-test-1' });
  });

  it('lets a stored key win over an inherited one', () => {
    const env = serverEnvironment({ DEEPSEEK_API_KEY: 'old' }, { deepseek: 'new' });
    assert.equal(env.DEEPSEEK_API_KEY, 'new');
  });

  it('does not modify the editor environment', () => {
    const base = { PATH: '/bin' };
    serverEnvironment(base, { xai: 'k' });
    assert.deepEqual(base, { PATH: '/bin' });
  });

  it('refuses a provider without a key variable', () => {
    assert.throws(() => serverEnvironment({}, { ollama: 'k' }), /no key variable for provider 'ollama'/);
  });
});

describe('provider keys', () => {
  it('cover only providers that take a key, each with its own variable', () => {
    assert.ok(!KEYED_PROVIDERS.includes('ollama') && !KEYED_PROVIDERS.includes('embedded'));
    const variables = Object.values(PROVIDER_KEY_ENV);
    assert.equal(new Set(variables).size, variables.length);
    assert.ok(variables.every((v) => /^[A-Z]+_API_KEY$/.test(v)));
  });
  it('are stored under a per-provider secret name', () => {
    assert.equal(secretName('gemini'), 'codefloor.apiKey.gemini');
  });
  it('validate pasted keys', () => {
    assert.equal(validateApiKey('sk-abc'), undefined);
    assert.equal(validateApiKey(''), undefined);
    assert.match(validateApiKey('sk-abc def') ?? '', /no spaces/);
    assert.match(validateApiKey('sk-abc\nsk-def') ?? '', /no spaces/);
  });
});
