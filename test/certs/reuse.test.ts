import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { generatePrivateKey, keyTypeOf, parsePrivateKeyPem } from '../../src/certs/keys.js';
import { renewCertificate } from '../../src/certs/renewal.js';
import {
  decideCA,
  decideLeaf,
  decideLeafStrict,
  decideServiceAccountKey,
  invalid,
  MISSING,
  ok,
  usingExternalCA,
} from '../../src/certs/reuse.js';
import { certSpec } from '../../src/certs/specs.js';
import { generatePki, type GeneratedPki } from '../../src/certs/tree.js';
import {
  certificatePeriodWarning,
  keyMatchesCertificate,
  verifyCertChain,
  verifyHostname,
} from '../../src/certs/x509.js';
import { inputs, openssl } from '../support/certs.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const i = inputs({ encryptionAlgorithm: 'ECDSA-P256' });

describe('reuse decisions', () => {
  let pki: GeneratedPki;
  let other: GeneratedPki;
  const get = (p: GeneratedPki, n: string) => p.certs.find((c) => c.spec.name === n)!;
  before(async () => {
    [pki, other] = await Promise.all([generatePki(i, NOW), generatePki(i, NOW)]);
  });

  test('CA: reuse with key, keyless without, skip etcd CA for external etcd, generate when absent', () => {
    const spec = certSpec('ca', i, NOW);
    const ca = get(pki, 'ca');
    const opts = { externalEtcd: false, now: NOW };
    assert.deepEqual(decideCA(spec, { cert: ok(ca.cert), key: ok(ca.key) }, opts).messages, [
      '[certs] Using existing ca certificate authority',
    ]);
    const keyless = decideCA(spec, { cert: ok(ca.cert), key: MISSING }, opts);
    assert.equal(keyless.action === 'reuse' && keyless.keyless, true);
    assert.deepEqual(keyless.messages, ['[certs] Using existing ca keyless certificate authority']);
    assert.deepEqual(
      decideCA(certSpec('etcd-ca', i, NOW), { cert: MISSING, key: MISSING }, { externalEtcd: true, now: NOW })
        .messages,
      ['[certs] External etcd mode: Skipping etcd/ca certificate authority generation'],
    );
    assert.deepEqual(decideCA(certSpec('etcd-ca', i, NOW), { cert: MISSING, key: MISSING }, opts), {
      action: 'generate',
      messages: ['[certs] Generating "etcd/ca" certificate and key'],
      warnings: [],
    });
    assert.throws(
      () => decideCA(spec, { cert: ok(get(pki, 'apiserver').cert), key: MISSING }, opts),
      /certificate ca is not a CA/,
    );
  });

  test('CA reuse warns when the CA has expired', () => {
    const later = new Date(NOW.getTime() + 11 * 365 * 86400_000);
    const d = decideCA(
      certSpec('ca', i, NOW),
      { cert: ok(get(pki, 'ca').cert), key: ok(get(pki, 'ca').key) },
      { externalEtcd: false, now: later },
    );
    assert.equal(d.warnings.length, 1);
    assert.match(
      d.warnings[0]!,
      /^WARNING: could not validate bounds for certificate ca: the certificate has expired: NotBefore: 2025-06-01 11:55:00 \+0000 UTC, NotAfter: 2035-/,
    );
  });

  test('leaf: an existing cert signed by the CA is kept; one signed by another CA is an error', () => {
    const spec = certSpec('apiserver', i, NOW);
    const ca = get(pki, 'ca');
    const mine = get(pki, 'apiserver');
    const theirs = get(other, 'apiserver');
    const opts = { externalEtcd: false, now: NOW };
    const d = decideLeaf(
      spec,
      { cert: ok([mine.cert]), key: MISSING, caCert: ok(ca.cert), caKey: MISSING },
      opts,
    );
    assert.deepEqual(d.messages, ['[certs] Using existing apiserver certificate and key on disk']);
    assert.throws(
      () =>
        decideLeaf(
          spec,
          { cert: ok([theirs.cert]), key: ok(theirs.key), caCert: ok(ca.cert), caKey: ok(ca.key) },
          opts,
        ),
      /^KbadmError: \[certs\] certificate apiserver not signed by CA certificate ca: x509: certificate signed by unknown authority$/,
    );
    const gen = decideLeaf(
      spec,
      { cert: MISSING, key: MISSING, caCert: ok(ca.cert), caKey: ok(ca.key) },
      opts,
    );
    assert.equal(gen.action, 'generate');
    assert.equal(
      gen.messages[1],
      '[certs] apiserver serving cert is signed for DNS names [cp-1 kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local] and IPs [10.96.0.1 127.0.0.1]',
    );
    assert.throws(
      () => decideLeaf(spec, { cert: MISSING, key: MISSING, caCert: ok(ca.cert), caKey: MISSING }, opts),
      /couldn't load CA certificate ca/,
    );
    assert.throws(
      () =>
        decideLeaf(spec, { cert: MISSING, key: ok(mine.key), caCert: ok(ca.cert), caKey: ok(ca.key) }, opts),
      /failure loading apiserver certificate/,
    );
    const skip = decideLeaf(
      certSpec('etcd-server', i, NOW),
      { cert: MISSING, key: MISSING, caCert: MISSING, caKey: MISSING },
      { externalEtcd: true, now: NOW },
    );
    assert.deepEqual(skip.messages, [
      '[certs] External etcd mode: Skipping etcd/server certificate generation',
    ]);
  });

  test('strict (join control-plane) path also requires every expected SAN', () => {
    const ca = get(pki, 'ca');
    const mine = get(pki, 'apiserver');
    const withExtraSAN = certSpec(
      'apiserver',
      inputs({ encryptionAlgorithm: 'ECDSA-P256', apiServerCertSANs: ['new.example.com'] }),
      NOW,
    );
    assert.throws(
      () =>
        decideLeafStrict(
          withExtraSAN,
          { cert: ok([mine.cert]), key: ok(mine.key), caCert: ok(ca.cert), caKey: ok(ca.key) },
          NOW,
        ),
      /^KbadmError: certificate apiserver is invalid: x509: certificate is valid for cp-1, kubernetes, kubernetes.default, kubernetes.default.svc, kubernetes.default.svc.cluster.local, not new.example.com$/,
    );
    const same = decideLeafStrict(
      certSpec('apiserver', i, NOW),
      { cert: ok([mine.cert]), key: ok(mine.key), caCert: ok(ca.cert), caKey: ok(ca.key) },
      NOW,
    );
    assert.deepEqual(same.messages, ['[certs] Using the existing "apiserver" certificate and key']);
    assert.throws(
      () =>
        decideLeafStrict(
          certSpec('apiserver', i, NOW),
          { cert: ok([mine.cert]), key: invalid('bad'), caCert: ok(ca.cert), caKey: ok(ca.key) },
          NOW,
        ),
      /failure loading key for apiserver: bad/,
    );
  });

  test('external CA: ca.crt without ca.key needs signed apiserver pairs', () => {
    const ca = get(pki, 'ca');
    const pair = (n: string, ux: string, p = pki) => ({
      uxName: ux,
      baseName: n,
      cert: ok([get(p, n).cert]),
      key: ok(get(p, n).key),
    });
    const caFile = { baseName: 'ca', uxName: 'CA', cert: ok(ca.cert) };
    assert.deepEqual(usingExternalCA({ ...caFile, keyExists: true }, [], NOW), {
      external: false,
      warnings: [],
    });
    assert.deepEqual(
      usingExternalCA(
        { ...caFile, keyExists: false },
        [pair('apiserver', 'API server'), pair('apiserver-kubelet-client', 'API server kubelet client')],
        NOW,
      ),
      { external: true, warnings: [] },
    );
    const bad = usingExternalCA(
      { ...caFile, keyExists: false },
      [pair('apiserver', 'API server', other)],
      NOW,
    );
    assert.equal(bad.external, true);
    assert.match(
      bad.error!,
      /^certificate API server is not signed by corresponding CA: x509: certificate signed by unknown authority$/,
    );
    const missing = usingExternalCA(
      { ...caFile, keyExists: false },
      [{ uxName: 'API server', baseName: 'apiserver', cert: MISSING, key: MISSING }],
      NOW,
    );
    assert.match(missing.error!, /failure loading key for apiserver/);
  });

  test('a key without its certificate (an interrupted write) is refused with both paths and the way out', () => {
    const opts = { externalEtcd: false, now: NOW };
    const files = { cert: '/etc/kubernetes/pki/apiserver.crt', key: '/etc/kubernetes/pki/apiserver.key' };
    const ca = get(pki, 'ca');
    const leaf = get(pki, 'apiserver');
    assert.throws(
      () =>
        decideLeaf(
          leaf.spec,
          { cert: MISSING, key: ok(leaf.key), caCert: ok(ca.cert), caKey: ok(ca.key) },
          { ...opts, files },
        ),
      (err: Error) =>
        err.message.startsWith('failure loading apiserver certificate: ') &&
        err.message.includes(`${files.cert} does not exist, but its private key ${files.key} does`) &&
        err.message.includes(`remove ${files.key} to generate a new pair`),
    );
    // An unloadable key counts as present: it is never overwritten either.
    assert.throws(
      () =>
        decideLeaf(
          leaf.spec,
          { cert: MISSING, key: invalid('junk'), caCert: ok(ca.cert), caKey: ok(ca.key) },
          opts,
        ),
      /failure loading apiserver certificate: apiserver\.crt does not exist, but its private key apiserver\.key does/,
    );
    assert.throws(
      () => decideCA(ca.spec, { cert: MISSING, key: ok(ca.key) }, opts),
      /failure loading ca certificate authority: ca\.crt does not exist, but its private key ca\.key does/,
    );
    assert.throws(
      () => decideCA(ca.spec, { cert: invalid('bad PEM'), key: ok(ca.key) }, opts),
      /^Error: failure loading ca certificate authority: bad PEM$|failure loading ca certificate authority: bad PEM$/,
    );
  });

  test('sa key: reuse, error when unloadable, generate, skip in external CA mode', () => {
    assert.deepEqual(decideServiceAccountKey(ok(pki.serviceAccountKey), false).messages, [
      '[certs] Using the existing "sa" key',
    ]);
    assert.throws(
      () => decideServiceAccountKey(invalid('x'), false),
      /file sa.key existed but it could not be loaded properly/,
    );
    assert.deepEqual(decideServiceAccountKey(MISSING, false).messages, [
      '[certs] Generating "sa" key and public key',
    ]);
    assert.deepEqual(decideServiceAccountKey(MISSING, true).messages, ['[certs] Using existing sa keys']);
  });

  test('chain verification checks time, issuer and intermediates', () => {
    const ca = get(pki, 'ca').cert;
    const leaf = get(pki, 'apiserver').cert;
    assert.equal(verifyCertChain(leaf, [], ca, NOW), undefined);
    assert.match(
      verifyCertChain(leaf, [], ca, new Date('2030-01-01T00:00:00Z'))!,
      /^x509: certificate has expired or is not yet valid: current time 2030-01-01T00:00:00Z is after 2026-06-01T12:00:00Z$/,
    );
    assert.match(
      verifyCertChain(leaf, [], ca, new Date('2025-01-01T00:00:00Z'))!,
      /is before 2025-06-01T11:55:00Z/,
    );
    assert.equal(
      verifyCertChain(leaf, [], get(other, 'ca').cert, NOW),
      'x509: certificate signed by unknown authority',
    );
    assert.equal(certificatePeriodWarning('apiserver', leaf, NOW), undefined);
  });

  test('hostname errors use Go wording', () => {
    const client = get(pki, 'apiserver-kubelet-client').cert;
    assert.equal(
      verifyHostname(client, '10.0.0.1'),
      "x509: cannot validate certificate for 10.0.0.1 because it doesn't contain any IP SANs",
    );
    assert.equal(
      verifyHostname(client, 'x'),
      'x509: certificate is not valid for any names, but wanted to match x',
    );
    assert.equal(verifyHostname(get(pki, 'etcd-server').cert, 'LOCALHOST'), undefined);
  });

  test('renewal keeps CN, O, SANs and usages with a new key and window', async () => {
    const old = get(pki, 'apiserver-kubelet-client').cert;
    const later = new Date('2026-03-01T00:00:00Z');
    const r = await renewCertificate(old, get(pki, 'ca'), {
      algorithm: 'RSA-2048',
      now: later,
      validityMs: 3600_000,
    });
    assert.deepEqual(r.cert.subject, old.subject);
    assert.deepEqual(r.cert.extKeyUsage, old.extKeyUsage);
    assert.deepEqual([r.cert.dnsNames, r.cert.ips], [old.dnsNames, old.ips]);
    assert.equal(r.key.type.kind, 'rsa');
    assert.ok(
      keyMatchesCertificate(r.key, r.cert) &&
        !keyMatchesCertificate(get(pki, 'apiserver-kubelet-client').key, r.cert),
    );
    assert.deepEqual(
      [r.cert.notBefore.toISOString(), r.cert.notAfter.toISOString()],
      ['2026-02-28T23:55:00.000Z', '2026-03-01T01:00:00.000Z'],
    );
    assert.equal(verifyCertChain(r.cert, [], get(pki, 'ca').cert, later), undefined);
  });
});

describe('keys', () => {
  test('algorithms, PEM block types, and what is accepted back', async () => {
    assert.deepEqual(keyTypeOf(''), { kind: 'rsa', bits: 2048 });
    assert.deepEqual(keyTypeOf('ECDSA-P384'), { kind: 'ec', curve: 'P-384' });
    assert.throws(
      () => keyTypeOf('RSA-1024'),
      /^KbadmError: cannot obtain key size from unknown RSA algorithm: "RSA-1024"$/,
    );
    const ec = await generatePrivateKey('ECDSA-P384');
    assert.match(ec.toPem(), /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.match(openssl(['ec', '-noout', '-text'], ec.toPem()), /NIST CURVE: P-384/);
    const rsa = await generatePrivateKey('RSA-3072');
    assert.match(openssl(['rsa', '-noout', '-text'], rsa.toPem()), /Private-Key: \(3072 bit, 2 primes\)/);
    assert.equal(String(rsa), '[PrivateKey RSA-3072]');
    assert.equal(JSON.stringify({ rsa }), '{"rsa":"[PrivateKey RSA-3072]"}');
    const pkcs8 = rsa.keyObject.export({ format: 'pem', type: 'pkcs8' }) as string;
    assert.equal(parsePrivateKeyPem(pkcs8).toPem(), rsa.toPem());
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    assert.throws(
      () => parsePrivateKeyPem(ed, '/pki/sa.key'),
      /the private key file \/pki\/sa.key is neither in RSA nor ECDSA format/,
    );
    assert.throws(() => parsePrivateKeyPem('junk'), /does not contain a valid RSA or ECDSA private key/);
  });
});
