// A key pair is checked before it is used: a CA whose private key is not its certificate's is
// refused before anything is written, naming both files (it would sign certificates that fail
// verification); sa.key must match sa.pub; a reused kubeconfig's client key must match its
// certificate, signed by the cluster CA; check-expiration reports every pair that does not match.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { treeProblems } from '../support/pki-check.js';
import { config, read, snapshot, tempRoot, type Root } from '../support/e2e.js';

const CFG = ['--config', '/cfg.yaml'];

function foreignKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'sec1',
    format: 'pem',
  }) as string;
}

function mismatch(base: string): RegExp {
  const p = `/etc/kubernetes/pki/${base}`.replace(/[/.]/g, (c) => `\\${c}`);
  return new RegExp(`private key ${p}\\.key does not match the public key of certificate ${p}\\.crt`);
}

let roots: Root[] = [];
afterEach(() => {
  for (const r of roots) r.cleanup();
  roots = [];
});

/** A root with the whole certificate tree and the kubeconfig files. */
async function fullTree(): Promise<Root> {
  const root = tempRoot(config('ECDSA-P256'));
  roots.push(root);
  await root.kbadm(['init', 'phase', 'certs', 'all', ...CFG]);
  await root.kbadm(['init', 'phase', 'kubeconfig', 'all', ...CFG]);
  return root;
}

/** Runs a command that must fail, leaving every file under /etc/kubernetes as it was. */
async function refused(root: Root, args: string[]): Promise<string> {
  const before = snapshot(root.kube);
  const r = await root.kbadm(args, { allowFailure: true });
  assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  assert.deepEqual(snapshot(root.kube), before, `${args.join(' ')} wrote nothing`);
  return r.stderr;
}

describe('a CA whose key does not match its certificate', () => {
  test('certs renew all refuses before replacing anything (it used to renew 11 certificates that fail verification)', async () => {
    const root = await fullTree();
    writeFileSync(join(root.pki, 'ca.key'), foreignKey(), { mode: 0o600 });
    assert.match(await refused(root, ['certs', 'renew', 'all', ...CFG]), mismatch('ca'));
  });

  test('certs renew all refuses before anything when the etcd CA, renewed after others, does not match', async () => {
    const root = await fullTree();
    writeFileSync(join(root.pki, 'etcd/ca.key'), foreignKey(), { mode: 0o600 });
    assert.match(await refused(root, ['certs', 'renew', 'all', ...CFG]), mismatch('etcd/ca'));
  });

  test('certs renew <name> refuses', async () => {
    const root = await fullTree();
    writeFileSync(join(root.pki, 'front-proxy-ca.key'), foreignKey(), { mode: 0o600 });
    assert.match(
      await refused(root, ['certs', 'renew', 'front-proxy-client', ...CFG]),
      mismatch('front-proxy-ca'),
    );
  });

  test('init refuses before any phase writes, even for a CA that a later phase would use', async () => {
    const root = tempRoot(config('ECDSA-P256'));
    roots.push(root);
    for (const ca of ['ca', 'front-proxy-ca', 'etcd-ca'])
      await root.kbadm(['init', 'phase', 'certs', ca, ...CFG]);
    writeFileSync(join(root.pki, 'front-proxy-ca.key'), foreignKey(), { mode: 0o600 });
    assert.match(await refused(root, ['init', ...CFG]), mismatch('front-proxy-ca'));
  });

  test('init phase certs <leaf> and init phase kubeconfig refuse to sign with it', async () => {
    const root = tempRoot(config('ECDSA-P256'));
    roots.push(root);
    await root.kbadm(['init', 'phase', 'certs', 'ca', ...CFG]);
    writeFileSync(join(root.pki, 'ca.key'), foreignKey(), { mode: 0o600 });
    assert.match(await refused(root, ['init', 'phase', 'certs', 'apiserver', ...CFG]), mismatch('ca'));
    assert.match(await refused(root, ['init', 'phase', 'kubeconfig', 'all', ...CFG]), mismatch('ca'));
    assert.match(await refused(root, ['init', 'phase', 'certs', 'ca', ...CFG]), mismatch('ca'));
  });

  test('kubeconfig user refuses and prints no kubeconfig', async () => {
    const root = await fullTree();
    writeFileSync(join(root.pki, 'ca.key'), foreignKey(), { mode: 0o600 });
    const r = await root.kbadm(['kubeconfig', 'user', '--client-name', 'jane', ...CFG], {
      allowFailure: true,
    });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, mismatch('ca'));
  });
});

describe('other pairs checked when they are reused', () => {
  test('sa.key and an sa.pub that is not its public half: refused, naming both', async () => {
    const root = await fullTree();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    writeFileSync(join(root.pki, 'sa.pub'), other, { mode: 0o600 });
    assert.match(
      await refused(root, ['init', 'phase', 'certs', 'sa', ...CFG]),
      /private key \/etc\/kubernetes\/pki\/sa\.key does not match the public key \/etc\/kubernetes\/pki\/sa\.pub/,
    );
  });

  test('a kubeconfig whose client key is not its certificate’s is not reused', async () => {
    const root = await fullTree();
    const file = join(root.kube, 'admin.conf');
    const key = Buffer.from(foreignKey()).toString('base64');
    writeFileSync(file, read(file).replace(/client-key-data: \S+/, `client-key-data: ${key}`), {
      mode: 0o600,
    });
    assert.match(
      await refused(root, ['init', 'phase', 'kubeconfig', 'admin', ...CFG]),
      /kubeconfig file \/etc\/kubernetes\/admin\.conf: its client key does not match its client certificate/,
    );
  });

  test('a kubeconfig with the right CA but a client certificate from another cluster is not reused', async () => {
    const root = await fullTree();
    const other = await fullTree();
    const caData = /certificate-authority-data: (\S+)/.exec(read(join(root.kube, 'scheduler.conf')))![1]!;
    const foreign = read(join(other.kube, 'scheduler.conf')).replace(
      /certificate-authority-data: \S+/,
      `certificate-authority-data: ${caData}`,
    );
    writeFileSync(join(root.kube, 'scheduler.conf'), foreign, { mode: 0o600 });
    assert.match(
      await refused(root, ['init', 'phase', 'kubeconfig', 'scheduler', ...CFG]),
      /kubeconfig file \/etc\/kubernetes\/scheduler\.conf: its client certificate is not signed by the cluster CA/,
    );
  });
});

describe('certs check-expiration', () => {
  test('reports every pair whose key does not match, and still prints the table', async () => {
    const root = await fullTree();
    assert.deepEqual(treeProblems(root.dir), []);
    writeFileSync(join(root.pki, 'apiserver.key'), foreignKey(), { mode: 0o600 });
    writeFileSync(join(root.pki, 'etcd/ca.key'), foreignKey(), { mode: 0o600 });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    writeFileSync(join(root.pki, 'sa.pub'), other, { mode: 0o600 });
    const admin = join(root.kube, 'admin.conf');
    const key = Buffer.from(foreignKey()).toString('base64');
    writeFileSync(admin, read(admin).replace(/client-key-data: \S+/, `client-key-data: ${key}`), {
      mode: 0o600,
    });
    const r = await root.kbadm(['certs', 'check-expiration', ...CFG]);
    assert.match(r.stdout, /^apiserver\s+\w{3} \d\d, \d{4}/m);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('[WARNING]'));
    assert.deepEqual(warnings.sort(), [
      '[WARNING] kubeconfig file /etc/kubernetes/admin.conf: its client key does not match its client certificate',
      '[WARNING] private key /etc/kubernetes/pki/apiserver.key does not match the public key of certificate /etc/kubernetes/pki/apiserver.crt',
      '[WARNING] private key /etc/kubernetes/pki/etcd/ca.key does not match the public key of certificate /etc/kubernetes/pki/etcd/ca.crt',
      '[WARNING] private key /etc/kubernetes/pki/sa.key does not match the public key /etc/kubernetes/pki/sa.pub',
    ]);
    // A healthy tree: no warning.
    const healthy = await fullTree();
    assert.doesNotMatch((await healthy.kbadm(['certs', 'check-expiration', ...CFG])).stderr, /WARNING/);
  });
});
