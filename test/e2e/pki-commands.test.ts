// The real commands under a temporary --rootfs, for RSA-2048 and ECDSA-P256 trees; every file they
// write is checked with openssl, kubectl and node's X509Certificate.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  modeOf,
  openssl,
  read,
  snapshot,
  tempRoot,
  type Root,
} from '../support/e2e.js';
import { IGNORE_IN_TEMP_ROOT, SKIP_WAIT } from '../support/temp-root-preflight.js';

const ALGORITHMS = [
  { name: 'RSA-2048', keyText: /Private-Key: \(2048 bit/, certKey: /Public Key Algorithm: rsaEncryption/ },
  { name: 'ECDSA-P256', keyText: /ASN1 OID: prime256v1/, certKey: /Public Key Algorithm: id-ecPublicKey/ },
] as const;

const CLIENTS: Record<(typeof KUBECONFIGS)[number], { cn: string; o: string[]; server: string }> = {
  'admin.conf': { cn: 'kubernetes-admin', o: ['kubeadm:cluster-admins'], server: 'https://localhost:6443' },
  'super-admin.conf': {
    cn: 'kubernetes-super-admin',
    o: ['system:masters'],
    server: 'https://localhost:6443',
  },
  // ControlPlaneKubeletLocalMode is on by default from 1.33: the kubelet talks to the local API server.
  'kubelet.conf': { cn: 'system:node:cp-1', o: ['system:nodes'], server: 'https://10.0.0.5:6443' },
  'controller-manager.conf': {
    cn: 'system:kube-controller-manager',
    o: [],
    server: 'https://10.0.0.5:6443',
  },
  'scheduler.conf': { cn: 'system:kube-scheduler', o: [], server: 'https://10.0.0.5:6443' },
};

function pubkeyOfKey(keyFile: string): string {
  return openssl(['pkey', '-in', keyFile, '-pubout']);
}
function pubkeyOfCert(certFile: string): string {
  return openssl(['x509', '-in', certFile, '-pubkey', '-noout']);
}
function subject(certFile: string): string {
  return openssl(['x509', '-in', certFile, '-noout', '-subject', '-nameopt', 'RFC2253'])
    .trim()
    .replace(/^subject=/, '');
}

/** Checks a leaf with openssl (chain, purpose, key pair) and with node (signature, key, issuer). */
function checkLeaf(
  pki: string,
  base: string,
  ca: string,
  purpose: string,
  keyText: RegExp,
  certKey: RegExp,
): void {
  const crt = join(pki, `${base}.crt`);
  const key = join(pki, `${base}.key`);
  const caCrt = join(pki, `${ca}.crt`);
  assert.equal(openssl(['verify', '-CAfile', caCrt, '-purpose', purpose, crt]).trim(), `${crt}: OK`);
  assert.equal(pubkeyOfKey(key), pubkeyOfCert(crt), `${base}: key matches cert`);
  assert.match(openssl(['pkey', '-in', key, '-noout', '-text']), keyText);
  assert.match(openssl(['x509', '-in', crt, '-noout', '-text']), certKey);
  const leaf = new X509Certificate(read(crt));
  const issuer = new X509Certificate(read(caCrt));
  assert.ok(leaf.verify(issuer.publicKey), `${base}: node verifies the signature`);
  assert.ok(leaf.checkIssued(issuer));
  assert.ok(leaf.checkPrivateKey(createPrivateKey(read(key))));
  assert.equal(leaf.ca, false);
}

for (const alg of ALGORITHMS) {
  describe(`${alg.name}: init phase certs all, kubeconfig all, certs renew all`, () => {
    let root: Root;
    before(async () => {
      root = tempRoot(config(alg.name));
      await root.kbadm(['init', 'phase', 'certs', 'all', '--config', '/cfg.yaml']);
      await root.kbadm(['init', 'phase', 'kubeconfig', 'all', '--config', '/cfg.yaml']);
    });
    after(() => root.cleanup());

    test('every certificate chains to its CA and matches its key (openssl and node agree)', () => {
      for (const l of LEAVES) checkLeaf(root.pki, l.base, l.ca, l.purpose, alg.keyText, alg.certKey);
      for (const ca of CAS) {
        const crt = join(root.pki, `${ca}.crt`);
        assert.equal(openssl(['verify', '-CAfile', crt, crt]).trim(), `${crt}: OK`);
        assert.equal(pubkeyOfKey(join(root.pki, `${ca}.key`)), pubkeyOfCert(crt));
        assert.match(openssl(['pkey', '-in', join(root.pki, `${ca}.key`), '-noout', '-text']), alg.keyText);
        const c = new X509Certificate(read(crt));
        assert.equal(c.ca, true);
        assert.ok(c.verify(c.publicKey));
      }
      assert.equal(
        subject(join(root.pki, 'apiserver-kubelet-client.crt')),
        'CN=kube-apiserver-kubelet-client,O=kubeadm:cluster-admins',
      );
      assert.equal(subject(join(root.pki, 'etcd/server.crt')), 'CN=cp-1');
      const sans = openssl([
        'x509',
        '-in',
        join(root.pki, 'apiserver.crt'),
        '-noout',
        '-ext',
        'subjectAltName',
      ]);
      assert.match(
        sans,
        /DNS:cp-1, DNS:kubernetes, DNS:kubernetes\.default, DNS:kubernetes\.default\.svc, DNS:kubernetes\.default\.svc\.cluster\.local, DNS:localhost, IP Address:10\.96\.0\.1, IP Address:10\.0\.0\.5/,
      );
    });

    test('sa.pub is the public half of sa.key', () => {
      assert.equal(pubkeyOfKey(join(root.pki, 'sa.key')), read(join(root.pki, 'sa.pub')));
      assert.match(openssl(['pkey', '-in', join(root.pki, 'sa.key'), '-noout', '-text']), alg.keyText);
    });

    test('file modes: keys, sa.pub and kubeconfigs 0600, certificates 0644, pki dirs 0755', () => {
      for (const l of [...LEAVES.map((x) => x.base), ...CAS]) {
        assert.equal(modeOf(join(root.pki, `${l}.crt`)), 0o644, `${l}.crt`);
        assert.equal(modeOf(join(root.pki, `${l}.key`)), 0o600, `${l}.key`);
      }
      assert.equal(modeOf(join(root.pki, 'sa.key')), 0o600);
      assert.equal(modeOf(join(root.pki, 'sa.pub')), 0o600);
      for (const k of KUBECONFIGS) assert.equal(modeOf(join(root.kube, k)), 0o600, k);
      assert.equal(modeOf(root.pki), 0o755);
      assert.equal(modeOf(join(root.pki, 'etcd')), 0o755);
    });

    test('kubectl reads every kubeconfig; each client certificate chains to ca.crt', () => {
      const caPem = read(join(root.pki, 'ca.crt'));
      for (const file of KUBECONFIGS) {
        const { cluster, user, context } = current(kubectlView(join(root.kube, file)));
        const want = CLIENTS[file];
        assert.equal(context.name, `${want.cn}@kubernetes`);
        assert.equal(cluster.cluster.server, want.server, file);
        assert.equal(decode(cluster.cluster['certificate-authority-data']), caPem);
        const certFile = join(root.dir, `${file}.crt`);
        const keyFile = join(root.dir, `${file}.key`);
        writeFileSync(certFile, decode(user.user['client-certificate-data']));
        writeFileSync(keyFile, decode(user.user['client-key-data']));
        const caFile = join(root.pki, 'ca.crt');
        assert.equal(
          openssl(['verify', '-CAfile', caFile, '-purpose', 'sslclient', certFile]).trim(),
          `${certFile}: OK`,
        );
        assert.equal(pubkeyOfKey(keyFile), pubkeyOfCert(certFile));
        assert.match(openssl(['pkey', '-in', keyFile, '-noout', '-text']), alg.keyText);
        const o = want.o.map((g) => `,O=${g}`).join('');
        assert.equal(subject(certFile), `CN=${want.cn}${o}`);
        assert.ok(new X509Certificate(read(certFile)).verify(new X509Certificate(caPem).publicKey));
      }
    });

    test('re-running certs all and kubeconfig all changes no byte (no file is even rewritten)', async () => {
      const before = snapshot(root.kube);
      const certs = await root.kbadm(['init', 'phase', 'certs', 'all', '--config', '/cfg.yaml']);
      const kc = await root.kbadm(['init', 'phase', 'kubeconfig', 'all', '--config', '/cfg.yaml']);
      assert.doesNotMatch(certs.stdout, /Generating/);
      assert.doesNotMatch(kc.stdout, /Writing/);
      assert.deepEqual(snapshot(root.kube), before);
    });

    test('certs renew all: new key for every leaf and embedded client cert, same identities, CAs kept', async () => {
      const before = snapshot(root.kube);
      const subjects = new Map(LEAVES.map((l) => [l.base, subject(join(root.pki, `${l.base}.crt`))]));
      const sans = openssl([
        'x509',
        '-in',
        join(root.pki, 'apiserver.crt'),
        '-noout',
        '-ext',
        'subjectAltName',
      ]);
      const r = await root.kbadm(['certs', 'renew', 'all', '--config', '/cfg.yaml']);
      assert.match(r.stdout, /^certificate for serving the Kubernetes API renewed$/m);
      assert.match(r.stdout, /^certificate embedded in the kubeconfig file for the super-admin renewed$/m);
      assert.ok(
        r.stdout.endsWith(
          '\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.\n',
        ),
      );
      const afterRenew = snapshot(root.kube);
      for (const ca of CAS) {
        assert.equal(afterRenew.get(`/pki/${ca}.crt`)?.data, before.get(`/pki/${ca}.crt`)?.data, ca);
        assert.equal(afterRenew.get(`/pki/${ca}.key`)?.data, before.get(`/pki/${ca}.key`)?.data, ca);
      }
      for (const l of LEAVES) {
        assert.notEqual(
          afterRenew.get(`/pki/${l.base}.key`)?.data,
          before.get(`/pki/${l.base}.key`)?.data,
          l.base,
        );
        assert.equal(subject(join(root.pki, `${l.base}.crt`)), subjects.get(l.base));
        checkLeaf(root.pki, l.base, l.ca, l.purpose, alg.keyText, alg.certKey);
      }
      assert.equal(
        openssl(['x509', '-in', join(root.pki, 'apiserver.crt'), '-noout', '-ext', 'subjectAltName']),
        sans,
      );
      assert.equal(afterRenew.get('/pki/sa.key')?.data, before.get('/pki/sa.key')?.data);
      // The kubelet rotates its own certificate: kubelet.conf is not kbadm's to renew.
      assert.deepEqual(afterRenew.get('/kubelet.conf'), before.get('/kubelet.conf'));
      for (const file of KUBECONFIGS.filter((f) => f !== 'kubelet.conf')) {
        const oldUser = before.get(`/${file}`)!.data.match(/client-key-data: (\S+)/)![1];
        const { user } = current(kubectlView(join(root.kube, file)));
        assert.notEqual(user.user['client-key-data'], oldUser, file);
        const certFile = join(root.dir, `renewed-${file}.crt`);
        writeFileSync(certFile, decode(user.user['client-certificate-data']));
        assert.equal(
          openssl(['verify', '-CAfile', join(root.pki, 'ca.crt'), certFile]).trim(),
          `${certFile}: OK`,
        );
        assert.equal(modeOf(join(root.kube, file)), 0o600);
      }
    });
  });
}

describe('certs check-expiration', () => {
  let root: Root;
  before(async () => {
    root = tempRoot(config('ECDSA-P256'));
    await root.kbadm(['init', '--config', '/cfg.yaml', ...IGNORE_IN_TEMP_ROOT, ...SKIP_WAIT]);
  });
  after(() => root.cleanup());

  test('text: the kubeadm table with a CA section', async () => {
    const r = await root.kbadm(['certs', 'check-expiration', '--config', '/cfg.yaml']);
    const lines = r.stdout.split('\n');
    assert.equal(
      lines[0],
      'CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED',
    );
    assert.match(lines[1]!, /^admin\.conf {17}\w{3} \d\d, \d{4} \d\d:\d\d UTC   36[45]d {12}ca {22}no {6}$/);
    assert.equal(lines.length, 1 + 11 + 1 + 1 + 3 + 1);
    assert.equal(
      lines[13],
      'CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED',
    );
    assert.match(lines[14]!, /^ca {22}\w{3} \d\d, \d{4} \d\d:\d\d UTC   9y {14}no {6}$/);
  });

  test('json and yaml: CertificateExpirationInfo', async () => {
    const json = JSON.parse((await root.kbadm(['certs', 'check-expiration', '-o', 'json'])).stdout) as {
      kind: string;
      certificates: { name: string; residualTime: number; caName: string; externallyManaged: boolean }[];
      certificateAuthorities: { name: string }[];
    };
    assert.equal(json.kind, 'CertificateExpirationInfo');
    assert.deepEqual(
      json.certificates.map((c) => c.name),
      [
        'admin.conf',
        'apiserver',
        'apiserver-etcd-client',
        'apiserver-kubelet-client',
        'controller-manager.conf',
        'etcd-healthcheck-client',
        'etcd-peer',
        'etcd-server',
        'front-proxy-client',
        'scheduler.conf',
        'super-admin.conf',
      ],
    );
    for (const c of json.certificates)
      assert.ok(c.residualTime > 364 * 86400 && c.residualTime <= 365 * 86400, c.name);
    assert.deepEqual(
      json.certificateAuthorities.map((c) => c.name),
      ['ca', 'etcd-ca', 'front-proxy-ca'],
    );
    // Every field of kubeadm's Certificate, in its order; `missing` has no omitempty.
    for (const c of json.certificates)
      assert.deepEqual(Object.keys(c), [
        'name',
        'expirationDate',
        'residualTime',
        'externallyManaged',
        'caName',
        'missing',
      ]);
    for (const c of json.certificateAuthorities)
      assert.deepEqual(Object.keys(c), [
        'name',
        'expirationDate',
        'residualTime',
        'externallyManaged',
        'missing',
      ]);
    const yaml = (await root.kbadm(['certs', 'check-expiration', '-o', 'yaml'])).stdout;
    // kubeadm's YAML printer sorts keys (JSON through a map), at every level.
    assert.deepEqual(
      yaml
        .split('\n')
        .filter((l) => /^\w/.test(l))
        .map((l) => l.split(':')[0]),
      ['apiVersion', 'certificateAuthorities', 'certificates', 'kind'],
    );
    assert.match(
      yaml,
      /^- caName: front-proxy-ca\n {2}expirationDate: "[\dT:-]+Z"\n {2}externallyManaged: false\n {2}missing: false\n {2}name: front-proxy-client\n {2}residualTime: \d+$/m,
    );
  });

  test('the certificates alias, a missing file and an externally managed CA', async () => {
    rmSync(join(root.kube, 'super-admin.conf'));
    rmSync(join(root.pki, 'front-proxy-ca.key'));
    const r = await root.kbadm(['certificates', 'check-expiration']);
    // kubeadm's row: the name, then four empty tab-terminated cells padded to the column widths.
    assert.match(r.stdout, /^!MISSING! super-admin\.conf {3} {25} {16} {24}$/m);
    const missing = (
      JSON.parse((await root.kbadm(['certs', 'check-expiration', '-o', 'json'])).stdout) as {
        certificates: Record<string, unknown>[];
      }
    ).certificates.find((c) => c['name'] === 'super-admin.conf');
    assert.deepEqual(missing, {
      name: 'super-admin.conf',
      expirationDate: null,
      residualTime: 0,
      externallyManaged: false,
      missing: true,
    });
    assert.match(r.stdout, /^front-proxy-client .* front-proxy-ca {10}yes {5}$/m);
    assert.match(r.stdout, /^front-proxy-ca .* yes {5}$/m);
    const renew = await root.kbadm(['certs', 'renew', 'all']);
    assert.match(renew.stdout, /^MISSING! certificate embedded in the kubeconfig file for the super-admin$/m);
    assert.match(
      renew.stdout,
      /^Detected external front-proxy-ca, certificate for the front proxy client can't be renewed$/m,
    );
  });

  test('an unknown output format is a validation error', async () => {
    const r = await root.kbadm(['certs', 'check-expiration', '-o', 'table'], { allowFailure: true });
    assert.equal(r.code, 3);
  });
});

describe('certs generate-csr, certificate-key, kubeconfig user, init --dry-run', () => {
  let root: Root;
  before(() => {
    root = tempRoot(config('ECDSA-P256'));
  });
  after(() => root.cleanup());

  test('generate-csr: keys and CSRs for every leaf and kubeconfig, openssl verifies them', async () => {
    const r = await root.kbadm([
      'certs',
      'generate-csr',
      '--config',
      '/cfg.yaml',
      '--cert-dir',
      '/x/pki',
      '--kubeconfig-dir',
      '/x',
    ]);
    assert.equal(
      r.stdout,
      'generating keys and CSRs in /x/pki\n' +
        LEAVES.map((l) => l.base)
          .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))
          .map((b) => `  ${b}\n`)
          .join('') +
        'generating keys and CSRs in /x\n' +
        KUBECONFIGS.map((k) => `  ${k}\n`).join(''),
    );
    const pki = join(root.dir, 'x/pki');
    for (const l of LEAVES) {
      const csr = join(pki, `${l.base}.csr`);
      assert.match(openssl(['req', '-in', csr, '-noout', '-verify']), /verify OK|^$/);
      assert.equal(
        openssl(['req', '-in', csr, '-pubkey', '-noout']),
        pubkeyOfKey(join(pki, `${l.base}.key`)),
      );
      assert.equal(modeOf(csr), 0o600);
      assert.equal(modeOf(join(pki, `${l.base}.key`)), 0o600);
    }
    const apiserverCsr = openssl(['req', '-in', join(pki, 'apiserver.csr'), '-noout', '-text']);
    assert.match(apiserverCsr, /DNS:kubernetes\.default\.svc\.cluster\.local/);
    for (const k of KUBECONFIGS) {
      const file = join(root.dir, 'x', k);
      const { user, cluster } = current(kubectlView(file));
      assert.equal(user.user['client-certificate-data'], undefined);
      assert.equal(cluster.cluster['certificate-authority-data'], undefined);
      const keyFile = join(root.dir, `${k}.key`);
      writeFileSync(keyFile, decode(user.user['client-key-data']));
      assert.equal(openssl(['req', '-in', `${file}.csr`, '-pubkey', '-noout']), pubkeyOfKey(keyFile));
      assert.match(
        openssl(['req', '-in', `${file}.csr`, '-noout', '-subject', '-nameopt', 'RFC2253']),
        new RegExp(`CN=${CLIENTS[k].cn.replace(/[.]/g, '\\.')}`),
      );
    }
    const again = await root.kbadm(
      ['certs', 'generate-csr', '--config', '/cfg.yaml', '--cert-dir', '/x/pki', '--kubeconfig-dir', '/x'],
      {
        allowFailure: true,
      },
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^file already exists: key or CSR \/x\/pki\/apiserver$/m);
  });

  test('certificate-key: 32 random bytes as hex', async () => {
    const a = (await root.kbadm(['certs', 'certificate-key'])).stdout;
    const b = (await root.kbadm(['certs', 'certificate-key'])).stdout;
    assert.match(a, /^[0-9a-f]{64}\n$/);
    assert.notEqual(a, b);
  });

  test('init --dry-run writes only into its dry-run directory', async () => {
    const dry = tempRoot(config('ECDSA-P256'));
    try {
      const r = await dry.kbadm(['init', '--config', '/cfg.yaml', '--dry-run', ...IGNORE_IN_TEMP_ROOT]);
      assert.match(r.stdout, /\[dryrun\] Would write file "\/etc\/kubernetes\/pki\/ca.crt" with content:/);
      assert.doesNotMatch(r.stdout, /BEGIN (EC|RSA) PRIVATE KEY/);
      // Everything on disk is below /etc/kubernetes/tmp/kubeadm-init-dryrun<random>, as with kubeadm.
      const written = readdirSync(dry.dir, { recursive: true, encoding: 'utf8' }).filter(
        (p) => p !== 'cfg.yaml' && statSync(join(dry.dir, p)).isFile(),
      );
      assert.ok(written.length > 0);
      for (const p of written) assert.match(p, /^etc\/kubernetes\/tmp\/kubeadm-init-dryrun\d+\//, p);
      assert.ok(written.some((p) => p.endsWith('/etc/kubernetes/manifests/kube-apiserver.yaml')));
    } finally {
      dry.cleanup();
    }
  });

  test('kubeconfig user: a client certificate for the name and groups, or a token', async () => {
    await root.kbadm(['init', 'phase', 'certs', 'ca', '--config', '/cfg.yaml']);
    const r = await root.kbadm([
      'kubeconfig',
      'user',
      '--config',
      '/cfg.yaml',
      '--client-name',
      'alice',
      '--org',
      'devs',
      '--org',
      'ops',
    ]);
    assert.equal(r.stderr, '');
    const file = join(root.dir, 'alice.conf');
    writeFileSync(file, r.stdout);
    const { user, cluster, context } = current(kubectlView(file));
    assert.equal(context.name, 'alice@kubernetes');
    assert.equal(cluster.cluster.server, 'https://localhost:6443');
    const cert = join(root.dir, 'alice.crt');
    writeFileSync(cert, decode(user.user['client-certificate-data']));
    assert.equal(
      openssl(['verify', '-CAfile', join(root.pki, 'ca.crt'), '-purpose', 'sslclient', cert]).trim(),
      `${cert}: OK`,
    );
    // Both groups share one RDN, as Go encodes several values of one attribute.
    assert.match(subject(cert), /^CN=alice,O=(ops\+O=devs|devs\+O=ops)$/);

    const long = await root.kbadm([
      'kubeconfig',
      'user',
      '--config',
      '/cfg.yaml',
      '--client-name',
      'bob',
      '--validity-period',
      '9000h',
    ]);
    assert.match(
      long.stderr,
      /the specified certificate validity period 9000h0m0s is longer than the default duration 8760h0m0s/,
    );
    const bobCert = decode(
      current(kubectlViewText(root.dir, long.stdout)).user.user['client-certificate-data'],
    );
    const days = (new Date(new X509Certificate(bobCert).validTo).getTime() - Date.now()) / 86400e3;
    assert.ok(days > 374 && days <= 375, String(days));

    const tok = await root.kbadm([
      'kubeconfig',
      'user',
      '--config',
      '/cfg.yaml',
      '--client-name',
      'ci',
      '--token',
      'abcdef.0123456789abcdef',
    ]);
    assert.equal(
      current(kubectlViewText(root.dir, tok.stdout)).user.user['token'],
      'abcdef.0123456789abcdef',
    );

    const missing = await root.kbadm(['kubeconfig', 'user'], { allowFailure: true });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /required flag\(s\) "client-name" not set/);
  });
});

const ORDER = [
  'apiserver',
  'apiserver-kubelet-client',
  'front-proxy-client',
  'etcd/server',
  'etcd/peer',
  'etcd/healthcheck-client',
  'apiserver-etcd-client',
];

function kubectlViewText(dir: string, text: string) {
  const file = join(dir, `view-${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(file, text);
  return kubectlView(file);
}
