import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiServerAltNames,
  apiServerVirtualIP,
  etcdAltNames,
  removeDuplicateAltNames,
} from '../../src/certs/sans.js';
import { certSpec, certSpecs, servingCertMessage, validityWindow } from '../../src/certs/specs.js';
import { inputs } from '../support/certs.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');

test('apiserver SANs match the real kubeadm log line for a default config', () => {
  const spec = certSpec(
    'apiserver',
    inputs({ nodeName: 'k8s-controlplane', advertiseAddress: '192.168.56.102' }),
    NOW,
  );
  assert.equal(
    servingCertMessage(spec),
    '[certs] apiserver serving cert is signed for DNS names [k8s-controlplane kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local] and IPs [10.96.0.1 192.168.56.102]',
  );
});

test('etcd server SANs match the real kubeadm log line', () => {
  const spec = certSpec(
    'etcd-server',
    inputs({ nodeName: 'k8s-controlplane', advertiseAddress: '192.168.56.102' }),
    NOW,
  );
  assert.equal(
    servingCertMessage(spec),
    '[certs] etcd/server serving cert is signed for DNS names [k8s-controlplane localhost] and IPs [192.168.56.102 127.0.0.1 ::1]',
  );
  assert.equal(servingCertMessage(certSpec('apiserver-etcd-client', inputs(), NOW)), undefined);
});

test('DNS names are de-duplicated and sorted byte-wise; IPs de-duplicated keeping first-seen order', () => {
  assert.deepEqual(
    removeDuplicateAltNames({
      dnsNames: ['b', 'a', 'B', 'b', '*.x'],
      ips: ['10.0.0.2', '10.0.0.1', '10.0.0.2'],
    }),
    {
      dnsNames: ['*.x', 'B', 'a', 'b'],
      ips: ['10.0.0.2', '10.0.0.1'],
    },
  );
});

test('user SANs: IPs (sloppy, canonicalised), DNS names, wildcards; anything else is warned about', () => {
  const r = apiServerAltNames(
    inputs({
      apiServerCertSANs: [
        '10.0.0.010',
        'FD00::0001',
        'api.example.com',
        '*.example.com',
        'Upper.Case',
        'a_b',
        '*',
      ],
    }),
  );
  assert.deepEqual(r.altNames.ips, ['10.96.0.1', '127.0.0.1', '10.0.0.10', 'fd00::1']);
  assert.ok(r.altNames.dnsNames.includes('api.example.com'));
  assert.ok(r.altNames.dnsNames.includes('*.example.com'));
  assert.deepEqual(
    r.warnings.map((w) => /'([^']*)' was not added to the 'apiserver.crt' SAN/.exec(w)?.[1]),
    ['Upper.Case', 'a_b', '*'],
  );
});

test('controlPlaneEndpoint host goes to IPs or DNS names; a bad one is an error', () => {
  assert.ok(
    apiServerAltNames(inputs({ controlPlaneEndpoint: '10.1.2.3:443' })).altNames.ips.includes('10.1.2.3'),
  );
  assert.ok(
    apiServerAltNames(inputs({ controlPlaneEndpoint: '[fd00::5]:6443' })).altNames.ips.includes('fd00::5'),
  );
  assert.ok(
    apiServerAltNames(inputs({ controlPlaneEndpoint: 'lb.example.com' })).altNames.dnsNames.includes(
      'lb.example.com',
    ),
  );
  assert.throws(
    () => apiServerAltNames(inputs({ controlPlaneEndpoint: 'bad_host:6443' })),
    /error parsing cluster controlPlaneEndpoint "bad_host:6443"/,
  );
});

test('advertise address must be an IP', () => {
  assert.throws(
    () => apiServerAltNames(inputs({ advertiseAddress: 'host' })),
    /error parsing LocalAPIEndpoint AdvertiseAddress host: is not a valid textual representation of an IP address/,
  );
});

test('service VIP is index 1 of the first service CIDR', () => {
  assert.equal(apiServerVirtualIP('10.96.0.0/12'), '10.96.0.1');
  assert.equal(apiServerVirtualIP('fd00:10:96::/112,10.96.0.0/16'), 'fd00:10:96::1');
  assert.throws(() => apiServerVirtualIP('nope'), /unable to get first IP address from the given CIDR: nope/);
});

test('etcd peer and server take their own extra SANs only', () => {
  const i = inputs({
    etcd: { local: { serverCertSANs: ['etcd.local', '10.9.9.9'], peerCertSANs: ['peer.local'] } },
  });
  const server = etcdAltNames(i, 'server').altNames;
  const peer = etcdAltNames(i, 'peer').altNames;
  assert.ok(server.dnsNames.includes('etcd.local') && !server.dnsNames.includes('peer.local'));
  assert.ok(server.ips.includes('10.9.9.9'));
  assert.ok(peer.dnsNames.includes('peer.local') && !peer.dnsNames.includes('etcd.local'));
});

test('specs: names, files, CAs, subjects and usages', () => {
  const specs = certSpecs(inputs(), NOW);
  assert.deepEqual(
    specs.map((s) => [
      s.name,
      s.baseName,
      s.caName ?? '-',
      s.commonName,
      s.organization.join('+') || '-',
      s.extKeyUsage.join('+') || '-',
    ]),
    [
      ['ca', 'ca', '-', 'kubernetes', '-', '-'],
      ['apiserver', 'apiserver', 'ca', 'kube-apiserver', '-', 'serverAuth'],
      [
        'apiserver-kubelet-client',
        'apiserver-kubelet-client',
        'ca',
        'kube-apiserver-kubelet-client',
        'kubeadm:cluster-admins',
        'clientAuth',
      ],
      ['front-proxy-ca', 'front-proxy-ca', '-', 'front-proxy-ca', '-', '-'],
      ['front-proxy-client', 'front-proxy-client', 'front-proxy-ca', 'front-proxy-client', '-', 'clientAuth'],
      ['etcd-ca', 'etcd/ca', '-', 'etcd-ca', '-', '-'],
      ['etcd-server', 'etcd/server', 'etcd-ca', 'cp-1', '-', 'serverAuth+clientAuth'],
      ['etcd-peer', 'etcd/peer', 'etcd-ca', 'cp-1', '-', 'serverAuth+clientAuth'],
      [
        'etcd-healthcheck-client',
        'etcd/healthcheck-client',
        'etcd-ca',
        'kube-etcd-healthcheck-client',
        '-',
        'clientAuth',
      ],
      [
        'apiserver-etcd-client',
        'apiserver-etcd-client',
        'etcd-ca',
        'kube-apiserver-etcd-client',
        '-',
        'clientAuth',
      ],
    ],
  );
  const server = specs.find((s) => s.name === 'etcd-server')!;
  assert.equal(server.certFile, 'etcd/server.crt');
  assert.equal(server.keyFile, 'etcd/server.key');
  assert.equal(server.renewalName, 'etcd-server');
  assert.equal(specs[0]!.renewalName, undefined);
  assert.throws(
    () => certSpecs(inputs({ encryptionAlgorithm: 'DSA' }), NOW),
    /cannot obtain key size from unknown RSA algorithm: "DSA"/,
  );
});

test('validity: NotBefore backdated 5 minutes; NotAfter counted from the start time, or from NotBefore without a period', () => {
  assert.deepEqual(validityWindow(NOW, false, { certificateValidityPeriod: 3600_000 }), {
    notBefore: new Date('2025-06-01T11:55:00.000Z'),
    notAfter: new Date('2025-06-01T13:00:00.000Z'),
  });
  assert.deepEqual(validityWindow(NOW, true, {}), {
    notBefore: new Date('2025-06-01T11:55:00.000Z'),
    notAfter: new Date(Date.parse('2025-06-01T11:55:00.000Z') + 87600 * 3600_000),
  });
});
