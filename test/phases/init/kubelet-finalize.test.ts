// kubelet-finalize: kubelet.conf is pointed at the kubelet's rotating certificate once the kubelet
// has one, and left alone before that.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseKubeconfig, type KubeConfig } from '../../../src/kubeconfig/kubeconfig.js';
import { kubeletFinalizePhase, pointAtRotatedCert } from '../../../src/phases/init/kubelet-finalize.js';
import { CONFIGS_DIR, lines, loadConfigFile, loadConfigText } from '../../support/manifests.js';
import { testInitData } from '../../support/init-data.js';

const KUBELET_CONF = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://192.168.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: system:node:cp-1
  name: system:node:cp-1@kubernetes
current-context: system:node:cp-1@kubernetes
users:
- name: system:node:cp-1
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;
const PEM = '/var/lib/kubelet/pki/kubelet-client-current.pem';
const rotation = kubeletFinalizePhase.phases![0]!;

describe('init phase kubelet-finalize', () => {
  test('points the current user at the rotating certificate once the kubelet has one', async () => {
    const d = testInitData(loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`), {
      files: { '/etc/kubernetes/kubelet.conf': KUBELET_CONF, [PEM]: 'PEM' },
    });
    await rotation.run!(d);
    assert.deepEqual(lines(d.out), [
      '[kubelet-finalize] Updating "/etc/kubernetes/kubelet.conf" to point to a rotatable kubelet client certificate and key',
    ]);
    const cfg = parseKubeconfig((await d.host.readFile('/etc/kubernetes/kubelet.conf')).toString());
    assert.deepEqual(cfg.users![0]!.user, { 'client-certificate': PEM, 'client-key': PEM });
    assert.equal(cfg.clusters[0]!.cluster.server, 'https://192.168.0.10:6443');
    assert.equal((await d.host.stat('/etc/kubernetes/kubelet.conf'))!.mode & 0o777, 0o600);
  });

  test('leaves kubelet.conf alone while the kubelet has no certificate of its own', async () => {
    const d = testInitData(loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`), {
      files: { '/etc/kubernetes/kubelet.conf': KUBELET_CONF },
    });
    await rotation.run!(d);
    assert.deepEqual(lines(d.out), []);
    assert.equal((await d.host.readFile('/etc/kubernetes/kubelet.conf')).toString(), KUBELET_CONF);
  });

  test("looks in the kubelet's --cert-dir when kubeletExtraArgs sets one", async () => {
    const config = loadConfigText(
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n  - name: cert-dir\n    value: /srv/kubelet-pki\n',
    );
    const d = testInitData(config, {
      files: {
        '/etc/kubernetes/kubelet.conf': KUBELET_CONF,
        '/srv/kubelet-pki/kubelet-client-current.pem': 'PEM',
      },
    });
    await rotation.run!(d);
    const cfg = parseKubeconfig((await d.host.readFile('/etc/kubernetes/kubelet.conf')).toString());
    assert.equal(cfg.users![0]!.user['client-certificate'], '/srv/kubelet-pki/kubelet-client-current.pem');
  });

  test('a dry run only says what it would change', async () => {
    const d = testInitData(loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`), {
      files: { '/etc/kubernetes/kubelet.conf': KUBELET_CONF, [PEM]: 'PEM' },
      dryRun: true,
    });
    await rotation.run!(d);
    assert.equal(lines(d.out).length, 1);
    assert.equal((await d.host.readFile('/etc/kubernetes/kubelet.conf')).toString(), KUBELET_CONF);
  });

  test('refuses a kubelet.conf whose current context or user is missing, naming the file', () => {
    const base = parseKubeconfig(KUBELET_CONF);
    const f = '/etc/kubernetes/kubelet.conf';
    const cases: [KubeConfig, RegExp][] = [
      [
        { ...base, 'current-context': '' },
        /the file "\/etc\/kubernetes\/kubelet.conf" does not have current context set/,
      ],
      [{ ...base, 'current-context': 'x' }, /"x" set as current-context, but not found in context list/],
      [{ ...base, users: [] }, /does not contain authentication for user "system:node:cp-1"/],
      [
        {
          ...base,
          contexts: [{ name: base['current-context'], context: { cluster: 'kubernetes', user: '' } }],
        },
        /empty username for current context/,
      ],
    ];
    for (const [cfg, re] of cases) assert.throws(() => pointAtRotatedCert(cfg, f, PEM), re);
  });
});
