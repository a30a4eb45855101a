import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  clusterToV1beta4,
  initToV1beta4,
  joinToV1beta4,
  resetToV1beta4,
  upgradeToV1beta4,
} from '../../src/config/convert.js';
import { decodeConfig } from '../../src/config/load.js';
import type { ConfigDocuments } from '../../src/config/model.js';
import { renderDocuments } from '../../src/config/print.js';
import { readValid, validFiles } from '../support/config.js';

/** Internal → v1beta4 YAML for every kubeadm kind present. */
function toV1beta4(d: ConfigDocuments): string {
  const docs: unknown[] = [];
  if (d.init) docs.push(initToV1beta4(d.init));
  if (d.cluster) docs.push(clusterToV1beta4(d.cluster));
  if (d.join) docs.push(joinToV1beta4(d.join));
  if (d.reset) docs.push(resetToV1beta4(d.reset));
  if (d.upgrade) docs.push(upgradeToV1beta4(d.upgrade));
  return renderDocuments(docs);
}

function kubeadmKinds(d: ConfigDocuments): Omit<ConfigDocuments, 'componentConfigs' | 'sourceVersions'> {
  const { componentConfigs: _c, sourceVersions: _s, ...rest } = d;
  return rest;
}

describe('round trips through v1beta4', () => {
  for (const f of validFiles()) {
    it(`${f}: internal → v1beta4 → internal keeps every field`, () => {
      const first = decodeConfig(readValid(f), { strict: true });
      const text = toV1beta4(first.documents);
      const second = decodeConfig(text, { strict: true });
      assert.deepEqual(kubeadmKinds(second.documents), kubeadmKinds(first.documents));
      assert.deepEqual(second.warnings, []);
      // v1beta4 output is stable: writing it again gives the same text.
      assert.equal(toV1beta4(second.documents), text);
    });
  }

  it('v1beta3 specifics survive: map extraArgs, timeoutForControlPlane, discovery.timeout', () => {
    const v3 = [
      'apiVersion: kubeadm.k8s.io/v1beta3',
      'kind: ClusterConfiguration',
      'apiServer:',
      '  extraArgs: {b: "2", a: "1"}',
      '  timeoutForControlPlane: 9m',
      'etcd:',
      '  local:',
      '    extraArgs: {quota-backend-bytes: "8589934592"}',
      '---',
      'apiVersion: kubeadm.k8s.io/v1beta3',
      'kind: JoinConfiguration',
      'nodeRegistration:',
      '  kubeletExtraArgs: {node-ip: 10.0.0.5}',
      'discovery:',
      '  timeout: 2m',
      '  bootstrapToken: {token: abcdef.0123456789abcdef, apiServerEndpoint: "10.0.0.1:6443", unsafeSkipCAVerification: true}',
    ].join('\n');
    const d = decodeConfig(v3).documents;
    assert.deepEqual(d.cluster!.apiServer.extraArgs, [
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ]);
    assert.deepEqual(d.cluster!.etcd.local!.extraArgs, [
      { name: 'quota-backend-bytes', value: '8589934592' },
    ]);
    assert.equal(d.join!.timeouts.discovery, 120_000);
    const v4 = toV1beta4(d);
    assert.match(v4, /extraArgs:\n {2}- name: a\n {4}value: "1"\n {2}- name: b/);
    assert.match(v4, /discovery: 2m0s/);
    const back = decodeConfig(v4, { strict: true }).documents;
    assert.deepEqual(kubeadmKinds(back), kubeadmKinds(d));
  });

  it('writes Go-style output: omitempty, taints null, sorted keys, booleans for *bool', () => {
    const d = decodeConfig(
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration:\n  imagePullSerial: false\n',
    ).documents;
    const text = toV1beta4(d);
    assert.match(text, /taints: null/);
    assert.match(text, /imagePullSerial: false/);
    assert.doesNotMatch(text, /dryRun|certificateKey|skipPhases|patches/);
    const keys = text
      .split('\n')
      .filter((l) => /^[a-zA-Z]/.test(l))
      .map((l) => l.split(':')[0]!);
    assert.deepEqual(keys, [...keys].sort());
  });

  it('keeps explicit empty taints and quotes YAML 1.1 look-alikes', () => {
    const d = decodeConfig(
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration:\n  taints: []\n  kubeletExtraArgs:\n  - name: v\n    value: "yes"\n',
    ).documents;
    const text = toV1beta4(d);
    assert.match(text, /taints: \[\]/);
    assert.match(text, /value: "yes"/);
    assert.deepEqual(decodeConfig(text).documents.init!.nodeRegistration.kubeletExtraArgs, [
      { name: 'v', value: 'yes' },
    ]);
  });
});
