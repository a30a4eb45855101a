// The node lock: one holder at a time, a clear message naming the holder's pid, a bounded wait,
// and nothing left behind by a holder that was killed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KbadmError, ValidationError } from '../../src/errors.js';
import { lockNode, lockTimeoutFromEnv, NODE_LOCK_FILE } from '../../src/host/node-lock.js';
import { createPaths, type Paths } from '../../src/host/paths.js';
import { recordOutput } from '../../src/output/output.js';

const LOCK_MODULE = fileURLToPath(new URL('../../src/host/node-lock.ts', import.meta.url));
const PATHS_MODULE = fileURLToPath(new URL('../../src/host/paths.ts', import.meta.url));
const OUTPUT_MODULE = fileURLToPath(new URL('../../src/output/output.ts', import.meta.url));

let tmp: string;
let paths: Paths;
const children: ChildProcess[] = [];
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lock-'));
  paths = createPaths(tmp);
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Another process that takes the lock and keeps it until it is killed; resolves once it holds it. */
async function holderProcess(): Promise<ChildProcess> {
  const script =
    `const { lockNode } = await import(${JSON.stringify(LOCK_MODULE)});` +
    `const { createPaths } = await import(${JSON.stringify(PATHS_MODULE)});` +
    `const { recordOutput } = await import(${JSON.stringify(OUTPUT_MODULE)});` +
    `await lockNode(createPaths(${JSON.stringify(tmp)}), { out: recordOutput() });` +
    `console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

describe('lockNode', () => {
  test('lives at /run/lock/kbadm.lock under --rootfs and holds the holder pid', async () => {
    const lock = await lockNode(paths, { out: recordOutput() });
    assert.equal(lock.file, path.join(tmp, NODE_LOCK_FILE));
    assert.equal(await fs.readFile(lock.file, 'utf8'), `${process.pid}\n`);
    await lock.release();
    // The file stays (deleting it would let two runs lock two files); only the pid goes.
    assert.equal(await fs.readFile(lock.file, 'utf8'), '');
  });

  test('a second taker waits, says so naming the holder pid, and gives up after the timeout', async () => {
    const lock = await lockNode(paths, { out: recordOutput() });
    const out = recordOutput();
    const started = Date.now();
    await assert.rejects(lockNode(paths, { out, timeoutMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof KbadmError);
      assert.match(
        err.message,
        new RegExp(
          `^another kbadm command \\(pid ${process.pid}\\) is still changing this node after 0\\.3s \\(lock /run/lock/kbadm\\.lock\\)`,
        ),
      );
      return true;
    });
    assert.ok(Date.now() - started >= 250, 'it waited');
    assert.equal(
      out.stderr.join(''),
      `[WARNING] another kbadm command (pid ${process.pid}) is changing this node; waiting up to 0.3s for it to finish (lock /run/lock/kbadm.lock)\n`,
    );
    await lock.release();
  });

  test('with no wait allowed, only the error is said: no "waiting up to 0s" line', async () => {
    const lock = await lockNode(paths, { out: recordOutput() });
    const out = recordOutput();
    await assert.rejects(
      lockNode(paths, { out, timeoutMs: 0 }),
      new RegExp(`another kbadm command \\(pid ${process.pid}\\) is still changing this node`),
    );
    assert.deepEqual(out.stderr, []);
    await lock.release();
  });

  test('the holder seen is named even when its pid is gone from the file by the time the wait fails', async () => {
    const lock = await lockNode(paths, { out: recordOutput() });
    const out = recordOutput();
    // As the waiter starts waiting, the file is emptied while the lock stays held: what a holder's
    // release does just before it lets go, and what a reader after the failed wait would see.
    const warn = out.warn.bind(out);
    out.warn = (message) => {
      warn(message);
      void fs.truncate(lock.file, 0);
    };
    await assert.rejects(
      lockNode(paths, { out, timeoutMs: 200 }),
      new RegExp(`another kbadm command \\(pid ${process.pid}\\) is still changing this node after 0\\.2s`),
    );
    assert.equal(await fs.readFile(lock.file, 'utf8'), '', 'the file was emptied before the wait failed');
    await lock.release();
  });

  test('a waiting taker gets the lock as soon as the holder gives it back', async () => {
    const first = await lockNode(paths, { out: recordOutput() });
    const waiting = lockNode(paths, { out: recordOutput(), timeoutMs: 20_000 });
    setTimeout(() => void first.release(), 200);
    const second = await waiting;
    assert.equal(await fs.readFile(second.file, 'utf8'), `${process.pid}\n`);
    await second.release();
  });

  test('the holder pid of another process is named; once it is killed with SIGKILL the lock is free at once', async () => {
    const holder = await holderProcess();
    await assert.rejects(
      lockNode(paths, { out: recordOutput(), timeoutMs: 100 }),
      new RegExp(`another kbadm command \\(pid ${holder.pid}\\) is still changing this node`),
    );
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    // The stale pid is still in the file, and it does not matter.
    assert.equal(await fs.readFile(path.join(tmp, NODE_LOCK_FILE), 'utf8'), `${holder.pid}\n`);
    const out = recordOutput();
    const lock = await lockNode(paths, { out, timeoutMs: 100 });
    assert.deepEqual(out.stderr, [], 'no wait');
    await lock.release();
  });
  test('a flock that fails in a way it should not: one line with its exit code and what it said', async () => {
    // A flock that rejects its arguments, as a broken or foreign one would.
    const bin = path.join(tmp, 'bin');
    await fs.mkdir(bin);
    await fs.writeFile(path.join(bin, 'flock'), '#!/bin/sh\necho "flock: unknown option" >&2\nexit 64\n', {
      mode: 0o755,
    });
    await assert.rejects(
      lockNode(paths, { out: recordOutput(), searchPath: bin }),
      (e: unknown) =>
        e instanceof KbadmError &&
        e.message === 'cannot lock the node: flock exited with 64: flock: unknown option',
    );
  });
});

describe('lockTimeoutFromEnv', () => {
  test('seconds from KBADM_LOCK_TIMEOUT, 10 s by default, a clear error for anything else', () => {
    assert.equal(lockTimeoutFromEnv({}), 10_000);
    assert.equal(lockTimeoutFromEnv({ KBADM_LOCK_TIMEOUT: '2.5' }), 2500);
    assert.equal(lockTimeoutFromEnv({ KBADM_LOCK_TIMEOUT: '0' }), 0);
    assert.throws(
      () => lockTimeoutFromEnv({ KBADM_LOCK_TIMEOUT: '10m' }),
      (err: unknown) => err instanceof ValidationError && /^KBADM_LOCK_TIMEOUT: "10m": /.test(err.message),
    );
  });
});
