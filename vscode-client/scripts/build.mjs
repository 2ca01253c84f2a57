// Bundle the extension (dist/extension.js) or the unit tests (out/test/*.test.js) with esbuild.
//   node scripts/build.mjs [--production] [--tests]
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

if (tests) {
  rmSync('out', { recursive: true, force: true });
  const entryPoints = readdirSync('test')
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => `test/${name}`);
  // Unit tests cover the modules that do not import `vscode`; marking it external makes a stray
  // import fail loudly at run time instead of being bundled.
  await build({ ...common, entryPoints, outdir: 'out/test', external: ['vscode'], sourcemap: 'inline' });
  // The end-to-end test's stand-ins: `require('vscode')` from out/test resolves to the stub, and a
  // fake language server process. Kept outside out/test so the test runner does not run them.
  await build({ ...common, entryPoints: ['test/support/vscodeStub.ts'], outfile: 'out/node_modules/vscode/index.js' });
  await build({ ...common, entryPoints: ['test/fixtures/fakeServer.ts'], outfile: 'out/fixtures/fakeServer.js' });
} else {
  await build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
  });
}
