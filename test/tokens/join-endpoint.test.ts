// The server a joining node's kubeconfigs use, and the SAN coverage rule, as pure functions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KbadmError } from '../../src/errors.js';
import { createBasic } from '../../src/kubeconfig/kubeconfig.js';
import type { DiscoveredCluster } from '../../src/tokens/discovery.js';
import { chooseJoinServer, endpointSANWarning, serverHost } from '../../src/tokens/join-endpoint.js';

const discovered = (server: string): DiscoveredCluster => ({
  server,
  caPem: '',
  clusterName: '',
  kubeconfig: createBasic(server, '', 'u', ''),
});

describe('chooseJoinServer', () => {
  test('without a given endpoint, the discovered server as it is, no warning', () => {
    for (const given of [undefined, '']) {
      assert.deepEqual(chooseJoinServer(discovered('https://10.0.0.10:6443'), given), {
        server: 'https://10.0.0.10:6443',
        warnings: [],
      });
    }
  });

  test('a given endpoint wins, and the disagreement is a warning naming both', () => {
    const r = chooseJoinServer(discovered('https://10.0.0.10:6443'), 'vip.example:8443');
    assert.equal(r.server, 'https://vip.example:8443');
    assert.equal(r.warnings.length, 1);
    assert.match(
      r.warnings[0]!,
      /"https:\/\/vip\.example:8443" differs from the API server "https:\/\/10\.0\.0\.10:6443"/,
    );
    assert.doesNotMatch(r.warnings[0]!, /^\[/, 'the caller adds the prefix');
  });

  test('the same endpoint written differently is no disagreement', () => {
    for (const [found, given] of [
      ['https://10.0.0.10:6443', '10.0.0.10:6443'],
      ['https://10.0.0.10:6443', '10.0.0.10'],
      ['https://[fd00::a]:6443', '[fd00:0::A]:6443'],
      ['https://[fd00::a]:6443', 'fd00::a'],
      ['https://api.example:443', 'api.example:443'],
      ['https://api.example', 'api.example'],
      ['https://10.0.0.10:6443', '010.000.000.010:6443'],
    ] as const) {
      const r = chooseJoinServer(discovered(found), given);
      assert.deepEqual(r.warnings, [], `${given} vs ${found}`);
    }
  });

  test('a missing port is the discovered server port', () => {
    assert.equal(chooseJoinServer(discovered('https://10.0.0.10:7443'), 'vip').server, 'https://vip:7443');
    assert.equal(chooseJoinServer(discovered('https://10.0.0.10'), 'vip').server, 'https://vip:443');
  });

  test('IPv6 literals get brackets; IPs their canonical form', () => {
    const d = discovered('https://10.0.0.10:6443');
    assert.equal(chooseJoinServer(d, 'FD00:0:0::1').server, 'https://[fd00::1]:6443');
    assert.equal(chooseJoinServer(d, '[fd00::1]:8443').server, 'https://[fd00::1]:8443');
    assert.equal(chooseJoinServer(d, '10.0.0.010').server, 'https://10.0.0.10:6443');
  });

  test('a port that differs is a disagreement too', () => {
    const r = chooseJoinServer(discovered('https://10.0.0.10:6443'), '10.0.0.10:8443');
    assert.equal(r.server, 'https://10.0.0.10:8443');
    assert.equal(r.warnings.length, 1);
  });

  test('a bad endpoint or a bad discovered server is one clear error', () => {
    assert.throws(
      () => chooseJoinServer(discovered('https://10.0.0.10:6443'), 'vip:0'),
      (e: unknown) =>
        e instanceof KbadmError &&
        /invalid control-plane endpoint "vip:0": hostport vip:0: port 0/.test(e.message),
    );
    assert.throws(
      () => chooseJoinServer(discovered('not a url'), 'vip'),
      (e: unknown) =>
        e instanceof KbadmError && /"not a url" found by discovery is not a valid URL/.test(e.message),
    );
  });
});

describe('serverHost', () => {
  test('strips the brackets of IPv6 hosts', () => {
    assert.equal(serverHost('https://[fd00::1]:6443'), 'fd00::1');
    assert.equal(serverHost('https://vip.example:6443'), 'vip.example');
  });
});

describe('endpointSANWarning', () => {
  const sans = {
    dnsNames: ['kubernetes', 'kubernetes.default', '*.lb.example', 'cp-1'],
    ips: ['10.96.0.1', '10.0.0.10', '0:0:0:0:0:0:0:1', 'fd00:0::a'],
  };

  for (const host of [
    'kubernetes',
    'KUBERNETES.default',
    'vip.lb.example',
    'cp-1.',
    '10.0.0.10',
    '::1',
    '[::1]',
    'fd00::a',
    '[FD00::A]',
  ]) {
    test(`${host} is covered`, () => assert.equal(endpointSANWarning(host, sans), undefined));
  }

  const uncovered: [string, RegExp][] = [
    // A wildcard covers exactly one left-most label.
    [
      'lb.example',
      /certificate is valid for kubernetes, kubernetes\.default, \*\.lb\.example, cp-1, not lb\.example/,
    ],
    ['a.vip.lb.example', /not a\.vip\.lb\.example/],
    // An IP is matched against IP SANs only, whatever the DNS names say.
    [
      '10.0.0.100',
      /x509: certificate is valid for 10\.96\.0\.1, 10\.0\.0\.10, ::1, fd00::a, not 10\.0\.0\.100/,
    ],
    ['[fd00::b]', /"fd00::b" .*not fd00::b/],
    ['vip', /not vip\)/],
  ];
  for (const [host, why] of uncovered) {
    test(`${host} is not covered`, () => {
      const w = endpointSANWarning(host, sans);
      assert.ok(w, 'a warning');
      assert.match(w, why);
      assert.match(w, /apiServer\.certSANs/);
    });
  }

  test('a wildcard pattern in a later label or partial label never matches', () => {
    const odd = { dnsNames: ['a.*.example', 'v*.example'], ips: [] };
    assert.ok(endpointSANWarning('a.b.example', odd));
    assert.ok(endpointSANWarning('vip.example', odd));
  });

  test('no SANs of the wanted kind', () => {
    assert.match(
      endpointSANWarning('10.0.0.1', { dnsNames: ['a'], ips: [] })!,
      /doesn't contain any IP SANs/,
    );
    assert.match(
      endpointSANWarning('vip', { dnsNames: [], ips: ['10.0.0.1'] })!,
      /certificate is not valid for any names, but wanted to match vip/,
    );
  });
});
