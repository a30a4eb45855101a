import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeletAsDefaulted, kubeProxyAsDefaulted } from '../../src/config/component-defaulting.js';
import { ConfigValidationError } from '../../src/config/errors.js';
import { loadAllConfig } from '../../src/config/load.js';
import { appendPortIfNeeded } from '../../src/config/net.js';
import { FACTS, fixedToken } from '../support/config.js';

const HEAD =
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n---\n' +
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n';
const withProxy = (body: string) =>
  `${HEAD}---\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n${body}`;
const withKubelet = (body: string) =>
  `${HEAD}---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n${body}`;
const load = (text: string) =>
  loadAllConfig(text, {
    facts: FACTS,
    defaulting: { skipCRIDetect: true, generateToken: fixedToken },
    strict: true,
    command: 'validate',
    source: 'c.yaml',
  });

describe("kube-proxy's own defaulting before validation", () => {
  it('appends the port to an IP given without one, as AppendPortIfNeeded does', () => {
    assert.equal(appendPortIfNeeded('0.0.0.0', 10249), '0.0.0.0:10249');
    assert.equal(appendPortIfNeeded('::', 10249), '[::]:10249');
    assert.equal(appendPortIfNeeded('fd00::1', 10256), '[fd00::1]:10256');
    for (const kept of ['127.0.0.1:9000', '[::1]:9000', '0.0.0.0:', 'localhost', '[::]', 'x'])
      assert.equal(appendPortIfNeeded(kept, 10249), kept);
  });

  it('metricsBindAddress gets 10249, healthzBindAddress 10256; left out they follow bindAddress', () => {
    const given = { metricsBindAddress: '0.0.0.0', healthzBindAddress: '::' };
    const d = kubeProxyAsDefaulted(given);
    assert.equal(d.metricsBindAddress, '0.0.0.0:10249');
    assert.equal(d.healthzBindAddress, '[::]:10256');
    assert.deepEqual(given, { metricsBindAddress: '0.0.0.0', healthzBindAddress: '::' }, 'input untouched');
    const v4 = kubeProxyAsDefaulted({});
    assert.equal(v4.metricsBindAddress, '127.0.0.1:10249');
    assert.equal(v4.healthzBindAddress, '0.0.0.0:10256');
    const v6 = kubeProxyAsDefaulted({ bindAddress: '::' });
    assert.equal(v6.metricsBindAddress, '[::1]:10249');
    assert.equal(v6.healthzBindAddress, '[::]:10256');
  });

  it('fills masquerade bits, conntrack limits, the OOM score and a zero burst', () => {
    const d = kubeProxyAsDefaulted({ clientConnection: { burst: 0 }, iptables: { masqueradeBit: 20 } });
    assert.deepEqual(d.iptables, { masqueradeBit: 20 });
    assert.deepEqual(d.nftables, { masqueradeBit: 14 });
    assert.deepEqual(d.conntrack, { maxPerCore: 32768, min: 131072 });
    assert.equal(d.oomScoreAdj, -999);
    assert.deepEqual(d.clientConnection, { burst: 10 });
  });

  it('the common metricsBindAddress: 0.0.0.0 loads, and the document keeps what was written', () => {
    const r = load(withProxy('metricsBindAddress: 0.0.0.0\nhealthzBindAddress: "::"\n'));
    const proxy = r.init!.componentConfigs.kubeProxy!.config;
    assert.equal(proxy.metricsBindAddress, '0.0.0.0');
    assert.equal(proxy.healthzBindAddress, '::');
  });

  it('an address that is no IP is still refused, naming the field', () => {
    assert.throws(
      () => load(withProxy('metricsBindAddress: metrics.local\n')),
      (e: unknown) =>
        e instanceof ConfigValidationError &&
        e.problems.some((p) => p.field === 'KubeProxyConfiguration.metricsBindAddress'),
    );
  });
});

describe("the kubelet's own defaulting before validation", () => {
  it('a zero port, maxPods or burst means the default, as in Go', () => {
    const d = kubeletAsDefaulted({ port: 0, maxPods: 0, eventBurst: 0, kubeAPIBurst: 0, registryBurst: 0 });
    assert.equal(d.port, 10250);
    assert.equal(d.maxPods, 110);
    assert.equal(d.eventBurst, 100);
    assert.equal(d.kubeAPIBurst, 100);
    assert.equal(d.registryBurst, 10);
    assert.doesNotThrow(() => load(withKubelet('port: 0\n')));
  });

  it('a high GC threshold below the default low one is refused, as the kubelet would refuse it', () => {
    assert.deepEqual(
      [kubeletAsDefaulted({}).imageGCHighThresholdPercent, kubeletAsDefaulted({}).imageGCLowThresholdPercent],
      [85, 80],
    );
    assert.throws(
      () => load(withKubelet('imageGCHighThresholdPercent: 70\n')),
      (e: unknown) =>
        e instanceof ConfigValidationError &&
        e.problems.some(
          (p) =>
            p.field === 'KubeletConfiguration.imageGCLowThresholdPercent' &&
            /less than imageGCHighThresholdPercent \(70\)/.test(p.detail),
        ),
    );
    assert.doesNotThrow(() =>
      load(withKubelet('imageGCHighThresholdPercent: 70\nimageGCLowThresholdPercent: 60\n')),
    );
  });
});
