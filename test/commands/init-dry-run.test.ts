import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DryRunCluster } from '../../src/cluster/dry-run.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { IGNORE_IN_TEMP_ROOT } from '../support/temp-root-preflight.js';

const CONFIG = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 10.0.0.5
nodeRegistration:
  name: cp-1
  criSocket: unix:///var/run/containerd/containerd.sock
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
encryptionAlgorithm: ECDSA-P256
`;

/** A temporary --rootfs holding CONFIG at /cfg.yaml. */
function rootWithConfig(t: TestContext): string {
  const root = tempDir(t, 'kbadm-dry-');
  writeFileSync(join(root, 'cfg.yaml'), CONFIG);
  return root;
}

test('a full init --dry-run ends by naming the directory that holds what it would write', async (t) => {
  const root = rootWithConfig(t);
  const r = await runCli([
    '--rootfs',
    root,
    'init',
    '--config',
    '/cfg.yaml',
    '--dry-run',
    ...IGNORE_IN_TEMP_ROOT,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const tail = r.stdout.trimEnd().split('\n').slice(-2);
  assert.equal(
    tail[0],
    '[dryrun] Finished dry-running successfully. Above are the resources that would be created.',
  );
  const m =
    /^\[dryrun\] The files it would write are in the "(\/etc\/kubernetes\/tmp\/kubeadm-init-dryrun\d+)" directory$/.exec(
      tail[1]!,
    );
  assert.ok(m, tail[1]);
  const dir = join(root, m[1]!);
  assert.ok(existsSync(join(dir, 'etc/kubernetes/manifests/kube-apiserver.yaml')));
  assert.deepEqual(
    readdirSync(join(root, 'etc/kubernetes')),
    ['tmp'],
    'nothing outside the dry-run directory',
  );
});

test('KBADM_INIT_DRYRUN_DIR chooses the directory; -o json keeps stdout to the result', async (t) => {
  const root = rootWithConfig(t);
  const r = await runCli(
    ['--rootfs', root, 'init', '--config', '/cfg.yaml', '--dry-run', '-o', 'json', ...IGNORE_IN_TEMP_ROOT],
    {
      env: { KBADM_INIT_DRYRUN_DIR: '/review' },
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).kind, 'InitResult');
  assert.ok(existsSync(join(root, 'review/etc/kubernetes/pki/ca.crt')));
});

test("init --help lists the phase table under kubeadm's heading, in kbadm's words", async () => {
  const r = await runCli(['init', '--help']);
  assert.equal(r.code, 0);
  assert.match(
    r.stdout,
    /^The "init" command executes the following phases:\n```\npreflight {2,}Check that this machine can become a control-plane node\ncerts {2,}Create the cluster PKI: CAs, certificates and the service-account key\n/m,
  );
  assert.match(
    r.stdout,
    /^show-join-command {2,}Print the commands that add worker and control-plane nodes$/m,
  );
});

test('invalid input stops a dry run before it creates its directory', async (t) => {
  const root = tempDir(t, 'kbadm-dry-');
  const r = await runCli(['--rootfs', root, 'init', '--dry-run', '--pod-network-cidr', '10.0.0.0/33']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /podSubnet/);
  assert.deepEqual(readdirSync(root), []);
});

test('init --dry-run prints every API request it would make, in kubeadm order, and opens no real client', async (t) => {
  const root = rootWithConfig(t);
  const opened: boolean[] = [];
  const r = await runCli(
    [
      '--rootfs',
      root,
      'init',
      '--config',
      '/cfg.yaml',
      '--dry-run',
      '--upload-certs',
      ...IGNORE_IN_TEMP_ROOT,
    ],
    {
      cluster: async (_path, o) => {
        opened.push(o.dryRun);
        if (!o.dryRun) throw new Error('a dry run asked for a real API client');
        return new DryRunCluster(o.out!);
      },
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(opened, [true]);
  const actions = [
    ...r.stdout.matchAll(/^\[dryrun\] Would perform action (\w+) on resource "([\w.]+)"/gm),
  ].map((m) => `${m[1]} ${m[2]}`);
  const writes = actions.filter((a) => !a.startsWith('GET') && !a.startsWith('LIST'));
  assert.deepEqual(writes.slice(0, 4), [
    'CREATE configmaps',
    'CREATE roles',
    'CREATE rolebindings',
    'CREATE configmaps',
  ]);
  assert.ok(writes.includes('PATCH nodes'));
  assert.equal(writes.at(-1), 'CREATE rolebindings');
  assert.equal(
    writes.filter((w) => w === 'CREATE secrets').length,
    3,
    'the upload-certs token, kubeadm-certs and the bootstrap token',
  );
  assert.match(r.stdout, /\[dryrun\] Resource name "kube-proxy", namespace "kube-system"/);
  // Secret values are never printed, and neither is the certificate key in a Secret body.
  assert.doesNotMatch(r.stdout, /token-secret: (?!<masked>)/);
});

test('init phase certs all --dry-run: every certificate in turn, its line and then its files', async (t) => {
  const root = rootWithConfig(t);
  const r = await runCli([
    '--rootfs',
    root,
    'init',
    'phase',
    'certs',
    'all',
    '--config',
    '/cfg.yaml',
    '--dry-run',
  ]);
  assert.equal(r.code, 0, r.stderr);
  // The headlines only, without the file contents the dry run prints under "Would write file".
  const lines = r.stdout.split('\n').filter((l) => /^\[(certs|dryrun)\] (Generating|Would)/.test(l));
  const dirs = lines.filter((l) => l.includes('Would create directory'));
  assert.deepEqual(dirs, [
    '[dryrun] Would create directory "/etc/kubernetes/pki"',
    '[dryrun] Would create directory "/etc/kubernetes/pki/etcd"',
  ]);
  const order = lines
    .filter((l) => !l.includes('Would create directory'))
    .map((l) =>
      l.replace(/^\[dryrun\] Would write file "\/etc\/kubernetes\/pki\/(.*)" with content:$/, '$1'),
    );
  assert.deepEqual(order.slice(0, 6), [
    '[certs] Generating "ca" certificate and key',
    'ca.key',
    'ca.crt',
    '[certs] Generating "apiserver" certificate and key',
    'apiserver.key',
    'apiserver.crt',
  ]);
  assert.deepEqual(order.slice(-3), ['[certs] Generating "sa" key and public key', 'sa.key', 'sa.pub']);
});
