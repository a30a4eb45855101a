// RSA-3072, RSA-4096 and ECDSA-P384 through the real commands (init phase certs all, kubeconfig all,
// certs renew, kubeconfig user): openssl checks the key sizes, curves, signature hashes and chains.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CAS,
  config,
  current,
  decode,
  KUBECONFIGS,
  kubectlView,
  LEAVES,
  openssl,
  read,
  tempRoot,
  type Root,
} from '../support/e2e.js';

const ALGORITHMS = [
  { name: 'RSA-3072', key: /Private-Key: \(3072 bit/, sig: 'sha256WithRSAEncryption' },
  { name: 'RSA-4096', key: /Private-Key: \(4096 bit/, sig: 'sha256WithRSAEncryption' },
  // Go signs with SHA-384 for a P-384 key.
  { name: 'ECDSA-P384', key: /ASN1 OID: secp384r1/, sig: 'ecdsa-with-SHA384' },
] as const;

function keyText(file: string): string {
  return openssl(['pkey', '-in', file, '-noout', '-text']);
}

function signature(certFile: string): string {
  return /Signature Algorithm: (\S+)/.exec(openssl(['x509', '-in', certFile, '-noout', '-text']))![1]!;
}

for (const alg of ALGORITHMS) {
  describe(`${alg.name} end to end`, () => {
    let root: Root;
    before(async () => {
      root = tempRoot(config(alg.name));
      await root.kbadm(['init', 'phase', 'certs', 'all', '--config', '/cfg.yaml']);
      await root.kbadm(['init', 'phase', 'kubeconfig', 'all', '--config', '/cfg.yaml']);
    });
    after(() => root.cleanup());

    test('every key has the algorithm, every certificate its hash, every leaf chains to its CA', () => {
      for (const ca of CAS) {
        const crt = join(root.pki, `${ca}.crt`);
        assert.match(keyText(join(root.pki, `${ca}.key`)), alg.key, ca);
        assert.equal(signature(crt), alg.sig, ca);
        assert.equal(openssl(['verify', '-CAfile', crt, crt]).trim(), `${crt}: OK`);
      }
      for (const l of LEAVES) {
        const crt = join(root.pki, `${l.base}.crt`);
        assert.match(keyText(join(root.pki, `${l.base}.key`)), alg.key, l.base);
        assert.equal(signature(crt), alg.sig, l.base);
        const caCrt = join(root.pki, `${l.ca}.crt`);
        assert.equal(openssl(['verify', '-CAfile', caCrt, '-purpose', l.purpose, crt]).trim(), `${crt}: OK`);
        assert.ok(new X509Certificate(read(crt)).verify(new X509Certificate(read(caCrt)).publicKey));
      }
      assert.match(keyText(join(root.pki, 'sa.key')), alg.key, 'sa.key');
      assert.equal(
        openssl(['pkey', '-in', join(root.pki, 'sa.key'), '-pubout']),
        read(join(root.pki, 'sa.pub')),
      );
    });

    test('kubeconfig client keys use the algorithm and their certificates chain to ca.crt', () => {
      for (const file of KUBECONFIGS) {
        const { user } = current(kubectlView(join(root.kube, file)));
        const keyFile = join(root.dir, `${file}.key`);
        const certFile = join(root.dir, `${file}.crt`);
        writeFileSync(keyFile, decode(user.user['client-key-data']));
        writeFileSync(certFile, decode(user.user['client-certificate-data']));
        assert.match(keyText(keyFile), alg.key, file);
        assert.equal(signature(certFile), alg.sig, file);
        assert.equal(
          openssl(['verify', '-CAfile', join(root.pki, 'ca.crt'), '-purpose', 'sslclient', certFile]).trim(),
          `${certFile}: OK`,
        );
      }
    });

    test('certs renew and kubeconfig user keep the algorithm', async () => {
      const before = read(join(root.pki, 'apiserver.key'));
      await root.kbadm(['certs', 'renew', 'apiserver', '--config', '/cfg.yaml']);
      assert.notEqual(read(join(root.pki, 'apiserver.key')), before);
      assert.match(keyText(join(root.pki, 'apiserver.key')), alg.key);
      assert.equal(signature(join(root.pki, 'apiserver.crt')), alg.sig);

      const r = await root.kbadm(['kubeconfig', 'user', '--config', '/cfg.yaml', '--client-name', 'dev']);
      const file = join(root.dir, 'dev.conf');
      writeFileSync(file, r.stdout);
      const { user } = current(kubectlView(file));
      const keyFile = join(root.dir, 'dev.key');
      writeFileSync(keyFile, decode(user.user['client-key-data']));
      assert.match(keyText(keyFile), alg.key);
    });
  });
}
