import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  expirationInfoObject,
  expirationRow,
  formatExpirationTable,
  formatExpiry,
  missingRow,
  shortHumanDuration,
  tabwrite,
} from '../../src/certs/expiration.js';
import { expirationCAs, renewableCertificates } from '../../src/certs/renewal.js';

test('ShortHumanDuration boundaries', () => {
  const cases: [number, string][] = [
    [-2, '<invalid>'],
    [-1, '0s'],
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [3599, '59m'],
    [3600, '1h'],
    [86399, '23h'],
    [86400, '1d'],
    [364 * 86400 + 23 * 3600 + 55 * 60, '364d'],
    [365 * 86400, '1y'],
    [10 * 365 * 86400 - 300, '9y'],
    [10 * 365 * 86400, '10y'],
  ];
  for (const [s, want] of cases) assert.equal(shortHumanDuration(s), want, String(s));
});

test('Go layout "Jan 02, 2006 15:04 MST" in UTC', () => {
  assert.equal(formatExpiry(new Date('2024-04-09T09:17:59Z')), 'Apr 09, 2024 09:17 UTC');
});

test('tabwriter: minwidth 10, padding 3; the last cell is not padded; blank lines split blocks', () => {
  assert.equal(
    tabwrite(['a\tbb\tc', 'aaaaaaaaaaaa\tb\t', '', 'x\ty']),
    'a              bb        c\naaaaaaaaaaaa   b         \n\nx         y\n',
  );
});

test('check-expiration text matches kubeadm layout', () => {
  const now = new Date('2023-04-26T09:17:00Z');
  const leaf = new Date('2024-04-09T09:17:00Z');
  const caExp = new Date('2029-11-03T14:13:00Z');
  const table = formatExpirationTable({
    certificates: [
      expirationRow('admin.conf', leaf, now, { caName: 'ca' }),
      expirationRow('apiserver', new Date('2024-04-09T09:16:00Z'), now, { caName: 'ca' }),
      missingRow('super-admin.conf'),
    ],
    certificateAuthorities: [
      expirationRow('ca', caExp, now),
      expirationRow('front-proxy-ca', caExp, now, { externallyManaged: true }),
    ],
  });
  assert.equal(
    table,
    [
      // The widest first cell ("!MISSING! super-admin.conf", 26) plus padding 3 sets column 0.
      'CERTIFICATE                  EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED',
      'admin.conf                   Apr 09, 2024 09:17 UTC   349d            ca                      no      ',
      'apiserver                    Apr 09, 2024 09:16 UTC   348d            ca                      no      ',
      '!MISSING! super-admin.conf                                                                    ',
      '',
      'CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED',
      'ca                      Nov 03, 2029 14:13 UTC   6y              no      ',
      'front-proxy-ca          Nov 03, 2029 14:13 UTC   6y              yes     ',
      '',
    ].join('\n'),
  );
});

test('residual seconds truncate toward zero; expired certificates read <invalid>', () => {
  const now = new Date('2025-01-01T00:00:00.900Z');
  assert.equal(expirationRow('x', new Date('2025-01-01T00:00:02Z'), now).residualTimeSeconds, 1);
  const expired = expirationRow('x', new Date('2024-12-31T00:00:00Z'), now);
  assert.equal(shortHumanDuration(expired.residualTimeSeconds!), '<invalid>');
});

test('machine-readable object', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  const o = expirationInfoObject({
    certificates: [
      expirationRow('apiserver', new Date('2026-01-01T00:00:00Z'), now, { caName: 'ca' }),
      missingRow('admin.conf'),
    ],
    certificateAuthorities: [expirationRow('ca', new Date('2035-01-01T00:00:00Z'), now)],
  });
  assert.equal(o['apiVersion'], 'output.kubeadm.k8s.io/v1alpha3');
  assert.equal(o['kind'], 'CertificateExpirationInfo');
  // Field order and presence are those of kubeadm's Go struct: `missing` has no omitempty.
  assert.equal(
    JSON.stringify((o['certificates'] as unknown[])[0]),
    JSON.stringify({
      name: 'apiserver',
      expirationDate: '2026-01-01T00:00:00Z',
      residualTime: 31536000,
      externallyManaged: false,
      caName: 'ca',
      missing: false,
    }),
  );
  assert.equal(
    JSON.stringify((o['certificates'] as unknown[])[1]),
    JSON.stringify({
      name: 'admin.conf',
      expirationDate: null,
      residualTime: 0,
      externallyManaged: false,
      missing: true,
    }),
  );
  assert.equal(
    JSON.stringify((o['certificateAuthorities'] as unknown[])[0]),
    JSON.stringify({
      name: 'ca',
      expirationDate: '2035-01-01T00:00:00Z',
      residualTime: 315532800,
      externallyManaged: false,
      missing: false,
    }),
  );
  assert.deepEqual(Object.keys(o), ['kind', 'apiVersion', 'certificates', 'certificateAuthorities']);
});

test('renewable set and CA list', () => {
  assert.deepEqual(
    renewableCertificates(true).map((r) => r.name),
    [
      'admin.conf',
      'apiserver',
      'apiserver-etcd-client',
      'apiserver-kubelet-client',
      'controller-manager.conf',
      'etcd-healthcheck-client',
      'etcd-peer',
      'etcd-server',
      'front-proxy-client',
      'scheduler.conf',
      'super-admin.conf',
    ],
  );
  assert.equal(renewableCertificates(false).length, 7);
  assert.deepEqual(
    expirationCAs(true).map((c) => c.name),
    ['ca', 'etcd-ca', 'front-proxy-ca'],
  );
  assert.deepEqual(
    expirationCAs(false).map((c) => c.name),
    ['ca', 'front-proxy-ca'],
  );
});
