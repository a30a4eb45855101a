// Per-run state lives in InitData.cache: a parent phase fills it for its children, a child run
// alone works without it, and two runs share nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyPool } from '../../../src/certs/pki-files.js';
import { certsPhase } from '../../../src/phases/init/certs.js';
import { runControlPlaneComponent } from '../../../src/phases/init/control-plane.js';
import { runEtcdLocal } from '../../../src/phases/init/etcd.js';
import { kubeconfigPhase } from '../../../src/phases/init/kubeconfig.js';
import type { Phase } from '../../../src/workflow/index.js';
import type { InitData } from '../../../src/phases/init/data.js';
import { CONFIGS_DIR, lines, loadConfigFile } from '../../support/manifests.js';
import { testInitData } from '../../support/init-data.js';

/** ECDSA keeps key generation quick. */
function config() {
  const c = loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);
  c.cluster.encryptionAlgorithm = 'ECDSA-P256';
  return c;
}

function child(parent: Phase<InitData>, name: string): Phase<InitData> {
  const found = parent.phases!.find((p) => p.name === name);
  assert.ok(found, name);
  return found;
}

describe('InitData.cache', () => {
  test('the certs parent leaves its key pool in the run data, and the sub-phases take their keys from it', async () => {
    const d = testInitData(config());
    const before = d.cache.keys;
    assert.equal(before, undefined);
    await certsPhase.run!(d);
    const pool = d.cache.keys;
    assert.ok(pool instanceof KeyPool);
    const taken: string[] = [];
    const take = pool.take.bind(pool);
    pool.take = (name, algorithm) => {
      taken.push(name);
      return take(name, algorithm);
    };
    for (const name of ['ca', 'apiserver', 'sa']) await child(certsPhase, name).run!(d);
    assert.deepEqual(taken, ['ca', 'apiserver', 'sa']);
    assert.equal(testInitData(config()).cache.keys, undefined, 'a new run starts without a pool');
  });

  test('a certificate sub-phase run alone makes its own key', async () => {
    const d = testInitData(config());
    await child(certsPhase, 'ca').run!(d);
    await child(certsPhase, 'apiserver').run!(d);
    assert.equal(d.cache.keys, undefined);
    assert.ok(d.host.text('/etc/kubernetes/pki/apiserver.key').includes('PRIVATE KEY'));
  });

  test('the kubeconfig parent builds the missing files ahead; each sub-phase takes its own once', async () => {
    const d = testInitData(config());
    await child(certsPhase, 'ca').run!(d);
    await kubeconfigPhase.run!(d);
    assert.deepEqual([...d.cache.prebuilt.keys()].sort(), [
      'admin.conf',
      'controller-manager.conf',
      'kubelet.conf',
      'scheduler.conf',
      'super-admin.conf',
    ]);
    assert.ok(d.cache.ca, 'the CA was loaded once for the run');
    await child(kubeconfigPhase, 'admin').run!(d);
    assert.equal(d.cache.prebuilt.has('admin.conf'), false);
    assert.ok(d.host.text('/etc/kubernetes/admin.conf').includes('client-certificate-data'));
  });

  test('the patches directory is read and announced once per run, and again by the next run', async () => {
    const withPatches = () => {
      const c = config();
      c.init.patches = { directory: '/etc/kubernetes/patches' };
      return testInitData(c, {
        files: { '/etc/kubernetes/patches/etcd.yaml': 'metadata:\n  labels:\n    a: b\n' },
      });
    };
    const reading = '[patches] Reading patches from path "/etc/kubernetes/patches"';
    const d = withPatches();
    await runEtcdLocal(d);
    await runControlPlaneComponent(d, 'kube-apiserver');
    assert.equal(lines(d.out).filter((l) => l === reading).length, 1);
    const next = withPatches();
    await runEtcdLocal(next);
    assert.equal(lines(next.out).filter((l) => l === reading).length, 1);
  });
});
