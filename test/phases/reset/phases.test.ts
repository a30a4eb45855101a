// reset's phases on an in-memory host, one at a time: the confirmation and root check, the removal
// of this node's etcd member (fake etcd), and the node cleanup (fake container runtime).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exitCodeOf } from '../../../src/errors.js';
import { createTestHost, type TestHost } from '../../../src/host/test-host.js';
import { runCleanupNode } from '../../../src/phases/reset/cleanup-node.js';
import { preflightPhase } from '../../../src/phases/reset/preflight.js';
import { runRemoveEtcdMember } from '../../../src/phases/reset/remove-etcd-member.js';
import { configYaml, newHost, run } from '../../support/phases.js';
import { createTestRuntime } from '../../../src/host/test-runtime.js';
import { FakeEtcd, resetData, runtimeWithPods } from './harness.js';

const runPreflight = preflightPhase.run!;

describe('reset preflight', () => {
  test('asks, and goes on after "yes"', async () => {
    const { data, out, questions } = resetData(createTestHost(), { answer: 'yes' });
    await runPreflight(data);
    assert.deepEqual(questions, ['[reset] Are you sure you want to proceed?']);
    assert.equal(
      out.stderr.join(''),
      "[WARNING] [reset] Changes made to this host by 'kbadm init' or 'kbadm join' will be reverted.\n",
    );
    assert.equal(out.text(), '[preflight] Running pre-flight checks\n');
  });

  test('"no" stops the reset before any check', async () => {
    const { data, out } = resetData(createTestHost(), { answer: 'no' });
    await assert.rejects(runPreflight(data), /reset aborted: the answer was not "y" or "yes"/);
    assert.equal(out.text(), '');
  });

  test('without a terminal to ask, reset is refused instead of waiting', async () => {
    const { data } = resetData(createTestHost(), { answer: 'not-interactive' });
    await assert.rejects(runPreflight(data), (err: Error) => {
      assert.match(err.message, /standard input is not a terminal; pass --force/);
      assert.equal(exitCodeOf(err), 1);
      return true;
    });
  });

  test('--force and --dry-run ask nothing', async () => {
    for (const config of [{ force: true }, { dryRun: true }]) {
      const { data, questions, out } = resetData(createTestHost(), { config });
      await runPreflight(data);
      assert.deepEqual(questions, []);
      assert.equal(out.text(), '[preflight] Running pre-flight checks\n');
    }
  });

  test('a user other than root fails IsPrivilegedUser as init does: block on stderr, exit code 2', async () => {
    const host = createTestHost({ machine: { euid: 1000 } });
    const { data, out } = resetData(host, { config: { force: true } });
    await assert.rejects(runPreflight(data), (err: Error) => {
      assert.equal(exitCodeOf(err), 2);
      assert.equal(err.message, 'preflight checks failed');
      return true;
    });
    assert.equal(out.text(), '[preflight] Running pre-flight checks\n');
    assert.equal(
      out.stderr.join(''),
      '[preflight] Some fatal errors occurred:\n' +
        '\t[ERROR IsPrivilegedUser]: user is not running as root\n' +
        '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n',
    );
  });

  for (const ignored of [['isprivilegeduser'], ['all']]) {
    test(`--ignore-preflight-errors=${ignored.join(',')} turns the root check into a warning on stderr`, async () => {
      const host = createTestHost({ machine: { euid: 1000 } });
      const { data, out } = resetData(host, { config: { force: true, ignorePreflightErrors: ignored } });
      await runPreflight(data);
      assert.equal(out.text(), '[preflight] Running pre-flight checks\n');
      assert.equal(out.stderr.join(''), '\t[WARNING IsPrivilegedUser]: user is not running as root\n');
    });
  }
});

/** A control-plane node as init leaves it: etcd.yaml for cp-1 at 10.0.0.5, etcd certs, etcd data. */
async function stackedNode(): Promise<TestHost> {
  const host = newHost(configYaml());
  await run(host, 'init', ['phase', 'etcd', 'local', '--config', '/cfg.yaml']);
  host
    .seedFile('/etc/kubernetes/pki/etcd/ca.crt', 'CA')
    .seedFile('/etc/kubernetes/pki/etcd/healthcheck-client.crt', 'CERT')
    .seedFile('/etc/kubernetes/pki/etcd/healthcheck-client.key', 'KEY', 0o600)
    .seedFile('/var/lib/etcd/member/snap/db', 'data')
    .seedFile('/var/lib/etcd/member/wal/0.wal', 'wal')
    .clearChanges();
  return host;
}

function threeMembers(): FakeEtcd {
  return new FakeEtcd()
    .member('1001', 'cp-1', '10.0.0.5')
    .member('1002', 'cp-2', '10.0.0.6')
    .member('1003', 'cp-3', '10.0.0.7');
}

describe('reset remove-etcd-member', () => {
  test("removes exactly this node's member, found through etcd.yaml, then empties the data directory", async () => {
    const host = await stackedNode();
    const etcd = threeMembers();
    const { data, out } = resetData(host, {
      etcd,
      config: { timeouts: { ...defaults().timeouts, etcdAPICall: 5000 } },
    });
    await runRemoveEtcdMember(data);

    assert.deepEqual(etcd.removed, ['1001']);
    assert.deepEqual(
      etcd.members.map((m) => m.name),
      ['cp-2', 'cp-3'],
    );
    const client = etcd.clients[0]!;
    assert.deepEqual(client.endpoints, ['https://10.0.0.5:2379', 'https://127.0.0.1:2379']);
    assert.deepEqual(
      [client.tls!.ca, client.tls!.cert, client.tls!.key].map(String),
      ['CA', 'CERT', 'KEY'],
      'the etcd CA and the healthcheck-client pair',
    );
    assert.equal(client.timeoutMs, 5000, 'ResetConfiguration.timeouts.etcdAPICall bounds the retries');
    assert.equal(client.giveUpWhenNothingListens, true, 'an etcd that is not running is not waited for');
    assert.equal(
      out.text(),
      '[reset] Removed the etcd member cp-1 (3e9, https://10.0.0.5:2380) from the etcd cluster\n' +
        '[reset] Deleted contents of the etcd data directory: /var/lib/etcd\n',
    );
    assert.deepEqual(await host.listDir('/var/lib/etcd'), [], 'emptied, and still there');
    assert.ok(await host.exists('/etc/kubernetes/manifests/etcd.yaml'), 'cleanup-node removes manifests');
  });

  test('the last member is left in place (nothing to leave); its data still goes', async () => {
    const host = await stackedNode();
    const etcd = new FakeEtcd().member('1001', 'cp-1', '10.0.0.5');
    const { data } = resetData(host, { etcd });
    await runRemoveEtcdMember(data);
    assert.deepEqual(etcd.removed, []);
    assert.deepEqual(await host.listDir('/var/lib/etcd'), []);
  });

  test('a member already gone is not looked for again', async () => {
    const host = await stackedNode();
    const etcd = new FakeEtcd().member('1002', 'cp-2', '10.0.0.6').member('1003', 'cp-3', '10.0.0.7');
    const { data, out } = resetData(host, { etcd });
    await runRemoveEtcdMember(data);
    assert.deepEqual(etcd.removed, []);
    assert.equal(out.text(), '[reset] Deleted contents of the etcd data directory: /var/lib/etcd\n');
  });

  test('etcd out of reach: a warning with the manual step, and reset carries on', async () => {
    const host = await stackedNode();
    const etcd = threeMembers();
    etcd.unreachable = true;
    const { data, out } = resetData(host, { etcd });
    await runRemoveEtcdMember(data);
    assert.equal(
      out.stderr.join(''),
      '[WARNING] [reset] Failed to remove etcd member: no etcd endpoint answered: [https://10.0.0.5:2379: connect ECONNREFUSED], please manually remove this etcd member using etcdctl\n',
    );
    assert.deepEqual(etcd.removed, []);
    assert.deepEqual(
      await host.listDir('/var/lib/etcd'),
      [],
      'as kubeadm, the data directory is emptied anyway',
    );
  });

  test('a missing client certificate is named in the warning', async () => {
    const host = await stackedNode();
    await host.remove('/etc/kubernetes/pki/etcd/healthcheck-client.key');
    const etcd = threeMembers();
    const { data, out } = resetData(host, { etcd });
    await runRemoveEtcdMember(data);
    assert.match(
      out.stderr.join(''),
      /cannot read "\/etc\/kubernetes\/pki\/etcd\/healthcheck-client.key": no such file/,
    );
    assert.equal(etcd.clients.length, 0);
  });

  test('a node without etcd.yaml contacts no etcd; leftovers in /var/lib/etcd are still cleared', async () => {
    const host = createTestHost().seedFile('/var/lib/etcd/member/snap/db', 'x');
    const etcd = threeMembers();
    const { data, out } = resetData(host, { etcd });
    await runRemoveEtcdMember(data);
    assert.equal(etcd.clients.length, 0);
    assert.equal(out.text(), '[reset] Deleted contents of the etcd data directory: /var/lib/etcd\n');

    const empty = resetData(createTestHost(), { etcd });
    await runRemoveEtcdMember(empty.data);
    assert.equal(empty.out.text(), '', 'nothing there, nothing said');
  });

  test('an etcd.yaml without the etcd-data volume means external etcd', async () => {
    const host = createTestHost().seedFile(
      '/etc/kubernetes/manifests/etcd.yaml',
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n',
    );
    const { data, out } = resetData(host, { etcd: threeMembers() });
    await runRemoveEtcdMember(data);
    assert.equal(
      out.text(),
      '[reset] No etcd config found. Assuming external etcd\n' +
        '[reset] Please, manually reset etcd to prevent further issues\n',
    );
  });

  test('a data directory of / in etcd.yaml is refused, and nothing is removed', async () => {
    const host = await stackedNode();
    const manifest = host.text('/etc/kubernetes/manifests/etcd.yaml').replaceAll('/var/lib/etcd', '/');
    host.seedFile('/etc/kubernetes/manifests/etcd.yaml', manifest).seedFile('/etc/passwd', 'root:x:0:0');
    const { data, out } = resetData(host, { etcd: new FakeEtcd().member('1001', 'cp-1', '10.0.0.5') });
    await runRemoveEtcdMember(data);
    assert.match(
      out.stderr.join(''),
      /Failed to delete contents of the etcd directory: "\/", error: .*protected/,
    );
    assert.deepEqual(host.changes, []);
  });

  test('--dry-run: says what it would do, contacts no etcd, removes nothing', async () => {
    const host = await stackedNode();
    const etcd = threeMembers();
    const { data, out } = resetData(host, { etcd, dryRun: true });
    await runRemoveEtcdMember(data);
    assert.equal(etcd.clients.length, 0);
    assert.deepEqual(host.changes, []);
    assert.equal(
      out.text(),
      '[reset] Would remove the etcd member on this node from the etcd cluster\n' +
        '[reset] Would delete contents of the etcd data directory: /var/lib/etcd\n' +
        '[dryrun] Would remove "/var/lib/etcd/member"\n',
    );
  });
});

function defaults() {
  return resetData(createTestHost()).data.config;
}

/** Files init and the kubelet leave on a node, plus files that are not kubeadm's. */
function initialisedNode(rootfs = '/'): TestHost {
  const host = createTestHost({ rootfs });
  const at = (p: string) => host.paths.under(p);
  for (const f of [
    '/etc/kubernetes/admin.conf',
    '/etc/kubernetes/super-admin.conf',
    '/etc/kubernetes/kubelet.conf',
    '/etc/kubernetes/controller-manager.conf',
    '/etc/kubernetes/scheduler.conf',
    '/etc/kubernetes/manifests/kube-apiserver.yaml',
    '/etc/kubernetes/pki/ca.crt',
    '/etc/kubernetes/pki/etcd/ca.key',
    '/etc/kubernetes/tmp/kubeadm-backup-etcd-2025/snap',
    '/var/lib/kubelet/config.yaml',
    '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~projected/token',
    // not kubeadm's
    '/etc/kubernetes/audit-policy.yaml',
    '/etc/cni/net.d/10-bridge.conflist',
    '/var/lib/containerd/meta.db',
    '/root/.kube/config',
  ]) {
    host.seedFile(at(f), `content of ${f}`);
  }
  host.seedSocket(at('/var/run/containerd/containerd.sock'));
  return host;
}

const NOT_KUBEADMS = [
  '/etc/kubernetes/audit-policy.yaml',
  '/etc/cni/net.d/10-bridge.conflist',
  '/var/lib/containerd/meta.db',
  '/root/.kube/config',
];

describe('reset cleanup-node', () => {
  test('stops the kubelet, unmounts, removes sandboxes, deletes kubeadm files and nothing else', async () => {
    const host = initialisedNode()
      .onRun('systemctl', {})
      .seedMount('/var/lib/kubelet') // the directory itself stays mounted, as kubeadm leaves it
      .seedMount('/var/lib/kubelet/pods/p1/volumes/kubernetes.io~projected')
      .seedMount('/var/lib/kubelet/pods/p1/volumes/kubernetes.io~projected/token-sub')
      .seedMount('/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/x/shm');
    const runtime = await runtimeWithPods('etcd-cp-1', 'coredns-1');
    const endpoints: string[] = [];
    host.setRuntime((e) => (endpoints.push(e), runtime));
    const { data, out } = resetData(host, {
      config: { criSocket: 'unix:///var/run/containerd/containerd.sock' },
    });

    await runCleanupNode(data);

    assert.deepEqual(
      host.runs.filter((r) => !r.options.readOnly).map((r) => [r.command, ...r.args].join(' ')),
      ['systemctl stop kubelet'],
    );
    assert.deepEqual(
      host.unmounts.map((u) => u.path),
      [
        '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~projected/token-sub',
        '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~projected',
      ],
      'deepest first; neither the kubelet directory itself nor containerd mounts',
    );
    assert.deepEqual(endpoints, ['unix:///var/run/containerd/containerd.sock']);
    assert.deepEqual(
      runtime.calls.map((c) => [c.method, c.target].join(' ').trim()),
      [
        'listPodSandboxes',
        'stopPodSandbox sandbox-1',
        'removePodSandbox sandbox-1',
        'stopPodSandbox sandbox-2',
        'removePodSandbox sandbox-2',
      ],
    );
    assert.deepEqual(await runtime.listPodSandboxes(), []);
    assert.equal(runtime.closed, true);

    assert.deepEqual(
      host.listFiles('/etc'),
      [
        '/etc/cni/net.d/10-bridge.conflist',
        '/etc/kubernetes/audit-policy.yaml',
        '/etc/kubernetes/tmp/kubeadm-backup-etcd-2025/snap',
      ].sort(),
    );
    assert.deepEqual(host.listFiles('/var/lib/kubelet'), []);
    for (const f of NOT_KUBEADMS) assert.equal(host.text(f), `content of ${f}`);
    for (const d of ['/etc/kubernetes/manifests', '/etc/kubernetes/pki', '/var/lib/kubelet']) {
      assert.equal((await host.stat(d))?.isDirectory, true, `${d} is kept, empty`);
    }
    assert.equal(
      out.text(),
      [
        '[reset] Stopping the kubelet service',
        '[reset] Unmounting mounted directories in "/var/lib/kubelet"',
        '[reset] Deleting contents of directories: [/etc/kubernetes/manifests /var/lib/kubelet /etc/kubernetes/pki]',
        '[reset] Deleting files: [/etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf /etc/kubernetes/kubelet.conf /etc/kubernetes/bootstrap-kubelet.conf /etc/kubernetes/controller-manager.conf /etc/kubernetes/scheduler.conf]',
        '',
      ].join('\n'),
    );
    assert.equal(out.stderr.join(''), '');
  });

  test('--cleanup-tmp-dir also empties /etc/kubernetes/tmp', async () => {
    const host = initialisedNode().onRun('systemctl', {});
    host.setRuntime(() => createTestRuntime());
    const { data, out } = resetData(host, { config: { cleanupTmpDir: true } });
    await runCleanupNode(data);
    assert.deepEqual(await host.listDir('/etc/kubernetes/tmp'), []);
    assert.match(
      out.text(),
      /Deleting contents of directories: \[.* \/etc\/kubernetes\/pki \/etc\/kubernetes\/tmp\]/,
    );
  });

  test('under another --rootfs: services are left alone and the CRI socket is found under the root', async () => {
    const host = initialisedNode('/srv/node1').onRun('systemctl', {});
    const endpoints: string[] = [];
    host.setRuntime((e) => (endpoints.push(e), createTestRuntime({ endpoint: e })));
    const { data, out } = resetData(host, {
      config: { criSocket: 'unix:///var/run/containerd/containerd.sock' },
    });
    await runCleanupNode(data);
    assert.deepEqual(host.runs, []);
    assert.deepEqual(endpoints, ['unix:///srv/node1/var/run/containerd/containerd.sock']);
    assert.match(out.text(), /Not stopping the kubelet service: --rootfs is "\/srv\/node1"/);
    assert.deepEqual(host.listFiles('/srv/node1/etc/kubernetes/pki'), []);
    for (const f of NOT_KUBEADMS) assert.ok(await host.exists(host.paths.under(f)), f);
  });

  test('no init system: warns that the kubelet must be stopped by hand', async () => {
    const host = initialisedNode();
    host.setRuntime(() => createTestRuntime());
    const { data, out } = resetData(host);
    await runCleanupNode(data);
    assert.equal(
      out.stderr.join(''),
      '[WARNING] [reset] The kubelet service could not be stopped by kbadm. Unable to detect a supported init system!\n' +
        '[WARNING] [reset] Please ensure kubelet is stopped manually\n',
    );
  });

  test('a mount that will not come off fails the phase before anything is deleted', async () => {
    const host = initialisedNode()
      .onRun('systemctl', {})
      .seedMount('/var/lib/kubelet/pods/p1/volumes/a', { busy: true })
      .seedMount('/var/lib/kubelet/pods/p1/volumes/b');
    host.setRuntime(() => createTestRuntime());
    const { data } = resetData(host);
    await assert.rejects(
      runCleanupNode(data),
      /encountered the following errors while unmounting directories in "\/var\/lib\/kubelet\/": \[failed to unmount "\/var\/lib\/kubelet\/pods\/p1\/volumes\/a": umount: \/var\/lib\/kubelet\/pods\/p1\/volumes\/a: target is busy.\]/,
    );
    assert.deepEqual(
      host.unmounts.map((u) => u.path),
      ['/var/lib/kubelet/pods/p1/volumes/b', '/var/lib/kubelet/pods/p1/volumes/a'],
    );
    assert.ok(!host.changes.some((c) => c.kind === 'remove'));
  });

  test('unmount flags reach umount; those umount(8) lacks are named once', async () => {
    const host = initialisedNode().onRun('systemctl', {}).seedMount('/var/lib/kubelet/pods/p1/volumes/a');
    host.setRuntime(() => createTestRuntime());
    const { data, out } = resetData(host, { config: { unmountFlags: ['MNT_DETACH', 'MNT_EXPIRE'] } });
    await runCleanupNode(data);
    assert.deepEqual(host.unmounts, [
      { path: '/var/lib/kubelet/pods/p1/volumes/a', flags: ['MNT_DETACH', 'MNT_EXPIRE'] },
    ]);
    assert.match(out.stderr.join(''), /umount\(8\) has no option for MNT_EXPIRE; unmounting without it/);
  });

  test('a runtime out of reach, or a sandbox that will not stop, only warns', async () => {
    const down = initialisedNode().onRun('systemctl', {});
    const a = resetData(down);
    await runCleanupNode(a.data);
    assert.match(
      a.out.stderr.join(''),
      /\[reset\] Failed to remove containers: test host: no container runtime at unix:\/\/\/var\/run\/containerd\/containerd.sock/,
    );
    assert.deepEqual(down.listFiles('/etc/kubernetes/pki'), [], 'the files still go');

    const stuck = initialisedNode().onRun('systemctl', {});
    const runtime = await runtimeWithPods('etcd', 'api');
    // sandbox-1 will not stop, as a runtime with a wedged shim.
    stuck.setRuntime(() => ({
      ...runtime,
      async stopPodSandbox(id: string) {
        await runtime.stopPodSandbox(id);
        if (id === 'sandbox-1') throw new Error('device or resource busy');
      },
    }));
    const b = resetData(stuck);
    await runCleanupNode(b.data);
    assert.equal(
      runtime.calls.filter((c) => c.method === 'stopPodSandbox' && c.target === 'sandbox-1').length,
      5,
      "kubeadm's five attempts",
    );
    assert.deepEqual(
      (await runtime.listPodSandboxes()).map((s) => s.id),
      ['sandbox-1'],
    );
    assert.match(
      b.out.stderr.join(''),
      /Failed to remove containers: failed to stop running pod sandbox-1: device or resource busy$/m,
    );
  });

  test('etcd writing its data until its sandbox is removed: the data directory ends empty all the same', async () => {
    const host = await stackedNode();
    const etcd = threeMembers();
    const runtime = await runtimeWithPods('etcd-cp-1');
    // The member keeps running between remove-etcd-member and cleanup-node, and flushes its db.
    host.setRuntime(() => ({
      ...runtime,
      async stopPodSandbox(id: string) {
        await host.writeFile('/var/lib/etcd/member/snap/db', 'flushed on shutdown', 0o600);
        await runtime.stopPodSandbox(id);
      },
    }));
    host.onRun('systemctl', {});
    const { data } = resetData(host, {
      etcd,
      config: { criSocket: 'unix:///var/run/containerd/containerd.sock' },
    });
    await runRemoveEtcdMember(data);
    await runCleanupNode(data);
    assert.deepEqual(host.listFiles('/var/lib/etcd'), []);
  });

  test('a non-default certificatesDir is emptied with a warning; the default one is not touched', async () => {
    const host = initialisedNode().onRun('systemctl', {}).seedFile('/etc/kubernetes/pki2/ca.crt', 'x');
    host.setRuntime(() => createTestRuntime());
    const { data, out } = resetData(host, { config: { certificatesDir: '/etc/kubernetes/pki2' } });
    await runCleanupNode(data);
    assert.deepEqual(await host.listDir('/etc/kubernetes/pki2'), []);
    assert.ok(await host.exists('/etc/kubernetes/pki/ca.crt'));
    assert.match(
      out.stderr.join(''),
      /\[reset\] Cleaning a non-default certificates directory: "\/etc\/kubernetes\/pki2"/,
    );
  });

  test('--dry-run: every action printed, sandboxes only listed, nothing changed', async () => {
    const host = initialisedNode().onRun('systemctl', {}).seedMount('/var/lib/kubelet/pods/p1/volumes/a');
    const runtime = await runtimeWithPods('etcd-cp-1');
    host.setRuntime(() => runtime);
    const { data, out } = resetData(host, { dryRun: true });
    await runCleanupNode(data);
    assert.deepEqual(host.changes, []);
    assert.deepEqual(host.unmounts, []);
    assert.deepEqual(
      runtime.calls.map((c) => c.method),
      ['listPodSandboxes'],
    );
    assert.ok(!host.runs.some((r) => !r.options.readOnly), 'no command that changes anything');
    const text = out.text();
    for (const line of [
      '[reset] Would stop the kubelet service',
      '[reset] Would unmount mounted directories in "/var/lib/kubelet"',
      '[dryrun] Would unmount "/var/lib/kubelet/pods/p1/volumes/a"',
      '[reset] Would remove Kubernetes-managed containers',
      '[dryrun] Would stop Pod sandbox "sandbox-1"',
      '[dryrun] Would remove Pod sandbox "sandbox-1"',
      '[reset] Would delete contents of directories: [/etc/kubernetes/manifests /var/lib/kubelet /etc/kubernetes/pki]',
      '[dryrun] Would remove "/etc/kubernetes/pki/ca.crt"',
      '[dryrun] Would remove "/etc/kubernetes/admin.conf"',
    ]) {
      assert.ok(text.includes(`${line}\n`), `${line}\n--- in ---\n${text}`);
    }
  });
});
