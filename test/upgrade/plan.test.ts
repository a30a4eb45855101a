import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { parseKubernetesVersion, type KubeVersion } from '../../src/config/k8s-version.js';
import {
  componentConfigStates,
  KubeletTally,
  sortNodeVersions,
  tagOfImage,
  type ClusterVersions,
} from '../../src/upgrade/cluster-state.js';
import {
  buildUpgradePlan,
  renderUpgradePlan,
  renderUpgradePlanText,
  upgradePlanDocument,
  type PlanOptions,
} from '../../src/upgrade/plan.js';
import { availableUpgrades } from '../../src/upgrade/versions.js';

const v = (s: string): KubeVersion => parseKubernetesVersion(s)!;

const OPTIONS: PlanOptions = { kbadmVersion: 'v1.34.0', coreDNSTarget: 'v1.12.1', etcdUpgrade: true };

function state(over: Partial<ClusterVersions> = {}): ClusterVersions {
  return {
    kubernetesVersion: 'v1.33.1',
    apiServer: [{ node: 'cp-1', version: 'v1.33.1' }],
    controllerManager: [{ node: 'cp-1', version: 'v1.33.1' }],
    scheduler: [{ node: 'cp-1', version: 'v1.33.1' }],
    etcd: [{ node: 'cp-1', version: '3.5.21-0' }],
    externalEtcd: false,
    kubelets: [{ version: 'v1.33.1', nodes: ['cp-1'] }],
    kubeProxy: 'v1.33.1',
    coreDNS: 'v1.12.0',
    configs: componentConfigStates(['kubeproxy.config.k8s.io/v1alpha1', 'kubelet.config.k8s.io/v1beta1']),
    ...over,
  };
}

const CONFIG_SECTION = `
The table below shows the current state of component configs as understood by this version of kbadm.
Configs that have a "yes" mark in the "MANUAL UPGRADE REQUIRED" column require manual config upgrade or
resetting to kubeadm defaults before a successful upgrade can be performed. The version to manually
upgrade to is denoted in the "PREFERRED VERSION" column.

API GROUP                 CURRENT VERSION   PREFERRED VERSION   MANUAL UPGRADE REQUIRED
kubeproxy.config.k8s.io   v1alpha1          v1alpha1            no
kubelet.config.k8s.io     v1beta1           v1beta1             no
_____________________________________________________________________

`;

describe('upgrade plan text', () => {
  test('a patch and a minor upgrade, in kubeadm 1.34’s layout', () => {
    const plan = buildUpgradePlan(state(), availableUpgrades({ cluster: v('v1.33.1') }), OPTIONS);
    assert.equal(
      renderUpgradePlanText(plan),
      `Components that must be upgraded manually after you have upgraded the control plane with 'kbadm upgrade apply':
COMPONENT   NODE      CURRENT   TARGET
kubelet     cp-1      v1.33.1   v1.33.4

Upgrade to the latest version in the v1.33 series:

COMPONENT                 NODE      CURRENT    TARGET
kube-apiserver            cp-1      v1.33.1    v1.33.4
kube-controller-manager   cp-1      v1.33.1    v1.33.4
kube-scheduler            cp-1      v1.33.1    v1.33.4
kube-proxy                          1.33.1     v1.33.4
CoreDNS                             v1.12.0    v1.12.1
etcd                      cp-1      3.5.21-0   3.5.21-0

You can now apply the upgrade by executing the following command:

\tkbadm upgrade apply v1.33.4

_____________________________________________________________________

Components that must be upgraded manually after you have upgraded the control plane with 'kbadm upgrade apply':
COMPONENT   NODE      CURRENT   TARGET
kubelet     cp-1      v1.33.1   v1.34.0

Upgrade to the latest stable version:

COMPONENT                 NODE      CURRENT    TARGET
kube-apiserver            cp-1      v1.33.1    v1.34.0
kube-controller-manager   cp-1      v1.33.1    v1.34.0
kube-scheduler            cp-1      v1.33.1    v1.34.0
kube-proxy                          1.33.1     v1.34.0
CoreDNS                             v1.12.0    v1.12.1
etcd                      cp-1      3.5.21-0   3.6.4-0

You can now apply the upgrade by executing the following command:

\tkbadm upgrade apply v1.34.0

_____________________________________________________________________

${CONFIG_SECTION}`,
    );
  });

  test('several control-plane nodes and kubelet versions; kubelets already at the target are not listed', () => {
    const s = state({
      kubernetesVersion: 'v1.33.4',
      apiServer: [
        { node: 'cp-2', version: 'v1.33.4' },
        { node: 'cp-1', version: 'v1.33.3' },
      ],
      kubelets: [
        { version: 'v1.33.4', nodes: ['cp-1', 'cp-2'] },
        { version: 'v1.34.0', nodes: ['w-1'] },
      ],
    });
    const text = renderUpgradePlanText(
      buildUpgradePlan(s, availableUpgrades({ cluster: v('v1.33.4') }), OPTIONS),
    );
    assert.match(
      text,
      /^COMPONENT {3}NODE {6}CURRENT {3}TARGET\nkubelet {5}cp-1 {6}v1\.33\.4 {3}v1\.34\.0\nkubelet {5}cp-2 {6}v1\.33\.4 {3}v1\.34\.0\nkubelet {5}w-1 {7}v1\.34\.0 {3}v1\.34\.0\n\n/m,
    );
    // Sorted by version, then in the order read.
    assert.match(
      text,
      /kube-apiserver {12}cp-1 {6}v1\.33\.3 {4}v1\.34\.0\nkube-apiserver {12}cp-2 {6}v1\.33\.4/,
    );

    const allNew = state({ kubelets: [{ version: 'v1.34.0', nodes: ['a', 'b', 'c'] }] });
    const plan = buildUpgradePlan(allNew, availableUpgrades({ cluster: v('v1.33.4') }), OPTIONS);
    assert.ok(renderUpgradePlanText(plan).startsWith('Upgrade to the latest stable version:\n\n'));
  });

  test('external etcd, no addons, a target newer than kbadm, an rc flag', () => {
    const s = state({
      kubernetesVersion: 'v1.34.0',
      externalEtcd: true,
      etcd: [],
      kubelets: [
        { version: 'v1.33.4', nodes: ['w-1', 'w-2'] },
        { version: 'v1.34.0', nodes: ['w-3'] },
      ],
    });
    delete s.kubeProxy;
    delete s.coreDNS;
    const text = renderUpgradePlanText(
      buildUpgradePlan(s, availableUpgrades({ cluster: v('v1.34.0'), target: v('v1.34.2-rc.0') }), OPTIONS),
    );
    assert.equal(
      text.slice(0, text.indexOf('_')),
      `Components that must be upgraded manually after you have upgraded the control plane with 'kbadm upgrade apply':
COMPONENT   NODE      CURRENT   TARGET
kubelet     w-1       v1.33.4   v1.34.2-rc.0
kubelet     w-2       v1.33.4   v1.34.2-rc.0
kubelet     w-3       v1.34.0   v1.34.2-rc.0

Upgrade to the latest release candidate version:

COMPONENT                 NODE      CURRENT   TARGET
kube-apiserver            cp-1      v1.33.1   v1.34.2-rc.0
kube-controller-manager   cp-1      v1.33.1   v1.34.2-rc.0
kube-scheduler            cp-1      v1.33.1   v1.34.2-rc.0

You can now apply the upgrade by executing the following command:

\tkbadm upgrade apply v1.34.2-rc.0 --allow-release-candidate-upgrades

Note: Before you can perform this upgrade, you have to update kbadm to v1.34.2-rc.0.

`,
    );
  });

  test('--etcd-upgrade=false keeps etcd; a pinned etcd tag is the target', () => {
    const ups = availableUpgrades({ cluster: v('v1.33.4') });
    const kept = buildUpgradePlan(state(), ups, { ...OPTIONS, etcdUpgrade: false });
    assert.deepEqual(
      kept.upgrades[0]!.components.find((c) => c.name === 'etcd'),
      { name: 'etcd', currentVersion: '3.5.21-0', newVersion: '3.5.21-0', nodeName: 'cp-1' },
    );
    const pinned = buildUpgradePlan(state(), ups, { ...OPTIONS, etcdImageTag: '3.6.0-0' });
    assert.equal(pinned.upgrades[0]!.components.find((c) => c.name === 'etcd')!.newVersion, '3.6.0-0');
  });

  test('nothing to upgrade renders nothing', () => {
    assert.equal(renderUpgradePlanText(buildUpgradePlan(state(), [], OPTIONS)), '');
  });

  test('a component config in another version needs a manual upgrade; a missing one has no current version', () => {
    const s = state({ configs: componentConfigStates(['kubelet.config.k8s.io/v1alpha9']) });
    const text = renderUpgradePlanText(
      buildUpgradePlan(s, availableUpgrades({ cluster: v('v1.33.4') }), OPTIONS),
    );
    assert.match(
      text,
      /\nkubeproxy\.config\.k8s\.io {21}v1alpha1 {12}no\nkubelet\.config\.k8s\.io {5}v1alpha9 {10}v1beta1 {13}yes\n/,
    );
  });
});

describe('upgrade plan json and yaml', () => {
  const plan = () => buildUpgradePlan(state(), availableUpgrades({ cluster: v('v1.33.4') }), OPTIONS);

  test('json: kubeadm’s UpgradePlan object, fields in its order, 4-space indent', () => {
    assert.equal(
      renderUpgradePlan(plan(), 'json'),
      `{
    "kind": "UpgradePlan",
    "apiVersion": "output.kubeadm.k8s.io/v1alpha3",
    "availableUpgrades": [
        {
            "description": "stable version",
            "components": [
                {
                    "name": "kubelet",
                    "currentVersion": "v1.33.1",
                    "newVersion": "v1.34.0",
                    "nodeName": "cp-1"
                },
                {
                    "name": "kube-apiserver",
                    "currentVersion": "v1.33.1",
                    "newVersion": "v1.34.0",
                    "nodeName": "cp-1"
                },
                {
                    "name": "kube-controller-manager",
                    "currentVersion": "v1.33.1",
                    "newVersion": "v1.34.0",
                    "nodeName": "cp-1"
                },
                {
                    "name": "kube-scheduler",
                    "currentVersion": "v1.33.1",
                    "newVersion": "v1.34.0",
                    "nodeName": "cp-1"
                },
                {
                    "name": "kube-proxy",
                    "currentVersion": "1.33.1",
                    "newVersion": "v1.34.0"
                },
                {
                    "name": "CoreDNS",
                    "currentVersion": "v1.12.0",
                    "newVersion": "v1.12.1"
                },
                {
                    "name": "kubeadm",
                    "currentVersion": "v1.34.0",
                    "newVersion": "v1.34.0"
                },
                {
                    "name": "etcd",
                    "currentVersion": "3.5.21-0",
                    "newVersion": "3.6.4-0",
                    "nodeName": "cp-1"
                }
            ]
        }
    ],
    "configVersions": [
        {
            "group": "kubeproxy.config.k8s.io",
            "currentVersion": "v1alpha1",
            "preferredVersion": "v1alpha1",
            "manualUpgradeRequired": false
        },
        {
            "group": "kubelet.config.k8s.io",
            "currentVersion": "v1beta1",
            "preferredVersion": "v1beta1",
            "manualUpgradeRequired": false
        }
    ]
}
`,
    );
  });

  test('yaml: the same object, keys sorted', () => {
    const text = renderUpgradePlan(plan(), 'yaml');
    assert.ok(
      text.startsWith('apiVersion: output.kubeadm.k8s.io/v1alpha3\navailableUpgrades:\n- components:\n'),
    );
    assert.match(
      text,
      /\n {2}- currentVersion: 3\.5\.21-0\n {4}name: etcd\n {4}newVersion: 3\.6\.4-0\n {4}nodeName: cp-1\n/,
    );
    assert.deepEqual(parse(text), upgradePlanDocument(plan()));
  });

  test('5,000 kubelets are 5,000 entries, each naming its node, as kubeadm has them', () => {
    const names = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `n-${String(from + i).padStart(4, '0')}`);
    const s = state({
      kubelets: [
        { version: 'v1.33.1', nodes: names(0, 1000) },
        { version: 'v1.33.4', nodes: names(1000, 5000) },
      ],
    });
    const plan = buildUpgradePlan(s, availableUpgrades({ cluster: v('v1.33.4') }), OPTIONS);
    const components = (upgradePlanDocument(plan)['availableUpgrades'] as { components: unknown[] }[])[0]!
      .components;
    const kubelets = components.filter((c) => (c as { name: string }).name === 'kubelet');
    assert.equal(kubelets.length, 5000);
    assert.deepEqual(kubelets[999], {
      name: 'kubelet',
      currentVersion: 'v1.33.1',
      newVersion: 'v1.34.0',
      nodeName: 'n-0999',
    });
    assert.deepEqual(kubelets[1000], {
      name: 'kubelet',
      currentVersion: 'v1.33.4',
      newVersion: 'v1.34.0',
      nodeName: 'n-1000',
    });
    const text = renderUpgradePlanText(plan);
    assert.equal(text.match(/^kubelet {5}n-\d{4} {4}v1\.33\.[14] {3}v1\.34\.0$/gm)?.length, 5000);
  });
});

describe('cluster state helpers', () => {
  test('image tags', () => {
    assert.equal(tagOfImage('registry.k8s.io/etcd:3.5.21-0'), '3.5.21-0');
    assert.equal(tagOfImage('registry.k8s.io/coredns/coredns:v1.12.0'), 'v1.12.0');
    assert.equal(tagOfImage('mirror:5000/kube-apiserver:v1.33.1@sha256:abc'), 'v1.33.1');
    assert.equal(tagOfImage('mirror:5000/kube-apiserver'), undefined);
    assert.equal(tagOfImage('kube-apiserver'), undefined);
  });

  test('the tally groups nodes per version, sorted by version text, names in the order added', () => {
    const tally = new KubeletTally();
    for (const [n, ver] of [
      ['a', 'v1.33.1'],
      ['b', 'v1.33.0'],
      ['c', 'v1.33.1'],
      ['d', 'v1.34.0'],
      ['e', 'v1.34.0'],
    ] as const)
      tally.add(n, ver);
    assert.deepEqual(tally.groupsByVersion(), [
      { version: 'v1.33.0', nodes: ['b'] },
      { version: 'v1.33.1', nodes: ['a', 'c'] },
      { version: 'v1.34.0', nodes: ['d', 'e'] },
    ]);
    assert.equal(tally.nodes, 5);
  });

  test('per-node versions sort by version, keeping the order read', () => {
    assert.deepEqual(
      sortNodeVersions([
        { node: 'z', version: 'v1.34.0' },
        { node: 'b', version: 'v1.33.0' },
        { node: 'a', version: 'v1.33.0' },
      ]).map((n) => n.node),
      ['b', 'a', 'z'],
    );
  });
});
