// `init --dry-run` for the static-Pod and kubelet phases: files go into kubeadm's dry-run
// directory and are printed; nothing else on the machine changes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDryRunDir, createDryRunHost, DRY_RUN_DIR_ENV } from '../../../src/host/dry-run-host.js';
import { createTestHost } from '../../../src/host/test-host.js';
import { recordOutput } from '../../../src/output/output.js';
import { controlPlanePhase } from '../../../src/phases/init/control-plane.js';
import { runEtcdLocal } from '../../../src/phases/init/etcd.js';
import { runKubeletStart } from '../../../src/phases/init/kubelet-start.js';
import type { InitData } from '../../../src/phases/init/data.js';
import { CONFIGS_DIR, loadConfigFile } from '../../support/manifests.js';
import { testInitData } from '../../support/init-data.js';

const FILES = [
  '/etc/kubernetes/manifests/etcd.yaml',
  '/etc/kubernetes/manifests/kube-apiserver.yaml',
  '/etc/kubernetes/manifests/kube-controller-manager.yaml',
  '/etc/kubernetes/manifests/kube-scheduler.yaml',
  '/var/lib/kubelet/kubeadm-flags.env',
  '/var/lib/kubelet/instance-config.yaml',
  '/var/lib/kubelet/config.yaml',
];

async function dryRunAll(env: Record<string, string> = {}) {
  const base = createTestHost().seedDir('/etc/ca-certificates');
  base.onRun('systemctl', () => ({ stdout: 'inactive\n', exitCode: 3 }));
  const dir = await createDryRunDir(base, 'init', { env, suffix: () => '123456' });
  base.clearChanges();
  const out = recordOutput();
  const host = createDryRunHost(base.paths, out, { base, writeDir: dir });
  const data: InitData = {
    ...testInitData(loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`)),
    paths: host.paths,
    host,
    out,
    dryRun: true,
  };
  await runEtcdLocal(data);
  await controlPlanePhase.run!(data);
  for (const p of controlPlanePhase.phases!) await p.run!(data);
  await runKubeletStart(data);
  return { base, host, out, dir };
}

describe('dry run of etcd, control-plane and kubelet-start', () => {
  test('creates /etc/kubernetes/tmp/kubeadm-init-dryrun<random> 0700', async () => {
    const base = createTestHost();
    const dir = await createDryRunDir(base, 'init', { suffix: () => '42' });
    assert.equal(dir, '/etc/kubernetes/tmp/kubeadm-init-dryrun42');
    assert.equal(base.modeOf(dir), 0o700);
    assert.equal(base.modeOf('/etc/kubernetes/tmp'), 0o700);
    // A taken name is not reused.
    let n = 0;
    const next = await createDryRunDir(base, 'init', { suffix: () => (n++ === 0 ? '42' : '43') });
    assert.equal(next, '/etc/kubernetes/tmp/kubeadm-init-dryrun43');
  });

  test('KBADM_INIT_DRYRUN_DIR names the directory instead; under --rootfs it is below the root', async () => {
    assert.equal(DRY_RUN_DIR_ENV.init, 'KBADM_INIT_DRYRUN_DIR');
    const base = createTestHost({ rootfs: '/srv/n1' });
    const dir = await createDryRunDir(base, 'init', { env: { KBADM_INIT_DRYRUN_DIR: '/var/tmp/dry' } });
    assert.equal(dir, '/srv/n1/var/tmp/dry');
    assert.equal(base.modeOf(dir), 0o700);
  });

  test('every file lands in the dry-run directory at its host path, and nowhere else', async () => {
    const { base, dir } = await dryRunAll();
    assert.deepEqual(base.listFiles('/').sort(), FILES.map((f) => `${dir}${f}`).sort());
    assert.ok(
      base.changes.every((c) => c.kind !== 'run'),
      'no command that changes anything ran',
    );
    assert.ok(
      base.changes.every((c) => (c.kind === 'write' || c.kind === 'mkdir') && c.path.startsWith(dir)),
      JSON.stringify(base.changes),
    );
    assert.equal(base.modeOf(`${dir}/etc/kubernetes/manifests/etcd.yaml`), 0o600);
    assert.match(
      base.text(`${dir}/etc/kubernetes/manifests/kube-apiserver.yaml`),
      /^apiVersion: v1\nkind: Pod\n/,
    );
  });

  test('every file it would write is printed with its content', async () => {
    const { out, host } = await dryRunAll();
    const text = out.text();
    for (const f of FILES) {
      assert.ok(text.includes(`[dryrun] Would write file "${f}" with content:\n`), f);
    }
    assert.match(text, /\n\t {4}- --authorization-mode=Node,RBAC\n/);
    assert.deepEqual(
      host.changes.filter((c) => c.kind === 'write').map((c) => c.path),
      FILES,
    );
  });

  test('with the environment variable the files go there', async () => {
    const { base } = await dryRunAll({ KBADM_INIT_DRYRUN_DIR: '/root/dry' });
    assert.ok(base.listFiles('/root/dry').includes('/root/dry/etc/kubernetes/manifests/etcd.yaml'));
    assert.deepEqual(base.listFiles('/etc/kubernetes'), []);
  });
});
