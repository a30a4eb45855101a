// Reading this node's etcd member back from an etcd.yaml kbadm rendered (or one a user edited).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readEtcdManifest } from '../../src/manifests/etcd-member.js';
import { etcdPod } from '../../src/manifests/etcd.js';
import { toYaml } from '../../src/manifests/serialize.js';
import { etcdInputs } from '../../src/phases/init/static-pods.js';
import { CONFIGS_DIR, loadConfigFile } from '../support/manifests.js';

function renderedManifest(edit: (spec: ReturnType<typeof loadConfigFile>) => void = () => {}): string {
  const spec = loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);
  spec.init.localAPIEndpoint.advertiseAddress = '10.0.0.5';
  edit(spec);
  return toYaml(etcdPod(etcdInputs({ config: spec })).value);
}

describe('readEtcdManifest', () => {
  test("kbadm's own etcd.yaml: name, URLs, data directory and CA file", () => {
    assert.deepEqual(readEtcdManifest(renderedManifest()), {
      kind: 'member',
      member: {
        caFile: '/etc/kubernetes/pki/etcd/ca.crt',
        initialCluster: 'cp-1=https://10.0.0.5:2380',
        name: 'cp-1',
        clientURLs: ['https://10.0.0.5:2379', 'https://127.0.0.1:2379'],
        peerURLs: ['https://10.0.0.5:2380'],
        dataDir: '/var/lib/etcd',
      },
    });
  });

  test('extraArgs win over the defaults; a wildcard listen address is not something to dial', () => {
    const text = renderedManifest((spec) => {
      spec.cluster.etcd.local!.dataDir = '/data/etcd';
      spec.cluster.etcd.local!.extraArgs = [
        { name: 'listen-client-urls', value: 'https://0.0.0.0:2379' },
        { name: 'advertise-client-urls', value: 'https://etcd-1.example:2379' },
        { name: 'initial-advertise-peer-urls', value: 'https://etcd-1.example:2380' },
      ];
    });
    const r = readEtcdManifest(text);
    assert.equal(r.kind, 'member');
    if (r.kind !== 'member') return;
    assert.deepEqual(r.member.clientURLs, ['https://etcd-1.example:2379', 'https://10.0.0.5:2379']);
    assert.deepEqual(r.member.peerURLs, ['https://etcd-1.example:2380']);
    assert.equal(r.member.dataDir, '/data/etcd');
  });

  test('a Pod without the etcd-data volume is not a stacked etcd kbadm knows', () => {
    assert.deepEqual(readEtcdManifest('apiVersion: v1\nkind: Pod\nspec: {}\n'), {
      kind: 'unknown',
      reason: 'no "etcd-data" hostPath volume',
    });
    assert.equal(readEtcdManifest('just text').kind, 'unknown');
  });

  test('text that is not YAML is an error naming the kind of problem, not the text', () => {
    assert.throws(
      () => readEtcdManifest('a: [unclosed\nsecret: x'),
      (err: Error) => {
        assert.match(err.message, /^not a valid YAML document: YAML/);
        assert.ok(!err.message.includes('secret'));
        return true;
      },
    );
  });
});
