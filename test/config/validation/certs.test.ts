import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  certValidityWarnings,
  validateCertSANs,
  validateCertValidityPeriods,
  validateEncryptionAlgorithm,
} from '../../../src/config/validation/certs.js';

const H = 3_600_000;

describe('validateCertSANs', () => {
  const F = 'ClusterConfiguration.apiServer.certSANs';
  it('accepts IPs (sloppy), DNS subdomains and wildcards', () => {
    assert.deepEqual(
      validateCertSANs(
        ['10.0.0.1', 'fd00::1', '010.0.0.1', 'k8s-api.example.com', 'localhost', '*.example.com'],
        F,
      ),
      [],
    );
  });
  it('rejects anything else with both DNS messages', () => {
    const r = validateCertSANs(['ok.example.com', 'k8s_api.example.com', '*.*.example.com'], F);
    assert.deepEqual(
      r.map((p) => [p.field, p.value]),
      [
        [F, 'k8s_api.example.com'],
        [F, '*.*.example.com'],
      ],
    );
    assert.match(
      r[0]!.detail,
      /^altname is not a valid IP address, DNS label or a DNS label with subdomain wildcards: a lowercase RFC 1123 subdomain .*; a wildcard DNS-1123 subdomain must start with/,
    );
  });
  it('rejects upper case (kubeadm does not fold case here)', () => {
    assert.equal(validateCertSANs(['API.example.com'], F).length, 1);
  });
});

describe('validateEncryptionAlgorithm', () => {
  const F = 'ClusterConfiguration.encryptionAlgorithm';
  for (const a of ['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256', 'ECDSA-P384']) {
    it(`accepts ${a}`, () => assert.deepEqual(validateEncryptionAlgorithm(a, F), []));
  }
  for (const a of ['RSA-1024', 'RSA', 'ECDSA', 'rsa-2048', '']) {
    it(`rejects ${JSON.stringify(a)}`, () => {
      assert.deepEqual(validateEncryptionAlgorithm(a, F), [
        {
          field: F,
          value: a,
          detail: `Invalid encryption algorithm "${a}". Must be one of [ECDSA-P256 ECDSA-P384 RSA-2048 RSA-3072 RSA-4096]`,
        },
      ]);
    });
  }
});

describe('certValidityWarnings', () => {
  it('is silent at the defaults', () => {
    assert.deepEqual(
      certValidityWarnings({ certificateValidityPeriod: 8760 * H, caCertificateValidityPeriod: 87600 * H }),
      [],
    );
  });
  it('warns above the recommended leaf and CA lifetimes', () => {
    assert.deepEqual(
      certValidityWarnings({ certificateValidityPeriod: 17520 * H, caCertificateValidityPeriod: 175200 * H }),
      [
        'certificateValidityPeriod: the value 17520h0m0s is more than the recommended default for certificate expiration: 8760h0m0s',
        'caCertificateValidityPeriod: the value 175200h0m0s is more than the recommended default for CA certificate expiration: 87600h0m0s',
      ],
    );
  });
  it('warns when a leaf would outlive its CA', () => {
    assert.deepEqual(
      certValidityWarnings({ certificateValidityPeriod: 48 * H, caCertificateValidityPeriod: 24 * H }),
      ['certificateValidityPeriod: the value 48h0m0s is more than the caCertificateValidityPeriod: 24h0m0s'],
    );
  });
});

describe('validateCertValidityPeriods', () => {
  it('accepts positive periods', () => {
    assert.deepEqual(
      validateCertValidityPeriods(
        { certificateValidityPeriod: H, caCertificateValidityPeriod: H },
        'ClusterConfiguration',
      ),
      [],
    );
  });
  it('rejects zero and negative periods', () => {
    assert.deepEqual(
      validateCertValidityPeriods(
        { certificateValidityPeriod: 0, caCertificateValidityPeriod: -H },
        'ClusterConfiguration',
      ),
      [
        {
          field: 'ClusterConfiguration.certificateValidityPeriod',
          value: '0s',
          detail: 'the validity period must be greater than zero',
        },
        {
          field: 'ClusterConfiguration.caCertificateValidityPeriod',
          value: '-1h0m0s',
          detail: 'the validity period must be greater than zero',
        },
      ],
    );
  });
});
