// The certs, kubeconfig and PKI phase command lines: the flags each one exposes (kubeadm's lists) and
// that the phase flags reach the files, without a config file.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { optionNames, runCli } from '../support/cli.js';
import { APISERVER_SAN_FLAGS, CERT_PHASE_FLAGS, KUBECONFIG_PHASE_FLAGS } from '../support/phase-flags.js';
import { read, tempRoot } from '../support/e2e.js';

describe('flags', () => {
  for (const [args, flags] of [
    // kubeadm's `all` phases carry the apiserver flags (certs) and node-name (kubeconfig).
    [
      ['init', 'phase', 'certs', 'all'],
      [...CERT_PHASE_FLAGS, ...APISERVER_SAN_FLAGS],
    ],
    [['init', 'phase', 'certs', 'front-proxy-client'], CERT_PHASE_FLAGS],
    [['init', 'phase', 'certs', 'etcd-server'], CERT_PHASE_FLAGS],
    [
      ['init', 'phase', 'kubeconfig', 'all'],
      [...KUBECONFIG_PHASE_FLAGS, 'node-name'],
    ],
    [['init', 'phase', 'kubeconfig', 'super-admin'], KUBECONFIG_PHASE_FLAGS],
    [['init', 'phase', 'kubeconfig', 'scheduler'], KUBECONFIG_PHASE_FLAGS],
    [
      ['certs', 'renew', 'all'],
      ['cert-dir', 'config', 'kubeconfig'],
    ],
    [
      ['certs', 'renew', 'etcd-peer'],
      ['cert-dir', 'config', 'kubeconfig'],
    ],
    [
      ['certs', 'renew', 'super-admin.conf'],
      ['cert-dir', 'config', 'kubeconfig'],
    ],
    [
      ['certs', 'check-expiration'],
      ['cert-dir', 'config', 'kubeconfig', 'output', 'allow-missing-template-keys', 'show-managed-fields'],
    ],
    [
      ['certs', 'generate-csr'],
      ['cert-dir', 'config', 'kubeconfig-dir'],
    ],
    [['certs', 'certificate-key'], []],
    [
      ['kubeconfig', 'user'],
      ['client-name', 'config', 'org', 'token', 'validity-period'],
    ],
  ] as const) {
    test(`${args.join(' ')}: ${flags.join(', ') || 'no flags'}`, async () => {
      const r = await runCli([...args, '--help']);
      assert.equal(r.code, 0);
      assert.deepEqual(optionNames(r.stdout).sort(), [...flags].sort());
    });
  }
});

describe('phase flags reach the files', () => {
  test('certs apiserver: advertise address, extra SANs, endpoint, service CIDR and DNS domain', async () => {
    const root = tempRoot('');
    try {
      await root.kbadm(['init', 'phase', 'certs', 'ca', '--cert-dir', '/srv/pki']);
      const r = await root.kbadm([
        'init',
        'phase',
        'certs',
        'apiserver',
        '--apiserver-advertise-address',
        '10.0.0.9',
        '--apiserver-cert-extra-sans',
        'api.example.com,10.1.2.3',
        '--control-plane-endpoint',
        'vip.example.com:7443',
        '--service-cidr',
        '10.100.0.0/16',
        '--service-dns-domain',
        'corp.local',
        '--cert-dir',
        '/srv/pki',
      ]);
      const m = /^\[certs\] apiserver serving cert is signed for DNS names \[(.*)\] and IPs \[(.*)\]$/m.exec(
        r.stdout,
      );
      assert.ok(m, r.stdout);
      // The node name (this host's name) is among the DNS names, which kubeadm sorts.
      const dns = m[1]!.split(' ');
      assert.deepEqual(dns, [...dns].sort());
      for (const name of ['api.example.com', 'kubernetes.default.svc.corp.local', 'vip.example.com'])
        assert.ok(dns.includes(name), name);
      assert.equal(m[2], '10.100.0.1 10.0.0.9 10.1.2.3');
      const cert = new X509Certificate(read(join(root.dir, 'srv/pki/apiserver.crt')));
      assert.match(cert.subjectAltName!, /DNS:vip\.example\.com/);
      assert.match(cert.subjectAltName!, /IP Address:10\.1\.2\.3/);
      assert.ok(cert.checkIssued(new X509Certificate(read(join(root.dir, 'srv/pki/ca.crt')))));
    } finally {
      root.cleanup();
    }
  });

  test('kubeconfig: bind port and endpoint per file, node name, kubeconfig dir', async () => {
    const root = tempRoot('');
    try {
      const common = ['--apiserver-advertise-address', '10.0.0.9', '--apiserver-bind-port', '7000'];
      await root.kbadm(['init', 'phase', 'certs', 'ca']);
      await root.kbadm([
        'init',
        'phase',
        'kubeconfig',
        'all',
        ...common,
        '--control-plane-endpoint',
        'vip.example.com',
        '--node-name',
        'node-a',
        '--kubeconfig-dir',
        '/srv/kube',
        '--kubernetes-version',
        'v1.34.0',
      ]);
      const server = (file: string) => {
        const cfg = parse(read(join(root.dir, 'srv/kube', file))) as {
          clusters: { cluster: { server: string } }[];
          users: { name: string }[];
        };
        return { server: cfg.clusters[0]!.cluster.server, user: cfg.users[0]!.name };
      };
      // The endpoint takes the bind port when it has none; local files use the advertise address.
      assert.deepEqual(server('admin.conf'), {
        server: 'https://vip.example.com:7000',
        user: 'kubernetes-admin',
      });
      assert.deepEqual(server('kubelet.conf'), {
        server: 'https://10.0.0.9:7000',
        user: 'system:node:node-a',
      });
      assert.deepEqual(server('scheduler.conf'), {
        server: 'https://10.0.0.9:7000',
        user: 'system:kube-scheduler',
      });
      assert.ok(!existsSync(join(root.kube, 'admin.conf')));
    } finally {
      root.cleanup();
    }
  });
});
