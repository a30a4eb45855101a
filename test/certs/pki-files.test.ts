// The PKI on a Host: errors name the files as the user sees them, without the --rootfs prefix.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ensureCA, ensureLeaf, PkiStore, type CertRun } from '../../src/certs/pki-files.js';
import { certSpec } from '../../src/certs/specs.js';
import { createTestHost } from '../../src/host/test-host.js';
import { recordOutput } from '../../src/output/output.js';
import { inputs } from './helpers.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const i = inputs({ encryptionAlgorithm: 'ECDSA-P256' });

function certRun(): CertRun {
  const host = createTestHost({ rootfs: '/some/root' });
  return { store: new PkiStore(host, host.paths.pkiDir), out: recordOutput(), inputs: i, now: NOW };
}

describe('ensureLeaf without a usable CA', () => {
  test('a missing CA certificate is named by its host path', async () => {
    await assert.rejects(ensureLeaf(certRun(), certSpec('apiserver', i, NOW)), {
      message: "couldn't load CA certificate ca: open /etc/kubernetes/pki/ca.crt: no such file or directory",
    });
  });

  test('a CA without its key names the key file', async () => {
    const run = certRun();
    await ensureCA(run, certSpec('etcd-ca', i, NOW));
    await run.store.host.remove(run.store.path('etcd/ca.key'));
    await assert.rejects(ensureLeaf(run, certSpec('etcd-server', i, NOW)), {
      message:
        "couldn't load CA certificate etcd/ca: open /etc/kubernetes/pki/etcd/ca.key: no such file or directory",
    });
  });
});
