import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateKubeletConfiguration,
  validateKubeProxyConfiguration,
} from '../../../src/config/validation/component-configs.js';

const K = 'KubeletConfiguration';
const P = 'KubeProxyConfiguration';
const kubelet = (c: Record<string, unknown>) =>
  validateKubeletConfiguration(c).map((p) => [p.field, p.value]);
const proxy = (c: Record<string, unknown>, podSubnet = '') =>
  validateKubeProxyConfiguration(c, podSubnet).map((p) => [p.field, p.value]);

describe('validateKubeletConfiguration', () => {
  it('accepts an empty config and a typical tuned one', () => {
    assert.deepEqual(kubelet({}), []);
    assert.deepEqual(
      kubelet({
        cgroupDriver: 'cgroupfs',
        clusterDNS: ['10.96.0.10', 'fd00::a'],
        port: 10250,
        healthzPort: 0,
        readOnlyPort: 0,
        hairpinMode: 'hairpin-veth',
        authorization: { mode: 'AlwaysAllow' },
        topologyManagerPolicy: 'single-numa-node',
        topologyManagerScope: 'pod',
        imageGCHighThresholdPercent: 90,
        imageGCLowThresholdPercent: 70,
        oomScoreAdj: -999,
        maxPods: 250,
        enforceNodeAllocatable: ['pods', 'kube-reserved'],
      }),
      [],
    );
  });

  const bad: [string, Record<string, unknown>, string, unknown][] = [
    ['an unknown cgroup driver', { cgroupDriver: 'System' }, `${K}.cgroupDriver`, 'System'],
    [
      'a clusterDNS entry that is not an IP',
      { clusterDNS: ['10.96.0.10', 'dns'] },
      `${K}.clusterDNS[1]`,
      'dns',
    ],
    ['port 0', { port: 0 }, `${K}.port`, 0],
    ['healthzPort above 65535', { healthzPort: 70000 }, `${K}.healthzPort`, 70000],
    ['a negative readOnlyPort', { readOnlyPort: -1 }, `${K}.readOnlyPort`, -1],
    ['an unknown hairpin mode', { hairpinMode: 'veth' }, `${K}.hairpinMode`, 'veth'],
    ['an unknown authorization mode', { authorization: { mode: 'RBAC' } }, `${K}.authorization.mode`, 'RBAC'],
    [
      'an unknown topology policy',
      { topologyManagerPolicy: 'strict' },
      `${K}.topologyManagerPolicy`,
      'strict',
    ],
    ['an unknown topology scope', { topologyManagerScope: 'node' }, `${K}.topologyManagerScope`, 'node'],
    ['oomScoreAdj out of range', { oomScoreAdj: -1001 }, `${K}.oomScoreAdj`, -1001],
    [
      'a GC threshold above 100',
      { imageGCHighThresholdPercent: 101 },
      `${K}.imageGCHighThresholdPercent`,
      101,
    ],
    ['a negative maxPods', { maxPods: -1 }, `${K}.maxPods`, -1],
    ['a negative kubeAPIBurst', { kubeAPIBurst: -5 }, `${K}.kubeAPIBurst`, -5],
    [
      'an unknown allocatable enforcement',
      { enforceNodeAllocatable: ['pod'] },
      `${K}.enforceNodeAllocatable[0]`,
      'pod',
    ],
  ];
  for (const [what, cfg, field, value] of bad) {
    it(`rejects ${what}`, () => assert.deepEqual(kubelet(cfg), [[field, value]]));
  }

  it('requires the low GC threshold below the high one', () => {
    assert.deepEqual(kubelet({ imageGCHighThresholdPercent: 80, imageGCLowThresholdPercent: 80 }), [
      [`${K}.imageGCLowThresholdPercent`, 80],
    ]);
  });

  it("rejects 'none' next to other enforcements", () => {
    assert.deepEqual(kubelet({ enforceNodeAllocatable: ['none', 'pods'] }), [
      [`${K}.enforceNodeAllocatable`, ['none', 'pods']],
    ]);
  });

  it('names the allowed cgroup drivers', () => {
    assert.equal(
      validateKubeletConfiguration({ cgroupDriver: 'x' })[0]!.detail,
      'must be one of "cgroupfs", "systemd"',
    );
  });
});

describe('validateKubeProxyConfiguration', () => {
  it('accepts an empty config and typical ones', () => {
    assert.deepEqual(proxy({}), []);
    assert.deepEqual(
      proxy({
        mode: 'ipvs',
        ipvs: { scheduler: 'wrr' },
        bindAddress: '0.0.0.0',
        healthzBindAddress: '0.0.0.0:10256',
        metricsBindAddress: '[::1]:10249',
        clusterCIDR: '10.244.0.0/16,fd00:10:244::/56',
        nodePortAddresses: ['primary', '192.168.0.0/24'],
        iptables: { masqueradeBit: 14 },
        conntrack: { maxPerCore: 0, min: 131072 },
        oomScoreAdj: -999,
      }),
      [],
    );
    assert.deepEqual(proxy({ mode: 'nftables' }), []);
    assert.deepEqual(proxy({ mode: 'iptables', ipvs: { scheduler: 'nonsense' } }), []);
  });

  const bad: [string, Record<string, unknown>, string, unknown][] = [
    ['an unknown mode', { mode: 'userspace' }, `${P}.mode`, 'userspace'],
    [
      'an unknown IPVS scheduler in ipvs mode',
      { mode: 'ipvs', ipvs: { scheduler: 'fifo' } },
      `${P}.ipvs.scheduler`,
      'fifo',
    ],
    ['a bind address that is not an IP', { bindAddress: 'node-1' }, `${P}.bindAddress`, 'node-1'],
    [
      'a metrics address without a port',
      { metricsBindAddress: '127.0.0.1' },
      `${P}.metricsBindAddress`,
      '127.0.0.1',
    ],
    [
      'a healthz address with a name',
      { healthzBindAddress: 'localhost:10256' },
      `${P}.healthzBindAddress`,
      'localhost:10256',
    ],
    ['a malformed clusterCIDR', { clusterCIDR: '10.244.0.0/33' }, `${P}.clusterCIDR`, '10.244.0.0/33'],
    [
      'two IPv4 clusterCIDRs',
      { clusterCIDR: '10.0.0.0/16,10.1.0.0/16' },
      `${P}.clusterCIDR`,
      '10.0.0.0/16,10.1.0.0/16',
    ],
    [
      'three clusterCIDRs',
      { clusterCIDR: '10.0.0.0/16,fd00::/56,10.1.0.0/16' },
      `${P}.clusterCIDR`,
      '10.0.0.0/16,fd00::/56,10.1.0.0/16',
    ],
    ['a masquerade bit above 31', { iptables: { masqueradeBit: 32 } }, `${P}.iptables.masqueradeBit`, 32],
    ['a negative conntrack minimum', { conntrack: { min: -1 } }, `${P}.conntrack.min`, -1],
    ['oomScoreAdj out of range', { oomScoreAdj: 1001 }, `${P}.oomScoreAdj`, 1001],
    [
      'a node port address that is no CIDR',
      { nodePortAddresses: ['eth0'] },
      `${P}.nodePortAddresses[0]`,
      'eth0',
    ],
  ];
  for (const [what, cfg, field, value] of bad) {
    it(`rejects ${what}`, () => assert.deepEqual(proxy(cfg), [[field, value]]));
  }

  it('leaves a clusterCIDR equal to networking.podSubnet to the networking rules', () => {
    assert.deepEqual(proxy({ clusterCIDR: '10.244.0.0/33' }, '10.244.0.0/33'), []);
  });
});
