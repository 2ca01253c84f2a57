// Small flat config: recommended JS + TypeScript rules over the sources, tests and scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': ['error'],
    },
  },
  {
    // The real-VS-Code harness: plain Node ESM scripts.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { setTimeout: 'readonly', fetch: 'readonly' } },
  },
);
