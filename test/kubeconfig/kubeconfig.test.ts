// Every kubeconfig kubeadm writes, read back by the real kubectl; plus structure and validation rules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generatePki } from '../../src/certs/tree.js';
import { createCA, parseCertificatePem, type CertAndKey } from '../../src/certs/x509.js';
import {
  clusterCAPem,
  currentCluster,
  currentUser,
  parseKubeconfig,
  serializeKubeconfig,
  userClientCertPem,
  validateExistingKubeconfig,
  type KubeConfig,
} from '../../src/kubeconfig/kubeconfig.js';
import {
  buildKubeconfigs,
  controlPlaneEndpoint,
  expectedKubeconfig,
  kubeconfigSpecs,
  kubeletLocalMode,
  localAPIEndpoint,
  renewKubeconfig,
  userKubeconfig,
  type KubeconfigFileName,
} from '../../src/kubeconfig/specs.js';
import { inputs } from '../support/certs.js';

const NOW = new Date();

const EXPECT: Record<KubeconfigFileName, { user: string; orgs: string; server: string }> = {
  'admin.conf': {
    user: 'kubernetes-admin',
    orgs: 'O = kubeadm:cluster-admins, ',
    server: 'https://cp.example.com:6443',
  },
  'super-admin.conf': {
    user: 'kubernetes-super-admin',
    orgs: 'O = system:masters, ',
    server: 'https://cp.example.com:6443',
  },
  'kubelet.conf': {
    user: 'system:node:cp-1',
    orgs: 'O = system:nodes, ',
    server: 'https://192.168.0.10:6443',
  },
  'controller-manager.conf': {
    user: 'system:kube-controller-manager',
    orgs: '',
    server: 'https://192.168.0.10:6443',
  },
  'scheduler.conf': { user: 'system:kube-scheduler', orgs: '', server: 'https://192.168.0.10:6443' },
};

describe('generated kubeconfigs read by kubectl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbadm-kc-'));
  let configs: Map<KubeconfigFileName, KubeConfig>;
  let ca: CertAndKey;
  before(async () => {
    const i = inputs({
      encryptionAlgorithm: 'ECDSA-P256',
      advertiseAddress: '192.168.0.10',
      controlPlaneEndpoint: 'cp.example.com',
    });
    const pki = await generatePki(i, NOW);
    ca = pki.certs.find((c) => c.spec.name === 'ca')!;
    writeFileSync(join(dir, 'ca.crt'), ca.cert.pem);
    configs = await buildKubeconfigs(i, NOW, ca);
    for (const [name, cfg] of configs)
      writeFileSync(join(dir, name), serializeKubeconfig(cfg), { mode: 0o600 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('five files in init order', () => {
    assert.deepEqual(
      [...configs.keys()],
      ['admin.conf', 'super-admin.conf', 'kubelet.conf', 'controller-manager.conf', 'scheduler.conf'],
    );
  });

  for (const file of Object.keys(EXPECT) as KubeconfigFileName[]) {
    test(`${file}: kubectl sees cluster, user, context; the client cert chains to ca.crt`, () => {
      const e = EXPECT[file];
      const out = JSON.parse(
        execFileSync('kubectl', ['config', 'view', '--kubeconfig', join(dir, file), '--raw', '-o', 'json'], {
          encoding: 'utf8',
        }),
      );
      assert.equal(out['current-context'], `${e.user}@kubernetes`);
      assert.deepEqual(out.contexts, [
        { name: `${e.user}@kubernetes`, context: { cluster: 'kubernetes', user: e.user } },
      ]);
      assert.equal(out.clusters[0].name, 'kubernetes');
      assert.equal(out.clusters[0].cluster.server, e.server);
      assert.equal(
        Buffer.from(out.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
        ca.cert.pem,
      );
      assert.equal(out.users[0].name, e.user);
      const certPem = Buffer.from(out.users[0].user['client-certificate-data'], 'base64').toString();
      const keyPem = Buffer.from(out.users[0].user['client-key-data'], 'base64').toString();
      assert.match(keyPem, /^-----BEGIN EC PRIVATE KEY-----/);
      const certPath = join(dir, `${file}.crt`);
      writeFileSync(certPath, certPem);
      assert.match(
        execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), certPath], { encoding: 'utf8' }),
        /: OK/,
      );
      const text = execFileSync(
        'openssl',
        ['x509', '-in', certPath, '-noout', '-subject', '-ext', 'extendedKeyUsage,subjectAltName'],
        {
          encoding: 'utf8',
        },
      );
      assert.match(text, new RegExp(`^subject=${e.orgs}CN = ${e.user}$`, 'm'));
      assert.match(text, /TLS Web Client Authentication\n/);
      assert.doesNotMatch(text, /Subject Alternative Name/);
      const x = new X509Certificate(certPem);
      assert.ok(
        x.checkPrivateKey(createPrivateKey(keyPem)),
        'the embedded key belongs to the embedded certificate',
      );
    });
  }

  test('YAML layout is clientcmd’s: sorted keys, unindented sequences, no preferences', () => {
    const yaml = serializeKubeconfig(configs.get('admin.conf')!);
    const skeleton = yaml.replace(/(-data: )\S+/g, '$1X');
    assert.equal(
      skeleton,
      [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        '    certificate-authority-data: X',
        '    server: https://cp.example.com:6443',
        '  name: kubernetes',
        'contexts:',
        '- context:',
        '    cluster: kubernetes',
        '    user: kubernetes-admin',
        '  name: kubernetes-admin@kubernetes',
        'current-context: kubernetes-admin@kubernetes',
        'kind: Config',
        'users:',
        '- name: kubernetes-admin',
        '  user:',
        '    client-certificate-data: X',
        '    client-key-data: X',
        '',
      ].join('\n'),
    );
    assert.deepEqual(parseKubeconfig(yaml), configs.get('admin.conf'));
  });

  test('client certs start with the CA and end a year after the start time', async () => {
    const cert = await parseCertificatePem(userClientCertPem(currentUser(configs.get('scheduler.conf')!)!)!);
    assert.equal(cert.notBefore.getTime(), ca.cert.notBefore.getTime());
    assert.equal(cert.notAfter.getTime(), Math.floor((NOW.getTime() + 8760 * 3600_000) / 1000) * 1000);
  });

  test('an existing file with the same CA is accepted; another server only warns; another CA is an error', async () => {
    const admin = configs.get('admin.conf')!;
    const expected = expectedKubeconfig(
      { server: 'https://cp.example.com:6443', clusterName: 'kubernetes', clientName: 'x' },
      ca.cert.pem,
    );
    assert.deepEqual(validateExistingKubeconfig('/etc/kubernetes/admin.conf', admin, expected).warnings, []);
    const moved = expectedKubeconfig(
      { server: 'https://10.0.0.1:6443', clusterName: 'kubernetes', clientName: 'x' },
      ca.cert.pem,
    );
    assert.deepEqual(validateExistingKubeconfig('/etc/kubernetes/admin.conf', admin, moved).warnings, [
      'a kubeconfig file "/etc/kubernetes/admin.conf" exists already but has an unexpected API Server URL: expected: https://10.0.0.1:6443, got: https://cp.example.com:6443',
    ]);
    const other = await createCA(
      {
        commonName: 'kubernetes',
        organization: [],
        extKeyUsage: [],
        altNames: { dnsNames: [], ips: [] },
        isCA: true,
        notBefore: NOW,
        notAfter: new Date(NOW.getTime() + 3600_000),
      },
      'ECDSA-P256',
    );
    const otherExpected = expectedKubeconfig(
      { server: 'https://cp.example.com:6443', clusterName: 'kubernetes', clientName: 'x' },
      other.cert.pem,
    );
    assert.throws(
      () => validateExistingKubeconfig('/etc/kubernetes/admin.conf', admin, otherExpected),
      /^KbadmError: a kubeconfig file "\/etc\/kubernetes\/admin.conf" exists already but has got the wrong CA cert$/,
    );
    const broken = { ...admin, 'current-context': 'nope' };
    assert.throws(
      () => validateExistingKubeconfig('/x.conf', broken, expected),
      /failed to find CurrentContext in Contexts of the kubeconfig file \/x.conf/,
    );
    // CA given by file path instead of embedded data, with trailing whitespace.
    const byPath = structuredClone(admin);
    delete currentCluster(byPath)!.cluster['certificate-authority-data'];
    currentCluster(byPath)!.cluster['certificate-authority'] = '/pki/ca.crt';
    assert.deepEqual(
      validateExistingKubeconfig('/x.conf', byPath, expected, () => `${ca.cert.pem}\n\n`).warnings,
      [],
    );
  });

  test('renewal keeps identity and everything else, with a new key and the current CA', async () => {
    const old = configs.get('admin.conf')!;
    const renewed = await renewKubeconfig(old, ca, { algorithm: 'ECDSA-P256', now: NOW });
    const a = await parseCertificatePem(userClientCertPem(currentUser(old)!)!);
    const b = await parseCertificatePem(userClientCertPem(currentUser(renewed)!)!);
    assert.deepEqual(b.subject, a.subject);
    assert.notEqual(b.serialNumber, a.serialNumber);
    assert.notEqual(currentUser(renewed)!.user['client-key-data'], currentUser(old)!.user['client-key-data']);
    assert.equal(clusterCAPem(currentCluster(renewed)!), ca.cert.pem);
    assert.equal(b.notBefore.getTime(), Math.floor((NOW.getTime() - 300_000) / 1000) * 1000);
    assert.equal(renewed['current-context'], old['current-context']);
  });
});

describe('a corrupt kubeconfig', () => {
  const KEY = Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n').toString(
    'base64',
  );
  const TOKEN = 'abcdef.0123456789abcdef';
  const file = (user: string): string =>
    'apiVersion: v1\nclusters:\n- cluster:\n    server: https://cp:6443\n  name: kubernetes\n' +
    `kind: Config\nusers:\n- name: admin\n  user:\n${user}`;

  /** Every message and stack in the error and its cause chain. */
  const texts = (err: unknown): string[] => {
    const all: string[] = [];
    for (let e = err; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
      all.push(String((e as Error).message), String((e as Error).stack));
    }
    return all;
  };

  for (const [name, user, where] of [
    [
      'key line badly indented',
      `    client-certificate-data: AAAA\n   client-key-data: ${KEY}\n`,
      'line 11, column 1',
    ],
    ['key with a bad escape', `    client-key-data: "${KEY}\\q"\n`, 'line 10, column'],
    ['token as a block scalar header', `    token: |${TOKEN}\n`, 'line 10, column'],
    ['token after a tab', `\ttoken: ${TOKEN}\n`, 'line 10, column 1'],
  ] as const) {
    test(`${name}: the error names the file and the position, never the secret`, () => {
      let caught: unknown;
      assert.throws(
        () => parseKubeconfig(file(user), '/etc/kubernetes/admin.conf'),
        (err: unknown) => ((caught = err), true),
      );
      for (const t of texts(caught)) {
        // The parser cuts long lines in its excerpts: look for any piece of the key.
        for (let i = 0; i + 12 <= KEY.length; i += 6) assert.ok(!t.includes(KEY.slice(i, i + 12)), t);
        assert.ok(!t.includes(TOKEN), t);
      }
      const [message] = texts(caught);
      assert.match(
        message!,
        /^failed to load kubeconfig file \/etc\/kubernetes\/admin\.conf: yaml: [a-z ]+ at line/,
      );
      assert.ok(message!.includes(where), message);
    });
  }
});

describe('servers per file and version', () => {
  test('endpoints: CPE with and without port, IPv6 brackets, local endpoint', () => {
    assert.equal(
      localAPIEndpoint({ advertiseAddress: 'fd00::10', bindPort: 6443 }),
      'https://[fd00::10]:6443',
    );
    assert.equal(
      controlPlaneEndpoint({ advertiseAddress: '10.0.0.1', bindPort: 6443, controlPlaneEndpoint: '' }),
      'https://10.0.0.1:6443',
    );
    assert.equal(
      controlPlaneEndpoint({ advertiseAddress: '10.0.0.1', bindPort: 6443, controlPlaneEndpoint: 'lb:443' }),
      'https://lb:443',
    );
    assert.equal(
      controlPlaneEndpoint({ advertiseAddress: '10.0.0.1', bindPort: 7443, controlPlaneEndpoint: 'lb' }),
      'https://lb:7443',
    );
    assert.throws(
      () => localAPIEndpoint({ advertiseAddress: 'x', bindPort: 6443 }),
      /invalid value `x` given for api.advertiseAddress/,
    );
  });

  test('kubelet.conf: local endpoint from 1.33 (ControlPlaneKubeletLocalMode default on), CPE before, gate wins', () => {
    const server = (v: string, gates?: Record<string, boolean>) =>
      kubeconfigSpecs(
        inputs({ kubernetesVersion: v, controlPlaneEndpoint: 'lb.example.com', featureGates: gates }),
        NOW,
      ).find((s) => s.fileName === 'kubelet.conf')!.server;
    assert.equal(server('v1.33.0'), 'https://127.0.0.1:6443');
    assert.equal(server('v1.32.3'), 'https://lb.example.com:6443');
    assert.equal(server('v1.34.0', { ControlPlaneKubeletLocalMode: false }), 'https://lb.example.com:6443');
    assert.equal(server('v1.32.0', { ControlPlaneKubeletLocalMode: true }), 'https://127.0.0.1:6443');
    assert.equal(kubeletLocalMode({ kubernetesVersion: 'v1.31.2' }), false);
  });
});

describe('kubeadm kubeconfig user', () => {
  test('token variant: no client certificate, token user, CPE server', async () => {
    const ca = await createCA(
      {
        commonName: 'kubernetes',
        organization: [],
        extKeyUsage: [],
        altNames: { dnsNames: [], ips: [] },
        isCA: true,
        notBefore: NOW,
        notAfter: new Date(NOW.getTime() + 3600_000),
      },
      'ECDSA-P256',
    );
    const cfg = await userKubeconfig(
      inputs({ controlPlaneEndpoint: 'lb:443' }),
      { clientName: 'alice', token: 'abcdef.0123456789abcdef', now: NOW },
      { cert: ca.cert },
    );
    assert.deepEqual(cfg.users, [{ name: 'alice', user: { token: 'abcdef.0123456789abcdef' } }]);
    assert.equal(currentCluster(cfg)!.cluster.server, 'https://lb:443');
  });

  test('certificate variant: CN, O and validity period', async () => {
    const ca = await createCA(
      {
        commonName: 'kubernetes',
        organization: [],
        extKeyUsage: [],
        altNames: { dnsNames: [], ips: [] },
        isCA: true,
        notBefore: NOW,
        notAfter: new Date(NOW.getTime() + 10 * 3600_000),
      },
      'ECDSA-P256',
    );
    const cfg = await userKubeconfig(
      inputs(),
      { clientName: 'bob@example.com', organizations: ['dev', 'ops'], validityMs: 3600_000, now: NOW },
      ca,
    );
    const cert = await parseCertificatePem(userClientCertPem(currentUser(cfg)!)!);
    assert.deepEqual(cert.subject, { commonName: 'bob@example.com', organization: ['dev', 'ops'] });
    assert.equal(cert.notAfter.getTime(), Math.floor((NOW.getTime() + 3600_000) / 1000) * 1000);
    assert.equal(cfg['current-context'], 'bob@example.com@kubernetes');
  });
});
