import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateAPIEndpoint,
  validateCertificateKey,
  validateHostPort,
  validateIPFromString,
  validatePort,
} from '../../../src/config/validation/endpoint.js';

const P = 'InitConfiguration.localAPIEndpoint';

describe('validateIPFromString', () => {
  for (const ip of ['192.168.0.10', '::1', 'fd00::10', '0.0.0.0', '192.168.000.010']) {
    it(`accepts ${ip}`, () => assert.deepEqual(validateIPFromString(ip, `${P}.advertiseAddress`), []));
  }
  for (const ip of ['', '192.168.0.256', 'cp-1.example.com', '10.0.0.1:6443', 'fe80::1%eth0']) {
    it(`rejects ${JSON.stringify(ip)}`, () => {
      assert.deepEqual(validateIPFromString(ip, `${P}.advertiseAddress`), [
        { field: `${P}.advertiseAddress`, value: ip, detail: 'ip address is not valid' },
      ]);
    });
  }
});

describe('validatePort', () => {
  for (const p of [1, 6443, 65535]) it(`accepts ${p}`, () => assert.deepEqual(validatePort(p, 'x'), []));
  for (const p of [0, -1, 65536, 70000, 6443.5]) {
    it(`rejects ${p}`, () => {
      assert.deepEqual(validatePort(p, `${P}.bindPort`), [
        { field: `${P}.bindPort`, value: p, detail: 'port number is not valid' },
      ]);
    });
  }
});

describe('validateAPIEndpoint', () => {
  it('accepts a valid endpoint', () => {
    assert.deepEqual(validateAPIEndpoint({ advertiseAddress: '10.0.0.1', bindPort: 6443 }, P), []);
  });
  it('reports both fields', () => {
    assert.deepEqual(
      validateAPIEndpoint({ advertiseAddress: 'x', bindPort: 0 }, P).map((p) => p.field),
      [`${P}.advertiseAddress`, `${P}.bindPort`],
    );
  });
});

describe('validateHostPort (controlPlaneEndpoint)', () => {
  const F = 'ClusterConfiguration.controlPlaneEndpoint';
  for (const ep of [
    '',
    'k8s-api.example.com',
    'k8s-api.example.com:6443',
    '10.0.0.100:8443',
    '[fd00::100]:6443',
    '10.0.0.100',
  ]) {
    it(`accepts ${JSON.stringify(ep)}`, () => assert.deepEqual(validateHostPort(ep, F), []));
  }
  for (const ep of [
    'https://k8s-api.example.com:6443',
    'k8s-api.example.com:0',
    'k8s-api.example.com:99999',
    'K8S_API:6443',
  ]) {
    it(`rejects ${ep}`, () => {
      assert.deepEqual(validateHostPort(ep, F), [{ field: F, value: ep, detail: 'endpoint is not valid' }]);
    });
  }
});

describe('validateCertificateKey', () => {
  const F = 'JoinConfiguration.controlPlane.certificateKey';
  const KEY = '0123456789abcdef'.repeat(4);
  it('accepts empty and a 32-byte hex key (either case)', () => {
    assert.deepEqual(validateCertificateKey('', F), []);
    assert.deepEqual(validateCertificateKey(KEY, F), []);
    assert.deepEqual(validateCertificateKey(KEY.toUpperCase(), F), []);
  });
  const bad: [string, string][] = [
    [
      '0123456789abcdef0123456789abcdef',
      'invalid certificate key size 16, the key must be an AES key of size 32',
    ],
    [`${KEY}00`, 'invalid certificate key size 33, the key must be an AES key of size 32'],
    [`${KEY.slice(0, 63)}g`, "certificate key decoding error: encoding/hex: invalid byte: U+0067 'g'"],
    [`${KEY}0`, 'certificate key decoding error: encoding/hex: odd length hex string'],
    ['zz0', "certificate key decoding error: encoding/hex: invalid byte: U+007A 'z'"],
  ];
  for (const [key, detail] of bad) {
    it(`rejects ${key.slice(0, 12)}… (${detail}) without echoing the key`, () => {
      const r = validateCertificateKey(key, F);
      assert.deepEqual(r, [{ field: F, detail }]);
      assert.equal(r[0]!.value, undefined);
    });
  }
});
