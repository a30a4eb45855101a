// upload-certs / download-certs: the certificate key, the AES-GCM sealing kubeadm uses, the
// kubeadm-certs Secret, and a round trip from one node's disk to another's through the adapter.
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  CERTIFICATE_KEY_BYTES,
  decryptBytes,
  decryptKubeadmCerts,
  encryptBytes,
  generateCertificateKey,
  kubeadmCertFiles,
  kubeadmCertsSecret,
  parseCertificateKey,
  uploadCertsToken,
} from '../../src/certs/copy-certs.js';
import { PkiStore, readKubeadmCertFiles, writeKubeadmCertFiles } from '../../src/certs/pki-files.js';
import { generatePki, pkiFiles } from '../../src/certs/tree.js';
import type { KubeObject } from '../../src/cluster/types.js';
import type { ClusterConfiguration } from '../../src/config/model.js';
import { ValidationError } from '../../src/errors.js';
import { createTestHost } from '../../src/host/test-host.js';
import { inputs } from '../support/certs.js';

const KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const OTHER_KEY = 'ff'.repeat(32);
const OWNER = { name: 'bootstrap-token-abcdef', uid: '5b1e6a6c-6f8e-4c55-9a55-1f0b5a1a7e11' };
const LOCAL: Pick<ClusterConfiguration, 'etcd' | 'certificatesDir'> = {
  etcd: { local: {} as never },
  certificatesDir: '/etc/kubernetes/pki',
};
const EXTERNAL: Pick<ClusterConfiguration, 'etcd' | 'certificatesDir'> = {
  etcd: {
    external: {
      endpoints: ['https://10.0.0.1:2379'],
      caFile: '/etc/etcd/ca.pem',
      certFile: '/etc/etcd/client.pem',
      keyFile: '/etc/etcd/client-key.pem',
    },
  },
  certificatesDir: '/etc/kubernetes/pki',
};

const dataOf = (secret: KubeObject): Record<string, string> => secret.data as Record<string, string>;

describe('certificate key', () => {
  test('a generated key is 32 random bytes in lowercase hex', () => {
    const a = generateCertificateKey();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, generateCertificateKey());
    assert.equal(
      generateCertificateKey(() => new Uint8Array(32).fill(0xab)),
      'ab'.repeat(32),
    );
    assert.equal(parseCertificateKey(a).length, CERTIFICATE_KEY_BYTES);
  });

  test('parsing gives the key bytes', () => {
    assert.deepEqual([...parseCertificateKey(KEY)], [...Array(32).keys()]);
    assert.deepEqual(parseCertificateKey(KEY.toUpperCase()), parseCertificateKey(KEY));
  });

  test('a bad key names --certificate-key and never shows the key', () => {
    const cases: [string, RegExp][] = [
      ['', /^--certificate-key: invalid certificate key size 0, the key must be an AES key of size 32$/],
      [
        KEY.slice(0, 62),
        /^--certificate-key: invalid certificate key size 31, the key must be an AES key of size 32$/,
      ],
      [
        KEY.slice(0, 63),
        /^--certificate-key: certificate key decoding error: encoding\/hex: odd length hex string$/,
      ],
      [
        `${KEY.slice(0, 60)}zz00`,
        /^--certificate-key: certificate key decoding error: encoding\/hex: invalid byte/,
      ],
    ];
    for (const [key, message] of cases) {
      assert.throws(
        () => parseCertificateKey(key),
        (e: unknown) =>
          e instanceof ValidationError && message.test(e.message) && (key === '' || !e.message.includes(key)),
        `key of length ${key.length}`,
      );
    }
    assert.throws(() => parseCertificateKey('', 'JoinConfiguration.controlPlane.certificateKey'), {
      message: /^JoinConfiguration\.controlPlane\.certificateKey: /,
    });
  });
});

describe('AES-256-GCM as kubeadm seals values', () => {
  const key = parseCertificateKey(KEY);

  test('nonce ‖ ciphertext ‖ tag: a vector computed with another AES-GCM implementation', () => {
    // Python's cryptography AESGCM, key 00..1f, nonce 00..0b, plaintext "kbadm", no AAD.
    const sealed = encryptBytes(Buffer.from('kbadm'), key, (n) => Uint8Array.from(Array(n).keys()));
    assert.equal(
      sealed.toString('hex'),
      '000102030405060708090a0b2c60b77fa8a76c36b5fc07d347e4f50a07aca3ae5b',
    );
  });

  test('WebCrypto opens what it seals (12-byte nonce first, tag last, no AAD)', async () => {
    const plain = Buffer.from('-----BEGIN CERTIFICATE-----\n...');
    const sealed = encryptBytes(plain, key);
    assert.equal(sealed.length, 12 + plain.length + 16);
    const k = await webcrypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
    const opened = await webcrypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, 12) },
      k,
      sealed.subarray(12),
    );
    assert.deepEqual(Buffer.from(opened), plain);
  });

  test('round trip, with a fresh nonce each time', () => {
    const plain = Buffer.from('secret bytes');
    const a = encryptBytes(plain, key);
    const b = encryptBytes(plain, key);
    assert.notDeepEqual(a, b);
    assert.deepEqual(decryptBytes(a, key), plain);
    assert.deepEqual(decryptBytes(b, key), plain);
    assert.deepEqual(decryptBytes(encryptBytes(Buffer.alloc(0), key), key), Buffer.alloc(0));
  });

  test('a wrong key, a tampered value and a short value fail', () => {
    const sealed = encryptBytes(Buffer.from('secret bytes'), key);
    assert.throws(() => decryptBytes(sealed, parseCertificateKey(OTHER_KEY)), {
      message: 'cipher: message authentication failed',
    });
    for (const i of [0, 12, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[i]! ^= 1;
      assert.throws(
        () => decryptBytes(tampered, key),
        { message: 'cipher: message authentication failed' },
        `byte ${i}`,
      );
    }
    assert.throws(() => decryptBytes(sealed.subarray(0, 11), key), {
      message: 'size of data is less than the nonce',
    });
    assert.throws(() => decryptBytes(sealed.subarray(0, 20), key), {
      message: 'cipher: message authentication failed',
    });
  });
});

describe('files that travel', () => {
  test('local etcd: the CAs, the service-account keys and the etcd CA, relative to the pki dir', () => {
    assert.deepEqual(kubeadmCertFiles(LOCAL), [
      { name: 'ca.crt', secretKey: 'ca.crt', path: 'ca.crt' },
      { name: 'ca.key', secretKey: 'ca.key', path: 'ca.key' },
      { name: 'front-proxy-ca.crt', secretKey: 'front-proxy-ca.crt', path: 'front-proxy-ca.crt' },
      { name: 'front-proxy-ca.key', secretKey: 'front-proxy-ca.key', path: 'front-proxy-ca.key' },
      { name: 'sa.pub', secretKey: 'sa.pub', path: 'sa.pub' },
      { name: 'sa.key', secretKey: 'sa.key', path: 'sa.key' },
      { name: 'etcd/ca.crt', secretKey: 'etcd-ca.crt', path: 'etcd/ca.crt' },
      { name: 'etcd/ca.key', secretKey: 'etcd-ca.key', path: 'etcd/ca.key' },
    ]);
  });

  test('external etcd: the configured client files instead of the etcd CA', () => {
    assert.deepEqual(kubeadmCertFiles(EXTERNAL).slice(6), [
      { name: 'external-etcd-ca.crt', secretKey: 'external-etcd-ca.crt', path: '/etc/etcd/ca.pem' },
      { name: 'external-etcd.crt', secretKey: 'external-etcd.crt', path: '/etc/etcd/client.pem' },
      { name: 'external-etcd.key', secretKey: 'external-etcd.key', path: '/etc/etcd/client-key.pem' },
    ]);
  });

  test('the token that owns the Secret: 2h, described, no usages, no groups', () => {
    assert.deepEqual(uploadCertsToken('abcdef.0123456789abcdef'), {
      token: 'abcdef.0123456789abcdef',
      description: 'Proxy for managing TTL for the kubeadm-certs secret',
      ttl: 2 * 60 * 60 * 1000,
      usages: [],
      groups: [],
    });
  });
});

describe('the kubeadm-certs Secret', () => {
  const files = new Map<string, Uint8Array | undefined>([
    ['ca.crt', Buffer.from('CA CERT')],
    ['sa.pub', undefined],
  ]);

  test('exact shape: name, namespace, no type, one controller owner, sealed values, missing files empty', () => {
    const secret = kubeadmCertsSecret(files, KEY, OWNER);
    const { data, ...rest } = secret;
    assert.deepEqual(rest, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'kubeadm-certs',
        namespace: 'kube-system',
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            name: 'bootstrap-token-abcdef',
            uid: '5b1e6a6c-6f8e-4c55-9a55-1f0b5a1a7e11',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
    });
    assert.deepEqual(Object.keys(data as object), ['ca.crt', 'sa.pub']);
    const d = dataOf(secret);
    assert.equal(d['sa.pub'], '');
    const sealed = Buffer.from(d['ca.crt']!, 'base64');
    assert.equal(sealed.length, 12 + 'CA CERT'.length + 16);
    assert.ok(!sealed.includes(Buffer.from('CA CERT')), 'the value is not stored in the clear');
    assert.equal(decryptBytes(sealed, parseCertificateKey(KEY)).toString(), 'CA CERT');
  });

  test('a bad key is refused before anything is sealed', () => {
    assert.throws(() => kubeadmCertsSecret(files, 'abc', OWNER), { message: /^--certificate-key: / });
  });
});

/** A generated PKI (ECDSA, fast) on a test host under a --rootfs. */
async function nodeWithPki(rootfs: string) {
  const host = createTestHost({ rootfs });
  const store = new PkiStore(host, host.paths.pkiDir);
  const pki = await generatePki(
    inputs({ encryptionAlgorithm: 'ECDSA-P256' }),
    new Date('2025-06-01T12:00:00Z'),
  );
  await store.write(pkiFiles(pki));
  return { host, store };
}

describe('download: decrypting the Secret', () => {
  test('upload from one node, download on another: same bytes, keys 0600, the rest 0644', async () => {
    const source = await nodeWithPki('/node-a');
    const uploaded = await readKubeadmCertFiles(source.store, kubeadmCertFiles(LOCAL));
    assert.ok([...uploaded.values()].every((v) => v !== undefined && v.length > 0));
    const secret = kubeadmCertsSecret(uploaded, KEY, OWNER);

    const downloaded = decryptKubeadmCerts(secret, KEY, LOCAL);
    assert.deepEqual(downloaded.skipped, []);
    assert.deepEqual(
      downloaded.files.map((f) => [f.name, f.mode.toString(8)]),
      [
        ['ca.crt', '644'],
        ['ca.key', '600'],
        ['front-proxy-ca.crt', '644'],
        ['front-proxy-ca.key', '600'],
        ['sa.pub', '644'],
        ['sa.key', '600'],
        ['etcd/ca.crt', '644'],
        ['etcd/ca.key', '600'],
      ],
    );

    const target = createTestHost({ rootfs: '/node-b' });
    const targetStore = new PkiStore(target, target.paths.pkiDir);
    await writeKubeadmCertFiles(targetStore, downloaded.files);
    for (const f of kubeadmCertFiles(LOCAL)) {
      assert.deepEqual(await target.readFile(targetStore.path(f.path)), uploaded.get(f.secretKey), f.name);
    }
    assert.equal(target.modeOf('/node-b/etc/kubernetes/pki/etcd/ca.key'), 0o600);
    assert.equal(target.modeOf('/node-b/etc/kubernetes/pki/etcd/ca.crt'), 0o644);
    assert.equal(target.modeOf('/node-b/etc/kubernetes/pki/etcd'), 0o755);
  });

  test('external etcd files are read from and written to their own paths under --rootfs', async () => {
    const source = createTestHost({ rootfs: '/node-a' });
    const store = new PkiStore(source, source.paths.pkiDir);
    const pki = await nodeWithPki('/unused');
    const caPem = await pki.host.readFile(pki.store.path('etcd/ca.crt'));
    await source.writeFile('/node-a/etc/etcd/ca.pem', caPem, 0o644);
    const uploaded = await readKubeadmCertFiles(store, kubeadmCertFiles(EXTERNAL));
    assert.deepEqual(uploaded.get('external-etcd-ca.crt'), caPem);
    assert.equal(uploaded.get('external-etcd.key'), undefined, 'a missing file is undefined');
    assert.equal(uploaded.get('ca.crt'), undefined);

    const downloaded = decryptKubeadmCerts(kubeadmCertsSecret(uploaded, KEY, OWNER), KEY, EXTERNAL);
    assert.deepEqual(
      downloaded.files.map((f) => f.name),
      ['external-etcd-ca.crt'],
    );
    assert.equal(downloaded.skipped.length, 8);
    assert.equal(
      downloaded.skipped[0],
      '[download-certs] Not saving "ca.crt" to disk, since it is empty in the "kubeadm-certs" Secret',
    );
    const target = createTestHost({ rootfs: '/node-b' });
    await writeKubeadmCertFiles(new PkiStore(target, target.paths.pkiDir), downloaded.files);
    assert.deepEqual(target.listFiles('/node-b'), ['/node-b/etc/etcd/ca.pem']);
  });

  test('a wrong key: nothing is returned, and the error says the data could not be decrypted with it', () => {
    const secret = kubeadmCertsSecret(new Map([['ca.crt', Buffer.from('x')]]), KEY, OWNER);
    assert.throws(() => decryptKubeadmCerts(secret, OTHER_KEY, LOCAL), {
      message: 'error decoding secret data with provided key: cipher: message authentication failed',
    });
  });

  test('one tampered value fails the whole download', () => {
    const secret = kubeadmCertsSecret(
      new Map([
        ['ca.crt', Buffer.from('x')],
        ['ca.key', Buffer.from('y')],
      ]),
      KEY,
      OWNER,
    );
    const sealed = Buffer.from(dataOf(secret)['ca.key']!, 'base64');
    sealed[sealed.length - 1]! ^= 0x80;
    dataOf(secret)['ca.key'] = sealed.toString('base64');
    assert.throws(() => decryptKubeadmCerts(secret, KEY, LOCAL), {
      message: /^error decoding secret data with provided key: cipher: message authentication failed$/,
    });
  });

  test('a missing entry is named with its path; unknown data is refused before anything is returned', async () => {
    const { store } = await nodeWithPki('/node-a');
    const uploaded = await readKubeadmCertFiles(store, kubeadmCertFiles(LOCAL));
    uploaded.delete('etcd-ca.key');
    assert.throws(() => decryptKubeadmCerts(kubeadmCertsSecret(uploaded, KEY, OWNER), KEY, LOCAL), {
      message:
        'the Secret does not include the required certificate or key - name: etcd/ca.key, path: /etc/kubernetes/pki/etcd/ca.key',
    });
    assert.throws(() => decryptKubeadmCerts(kubeadmCertsSecret(uploaded, KEY, OWNER), KEY, EXTERNAL), {
      message:
        'the Secret does not include the required certificate or key - name: external-etcd-ca.crt, path: /etc/etcd/ca.pem',
    });

    uploaded.set('etcd-ca.key', Buffer.from('not a PEM'));
    assert.throws(() => decryptKubeadmCerts(kubeadmCertsSecret(uploaded, KEY, OWNER), KEY, LOCAL), {
      message: 'unknown data found in Secret entry',
    });
  });

  test('a Secret without data asks for the first file', () => {
    assert.throws(
      () =>
        decryptKubeadmCerts(
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kubeadm-certs' } },
          KEY,
          LOCAL,
        ),
      {
        message:
          'the Secret does not include the required certificate or key - name: ca.crt, path: /etc/kubernetes/pki/ca.crt',
      },
    );
  });
});
