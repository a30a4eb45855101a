import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { etcdLocalPhase, etcdPhase, runEtcdLocal } from '../../../src/phases/init/etcd.js';
import { CONFIGS_DIR, lines, loadConfigFile, MANIFEST_FIXTURES_DIR } from '../../support/manifests.js';
import { testInitData } from '../../support/init-data.js';

const local = () => loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);

describe('init phase etcd local', () => {
  test('writes etcd.yaml 0600 in a 0700 manifests dir and creates the data dir 0700', async () => {
    const run = testInitData(local());
    await runEtcdLocal(run);
    assert.equal(run.host.modeOf('/etc/kubernetes/manifests/etcd.yaml'), 0o600);
    assert.equal(run.host.modeOf('/etc/kubernetes/manifests'), 0o700);
    assert.equal(run.host.modeOf('/var/lib/etcd'), 0o700);
    assert.match(
      run.host.text('/etc/kubernetes/manifests/etcd.yaml'),
      /- --initial-cluster=cp-1=https:\/\/192\.168\.0\.10:2380/,
    );
    assert.deepEqual(lines(run.out), [
      '[etcd] Creating static Pod manifest for local etcd in "/etc/kubernetes/manifests"',
    ]);
  });

  test('under --rootfs the files go below the root and messages name host paths', async () => {
    const run = testInitData(local(), { rootfs: '/srv/node1' });
    await runEtcdLocal(run);
    assert.ok(run.host.text('/srv/node1/etc/kubernetes/manifests/etcd.yaml').includes('kind: Pod'));
    assert.equal(run.host.modeOf('/srv/node1/var/lib/etcd'), 0o700);
    assert.match(lines(run.out)[0]!, /in "\/etc\/kubernetes\/manifests"$/);
  });

  test('external etcd: nothing is written', async () => {
    const run = testInitData(loadConfigFile(`${MANIFEST_FIXTURES_DIR}external-etcd/config.yaml`));
    await runEtcdLocal(run);
    assert.deepEqual(run.host.changes, []);
    assert.deepEqual(lines(run.out), []);
  });

  test('dry run: says it would ensure the data dir instead of creating it', async () => {
    const run = { ...testInitData(local()), dryRun: true };
    await runEtcdLocal(run);
    assert.equal(run.host.modeOf('/var/lib/etcd'), undefined);
    assert.equal(lines(run.out)[0], '[etcd] Would ensure that "/var/lib/etcd" directory is present');
  });

  test('patches for the etcd target are applied and reported', async () => {
    const config = local();
    config.init.patches = { directory: '/etc/kubernetes/patches' };
    const run = testInitData(config, {
      files: {
        '/etc/kubernetes/patches/etcd+json.yaml':
          '- op: add\n  path: /spec/containers/0/command/-\n  value: --quota-backend-bytes=8589934592\n',
      },
    });
    await runEtcdLocal(run);
    assert.match(
      run.host.text('/etc/kubernetes/manifests/etcd.yaml'),
      /- --quota-backend-bytes=8589934592\n/,
    );
    const out = lines(run.out);
    assert.ok(out.includes('[patches] Reading patches from path "/etc/kubernetes/patches"'), out.join('\n'));
    assert.ok(out.includes('[patches] Applied patch of type "application/json-patch+json" to target "etcd"'));
  });

  test('a bad patch fails the phase, naming the file, and writes nothing', async () => {
    const config = local();
    config.init.patches = { directory: '/etc/kubernetes/patches' };
    const run = testInitData(config, {
      files: { '/etc/kubernetes/patches/etcd+json.yaml': '- op: remove\n  path: /spec/nope\n' },
    });
    await assert.rejects(runEtcdLocal(run), /etcd\+json\.yaml/);
    assert.equal(run.host.modeOf('/etc/kubernetes/manifests/etcd.yaml'), undefined);
  });

  test('a bad patch file name: the directory is announced, then the error names it and the file', async () => {
    const config = local();
    config.init.patches = { directory: '/etc/kubernetes/patches' };
    const run = testInitData(config, { files: { '/etc/kubernetes/patches/etcd+typo.yaml': 'a: 1\n' } });
    await assert.rejects(
      runEtcdLocal(run),
      /could not list patch files for path "\/etc\/kubernetes\/patches": .*\(file "etcd\+typo\.yaml"\)/,
    );
    assert.equal(lines(run.out).at(-1), '[patches] Reading patches from path "/etc/kubernetes/patches"');
  });

  test('phase shape: etcd has only `local`, no `all`; local inherits kubeadm’s flags', () => {
    assert.equal(etcdPhase.name, 'etcd');
    assert.deepEqual(
      etcdPhase.phases?.map((p) => p.name),
      ['local'],
    );
    assert.equal(etcdPhase.all, false);
    assert.deepEqual(etcdLocalPhase.inheritFlags, [
      'cert-dir',
      'config',
      'image-repository',
      'patches',
      'dry-run',
    ]);
  });
});
