// init's certs and kubeconfig phases over the in-memory host: messages, modes, reuse and refusals.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { exitCodeOf } from '../../src/errors.js';
import { configYaml, failure, fullMessage, newHost, run } from '../support/phases.js';

const PKI = '/etc/kubernetes/pki';
const CFG = ['--config', '/cfg.yaml'];
/** init again on a node it initialised: preflight refuses that (see preflight.test.ts), so skip it. */
const RERUN = [...CFG, '--skip-phases', 'preflight'];

const CERT_FILES = [
  'apiserver-etcd-client',
  'apiserver-kubelet-client',
  'apiserver',
  'ca',
  'etcd/ca',
  'etcd/healthcheck-client',
  'etcd/peer',
  'etcd/server',
  'front-proxy-ca',
  'front-proxy-client',
];

describe('init phase certs all', () => {
  test('writes the whole tree with kubeadm modes and lines, in kubeadm order', async () => {
    const host = newHost();
    const r = await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      '[certs] Using certificateDir folder "/etc/kubernetes/pki"',
      '[certs] Generating "ca" certificate and key',
      '[certs] Generating "apiserver" certificate and key',
      '[certs] apiserver serving cert is signed for DNS names [cp-1 kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local] and IPs [10.96.0.1 10.0.0.5]',
      '[certs] Generating "apiserver-kubelet-client" certificate and key',
      '[certs] Generating "front-proxy-ca" certificate and key',
      '[certs] Generating "front-proxy-client" certificate and key',
      '[certs] Generating "etcd/ca" certificate and key',
      '[certs] Generating "etcd/server" certificate and key',
      '[certs] etcd/server serving cert is signed for DNS names [cp-1 localhost] and IPs [10.0.0.5 127.0.0.1 ::1]',
      '[certs] Generating "etcd/peer" certificate and key',
      '[certs] etcd/peer serving cert is signed for DNS names [cp-1 localhost] and IPs [10.0.0.5 127.0.0.1 ::1]',
      '[certs] Generating "etcd/healthcheck-client" certificate and key',
      '[certs] Generating "apiserver-etcd-client" certificate and key',
      '[certs] Generating "sa" key and public key',
    ]);
    const expected = [
      ...CERT_FILES.flatMap((b) => [`${PKI}/${b}.crt`, `${PKI}/${b}.key`]),
      `${PKI}/sa.key`,
      `${PKI}/sa.pub`,
    ].sort();
    assert.deepEqual(host.listFiles(PKI), expected);
    for (const f of expected) {
      const want = f.endsWith('.crt') ? 0o644 : 0o600;
      assert.equal(host.modeOf(f), want, f);
    }
    assert.equal(host.modeOf(PKI), 0o755);
    assert.equal(host.modeOf(`${PKI}/etcd`), 0o755);
    // Each key is written before its certificate.
    const writes = host.changes.filter((c) => c.kind === 'write').map((c) => c.path);
    assert.ok(writes.indexOf(`${PKI}/apiserver.key`) < writes.indexOf(`${PKI}/apiserver.crt`));
    // One start time for the whole run: every certificate has the same NotBefore.
    const notBefore = new Set(
      CERT_FILES.map((b) => new X509Certificate(host.text(`${PKI}/${b}.crt`)).validFrom),
    );
    assert.equal(notBefore.size, 1);
  });

  test('a second run reuses everything and changes nothing', async () => {
    const host = newHost();
    await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    host.clearChanges();
    const r = await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    assert.deepEqual(host.changes, []);
    assert.match(r.stdout, /^\[certs\] Using existing ca certificate authority$/m);
    assert.match(r.stdout, /^\[certs\] Using existing etcd\/server certificate and key on disk$/m);
    assert.match(r.stdout, /^\[certs\] Using the existing "sa" key$/m);
    assert.doesNotMatch(r.stdout, /Generating/);
  });

  test('a single sub-phase runs alone, without the folder line', async () => {
    const host = newHost();
    await run(host, 'init', ['phase', 'certs', 'ca', ...CFG]);
    const r = await run(host, 'init', ['phase', 'certs', 'apiserver', ...CFG]);
    assert.equal(r.stdout.split('\n')[0], '[certs] Generating "apiserver" certificate and key');
    assert.deepEqual(host.listFiles(PKI), [
      `${PKI}/apiserver.crt`,
      `${PKI}/apiserver.key`,
      `${PKI}/ca.crt`,
      `${PKI}/ca.key`,
    ]);
  });

  test('a leaf without its CA is an error naming the CA', async () => {
    const err = await failure(newHost(), 'init', ['phase', 'certs', 'apiserver', ...CFG]);
    assert.match(err.message, /^error execution phase certs\/apiserver: couldn't load CA certificate ca: /);
  });

  test('a certificate not signed by its CA is refused', async () => {
    const host = newHost();
    const other = newHost();
    await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    await run(other, 'init', ['phase', 'certs', 'all', ...CFG]);
    host.seedFile(`${PKI}/apiserver.crt`, other.text(`${PKI}/apiserver.crt`), 0o644);
    host.seedFile(`${PKI}/apiserver.key`, other.text(`${PKI}/apiserver.key`), 0o600);
    host.clearChanges();
    const err = await failure(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    assert.match(
      err.message,
      /certs\/apiserver: \[certs\] certificate apiserver not signed by CA certificate ca: x509: certificate signed by unknown authority/,
    );
    assert.deepEqual(host.changes, []);
  });

  test('an existing certificate missing a SAN the configuration asks for is refused', async () => {
    const host = newHost();
    await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    host.seedFile('/cfg.yaml', configYaml({ apiServer: '\n  certSANs:\n  - api.example.com' }));
    const err = await failure(host, 'init', ['phase', 'certs', 'apiserver', ...CFG]);
    assert.match(
      err.message,
      /certificate apiserver is invalid: x509: certificate is valid for .*, not api\.example\.com/,
    );
  });

  test('a key that does not belong to its certificate is refused', async () => {
    const host = newHost();
    await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    host.seedFile(`${PKI}/apiserver.key`, host.text(`${PKI}/apiserver-kubelet-client.key`), 0o600);
    const err = await failure(host, 'init', ['phase', 'certs', 'apiserver', ...CFG]);
    assert.match(
      err.message,
      /certificate apiserver: private key \/etc\/kubernetes\/pki\/apiserver\.key does not match the public key of certificate \/etc\/kubernetes\/pki\/apiserver\.crt/,
    );
  });

  test('a key without its certificate is not overwritten', async () => {
    const host = newHost();
    await run(host, 'init', ['phase', 'certs', 'ca', ...CFG]);
    host.seedFile(`${PKI}/apiserver.key`, host.text(`${PKI}/ca.key`), 0o600);
    const err = await failure(host, 'init', ['phase', 'certs', 'apiserver', ...CFG]);
    assert.match(err.message, /failure loading apiserver certificate/);
    assert.equal(host.text(`${PKI}/apiserver.key`), host.text(`${PKI}/ca.key`));
  });

  test('external etcd: no etcd certificates', async () => {
    const host = newHost(
      configYaml({
        etcd: '\n  external:\n    endpoints:\n    - https://10.0.0.9:2379\n    caFile: /e/ca.crt\n    certFile: /e/c.crt\n    keyFile: /e/c.key',
      }),
    );
    const r = await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    assert.match(
      r.stdout,
      /^\[certs\] External etcd mode: Skipping etcd\/ca certificate authority generation$/m,
    );
    assert.match(r.stdout, /^\[certs\] External etcd mode: Skipping etcd\/server certificate generation$/m);
    assert.equal(host.listFiles(`${PKI}/etcd`).length, 0);
  });

  test('--cert-dir moves the tree and the message names it', async () => {
    const host = newHost();
    const r = await run(host, 'init', ['phase', 'certs', 'ca', '--cert-dir', '/srv/pki']);
    assert.match(r.stdout, /Generating "ca" certificate and key/);
    assert.deepEqual(host.listFiles('/srv/pki'), ['/srv/pki/ca.crt', '/srv/pki/ca.key']);
  });
});

describe('init phase kubeconfig', () => {
  test('all: five files, 0600, then reused without a change', async () => {
    const host = newHost();
    await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    const r = await run(host, 'init', ['phase', 'kubeconfig', 'all', ...CFG]);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      '[kubeconfig] Using kubeconfig folder "/etc/kubernetes"',
      '[kubeconfig] Writing "admin.conf" kubeconfig file',
      '[kubeconfig] Writing "super-admin.conf" kubeconfig file',
      '[kubeconfig] Writing "kubelet.conf" kubeconfig file',
      '[kubeconfig] Writing "controller-manager.conf" kubeconfig file',
      '[kubeconfig] Writing "scheduler.conf" kubeconfig file',
    ]);
    for (const f of [
      'admin.conf',
      'super-admin.conf',
      'kubelet.conf',
      'controller-manager.conf',
      'scheduler.conf',
    ])
      assert.equal(host.modeOf(`/etc/kubernetes/${f}`), 0o600, f);
    assert.match(host.text('/etc/kubernetes/admin.conf'), /server: https:\/\/10\.0\.0\.5:6443/);
    host.clearChanges();
    const again = await run(host, 'init', ['phase', 'kubeconfig', 'all', ...CFG]);
    assert.deepEqual(host.changes, []);
    assert.match(
      again.stdout,
      /^\[kubeconfig\] Using existing kubeconfig file: "\/etc\/kubernetes\/scheduler.conf"$/m,
    );
  });

  test('--kubeconfig-dir is honoured and printed', async () => {
    const host = newHost();
    await run(host, 'init', ['phase', 'certs', 'ca', ...CFG]);
    const r = await run(host, 'init', [
      'phase',
      'kubeconfig',
      'admin',
      '--kubeconfig-dir',
      '/srv/kc',
      ...CFG,
    ]);
    assert.match(r.stdout, /Writing "admin.conf" kubeconfig file/);
    assert.deepEqual(host.listFiles('/srv/kc'), ['/srv/kc/admin.conf']);
  });

  test('an existing file with another CA is an error', async () => {
    const host = newHost();
    const other = newHost();
    await run(host, 'init', ['phase', 'certs', 'ca', ...CFG]);
    await run(other, 'init', ['phase', 'certs', 'ca', ...CFG]);
    await run(other, 'init', ['phase', 'kubeconfig', 'admin', ...CFG]);
    host.seedFile('/etc/kubernetes/admin.conf', other.text('/etc/kubernetes/admin.conf'), 0o600);
    const err = await failure(host, 'init', ['phase', 'kubeconfig', 'admin', ...CFG]);
    assert.match(
      err.message,
      /a kubeconfig file "\/etc\/kubernetes\/admin.conf" exists already but has got the wrong CA cert/,
    );
  });

  test('an existing file with another server is an error', async () => {
    const host = newHost();
    await run(host, 'init', ['phase', 'certs', 'ca', ...CFG]);
    await run(host, 'init', ['phase', 'kubeconfig', 'admin', ...CFG]);
    host.seedFile('/cfg.yaml', configYaml({ controlPlaneEndpoint: 'api.example.com' }));
    const err = await failure(host, 'init', ['phase', 'kubeconfig', 'admin', ...CFG]);
    assert.match(
      err.message,
      /exists already but has an unexpected API Server URL: expected: https:\/\/api\.example\.com:6443, got: https:\/\/10\.0\.0\.5:6443/,
    );
  });

  test('without the CA: a clear error', async () => {
    const err = await failure(newHost(), 'init', ['phase', 'kubeconfig', 'admin', ...CFG]);
    assert.match(
      err.message,
      /the CA files do not exist in \/etc\/kubernetes\/pki, please run `kbadm init phase certs ca`/,
    );
  });
});

describe('kbadm init (full run)', () => {
  test('prints the version line, runs every phase in order, then the join command', async () => {
    const host = newHost();
    const r = await run(host, 'init', CFG);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      '[init] Using Kubernetes version: v1.34.0',
      '[preflight] Running pre-flight checks',
      '[preflight] Pulling images required for setting up a Kubernetes cluster',
      '[preflight] This might take a minute or two, depending on the speed of your internet connection',
      "[preflight] You can also perform this action beforehand using 'kbadm config images pull'",
      '[certs] Using certificateDir folder "/etc/kubernetes/pki"',
    ]);
    const order = [
      '[kubeconfig] Writing "scheduler.conf" kubeconfig file',
      '[etcd] Creating static Pod manifest for local etcd in "/etc/kubernetes/manifests"',
      '[control-plane] Creating static Pod manifest for "kube-scheduler"',
      '[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "/etc/kubernetes/manifests"',
      '[control-plane-check] Waiting for healthy control plane components. This can take up to 4m0s',
      'Your Kubernetes control-plane has initialized successfully!',
    ].map((l) => lines.indexOf(l));
    assert.ok(
      order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1]!)),
      `order ${order}`,
    );
    assert.match(
      r.stdout,
      /^kbadm join [^ ]+:6443 --token [a-z0-9]{6}\.[a-z0-9]{16} \\\n\t--discovery-token-ca-cert-hash sha256:[0-9a-f]{64} $/m,
    );
  });

  test('--skip-phases kubeconfig', async () => {
    const host = newHost();
    // wait-control-plane, bootstrap-token (cluster-info) and show-join-command read admin.conf, so
    // they go with kubeconfig, as in kubeadm.
    await run(host, 'init', [
      ...CFG,
      '--skip-phases',
      'kubeconfig,wait-control-plane,bootstrap-token,show-join-command',
    ]);
    assert.deepEqual(
      host.listFiles('/etc/kubernetes').filter((f) => f.endsWith('.conf')),
      [],
    );
    assert.ok(host.listFiles(PKI).length > 0);
  });

  test('a bad flag value is a validation error (exit 3) and nothing is written', async () => {
    const host = newHost();
    const err = await failure(host, 'init', [
      '--service-cidr',
      '10.96.0.0/33',
      '--apiserver-advertise-address',
      '10.0.0.5',
    ]);
    assert.equal(exitCodeOf(err), 3);
    assert.match(fullMessage(err), /serviceSubnet/);
    assert.deepEqual(host.changes, []);
  });

  test('--config mixed with a config flag is refused', async () => {
    const err = await failure(newHost(), 'init', [...CFG, '--service-cidr', '10.0.0.0/16']);
    assert.match(fullMessage(err), /can not mix '--config' with arguments \[service-cidr\]/);
  });

  test('external CA: keyless CA reused, user files kept, nothing written', async () => {
    const host = newHost();
    await run(host, 'init', CFG);
    await host.remove(`${PKI}/ca.key`);
    host.clearChanges();
    const r = await run(host, 'init', RERUN);
    assert.match(r.stdout, /^\[certs\] Using existing ca keyless certificate authority$/m);
    assert.match(r.stdout, /^\[certs\] Using existing sa keys$/m);
    assert.match(r.stdout, /^\[kubeconfig\] External CA mode: Using user provided admin.conf$/m);
    // Manifests and kubelet files are rendered on every run; certificates and kubeconfigs are not.
    const pkiOrKubeconfig = host.changes.filter(
      (c) => 'path' in c && (c.path.startsWith(`${PKI}/`) || /^\/etc\/kubernetes\/[^/]+\.conf$/.test(c.path)),
    );
    assert.deepEqual(pkiOrKubeconfig, []);
  });

  test('external CA without a certificate it must have signed: refused before any phase', async () => {
    const host = newHost();
    await run(host, 'init', CFG);
    await host.remove(`${PKI}/ca.key`);
    await host.remove(`${PKI}/apiserver.crt`);
    host.clearChanges();
    const err = await failure(host, 'init', RERUN);
    assert.match(
      err.message,
      /^invalid or incomplete external CA: failure loading certificate for API server/,
    );
    assert.deepEqual(host.changes, []);
  });

  test('external CA without a kubeconfig file: refused', async () => {
    const host = newHost();
    await run(host, 'init', CFG);
    await host.remove(`${PKI}/ca.key`);
    await host.remove('/etc/kubernetes/kubelet.conf');
    const err = await failure(host, 'init', RERUN);
    assert.match(err.message, /^the kubelet.conf file does not exists or it is not valid: /);
  });
});
