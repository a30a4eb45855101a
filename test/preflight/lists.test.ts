// Which checks each command runs, in kubeadm's order, for typical configurations.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadJoinConfig } from '../../src/config/load.js';
import {
  imagePullStage,
  initPreflight,
  initResumeChecks,
  joinPreflight,
  resetPreflight,
} from '../../src/preflight/lists.js';
import { CONFIGS_DIR, FACTS, loadConfigFile, loadConfigText } from '../support/manifests.js';

const names = (plan: { name: string }[][]) => plan.map((stage) => stage.map((c) => c.name));

const COMMON = [
  'CRI',
  'Swap',
  'FileExisting-ip',
  'FileExisting-iptables',
  'FileExisting-mount',
  'FileExisting-nsenter',
  'FileExisting-ebtables',
  'FileExisting-ethtool',
  'FileExisting-socat',
  'FileExisting-tc',
  'FileExisting-touch',
  'SystemVerification',
  'Hostname',
  'KubeletVersion',
  'Service-Kubelet',
  'Port-10250',
];

function join(file: string) {
  return loadJoinConfig(readFileSync(`${CONFIGS_DIR}${file}`, 'utf8'), {
    source: file,
    facts: FACTS,
    defaulting: { skipCRIDetect: true },
  }).config;
}

describe('init checks', () => {
  test('a stacked-etcd control plane: root alone, then kubeadm’s list in order', () => {
    const { init, cluster } = loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);
    assert.deepEqual(names(initPreflight(init, cluster)), [
      ['IsPrivilegedUser'],
      [
        'NumCPU',
        'Mem',
        'KubernetesVersion',
        'Firewalld',
        'Port-6443',
        'Port-10259',
        'Port-10257',
        'FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml',
        'FileAvailable--etc-kubernetes-manifests-kube-controller-manager.yaml',
        'FileAvailable--etc-kubernetes-manifests-kube-scheduler.yaml',
        'FileAvailable--etc-kubernetes-manifests-etcd.yaml',
        'HTTPProxy',
        'HTTPProxyCIDR',
        'HTTPProxyCIDR',
        ...COMMON,
        'FileContent--proc-sys-net-ipv4-ip_forward',
        'Port-2379',
        'Port-2380',
        'DirAvailable--var-lib-etcd',
      ],
    ]);
  });

  test('the API server port and the etcd data directory come from the configuration', () => {
    const { init, cluster } = loadConfigText(
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: 10.0.0.5\n  bindPort: 8443\n---\n' +
        'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  local:\n    dataDir: /data/etcd\n',
    );
    const checks = names(initPreflight(init, cluster))[1]!;
    assert.ok(checks.includes('Port-8443') && !checks.includes('Port-6443'));
    assert.equal(checks.at(-1), 'DirAvailable--data-etcd');
  });

  test('external etcd: no etcd ports or directory, the client files must exist', () => {
    const { init, cluster } = loadConfigFile(`${CONFIGS_DIR}06-external-etcd.yaml`);
    const checks = names(initPreflight(init, cluster))[1]!;
    assert.ok(!checks.some((n) => n === 'Port-2379' || n.startsWith('DirAvailable')));
    assert.deepEqual(checks.slice(-3), [
      'ExternalEtcdClientCertificates',
      'ExternalEtcdClientCertificates',
      'ExternalEtcdClientCertificates',
    ]);
  });

  test('dual-stack: both forwarding sysctls are checked', () => {
    const { init, cluster } = loadConfigFile(`${CONFIGS_DIR}09-dual-stack.yaml`);
    const checks = names(initPreflight(init, cluster))[1]!;
    assert.ok(checks.includes('FileContent--proc-sys-net-ipv4-ip_forward'));
    assert.ok(checks.includes('FileContent--proc-sys-net-ipv6-conf-default-forwarding'));
    assert.equal(checks.filter((n) => n === 'HTTPProxyCIDR').length, 4, 'each range of each family');
  });

  test('the image pull stage is one ImagePull check', () => {
    const { init } = loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);
    assert.deepEqual(
      imagePullStage(['a'], 'registry.k8s.io/pause:3.10.1', init.nodeRegistration).map((c) => c.name),
      ['ImagePull'],
    );
  });
});

describe('resuming an interrupted init', () => {
  test("the manifests, etcd's data directory and the ports of what init starts: checks of init's own list", () => {
    const { init, cluster } = loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);
    const resumable = initResumeChecks(init, cluster);
    assert.deepEqual([...resumable].sort(), [
      'DirAvailable--var-lib-etcd',
      'FileAvailable--etc-kubernetes-manifests-etcd.yaml',
      'FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml',
      'FileAvailable--etc-kubernetes-manifests-kube-controller-manager.yaml',
      'FileAvailable--etc-kubernetes-manifests-kube-scheduler.yaml',
      'Port-10250',
      'Port-10257',
      'Port-10259',
      'Port-2379',
      'Port-2380',
      'Port-6443',
    ]);
    const all = names(initPreflight(init, cluster)).flat();
    for (const name of resumable) assert.ok(all.includes(name), `${name} is one of init's checks`);
    // Everything else still stops a resumed init: the machine, the runtime, the kubelet, the proxy.
    for (const kept of ['IsPrivilegedUser', 'NumCPU', 'Mem', 'CRI', 'KubeletVersion', 'HTTPProxy', 'Swap'])
      assert.ok(!resumable.includes(kept), kept);
  });

  test('a configured API server port and etcd data directory; no etcd checks with an external etcd', () => {
    const { init, cluster } = loadConfigText(
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: 10.0.0.5\n  bindPort: 8443\n---\n' +
        'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  local:\n    dataDir: /data/etcd\n',
    );
    const resumable = initResumeChecks(init, cluster);
    assert.ok(resumable.includes('Port-8443') && !resumable.includes('Port-6443'));
    assert.ok(resumable.includes('DirAvailable--data-etcd'));
    const external = loadConfigFile(`${CONFIGS_DIR}06-external-etcd.yaml`);
    const withExternal = initResumeChecks(external.init, external.cluster);
    assert.ok(
      !withExternal.some((n) => ['Port-2379', 'Port-2380'].includes(n) || n.startsWith('DirAvailable')),
    );
  });
});

describe('join and reset checks', () => {
  test('a worker: the kubelet files, the common checks, the CA file, then proxy and forwarding for the endpoint', () => {
    assert.deepEqual(names(joinPreflight(join('15-join-worker-token.yaml'))), [
      ['IsPrivilegedUser'],
      [
        'FileAvailable--etc-kubernetes-kubelet.conf',
        'FileAvailable--etc-kubernetes-bootstrap-kubelet.conf',
        ...COMMON,
        'FileAvailable--etc-kubernetes-pki-ca.crt',
        'HTTPProxy',
        'FileContent--proc-sys-net-ipv4-ip_forward',
      ],
    ]);
  });

  test('a control-plane join does not check the CA file (it brings its own)', () => {
    const checks = names(joinPreflight(join('17-join-control-plane.yaml')))[1]!;
    assert.ok(!checks.includes('FileAvailable--etc-kubernetes-pki-ca.crt'));
  });

  test('an IPv6 API server endpoint checks IPv6 forwarding instead', () => {
    const cfg = join('15-join-worker-token.yaml');
    cfg.discovery.bootstrapToken!.apiServerEndpoint = '[fd00::10]:6443';
    assert.equal(
      names(joinPreflight(cfg))[1]!.at(-1),
      'FileContent--proc-sys-net-ipv6-conf-default-forwarding',
    );
  });

  test('reset: only the root check', () => {
    assert.deepEqual(names(resetPreflight()), [['IsPrivilegedUser']]);
  });
});
