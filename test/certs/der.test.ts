import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  children,
  integer,
  namedBits,
  oid,
  readNamedBits,
  readNode,
  readOid,
  readString,
  readTime,
  TAG,
  time,
  tlv,
} from '../../src/certs/der.js';
import {
  buildCertificate,
  encodeName,
  keyIdentifier,
  parseCertificate,
  type CertificateFields,
} from '../../src/certs/certificate-der.js';
import { generatePrivateKey } from '../../src/certs/keys.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('integers take their shortest two’s-complement form, with a zero byte before a high bit', () => {
  assert.equal(hex(integer(0n)), '020100');
  assert.equal(hex(integer(127n)), '02017f');
  assert.equal(hex(integer(128n)), '02020080');
  assert.equal(hex(integer((1n << 63n) - 1n)), '02087fffffffffffffff');
});

test('object identifiers encode and decode, arcs above 127 included', () => {
  for (const id of ['2.5.29.15', '1.2.840.113549.1.1.11', '1.3.6.1.5.5.7.3.1', '2.999.3']) {
    assert.equal(readOid(readNode(oid(id))), id);
  }
  assert.equal(hex(oid('1.2.840.10045.4.3.2')), '06082a8648ce3d040302');
});

test('named bits drop trailing zero bits and count the unused ones', () => {
  // digitalSignature (0) and keyEncipherment (2): 1010 0000 with 5 unused bits, as Go writes it.
  assert.equal(hex(namedBits([0, 2])), '030205a0');
  assert.equal(hex(namedBits([0, 2, 5])), '030202a4');
  assert.equal(hex(namedBits([8])), '0303070080');
  assert.deepEqual(readNamedBits(readNode(namedBits([0, 2, 5, 8]))), [0, 2, 5, 8]);
});

test('times before 2050 are UTCTime, later ones GeneralizedTime, both read back', () => {
  const a = new Date('2049-12-31T23:59:59Z');
  const b = new Date('2050-01-01T00:00:00Z');
  assert.equal(readNode(time(a)).tag, TAG.utcTime);
  assert.equal(readNode(time(a)).value.toString(), '491231235959Z');
  assert.equal(readNode(time(b)).tag, TAG.generalizedTime);
  assert.equal(readNode(time(b)).value.toString(), '20500101000000Z');
  assert.deepEqual(readTime(readNode(time(a))), a);
  assert.deepEqual(readTime(readNode(time(b))), b);
});

test('names put O before CN, share one sorted RDN between several O values, and pick the string type', () => {
  const name = encodeName('kube-é', ['zeta', 'beta']);
  const rdns = children(readNode(name));
  assert.equal(rdns.length, 2);
  const orgs = children(rdns[0]!).map((atv) => readString(children(atv)[1]!));
  assert.deepEqual(orgs, ['beta', 'zeta'], 'SET OF in DER order (same length: alphabetical)');
  const cn = children(children(rdns[1]!)[0]!)[1]!;
  assert.equal(cn.tag, TAG.utf8String, 'é is not printable');
  assert.equal(readString(cn), 'kube-é');
  const printable = children(children(children(readNode(encodeName('system:node:a', [])))[0]!)[0]!)[1]!;
  assert.equal(printable.tag, TAG.printableString);
});

test('BMPString names decode', () => {
  assert.equal(readString(readNode(tlv(TAG.bmpString, Buffer.from([0, 0x41, 0, 0xe9])))), 'Aé');
});

test('malformed input is an error, not a wrong value', () => {
  assert.throws(() => readNode(Buffer.from([0x30, 0x05, 0x01])), /malformed DER: value runs past the end/);
  assert.throws(() => readNode(Buffer.from([0x30])), /malformed DER/);
  assert.throws(() => parseCertificate(Buffer.from([0x30, 0x00])), /malformed DER/);
});

for (const algorithm of ['ECDSA-P256', 'ECDSA-P384', 'RSA-2048']) {
  test(`a ${algorithm} certificate built here reads back, and node and openssl accept it`, async () => {
    const caKey = await generatePrivateKey(algorithm);
    const leafKey = await generatePrivateKey(algorithm);
    const caName = encodeName('kubernetes', []);
    const ski = keyIdentifier(caKey.publicKeyDer());
    const base = {
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2036-01-01T00:00:00Z'),
      dnsNames: [],
      ips: [],
    };
    const ca: CertificateFields = {
      ...base,
      serial: 1n,
      subject: caName,
      issuer: caName,
      publicKey: caKey.publicKeyDer(),
      keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'],
      extKeyUsage: [],
      isCA: true,
      subjectKeyId: ski,
    };
    const caDer = buildCertificate(ca, caKey);
    const leaf: CertificateFields = {
      ...base,
      serial: (1n << 63n) - 2n,
      subject: encodeName('kube-apiserver', ['system:masters']),
      issuer: caName,
      publicKey: leafKey.publicKeyDer(),
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      isCA: false,
      dnsNames: ['kubernetes', 'kubernetes.default'],
      ips: ['10.96.0.1', '::1'],
      authorityKeyId: ski,
    };
    const leafDer = buildCertificate(leaf, caKey);

    const p = parseCertificate(leafDer);
    assert.equal(p.serial, leaf.serial);
    assert.equal(p.subject.commonName, 'kube-apiserver');
    assert.deepEqual(p.subject.organization, ['system:masters']);
    assert.equal(p.issuer.commonName, 'kubernetes');
    assert.deepEqual(p.issuer.raw, caName);
    assert.deepEqual([p.notBefore, p.notAfter], [base.notBefore, base.notAfter]);
    assert.deepEqual(p.keyUsage, ['digitalSignature', 'keyEncipherment']);
    assert.deepEqual(p.extKeyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(p.isCA, false);
    assert.deepEqual(p.dnsNames, leaf.dnsNames);
    assert.deepEqual(p.ips, leaf.ips);
    assert.deepEqual(p.authorityKeyId, ski);
    assert.deepEqual(parseCertificate(caDer).subjectKeyId, ski);
    assert.equal(parseCertificate(caDer).isCA, true);

    const nodeCa = new X509Certificate(caDer);
    const nodeLeaf = new X509Certificate(leafDer);
    assert.ok(nodeLeaf.checkIssued(nodeCa) && nodeLeaf.verify(nodeCa.publicKey), 'signature verifies');
    assert.ok(nodeCa.verify(nodeCa.publicKey), 'the CA is self-signed');

    const text = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], {
      input: leafDer,
      encoding: 'utf8',
    });
    assert.match(text, /X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    assert.match(text, /X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    assert.match(text, /X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    assert.match(
      text,
      /DNS:kubernetes, DNS:kubernetes.default, IP Address:10.96.0.1, IP Address:0:0:0:0:0:0:0:1/,
    );
    // openssl's key identifier for the same key (RFC 5280 method 1) is the one written here.
    const dir = mkdtempSync(join(tmpdir(), 'kbadm-der-'));
    try {
      writeFileSync(join(dir, 'ca.key'), caKey.toPem());
      const byOpenssl = execFileSync('openssl', [
        'req',
        '-x509',
        '-new',
        '-key',
        join(dir, 'ca.key'),
        '-subj',
        '/CN=x',
        '-days',
        '1',
        '-addext',
        'subjectKeyIdentifier=hash',
        '-outform',
        'DER',
      ]);
      assert.deepEqual(parseCertificate(byOpenssl).subjectKeyId, ski);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('tlv: short and long lengths, from parts, read back by readNode', () => {
  for (const n of [0, 1, 127, 128, 255, 256, 65535, 65536]) {
    const body = Buffer.alloc(n, 0xab);
    const parts = n > 1 ? [body.subarray(0, 1), body.subarray(1)] : [body];
    const encoded = tlv(TAG.octetString, ...parts);
    const expectedHeader =
      n < 128
        ? [0x04, n]
        : n < 256
          ? [0x04, 0x81, n]
          : n < 65536
            ? [0x04, 0x82, n >> 8, n & 0xff]
            : [0x04, 0x83, 1, 0, 0];
    assert.deepEqual([...encoded.subarray(0, expectedHeader.length)], expectedHeader, `header for ${n}`);
    const node = readNode(encoded);
    assert.equal(node.raw.length, encoded.length);
    assert.ok(node.value.equals(body), `contents for ${n}`);
  }
});

test('oid: the same encoding each time, and a copy the caller may change', () => {
  const first = oid('2.5.29.17');
  assert.equal(readOid(readNode(first)), '2.5.29.17');
  first[2] = 0;
  assert.equal(readOid(readNode(oid('2.5.29.17'))), '2.5.29.17');
});
