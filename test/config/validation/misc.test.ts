import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TIMEOUTS } from '../../../src/config/defaults.js';
import {
  validateFeatureGates,
  validateKubernetesVersion,
  validatePatches,
  validateTimeouts,
  validateUnmountFlags,
} from '../../../src/config/validation/misc.js';
import { validateAbsolutePath } from '../../../src/config/validation/common.js';

describe('validateKubernetesVersion', () => {
  const F = 'ClusterConfiguration.kubernetesVersion';
  it('accepts kbadm’s window (v1.33, v1.34)', () => {
    assert.deepEqual(validateKubernetesVersion('v1.34.0', F), { errors: [], warnings: [] });
    assert.deepEqual(validateKubernetesVersion('v1.33.5', F), { errors: [], warnings: [] });
  });
  it('rejects a control plane older than the minimum with kubeadm’s text', () => {
    assert.deepEqual(validateKubernetesVersion('v1.32.4', F).errors, [
      {
        field: F,
        value: 'v1.32.4',
        detail:
          'this version of kubeadm only supports deploying clusters with the control plane version >= 1.33.0. Current version: v1.32.4',
      },
    ]);
  });
  it('warns about a newer minor', () => {
    const r = validateKubernetesVersion('v1.35.0', F);
    assert.deepEqual(r.errors, []);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /v1\.35\.0 is newer than the kbadm version/);
  });
  it('leaves labels to defaulting', () => {
    assert.deepEqual(validateKubernetesVersion('stable-1', F), { errors: [], warnings: [] });
  });
});

describe('validateFeatureGates', () => {
  const F = 'ClusterConfiguration.featureGates';
  it('accepts known gates', () => {
    assert.deepEqual(validateFeatureGates({ NodeLocalCRISocket: true, RootlessControlPlane: false }, F), {
      errors: [],
      warnings: [],
    });
  });
  it('rejects unknown gates with kubeadm’s message, naming the whole map', () => {
    const gates = { EtcdLearnerMode: true };
    assert.deepEqual(validateFeatureGates(gates, F).errors, [
      { field: F, value: gates, detail: 'EtcdLearnerMode is not a valid feature name.' },
    ]);
  });
  it('rejects a locked gate set against its default, and warns for a deprecated one', () => {
    const r = validateFeatureGates({ WaitForAllControlPlaneComponents: false, PublicKeysECDSA: true }, F);
    assert.deepEqual(
      r.errors.map((e) => e.detail),
      ['cannot set feature gate WaitForAllControlPlaneComponents to false, feature is locked to true'],
    );
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /PublicKeysECDSA feature gate is deprecated/);
  });
});

describe('validateAbsolutePath / validatePatches', () => {
  it('accepts absolute paths', () => {
    assert.deepEqual(validateAbsolutePath('/etc/kubernetes/pki', 'f'), []);
    assert.deepEqual(
      validatePatches({ directory: '/etc/kubernetes/patches' }, 'InitConfiguration.patches'),
      [],
    );
    assert.deepEqual(validatePatches(undefined, 'InitConfiguration.patches'), []);
  });
  it('rejects relative and empty paths', () => {
    assert.deepEqual(validateAbsolutePath('etc/kubernetes/pki', 'ClusterConfiguration.certificatesDir'), [
      {
        field: 'ClusterConfiguration.certificatesDir',
        value: 'etc/kubernetes/pki',
        detail: 'path is not absolute',
      },
    ]);
    assert.deepEqual(validatePatches({ directory: 'patches' }, 'InitConfiguration.patches'), [
      { field: 'InitConfiguration.patches.directory', value: 'patches', detail: 'path is not absolute' },
    ]);
    assert.equal(validateAbsolutePath('', 'f').length, 1);
  });
});

describe('validateTimeouts', () => {
  const P = 'JoinConfiguration.timeouts';
  it('accepts the defaults and zero', () => {
    assert.deepEqual(validateTimeouts({ ...DEFAULT_TIMEOUTS }, P), []);
    assert.deepEqual(validateTimeouts({ ...DEFAULT_TIMEOUTS, discovery: 0 }, P), []);
  });
  it('rejects negative timeouts', () => {
    assert.deepEqual(validateTimeouts({ ...DEFAULT_TIMEOUTS, discovery: -300_000, tlsBootstrap: -1 }, P), [
      { field: `${P}.tlsBootstrap`, value: '-1ms', detail: 'the timeout must not be negative' },
      { field: `${P}.discovery`, value: '-5m0s', detail: 'the timeout must not be negative' },
    ]);
  });
});

describe('validateUnmountFlags', () => {
  const F = 'ResetConfiguration.unmountFlags';
  it('accepts the umount2 flags', () => {
    assert.deepEqual(
      validateUnmountFlags(['MNT_FORCE', 'MNT_DETACH', 'MNT_EXPIRE', 'UMOUNT_NOFOLLOW'], F),
      [],
    );
  });
  it('rejects others by index', () => {
    assert.deepEqual(validateUnmountFlags(['MNT_FORCE', 'MNT_LAZY', 'mnt_force'], F), [
      { field: F, value: 'index 1', detail: 'unknown unmount flag MNT_LAZY' },
      { field: F, value: 'index 2', detail: 'unknown unmount flag mnt_force' },
    ]);
  });
});
