import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KbadmError } from '../../src/errors.js';
import {
  CommandFailedError,
  CommandNotFoundError,
  describeCommand,
  lastLines,
  runCommand,
  settle,
  which,
} from '../../src/host/exec.js';

describe('runCommand', () => {
  test('returns exit code, stdout and stderr', async () => {
    const r = await runCommand('sh', ['-c', 'printf out; printf err >&2']);
    assert.deepEqual(r, { exitCode: 0, stdout: 'out', stderr: 'err' });
  });

  test('passes arguments without a shell', async () => {
    const r = await runCommand('printf', ['%s|', 'a b', '$HOME', '; rm -rf /']);
    assert.equal(r.stdout, 'a b|$HOME|; rm -rf /|');
  });

  test('a non-zero exit throws, naming the command, the exit code and the last stderr line', async () => {
    await assert.rejects(
      runCommand('sh', ['-c', 'echo first >&2; echo "unit kubelet.service not found" >&2; exit 5']),
      (e: unknown) => {
        assert.ok(e instanceof CommandFailedError && e instanceof KbadmError);
        assert.equal(e.result.exitCode, 5);
        assert.match(
          e.message,
          /^command "sh -c .*" failed with exit code 5:\n\tfirst\n\tunit kubelet.service not found$/,
        );
        return true;
      },
    );
  });

  test('only the last stderr lines go into the error', async () => {
    await assert.rejects(
      runCommand('sh', ['-c', 'for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 1']),
      (e: Error) => {
        assert.doesNotMatch(e.message, /line2/);
        assert.match(e.message, /line3\n\tline4\n\tline5\n\tline6\n\tline7$/);
        return true;
      },
    );
  });

  test('allowFailure returns the result instead', async () => {
    const r = await runCommand('sh', ['-c', 'echo nope >&2; exit 3'], { allowFailure: true });
    assert.deepEqual(r, { exitCode: 3, stdout: '', stderr: 'nope' });
  });

  test('a missing binary is named, even with allowFailure', async () => {
    await assert.rejects(
      runCommand('kbadm-no-such-command', ['ps'], { allowFailure: true }),
      (e: unknown) =>
        e instanceof CommandNotFoundError &&
        e.message === 'command "kbadm-no-such-command" not found in PATH',
    );
    await assert.rejects(
      runCommand('/nonexistent/crictl', []),
      /^CommandNotFoundError: command "\/nonexistent\/crictl" not found$/,
    );
  });

  test('a file that is not executable', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-exec-'));
    try {
      const file = path.join(dir, 'tool');
      await fs.writeFile(file, '#!/bin/sh\n', { mode: 0o644 });
      await assert.rejects(runCommand(file, []), /^KbadmError: command ".*\/tool" is not executable/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('input goes to stdin and never into an error message', async () => {
    assert.equal((await runCommand('cat', [], { input: 'hello' })).stdout, 'hello');
    await assert.rejects(
      runCommand('sh', ['-c', 'read line; echo "bad input" >&2; exit 1'], { input: 's3cr3t-token\n' }),
      (e: Error) => {
        assert.match(e.message, /bad input/);
        assert.doesNotMatch(e.message, /s3cr3t/);
        assert.doesNotMatch(String(e.stack), /s3cr3t/);
        return true;
      },
    );
  });

  test('without input, stdin is closed so a reader does not wait', async () => {
    const r = await runCommand('cat', [], { timeoutMs: 20_000 });
    assert.deepEqual(r, { exitCode: 0, stdout: '', stderr: '' });
  });

  test('env is added to the environment', async () => {
    const r = await runCommand('sh', ['-c', 'printf "%s" "$KBADM_TEST_VAR"'], {
      env: { KBADM_TEST_VAR: 'v1' },
    });
    assert.equal(r.stdout, 'v1');
  });

  test('a command that outlives its timeout is killed and reported', async () => {
    await assert.rejects(runCommand('sleep', ['30'], { timeoutMs: 100 }), (e: unknown) => {
      assert.ok(e instanceof CommandFailedError);
      assert.equal(e.message, 'command "sleep 30" timed out after 0.1 s');
      return true;
    });
  });

  test('death by signal is a failure with exit code 128+N', async () => {
    const r = await runCommand('sh', ['-c', 'kill -TERM $$'], { allowFailure: true });
    assert.equal(r.exitCode, 128 + os.constants.signals.SIGTERM);
    await assert.rejects(runCommand('sh', ['-c', 'kill -KILL $$']), /was terminated by signal SIGKILL/);
  });
});

describe('settle', () => {
  const ok = { exitCode: 0, stdout: 'x', stderr: '' };
  const bad = { exitCode: 2, stdout: '', stderr: 'boom\n' };
  test('returns a success, throws a failure unless allowed', () => {
    assert.equal(settle('true', [], ok, {}), ok);
    assert.throws(
      () => settle('false', ['--x'], bad, {}),
      /^CommandFailedError: command "false --x" failed with exit code 2: boom$/,
    );
    assert.equal(settle('false', [], bad, { allowFailure: true }), bad);
  });
});

describe('describeCommand and lastLines', () => {
  test('quotes only arguments that need it', () => {
    assert.equal(describeCommand('systemctl', ['restart', 'kubelet']), 'systemctl restart kubelet');
    assert.equal(describeCommand('sh', ['-c', 'a b']), 'sh -c "a b"');
    assert.equal(
      describeCommand('crictl', ['--runtime-endpoint=unix:///run/x.sock', '']),
      'crictl --runtime-endpoint=unix:///run/x.sock ""',
    );
  });
  test('keeps the last non-empty lines', () => {
    assert.deepEqual(lastLines('a\n\nb\r\nc\n', 2), ['b', 'c']);
    assert.deepEqual(lastLines('', 5), []);
  });
});

describe('which', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-which-'));
    await fs.mkdir(path.join(dir, 'a'));
    await fs.mkdir(path.join(dir, 'b'));
    await fs.mkdir(path.join(dir, 'b', 'subdir-tool'));
    await fs.writeFile(path.join(dir, 'a', 'tool'), '#!/bin/sh\n', { mode: 0o644 });
    await fs.writeFile(path.join(dir, 'b', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  test('the first executable file on the search path', async () => {
    const search = ['', path.join(dir, 'a'), path.join(dir, 'b')].join(path.delimiter);
    assert.equal(await which('tool', search), path.join(dir, 'b', 'tool'));
  });
  test('skips directories and misses', async () => {
    assert.equal(await which('subdir-tool', path.join(dir, 'b')), undefined);
    assert.equal(await which('missing', path.join(dir, 'b')), undefined);
    assert.equal(await which('tool', undefined), undefined);
    assert.equal(await which('', path.join(dir, 'b')), undefined);
  });
  test('a path is checked as given', async () => {
    assert.equal(await which(path.join(dir, 'b', 'tool'), ''), path.join(dir, 'b', 'tool'));
    assert.equal(await which(path.join(dir, 'a', 'tool'), ''), undefined);
  });
});
