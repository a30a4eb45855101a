// One writer per node, through the CLI: commands that change the node's files take the lock (and
// say who holds it when they cannot), commands that only read never need it, and a command gives
// it back when it ends, however it ends.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { lockNode, type NodeLock } from '../../src/host/node-lock.js';
import { createPaths } from '../../src/host/paths.js';
import { recordOutput } from '../../src/output/output.js';
import { runCli } from '../support/cli.js';
import { config, tempRoot, type Root } from '../support/e2e.js';

const CFG = ['--config', '/cfg.yaml'];
/** reset under a temporary root, as an ordinary user, without a container runtime to detect. */
const RESET = [
  'reset',
  '-f',
  '--cri-socket',
  'unix:///var/run/containerd/containerd.sock',
  '--ignore-preflight-errors',
  'IsPrivilegedUser',
];

/** Every path below `dir`, sorted. */
const listTree = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();

let root: Root | undefined;
let held: NodeLock | undefined;
afterEach(async () => {
  await held?.release();
  held = undefined;
  root?.cleanup();
  root = undefined;
});

async function holdLock(r: Root): Promise<void> {
  held = await lockNode(createPaths(r.dir), { out: recordOutput() });
}

const withTimeout = (r: Root, args: string[], seconds: string) =>
  runCli(['--rootfs', r.dir, ...args], { env: { KBADM_LOCK_TIMEOUT: seconds } });

describe('one writer per node', () => {
  test('a command that changes the node waits for the holder, names its pid, and gives up without writing', async () => {
    root = tempRoot(config('ECDSA-P256'));
    await holdLock(root);
    for (const args of [
      ['init', ...CFG],
      ['init', 'phase', 'certs', 'all', ...CFG],
      ['init', 'phase', 'kubeconfig', 'admin', ...CFG],
      ['certs', 'renew', 'all', ...CFG],
      ['certs', 'generate-csr', ...CFG],
    ]) {
      const r = await withTimeout(root, args, '0.2');
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(
        r.stderr.split('\n')[0],
        `[WARNING] another kbadm command (pid ${process.pid}) is changing this node; waiting up to 0.2s for it to finish (lock /run/lock/kbadm.lock)`,
      );
      assert.match(
        r.stderr,
        new RegExp(`another kbadm command \\(pid ${process.pid}\\) is still changing this node after 0\\.2s`),
      );
      assert.ok(!existsSync(join(root.dir, 'etc/kubernetes')), `${args.join(' ')} wrote nothing`);
    }
  });

  test('reset waits for the holder too, and deletes nothing while the lock is held', async () => {
    root = tempRoot(config('ECDSA-P256'));
    await root.kbadm(['init', 'phase', 'certs', 'all', ...CFG]);
    await root.kbadm(['init', 'phase', 'kubeconfig', 'all', ...CFG]);
    const before = listTree(root.kube);
    await holdLock(root);
    const r = await withTimeout(root, RESET, '0.2');
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`another kbadm command \\(pid ${process.pid}\\) is still changing this node after 0\\.2s`),
    );
    assert.deepEqual(listTree(root.kube), before, 'nothing deleted');
  });

  test('commands that only read run while another command holds the lock', async () => {
    root = tempRoot(config('ECDSA-P256'));
    await root.kbadm(['init', 'phase', 'certs', 'all', ...CFG]);
    await root.kbadm(['init', 'phase', 'kubeconfig', 'all', ...CFG]);
    await holdLock(root);
    for (const args of [
      ['version'],
      ['--help'],
      ['init', '--help'],
      ['certs', 'check-expiration', ...CFG],
      ['config', 'print', 'init-defaults'],
      ['kubeconfig', 'user', '--client-name', 'jane', ...CFG],
      // Preflight is skipped: an empty temporary root cannot pass it, and it is not what is tested here.
      ['init', '--dry-run', '--skip-phases', 'preflight', ...CFG],
      ['init', 'phase', 'certs', 'all', '--dry-run', ...CFG],
    ]) {
      const r = await withTimeout(root, args, '0');
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /lock/, args.join(' '));
    }
  });

  test('the lock is given back when a command ends, whether it succeeded or failed', async () => {
    root = tempRoot(config('ECDSA-P256'));
    assert.equal((await withTimeout(root, ['init', 'phase', 'certs', 'all', ...CFG], '0')).code, 0);
    assert.equal((await withTimeout(root, ['certs', 'renew', 'nope-not-a-cert', ...CFG], '0')).code, 1);
    // A failure inside the locked part: a certificate that does not load.
    await root.kbadm(['init', 'phase', 'certs', 'all', ...CFG]);
    const broken = join(root.pki, 'apiserver.crt');
    writeFileSync(broken, 'not a certificate');
    assert.equal((await withTimeout(root, ['init', 'phase', 'certs', 'apiserver', ...CFG], '0')).code, 1);
    const out = recordOutput();
    held = await lockNode(createPaths(root.dir), { out, timeoutMs: 0 });
    assert.deepEqual(out.stderr, [], 'taken at once');
  });
});
