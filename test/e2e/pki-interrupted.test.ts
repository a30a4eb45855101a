// What the real commands do with a key whose certificate is missing and that no interrupted kbadm
// run explains (kbadm's own half-written pairs are finished by the next run: interruption.test.ts),
// what certs renew keeps in a kubeconfig, and that no private key ever reaches the terminal or the
// logs.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  config,
  current,
  decode,
  kubectlView,
  modeOf,
  openssl,
  read,
  snapshot,
  tempRoot,
  type Root,
} from '../support/e2e.js';
import { IGNORE_IN_TEMP_ROOT } from '../support/temp-root-preflight.js';

const CERTS_ALL = ['init', 'phase', 'certs', 'all', '--config', '/cfg.yaml'];

describe("a key without its certificate, not left by kbadm (e.g. the user's own)", () => {
  let root: Root;
  before(async () => {
    root = tempRoot(config('ECDSA-P256'));
    await root.kbadm(CERTS_ALL);
  });
  after(() => root.cleanup());

  for (const [phase, base] of [
    ['apiserver', 'apiserver'],
    ['etcd-peer', 'etcd/peer'],
    ['ca', 'ca'],
  ] as const) {
    test(`${base}.key without ${base}.crt: a clear error, the key is kept, nothing else changes`, async () => {
      const crt = join(root.pki, `${base}.crt`);
      const saved = read(crt);
      rmSync(crt);
      const before = snapshot(root.kube);
      for (const args of [['init', 'phase', 'certs', phase, '--config', '/cfg.yaml'], CERTS_ALL]) {
        const r = await root.kbadm(args, { allowFailure: true });
        assert.equal(r.code, 1, args.join(' '));
        assert.ok(
          r.stderr.includes(
            `/etc/kubernetes/pki/${base}.crt does not exist, but its private key /etc/kubernetes/pki/${base}.key does`,
          ),
          r.stderr,
        );
        assert.match(r.stderr, new RegExp(`remove /etc/kubernetes/pki/${base}\\.key to generate a new pair`));
        assert.deepEqual(snapshot(root.kube), before);
      }
      writeFileSync(crt, saved, { mode: 0o644 });
    });
  }

  test('once the lone key is removed, the pair is generated again and chains to its CA', async () => {
    rmSync(join(root.pki, 'apiserver.crt'));
    rmSync(join(root.pki, 'apiserver.key'));
    const r = await root.kbadm(CERTS_ALL);
    assert.match(r.stdout, /^\[certs\] Generating "apiserver" certificate and key$/m);
    assert.match(
      r.stdout,
      /^\[certs\] Using existing apiserver-kubelet-client certificate and key on disk$/m,
    );
    const crt = join(root.pki, 'apiserver.crt');
    assert.equal(openssl(['verify', '-CAfile', join(root.pki, 'ca.crt'), crt]).trim(), `${crt}: OK`);
    assert.equal(
      openssl(['pkey', '-in', join(root.pki, 'apiserver.key'), '-pubout']),
      openssl(['x509', '-in', crt, '-pubkey', '-noout']),
    );
  });

  test('a certificate without its key is an error naming the key', async () => {
    const key = join(root.pki, 'front-proxy-client.key');
    const saved = read(key);
    rmSync(key);
    const r = await root.kbadm(CERTS_ALL, { allowFailure: true });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /failure loading key for front-proxy-client: open \/etc\/kubernetes\/pki\/front-proxy-client\.key: no such file or directory/,
    );
    writeFileSync(key, saved, { mode: 0o600 });
  });

  test('sa.key without sa.pub: sa.pub is derived from the key, which is kept', async () => {
    const key = read(join(root.pki, 'sa.key'));
    rmSync(join(root.pki, 'sa.pub'));
    const before = snapshot(root.kube);
    const r = await root.kbadm(CERTS_ALL);
    assert.match(
      r.stdout,
      /^\[certs\] Using the existing "sa" key\n\[certs\] Writing "sa.pub" for the existing "sa" key$/m,
    );
    assert.equal(read(join(root.pki, 'sa.key')), key);
    assert.equal(
      read(join(root.pki, 'sa.pub')),
      openssl(['pkey', '-in', join(root.pki, 'sa.key'), '-pubout']),
    );
    assert.equal(modeOf(join(root.pki, 'sa.pub')), 0o600);
    const after = snapshot(root.kube);
    after.delete('/pki/sa.pub');
    before.delete('/pki/sa.pub');
    assert.deepEqual(after, before);
    // With both files there, nothing is written.
    const again = await root.kbadm(CERTS_ALL);
    assert.doesNotMatch(again.stdout, /Writing|Generating/);
  });
});

describe('certs renew on kubeconfig files', () => {
  let root: Root;
  before(async () => {
    root = tempRoot(config('RSA-2048'));
    await root.kbadm(['init', 'phase', 'certs', 'all', '--config', '/cfg.yaml']);
    await root.kbadm(['init', 'phase', 'kubeconfig', 'all', '--config', '/cfg.yaml']);
  });
  after(() => root.cleanup());

  function subjectOf(pem: string): string {
    return openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], pem).trim();
  }

  test('admin.conf and scheduler.conf keep server, cluster, context, user, CN and groups; only the credentials change', async () => {
    // A server the user pointed elsewhere (a load balancer) stays as it is.
    const adminFile = join(root.kube, 'admin.conf');
    const edited = read(adminFile).replace(
      'server: https://localhost:6443',
      'server: https://lb.example:8443',
    );
    assert.notEqual(edited, read(adminFile));
    writeFileSync(adminFile, edited, { mode: 0o600 });

    for (const [file, name, subject] of [
      ['admin.conf', 'admin.conf', 'subject=CN=kubernetes-admin,O=kubeadm:cluster-admins'],
      ['scheduler.conf', 'scheduler.conf', 'subject=CN=system:kube-scheduler'],
    ] as const) {
      const path = join(root.kube, file);
      const before = parse(read(path)) as Record<string, unknown>;
      const beforeView = current(kubectlView(path));
      const r = await root.kbadm(['certs', 'renew', name, '--config', '/cfg.yaml']);
      assert.match(r.stdout, /renewed$/m);
      const after = parse(read(path)) as Record<string, unknown>;
      const view = current(kubectlView(path));
      assert.equal(modeOf(path), 0o600);
      assert.deepEqual(after['clusters'], before['clusters'], `${file}: cluster (server and CA) kept`);
      assert.deepEqual(after['contexts'], before['contexts']);
      assert.equal(after['current-context'], before['current-context']);
      assert.equal(view.user.name, beforeView.user.name);
      assert.notEqual(view.user.user['client-key-data'], beforeView.user.user['client-key-data']);
      assert.notEqual(
        view.user.user['client-certificate-data'],
        beforeView.user.user['client-certificate-data'],
      );
      const cert = decode(view.user.user['client-certificate-data']);
      assert.equal(subjectOf(cert), subject);
      assert.equal(subjectOf(decode(beforeView.user.user['client-certificate-data'])), subject);
      assert.equal(
        decode(view.cluster.cluster['certificate-authority-data']),
        read(join(root.pki, 'ca.crt')),
      );
      const certFile = join(root.dir, `${file}.crt`);
      writeFileSync(certFile, cert);
      assert.equal(
        openssl(['verify', '-CAfile', join(root.pki, 'ca.crt'), '-purpose', 'sslclient', certFile]).trim(),
        `${certFile}: OK`,
      );
      const keyFile = join(root.dir, `${file}.key`);
      writeFileSync(keyFile, decode(view.user.user['client-key-data']));
      assert.ok(new X509Certificate(cert).checkPrivateKey(createPrivateKey(read(keyFile))));
    }
    assert.equal(current(kubectlView(adminFile)).cluster.cluster.server, 'https://lb.example:8443');
  });
});

/** The secret numbers (d, and p and q for RSA) of every private key under `dir`: PEM files and kubeconfigs. */
function privateSecrets(dir: string): Buffer[] {
  const secrets: Buffer[] = [];
  const add = (pem: string) => {
    for (const m of pem.matchAll(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    )) {
      const jwk = createPrivateKey(m[0]).export({ format: 'jwk' });
      for (const k of ['d', 'p', 'q'] as const) if (jwk[k]) secrets.push(Buffer.from(jwk[k], 'base64url'));
    }
  };
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (statSync(p).size < 1_000_000) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/client-key-data: (\S+)/g)) add(decode(m[1]));
        add(text);
      }
    }
  };
  walk(dir);
  return secrets;
}

/**
 * Fails when a secret shows up in `output`: as PEM (base64 at any of the three byte alignments, so a
 * 40-character run of it appears whatever precedes it), as hex, or as a PEM/kubeconfig key marker.
 * Public halves are printed legitimately (certificates, sa.pub), so only the secret numbers count.
 */
function assertNoKeyMaterial(output: string, secrets: readonly Buffer[], what: string): void {
  assert.doesNotMatch(output, /PRIVATE KEY-----/, what);
  assert.doesNotMatch(output, /client-key-data/, what);
  const flat = output.replace(/\s+/g, '');
  // A PEM encoded once more (as client-key-data is).
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), Buffer.from('PRIVATE KEY-----')]).toString('base64');
    const marker = encoded.slice(shift ? 4 : 0, (shift ? 4 : 0) + 16);
    assert.ok(!flat.includes(marker), `${what}: a base64-encoded private key in the output`);
  }
  const lower = flat.toLowerCase();
  for (const secret of secrets) {
    for (let shift = 0; shift < 3; shift++) {
      const run = secret.subarray(shift, shift + 30).toString('base64');
      assert.ok(!flat.includes(run), `${what}: a private key shows up in the output`);
    }
    assert.ok(!lower.includes(secret.subarray(0, 20).toString('hex')), `${what}: a private key in hex`);
  }
}

describe('private keys never reach stdout, stderr or the logs', () => {
  let root: Root;
  before(() => {
    root = tempRoot(config('ECDSA-P256'));
  });
  after(() => root.cleanup());

  test('init --dry-run -v 5: the keys written to the dry-run directory are not printed', async () => {
    const r = await root.kbadm([
      '-v',
      '5',
      'init',
      '--config',
      '/cfg.yaml',
      '--dry-run',
      ...IGNORE_IN_TEMP_ROOT,
    ]);
    const secrets = privateSecrets(root.dir);
    // Every key of the tree, sa.key and the five kubeconfigs (one secret number each for ECDSA).
    assert.ok(secrets.length >= 11 + 5, String(secrets.length));
    assert.match(r.stdout, /\[private key not shown, \d+ bytes\]/);
    assert.match(r.stdout, /\[kubeconfig with a private key not shown, \d+ bytes\]/);
    assert.match(r.stderr, /"level":"debug"/, 'the debug log is on');
    assertNoKeyMaterial(r.stdout + r.stderr, secrets, 'init --dry-run');
  });

  test('-v 5: certs, kubeconfig, renew, check-expiration, generate-csr and errors print no key', async () => {
    const outputs: string[] = [];
    // Renewal replaces keys: collect every key that existed after any command.
    const secrets = new Map<string, Buffer>();
    const run = async (args: string[], allowFailure = false) => {
      const r = await root.kbadm(['-v', '5', ...args], { allowFailure });
      outputs.push(r.stdout, r.stderr);
      for (const s of privateSecrets(root.dir)) secrets.set(s.toString('hex'), s);
      return r;
    };
    await run(['init', 'phase', 'certs', 'all', '--config', '/cfg.yaml']);
    await run(['init', 'phase', 'kubeconfig', 'all', '--config', '/cfg.yaml']);
    await run(['certs', 'renew', 'all', '--config', '/cfg.yaml']);
    await run(['certs', 'check-expiration', '--config', '/cfg.yaml', '-o', 'yaml']);
    await run([
      'certs',
      'generate-csr',
      '--config',
      '/cfg.yaml',
      '--cert-dir',
      '/csr/pki',
      '--kubeconfig-dir',
      '/csr',
    ]);
    // Errors that involve key files: a key that does not parse, one that does not match.
    writeFileSync(join(root.pki, 'apiserver.key'), read(join(root.pki, 'apiserver-kubelet-client.key')));
    assert.equal((await run(['init', 'phase', 'certs', 'apiserver', '--config', '/cfg.yaml'], true)).code, 1);
    writeFileSync(join(root.pki, 'apiserver.key'), 'garbage');
    assert.equal((await run(['init', 'phase', 'certs', 'apiserver', '--config', '/cfg.yaml'], true)).code, 1);
    // kubeconfig user prints its kubeconfig (with the key) on stdout, by design; stderr stays clean.
    const user = await root.kbadm([
      '-v',
      '5',
      'kubeconfig',
      'user',
      '--config',
      '/cfg.yaml',
      '--client-name',
      'x',
    ]);
    assert.match(user.stdout, /client-key-data/);
    outputs.push(user.stderr);
    assert.ok(secrets.size > 30, String(secrets.size));
    assertNoKeyMaterial(outputs.join('\n'), [...secrets.values()], 'kbadm -v 5');
  });
});
