// The PKI on a Host: errors name the files as the user sees them, without the --rootfs prefix.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { caBaseName } from '../../src/certs/specs.js';
import {
  caExternallyManaged,
  ensureCA,
  ensureLeaf,
  PkiStore,
  type CertRun,
} from '../../src/certs/pki-files.js';
import { renewableCertificates } from '../../src/certs/renewal.js';
import { controlPlaneInputs } from '../../src/phases/init/static-pods.js';
import { loadConfigFile, CONFIGS_DIR } from '../support/manifests.js';
import { testInitData } from '../support/init-data.js';
import { certSpec } from '../../src/certs/specs.js';
import { createTestHost } from '../../src/host/test-host.js';
import { recordOutput } from '../../src/output/output.js';
import { inputs } from '../support/certs.js';

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

describe('external CA: ca.crt without ca.key', () => {
  test('the rule, through a store under --rootfs', async () => {
    const { store } = certRun();
    assert.equal(await caExternallyManaged(store), false, 'neither file');
    await store.host.writeFile(store.path('ca.crt'), 'not parsed', 0o644);
    assert.equal(await caExternallyManaged(store), true, 'only the certificate');
    assert.equal(await caExternallyManaged(store, 'etcd/ca'), false, 'another CA');
    await store.host.writeFile(store.path('ca.key'), 'not parsed', 0o600);
    assert.equal(await caExternallyManaged(store), false, 'both files');
  });

  test('the controller-manager manifest inputs follow it, under --rootfs', async () => {
    const run = testInitData(loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`), {
      rootfs: '/some/root',
      files: { '/some/root/etc/kubernetes/pki/ca.crt': 'external' },
    });
    assert.equal((await controlPlaneInputs(run)).externalCA, true);
    run.host.seedFile('/some/root/etc/kubernetes/pki/ca.key', 'key');
    assert.equal((await controlPlaneInputs(run)).externalCA, false);
  });

  test('caBaseName: the signing CA of leaves and renewable certificates, a CA of itself', () => {
    assert.equal(caBaseName(certSpec('etcd-server', i, NOW)), 'etcd/ca');
    assert.equal(caBaseName(certSpec('front-proxy-client', i, NOW)), 'front-proxy-ca');
    assert.equal(caBaseName(certSpec('etcd-ca', i, NOW)), 'etcd/ca');
    const byName = Object.fromEntries(renewableCertificates(true).map((r) => [r.name, caBaseName(r)]));
    assert.equal(byName['apiserver-etcd-client'], 'etcd/ca');
    assert.equal(byName['admin.conf'], 'ca');
  });
});

describe('a private key is never replaced, also when it appears after the check', () => {
  test('a key written by someone else between the decision and the write is kept, and the run stops', async () => {
    const run = certRun();
    await ensureCA(run, certSpec('ca', i, NOW));
    const host = run.store.host as ReturnType<typeof createTestHost>;
    const theirs = '-----BEGIN EC PRIVATE KEY-----\ntheirs\n-----END EC PRIVATE KEY-----\n';
    // Another writer slips its key in just before ours goes in place.
    const writeFiles = host.writeFiles.bind(host);
    host.writeFiles = async (files) => {
      host.seedFile(run.store.path('apiserver.key'), theirs, 0o600);
      return writeFiles(files);
    };
    await assert.rejects(ensureLeaf(run, certSpec('apiserver', i, NOW)), {
      message: '/etc/kubernetes/pki/apiserver.key already exists: kbadm does not replace it',
    });
    assert.equal(host.text(run.store.path('apiserver.key')), theirs);
    assert.equal(await run.store.exists('apiserver.crt'), false, 'no certificate for a key that is not ours');
  });
});
