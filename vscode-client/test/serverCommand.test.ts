import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ServerCommandError,
  findOnPath,
  importCheck,
  importFailureMessage,
  resolveServerCommand,
  startFailureMessage,
} from '../src/serverCommand';

const posix = (executables: string[], PATH = '/usr/local/bin:/usr/bin') => ({
  env: { PATH },
  platform: 'linux',
  isExecutable: (file: string) => executables.includes(file),
});

describe('resolveServerCommand', () => {
  it('uses the configured command first', () => {
    const resolved = resolveServerCommand({ command: ['/opt/cf/bin/codefloor', 'serve', '--log-level', 'debug'], pythonPath: '/usr/bin/python3', ...posix(['/usr/bin/codefloor']) });
    assert.deepEqual(resolved, { command: '/opt/cf/bin/codefloor', args: ['serve', '--log-level', 'debug'], origin: 'codefloor.server.command' });
  });

  it('rejects a malformed command with an example', () => {
    for (const bad of ['codefloor serve', [], ['codefloor', 3], ['']]) {
      assert.throws(() => resolveServerCommand({ command: bad, pythonPath: null, ...posix([]) }), (error: Error) => {
        assert.ok(error instanceof ServerCommandError);
        assert.match(error.message, /list of non-empty strings, e\.g\./);
        return true;
      });
    }
  });

  it('runs the configured interpreter with -m codefloor serve', () => {
    const resolved = resolveServerCommand({ command: null, pythonPath: '/home/me/.venv/bin/python', ...posix(['/usr/bin/codefloor']) });
    assert.deepEqual(resolved, { command: '/home/me/.venv/bin/python', args: ['-m', 'codefloor', 'serve'], origin: 'codefloor.server.pythonPath' });
  });

  it('finds codefloor on PATH, in PATH order', () => {
    const resolved = resolveServerCommand({ command: null, pythonPath: null, ...posix(['/usr/bin/codefloor', '/usr/local/bin/codefloor']) });
    assert.deepEqual(resolved, { command: '/usr/local/bin/codefloor', args: ['serve'], origin: 'PATH' });
  });

  it('falls back to python3 -m codefloor serve', () => {
    const resolved = resolveServerCommand({ command: null, pythonPath: '', ...posix(['/usr/bin/python3', '/usr/bin/python']) });
    assert.deepEqual(resolved, { command: '/usr/bin/python3', args: ['-m', 'codefloor', 'serve'], origin: 'python3 on PATH' });
  });

  it('says what to do when nothing is found', () => {
    assert.throws(
      () => resolveServerCommand({ command: null, pythonPath: null, ...posix([]) }),
      /pip install codefloor.*codefloor\.server\.pythonPath.*codefloor\.server\.command/,
    );
  });
});

describe('findOnPath', () => {
  it('uses PATHEXT and ; on Windows', () => {
    const found = findOnPath('codefloor', {
      env: { Path: 'C:\\Python312\\Scripts;C:\\Windows', PATHEXT: '.COM;.EXE' },
      platform: 'win32',
      isExecutable: (file) => file === 'C:\\Python312\\Scripts\\codefloor.EXE',
    });
    assert.equal(found, 'C:\\Python312\\Scripts\\codefloor.EXE');
  });
  it('skips empty PATH entries instead of searching the current directory', () => {
    const probed: string[] = [];
    findOnPath('codefloor', { env: { PATH: '::/bin' }, platform: 'linux', isExecutable: (f) => (probed.push(f), false) });
    assert.deepEqual(probed, ['/bin/codefloor']);
  });
});

describe('startFailureMessage', () => {
  it('names the command, its origin, the reason and the fix', () => {
    const message = startFailureMessage({ command: '/usr/bin/python3', args: ['-m', 'codefloor', 'serve'], origin: 'python3 on PATH' }, new Error('No module named codefloor'));
    assert.match(message, /`\/usr\/bin\/python3 -m codefloor serve` from python3 on PATH/);
    assert.match(message, /No module named codefloor/);
    assert.match(message, /pip install codefloor/);
  });
});

describe('where the server settings live', () => {
  it('names User settings locally and Remote settings in a remote window', () => {
    const command = { command: '/nope/codefloor', args: ['serve'], origin: 'codefloor.server.command' };
    assert.match(startFailureMessage(command, new Error('spawn ENOENT')), /in your User settings\.$/);
    assert.match(startFailureMessage(command, new Error('spawn ENOENT'), true), /in your Remote settings \(run "Preferences: Open Remote Settings"\)\.$/);
    assert.throws(() => resolveServerCommand({ command: null, pythonPath: null, remote: true, ...posix([]) }), /Remote settings/);
  });
});

describe('importCheck', () => {
  it('checks that a Python started with -m codefloor can import it', () => {
    const fallback = resolveServerCommand({ command: null, pythonPath: null, ...posix(['/usr/bin/python3']) });
    assert.deepEqual(importCheck(fallback), { command: '/usr/bin/python3', args: ['-c', 'import codefloor'] });
    assert.deepEqual(importCheck({ command: '/v/bin/python', args: ['-m', 'codefloor', 'serve'], origin: 'codefloor.server.pythonPath' }), {
      command: '/v/bin/python',
      args: ['-c', 'import codefloor'],
    });
  });

  it('leaves any other program alone', () => {
    assert.equal(importCheck({ command: '/opt/cf/bin/codefloor', args: ['serve'], origin: 'PATH' }), undefined);
    assert.equal(importCheck({ command: 'python3', args: ['-m', 'other'], origin: 'codefloor.server.command' }), undefined);
  });

  it('says which Python, the exception and the install command', () => {
    const stderr = 'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\nModuleNotFoundError: No module named \'codefloor\'\n';
    const message = importFailureMessage({ command: '/usr/bin/python3', args: ['-m', 'codefloor', 'serve'], origin: 'python3 on PATH' }, stderr, true);
    assert.match(message, /^codefloor: \/usr\/bin\/python3 \(from python3 on PATH\) cannot run the server: ModuleNotFoundError: No module named 'codefloor'\. /);
    assert.match(message, /`\/usr\/bin\/python3 -m pip install codefloor`/);
    assert.match(message, /Remote settings/);
  });
});
