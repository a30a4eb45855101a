// `kbadm reset` through the real command module on an in-memory host: the question, --force,
// --config, --skip-phases, phase subcommands, refused certificate directories, dry runs, help.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLEANUP_NOTES } from '../../src/commands/reset.js';
import { exitCodeOf } from '../../src/errors.js';
import { createTestHost, type TestHost } from '../../src/host/test-host.js';
import { runCli } from '../support/cli.js';
import { createTestRuntime } from '../../src/host/test-runtime.js';
import { runReset, terminal, type ResetRun } from '../phases/reset/harness.js';

function node(): TestHost {
  const host = createTestHost()
    .seedFile('/etc/kubernetes/admin.conf', 'admin')
    .seedFile('/etc/kubernetes/pki/ca.crt', 'ca')
    .seedFile('/etc/kubernetes/manifests/kube-apiserver.yaml', 'pod')
    .seedFile('/etc/kubernetes/tmp/kubeadm-init-dryrun1/x', 'x')
    .seedFile('/var/lib/kubelet/config.yaml', 'kubelet')
    .seedFile('/var/lib/etcd/member/snap/db', 'db')
    .seedFile('/etc/passwd', 'root:x:0:0')
    .onRun('systemctl', {});
  host.setRuntime(() => createTestRuntime());
  return host.clearChanges();
}

async function failure(
  host: TestHost,
  args: string[],
  stdin = terminal(undefined),
  run?: ResetRun,
): Promise<Error> {
  try {
    await runReset(host, args, stdin, run);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`kbadm reset ${args.join(' ')} succeeded`);
}

describe('kbadm reset', () => {
  test('asks on a terminal; "y" resets the node and prints the closing notes', async () => {
    const host = node();
    const stdin = terminal('y');
    const r = await runReset(host, [], stdin);
    assert.equal(stdin.asked, 1);
    assert.ok(r.stdout.startsWith('[reset] Are you sure you want to proceed? [y/N]: [preflight] Running'));
    assert.ok(r.stdout.endsWith(CLEANUP_NOTES));
    assert.deepEqual(host.listFiles(), ['/etc/kubernetes/tmp/kubeadm-init-dryrun1/x', '/etc/passwd']);
  });

  test("removes an interrupted init's marker, though it keeps the rest of /etc/kubernetes/tmp", async () => {
    const host = node().seedFile('/etc/kubernetes/tmp/kbadm-init.in-progress', 'started: x\npid: 1\n');
    await runReset(host, ['-f']);
    assert.deepEqual(host.listFiles(), ['/etc/kubernetes/tmp/kubeadm-init-dryrun1/x', '/etc/passwd']);
  });

  test('with stdin not a terminal and no --force: refused at once, nothing changed', async () => {
    const host = node();
    const stdin = terminal(undefined);
    const err = await failure(host, [], stdin);
    assert.match(err.message, /^error execution phase preflight: refusing to reset without confirmation/);
    assert.equal(stdin.asked, 0, 'nothing read: a pipe that never closes cannot hang it');
    assert.deepEqual(host.changes, []);
  });

  test('not root: the error block on stderr, `preflight checks failed` with exit code 2, nothing changed', async () => {
    const host = node().setMachine({ euid: 1000 });
    const run = { stdout: '', stderr: '' };
    const err = await failure(host, ['-f'], terminal(undefined), run);
    assert.equal(exitCodeOf(err), 2);
    assert.equal(err.message, 'error execution phase preflight: preflight checks failed');
    assert.equal(run.stdout, '[preflight] Running pre-flight checks\n');
    assert.equal(
      run.stderr,
      '[preflight] Some fatal errors occurred:\n' +
        '\t[ERROR IsPrivilegedUser]: user is not running as root\n' +
        '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n',
    );
    assert.deepEqual(host.changes, []);
  });

  test('-f skips the question', async () => {
    const host = node();
    const stdin = terminal('n');
    await runReset(host, ['-f'], stdin);
    assert.equal(stdin.asked, 0);
    assert.ok(!(await host.exists('/etc/kubernetes/admin.conf')));
  });

  for (const [args, field] of [
    [['-f', '--cert-dir', '/etc'], '--cert-dir'],
    [['-f', '--cert-dir', '/'], '--cert-dir'],
    [['--config', '/reset.yaml'], 'ResetConfiguration.certificatesDir'],
  ] as const) {
    test(`${args.join(' ')}: a certificates directory kbadm never empties is a validation error`, async () => {
      const host = node().seedFile(
        '/reset.yaml',
        'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ResetConfiguration\nforce: true\ncertificatesDir: /etc\n',
      );
      const err = await failure(host, [...args]);
      assert.equal(exitCodeOf(err), 3);
      assert.ok(
        /^[^:]+: "\/(etc)?": reset empties the certificates directory, and it is a protected system directory/.test(
          err.message,
        ) && err.message.startsWith(`${field}: `),
        err.message,
      );
      assert.deepEqual(host.changes, []);
      assert.equal(host.text('/etc/passwd'), 'root:x:0:0');
    });
  }

  test('a ResetConfiguration: force, cleanupTmpDir and skipPhases from the file', async () => {
    const host = node().seedFile(
      '/reset.yaml',
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: ResetConfiguration',
        'force: true',
        'cleanupTmpDir: true',
        'skipPhases:',
        '- remove-etcd-member',
        '',
      ].join('\n'),
    );
    const r = await runReset(host, ['--config', '/reset.yaml'], terminal(undefined));
    assert.deepEqual(await host.listDir('/etc/kubernetes/tmp'), []);
    assert.ok(await host.exists('/var/lib/etcd/member/snap/db'), 'remove-etcd-member was skipped');
    assert.ok(!r.stdout.includes('etcd data directory'));
  });

  test('--skip-phases cleanup-node keeps the files', async () => {
    const host = node();
    await runReset(host, ['-f', '--skip-phases', 'cleanup-node']);
    assert.ok(await host.exists('/etc/kubernetes/admin.conf'));
    assert.ok(!(await host.exists('/var/lib/etcd/member')));
  });

  test('`reset phase cleanup-node` runs that phase alone: no question, no closing notes', async () => {
    const host = node();
    const r = await runReset(host, ['phase', 'cleanup-node'], terminal(undefined));
    assert.ok(!(await host.exists('/etc/kubernetes/admin.conf')));
    assert.ok(await host.exists('/var/lib/etcd/member/snap/db'));
    assert.ok(!r.stdout.includes('The reset process does not'));
    const alias = node();
    await runReset(alias, ['phase', 'cleanupnode', '--cleanup-tmp-dir'], terminal(undefined));
    assert.deepEqual(await alias.listDir('/etc/kubernetes/tmp'), []);
  });

  test('--dry-run changes nothing and says what it would do', async () => {
    const host = node();
    const r = await runReset(host, ['--dry-run'], terminal(undefined));
    assert.deepEqual(host.changes, []);
    assert.match(r.stdout, /\[dryrun\] Would remove "\/etc\/kubernetes\/admin.conf"/);
    assert.match(r.stdout, /\[reset\] Would delete contents of the etcd data directory: \/var\/lib\/etcd/);
    assert.match(r.stdout, /\[reset\] Would stop the kubelet service/);
  });

  test('a bad ResetConfiguration names the field and file line', async () => {
    const host = node().seedFile(
      '/reset.yaml',
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ResetConfiguration\nunmountFlags:\n- MNT_SOMETIMES\n',
    );
    const err = await failure(host, ['--config', '/reset.yaml']);
    assert.equal(exitCodeOf(err), 3);
    assert.match(err.message, /ResetConfiguration\.unmountFlags/);
    assert.deepEqual(host.changes, []);
  });
});

describe('kbadm reset help', () => {
  test('lists the phases and the flags', async () => {
    const r = await runCli(['reset', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /preflight +Ask for confirmation/);
    assert.match(r.stdout, /remove-etcd-member +Take this node's etcd member out/);
    assert.match(r.stdout, /cleanup-node +Stop the kubelet/);
    for (const flag of [
      'cert-dir',
      'cleanup-tmp-dir',
      'config',
      'cri-socket',
      'dry-run',
      'force',
      'ignore-preflight-errors',
      'kubeconfig',
      'skip-phases',
    ]) {
      assert.match(r.stdout, new RegExp(`--${flag}\\b`), flag);
    }
  });

  test("each phase exposes kubeadm's flags", async () => {
    const flagsOf = async (phase: string) =>
      [...(await runCli(['reset', 'phase', phase, '--help'])).stdout.matchAll(/^ {2}(?:-\w, )?--([\w-]+)/gm)]
        .map((m) => m[1])
        .filter((n) => n !== 'help');
    assert.deepEqual(await flagsOf('preflight'), ['ignore-preflight-errors', 'force', 'dry-run']);
    assert.deepEqual(await flagsOf('remove-etcd-member'), ['kubeconfig', 'dry-run']);
    assert.deepEqual(await flagsOf('cleanup-node'), ['cert-dir', 'cri-socket', 'cleanup-tmp-dir', 'dry-run']);
  });
});
