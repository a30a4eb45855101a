import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  clusterFromWire,
  initFromWire,
  joinFromWire,
  resetFromWire,
  upgradeFromWire,
} from '../../../src/config/convert.js';
import { V1BETA4 } from '../../../src/config/model.js';
import {
  validateCluster,
  validateInit,
  validateJoin,
  validateReset,
  validateUpgrade,
} from '../../../src/config/validation/index.js';
import {
  clusterRules,
  initRules,
  joinRules,
  resetRules,
  upgradeRules,
} from '../../../src/config/validation/rules.js';

// Statically defaulted objects with the dynamic fields filled in, as validation receives them.
const SOCKET = 'unix:///var/run/containerd/containerd.sock';
const TOKEN = 'abcdef.0123456789abcdef';
const PIN = 'sha256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3';
const HOUR = 3_600_000;

function init(w: Record<string, unknown> = {}) {
  return initFromWire(
    {
      nodeRegistration: { name: 'cp-1', criSocket: SOCKET },
      localAPIEndpoint: { advertiseAddress: '192.168.0.10' },
      ...w,
    },
    V1BETA4,
  );
}
function cluster(w: Record<string, unknown> = {}) {
  return clusterFromWire({ kubernetesVersion: 'v1.34.0', ...w }, V1BETA4);
}
function join(w: Record<string, unknown> = {}) {
  return joinFromWire(
    {
      nodeRegistration: { name: 'worker-1', criSocket: SOCKET },
      discovery: {
        bootstrapToken: { token: TOKEN, apiServerEndpoint: '10.0.0.10:6443', caCertHashes: [PIN] },
      },
      ...w,
    },
    V1BETA4,
  );
}
const ctx = { command: 'validate' as const };

describe('clusterRules', () => {
  it('accepts the defaults', () => assert.deepEqual(clusterRules(cluster()), { errors: [], warnings: [] }));
  it('collects every problem, prefixed with the kind, in kubeadm’s order', () => {
    const c = cluster({
      dns: { imageRepository: 'bad repo' },
      networking: { podSubnet: '10.244.0.0/33', dnsDomain: 'Cluster.Local' },
      apiServer: { certSANs: ['bad_san'] },
      controllerManager: { extraArgs: [{ name: '', value: 'x' }] },
      scheduler: { extraArgs: [{ name: '', value: 'x' }] },
      certificatesDir: 'pki',
      featureGates: { NoSuchGate: true },
      controlPlaneEndpoint: 'https://api:6443',
      imageRepository: 'https://registry',
      etcd: { local: { dataDir: 'etcd' } },
      encryptionAlgorithm: 'RSA-1024',
      certificateValidityPeriod: -HOUR,
      kubernetesVersion: 'v1.30.0',
    });
    const fields = clusterRules(c).errors.map((p) => p.field);
    assert.deepEqual(fields, [
      'ClusterConfiguration.dns.imageRepository',
      'ClusterConfiguration.networking.dnsDomain',
      'ClusterConfiguration.networking.podSubnet',
      'ClusterConfiguration.apiServer.certSANs',
      'ClusterConfiguration.controllerManager.extraArgs',
      'ClusterConfiguration.scheduler.extraArgs',
      'ClusterConfiguration.certificatesDir',
      'ClusterConfiguration.featureGates',
      'ClusterConfiguration.controlPlaneEndpoint',
      'ClusterConfiguration.imageRepository',
      'ClusterConfiguration.etcd.local.dataDir',
      'ClusterConfiguration.encryptionAlgorithm',
      'ClusterConfiguration.certificateValidityPeriod',
      'ClusterConfiguration.kubernetesVersion',
    ]);
  });
  it('returns validity warnings without errors', () => {
    const r = clusterRules(cluster({ certificateValidityPeriod: 17520 * HOUR }));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, [
      'certificateValidityPeriod: the value 17520h0m0s is more than the recommended default for certificate expiration: 8760h0m0s',
    ]);
  });
  it('does not repeat defaulting’s newer-version warning', () => {
    assert.deepEqual(clusterRules(cluster({ kubernetesVersion: 'v1.35.0' })).warnings, []);
  });
  it('validateCluster is the entry point for it', () => {
    assert.deepEqual(
      validateCluster(cluster({ certificatesDir: 'pki' }), ctx).errors.map((p) => p.field),
      ['ClusterConfiguration.certificatesDir'],
    );
  });
});

describe('initRules / validateInit', () => {
  it('accepts a defaulted init configuration (an empty token is generated later)', () => {
    assert.deepEqual(validateInit({ init: init(), cluster: cluster(), componentConfigs: {} }, ctx), {
      errors: [],
      warnings: [],
    });
  });
  it('orders node registration and tokens, then the cluster, then endpoint, key, patches, timeouts', () => {
    const i = init({
      nodeRegistration: { name: '', criSocket: SOCKET },
      bootstrapTokens: [{ token: 'BAD' }],
      localAPIEndpoint: { advertiseAddress: 'nope', bindPort: 70000 },
      certificateKey: 'abc',
      patches: { directory: 'p' },
      timeouts: { discovery: -1000 },
    });
    const r = validateInit(
      { init: i, cluster: cluster({ certificatesDir: 'pki' }), componentConfigs: {} },
      ctx,
    );
    assert.deepEqual(
      r.errors.map((p) => p.field),
      [
        'InitConfiguration.nodeRegistration',
        'InitConfiguration.bootstrapTokens[0].token',
        'ClusterConfiguration.certificatesDir',
        'InitConfiguration.localAPIEndpoint.advertiseAddress',
        'InitConfiguration.localAPIEndpoint.bindPort',
        'InitConfiguration.certificateKey',
        'InitConfiguration.patches.directory',
        'InitConfiguration.timeouts.discovery',
      ],
    );
  });
  it('initRules alone leaves the cluster out', () => {
    assert.deepEqual(initRules(init(), undefined).errors, []);
  });
});

describe('joinRules / validateJoin', () => {
  it('accepts a worker join and a control-plane join', () => {
    assert.deepEqual(validateJoin(join(), ctx), { errors: [], warnings: [] });
    const cp = join({
      controlPlane: { localAPIEndpoint: { advertiseAddress: '10.0.0.11' }, certificateKey: 'ab'.repeat(32) },
    });
    assert.deepEqual(joinRules(cp).errors, []);
  });
  it('checks the control plane part, caCertPath, patches and timeouts', () => {
    const j = join({
      controlPlane: {
        localAPIEndpoint: { advertiseAddress: '10.0.0.11', bindPort: 70000 },
        certificateKey: 'ab',
      },
      caCertPath: '/etc/kubernetes/pki/ca.pem',
      patches: { directory: 'rel' },
    });
    assert.deepEqual(
      joinRules(j).errors.map((p) => [p.field, p.detail]),
      [
        ['JoinConfiguration.controlPlane.localAPIEndpoint.bindPort', 'port number is not valid'],
        [
          'JoinConfiguration.controlPlane.certificateKey',
          'invalid certificate key size 1, the key must be an AES key of size 32',
        ],
        ['JoinConfiguration.caCertPath', 'the ca certificate path must be an absolute path'],
        ['JoinConfiguration.patches.directory', 'path is not absolute'],
      ],
    );
  });
  it('requires an absolute caCertPath ending in .crt', () => {
    for (const ok of ['/etc/kubernetes/pki/ca.crt', '/srv/ca.crt'])
      assert.deepEqual(joinRules(join({ caCertPath: ok })).errors, []);
    for (const bad of ['etc/kubernetes/pki/ca.crt', 'ca.crt', '/etc/kubernetes/pki/ca'])
      assert.deepEqual(
        joinRules(join({ caCertPath: bad })).errors.map((p) => [p.field, p.value]),
        [['JoinConfiguration.caCertPath', bad]],
      );
  });
  it('passes the file-existence fact to discovery', () => {
    const j = join({ discovery: { file: { kubeConfigPath: '/etc/kubernetes/discovery.conf' } } });
    assert.deepEqual(validateJoin(j, { ...ctx, fileExists: () => true }).errors, []);
    assert.deepEqual(
      validateJoin(j, { ...ctx, fileExists: () => false }).errors.map((p) => p.field),
      ['JoinConfiguration.discovery.file.kubeConfigPath'],
    );
  });
});

describe('resetRules / validateReset', () => {
  it('accepts a defaulted reset configuration', () => {
    assert.deepEqual(validateReset({ ...resetFromWire({}), criSocket: SOCKET }, ctx), {
      errors: [],
      warnings: [],
    });
  });
  it('checks the socket, certificatesDir, unmount flags and ignored checks', () => {
    const r = resetRules({
      ...resetFromWire({
        certificatesDir: 'pki',
        unmountFlags: ['MNT_LAZY'],
        ignorePreflightErrors: ['all', 'x'],
      }),
      criSocket: '/run/containerd.sock',
    });
    assert.deepEqual(
      r.errors.map((p) => p.field),
      [
        'ResetConfiguration.criSocket',
        'ResetConfiguration.certificatesDir',
        'ResetConfiguration.unmountFlags',
        'ResetConfiguration.ignorePreflightErrors',
      ],
    );
  });
});

describe('upgradeRules / validateUpgrade', () => {
  it('accepts the defaults', () =>
    assert.deepEqual(validateUpgrade(upgradeFromWire({}), ctx), { errors: [], warnings: [] }));
  it('checks patches and pull policies of apply and node', () => {
    const u = upgradeFromWire({
      apply: { patches: { directory: 'a' }, imagePullPolicy: 'Sometimes' },
      node: { patches: { directory: 'n' }, imagePullPolicy: 'Nope' },
    });
    assert.deepEqual(
      upgradeRules(u).errors.map((p) => p.field),
      [
        'UpgradeConfiguration.apply.patches.directory',
        'UpgradeConfiguration.node.patches.directory',
        'UpgradeConfiguration.apply.imagePullPolicy',
        'UpgradeConfiguration.node.imagePullPolicy',
      ],
    );
  });
});
