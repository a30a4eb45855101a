// signCertificate describes what it signed without reading it back; that description must be what
// reading the bytes gives.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generatePrivateKey } from '../../src/certs/keys.js';
import {
  issuedBy,
  keyMatchesCertificate,
  parseCertificateDer,
  signCertificate,
  type CertificateInfo,
  type CertTemplate,
} from '../../src/certs/x509.js';

const NOW = new Date('2025-06-01T12:00:00.456Z');
const YEAR = 8760 * 3600 * 1000;

function template(over: Partial<CertTemplate>): CertTemplate {
  return {
    commonName: 'kubernetes',
    organization: [],
    extKeyUsage: [],
    altNames: { dnsNames: [], ips: [] },
    isCA: false,
    notBefore: NOW,
    notAfter: new Date(NOW.getTime() + YEAR),
    ...over,
  };
}

/** Every field, the Node view included, compared with a fresh parse of the same DER. */
async function assertSameAsParsed(signed: CertificateInfo): Promise<void> {
  const parsed = await parseCertificateDer(signed.der);
  const { node: signedNode, ...signedFields } = signed;
  const { node: parsedNode, ...parsedFields } = parsed;
  assert.deepEqual(signedFields, parsedFields);
  assert.equal(signedNode.fingerprint256, parsedNode.fingerprint256);
}

for (const algorithm of ['RSA-2048', 'ECDSA-P256', 'ECDSA-P384']) {
  describe(`signCertificate (${algorithm})`, () => {
    test('a CA and a leaf it signs are described as they read back', async () => {
      const [caKey, leafKey] = await Promise.all([
        generatePrivateKey(algorithm),
        generatePrivateKey(algorithm),
      ]);
      const caCert = await signCertificate(
        template({ isCA: true, altNames: { dnsNames: ['kubernetes'], ips: [] } }),
        caKey,
      );
      await assertSameAsParsed(caCert);
      assert.ok(caCert.subjectKeyId);

      const leaf = await signCertificate(
        template({
          commonName: 'kube-apiserver',
          organization: ['kubeadm:cluster-admins', 'Ünïcode Org'],
          extKeyUsage: ['serverAuth', 'clientAuth'],
          // An IPv6 address in a long form reads back in its canonical one.
          altNames: { dnsNames: ['cp-1', 'localhost'], ips: ['10.96.0.1', '0:0:0:0:0:0:0:1'] },
        }),
        leafKey,
        { cert: caCert, key: caKey },
      );
      await assertSameAsParsed(leaf);
      assert.deepEqual(leaf.ips, ['10.96.0.1', '::1']);
      assert.equal(leaf.authorityKeyId, caCert.subjectKeyId);
      assert.ok(issuedBy(leaf, caCert));
      assert.ok(keyMatchesCertificate(leafKey, leaf));
      assert.ok(!keyMatchesCertificate(caKey, leaf));
    });
  });
}

test('a leaf signed by a parsed CA carries that CA’s subject bytes as its issuer', async () => {
  const caKey = await generatePrivateKey('ECDSA-P256');
  const signedCA = await signCertificate(template({ isCA: true, organization: ['o'] }), caKey);
  const parsedCA = await parseCertificateDer(signedCA.der);
  const leaf = await signCertificate(
    template({ commonName: 'leaf', extKeyUsage: ['clientAuth'] }),
    await generatePrivateKey('ECDSA-P256'),
    { cert: parsedCA, key: caKey },
  );
  await assertSameAsParsed(leaf);
  assert.deepEqual(leaf.issuer, { commonName: 'kubernetes', organization: ['o'] });
  assert.ok(issuedBy(leaf, parsedCA));
});
