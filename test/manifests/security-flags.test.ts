// Reads each rendered manifest's command back into flags and checks the security-relevant ones.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFlags } from '../../src/manifests/args.js';
import { yamlLib } from '../../src/output/yaml.js';
import { GOLDEN_CASES, renderCase } from '../support/golden-cases.js';

interface PodDoc {
  spec: { containers: { command: string[] }[] };
}

function flagsOf(yaml: string | undefined): Map<string, string[]> {
  assert.ok(yaml, 'manifest rendered');
  const pod = yamlLib().parse(yaml) as PodDoc;
  const out = new Map<string, string[]>();
  for (const { name, value } of parseFlags(pod.spec.containers[0]!.command)) {
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

function one(flags: Map<string, string[]>, name: string): string {
  const v = flags.get(name);
  assert.ok(v && v.length === 1, `--${name} given once (got ${JSON.stringify(v)})`);
  return v[0]!;
}

describe('security-relevant flags', () => {
  for (const c of GOLDEN_CASES) {
    test(`${c.name}: apiserver, controller-manager, scheduler and etcd`, async () => {
      const { files, run } = await renderCase(c);
      const pki = run.config.cluster.certificatesDir;

      const api = flagsOf(files.get('kube-apiserver.yaml'));
      const modes = one(api, 'authorization-mode').split(',');
      assert.ok(modes.includes('Node') && modes.includes('RBAC'), `authorization-mode ${modes.join(',')}`);
      assert.ok(!modes.includes('AlwaysAllow'));
      assert.ok(one(api, 'enable-admission-plugins').split(',').includes('NodeRestriction'));
      // kubeadm leaves anonymous auth at the apiserver's default (on, for /healthz, /livez, /readyz).
      assert.equal(api.has('anonymous-auth'), false);
      assert.equal(one(api, 'client-ca-file'), `${pki}/ca.crt`);
      assert.equal(one(api, 'tls-cert-file'), `${pki}/apiserver.crt`);
      assert.equal(one(api, 'tls-private-key-file'), `${pki}/apiserver.key`);
      assert.equal(one(api, 'service-account-key-file'), `${pki}/sa.pub`);
      assert.equal(one(api, 'service-account-signing-key-file'), `${pki}/sa.key`);
      assert.ok(api.get('service-account-issuer')?.[0]?.startsWith('https://'));
      assert.equal(one(api, 'enable-bootstrap-token-auth'), 'true');
      assert.equal(one(api, 'requestheader-client-ca-file'), `${pki}/front-proxy-ca.crt`);
      assert.equal(one(api, 'requestheader-allowed-names'), 'front-proxy-client');
      assert.equal(api.has('insecure-port'), false);
      const etcdServers = one(api, 'etcd-servers').split(',');
      assert.ok(
        etcdServers.every((s) => s.startsWith('https://')),
        'etcd over TLS',
      );
      for (const f of ['etcd-cafile', 'etcd-certfile', 'etcd-keyfile']) assert.ok(one(api, f) !== '', f);
      if (run.config.cluster.etcd.local) {
        assert.equal(one(api, 'etcd-cafile'), `${pki}/etcd/ca.crt`);
        assert.equal(one(api, 'etcd-certfile'), `${pki}/apiserver-etcd-client.crt`);
      }

      const kcm = flagsOf(files.get('kube-controller-manager.yaml'));
      assert.equal(one(kcm, 'use-service-account-credentials'), 'true');
      assert.equal(one(kcm, 'service-account-private-key-file'), `${pki}/sa.key`);
      assert.equal(one(kcm, 'root-ca-file'), `${pki}/ca.crt`);
      assert.equal(one(kcm, 'client-ca-file'), `${pki}/ca.crt`);
      assert.equal(one(kcm, 'authentication-kubeconfig'), '/etc/kubernetes/controller-manager.conf');
      assert.equal(one(kcm, 'authorization-kubeconfig'), '/etc/kubernetes/controller-manager.conf');

      const sched = flagsOf(files.get('kube-scheduler.yaml'));
      assert.equal(one(sched, 'authentication-kubeconfig'), '/etc/kubernetes/scheduler.conf');
      assert.equal(one(sched, 'authorization-kubeconfig'), '/etc/kubernetes/scheduler.conf');

      if (files.has('etcd.yaml')) {
        const etcd = flagsOf(files.get('etcd.yaml'));
        assert.equal(one(etcd, 'client-cert-auth'), 'true');
        assert.equal(one(etcd, 'peer-client-cert-auth'), 'true');
        assert.equal(one(etcd, 'trusted-ca-file'), `${pki}/etcd/ca.crt`);
        assert.equal(one(etcd, 'peer-trusted-ca-file'), `${pki}/etcd/ca.crt`);
        assert.equal(one(etcd, 'cert-file'), `${pki}/etcd/server.crt`);
        assert.equal(one(etcd, 'peer-cert-file'), `${pki}/etcd/peer.crt`);
        for (const f of ['listen-client-urls', 'listen-peer-urls', 'advertise-client-urls']) {
          assert.ok(
            one(etcd, f)
              .split(',')
              .every((u) => u.startsWith('https://')),
            f,
          );
        }
        // Only the metrics/health listener is plain HTTP, and only on loopback.
        assert.match(one(etcd, 'listen-metrics-urls'), /^http:\/\/(127\.0\.0\.1|\[::1\]):2381$/);
      }
    });
  }

  test('the external-CA case leaves the KCM without signing files', async () => {
    const { files } = await renderCase(GOLDEN_CASES.find((c) => c.name === 'external-etcd')!);
    const kcm = flagsOf(files.get('kube-controller-manager.yaml'));
    assert.equal(one(kcm, 'cluster-signing-cert-file'), '');
    assert.equal(one(kcm, 'cluster-signing-key-file'), '');
  });
});
