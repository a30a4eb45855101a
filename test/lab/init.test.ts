// `kbadm init` from start to end on a lab node: a real containerd runs the control plane kbadm wrote,
// and what init stored in the cluster is read back with kubectl and checked the way a joining node
// and an operator would use it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decryptKubeadmCerts } from '../../src/certs/copy-certs.js';
import { detachedSignatureIsValid } from '../../src/tokens/jws.js';
import { labDown, labExec, labUp, requireRoot, type LabNode } from './lab.js';
import {
  eventually,
  kbadm,
  kubectl,
  LAB_ROOT_IGNORES,
  requireBuild,
  writeInitConfig,
  writeObject,
} from './lab-cli.js';

requireRoot();
requireBuild();

const TOKEN_ID = 'lab1nt';
const TOKEN_SECRET = '0123456789abcdef';
const TOKEN = `${TOKEN_ID}.${TOKEN_SECRET}`;
const BOOTSTRAPPERS = 'system:bootstrappers:kubeadm:default-node-token';
const RBAC = 'rbac.authorization.k8s.io';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('kbadm init on a lab node', { timeout: 900_000 }, () => {
  let dir: string;
  let node: LabNode;
  let initOut = '';
  const get = (args: string[]): Obj => {
    const r = kubectl(node, 'admin.conf', ['get', ...args, '-o', 'json']);
    assert.equal(r.code, 0, `kubectl get ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const podLog = (component: string) => {
    const logs = path.join(node.rootfs, 'var/log/pods');
    return readdirSync(logs)
      .filter((d) => d.includes(component))
      .flatMap((d) =>
        readdirSync(path.join(logs, d, component)).map((f) =>
          readFileSync(path.join(logs, d, component, f), 'utf8'),
        ),
      )
      .join('\n')
      .slice(-3000);
  };
  const kubeletLog = () => {
    const f = path.join(dir, `${node.name}-kubelet.log`);
    return existsSync(f) ? readFileSync(f, 'utf8').slice(-3000) : '';
  };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-init-'));
    const lab = await labUp({ nodes: 1, dir });
    node = lab.nodes[0]!;
    await writeInitConfig(node, {
      token: TOKEN,
      kubernetesVersion: 'v1.34.0',
      extra: ['networking:\n  podSubnet: 10.244.0.0/16'],
    });
  });
  after(async () => {
    if (dir) await labDown(dir);
  });

  test('init exits 0 and prints every phase, the certificate key and a join command with the token', async () => {
    const r = kbadm(node, ['init', '--config', '/cfg.yaml', '--upload-certs', ...LAB_ROOT_IGNORES]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${kubeletLog()}`);
    initOut = r.stdout;
    const order = [
      '[wait-control-plane] Waiting for the kubelet to boot up the control plane',
      '[control-plane-check] kube-apiserver is healthy after',
      '[upload-config] Storing the configuration used in ConfigMap "kubeadm-config"',
      '[kubelet] Creating a ConfigMap "kubelet-config"',
      '[upload-certs] Storing the certificates in Secret "kubeadm-certs"',
      '[upload-certs] Using certificate key:',
      `[mark-control-plane] Marking the node ${node.name} as control-plane by adding the labels`,
      `[bootstrap-token] Using token: ${TOKEN}`,
      '[bootstrap-token] Creating the "cluster-info" ConfigMap in the "kube-public" namespace',
      '[addons] Applied essential addon: CoreDNS',
      '[addons] Applied essential addon: kube-proxy',
      'Your Kubernetes control-plane has initialized successfully!',
    ];
    let at = 0;
    for (const line of order) {
      const i = initOut.indexOf(line, at);
      assert.ok(i >= 0, `"${line}" after offset ${at} in:\n${initOut}`);
      at = i;
    }
    assert.match(
      initOut,
      new RegExp(
        `kbadm join ${node.address}:6443 --token ${TOKEN} \\\\\n\t--discovery-token-ca-cert-hash sha256:[0-9a-f]{64}`,
      ),
    );
    assert.match(initOut, /--control-plane --certificate-key [0-9a-f]{64}/);
  });

  test("init's objects exist with kubeadm's names, namespaces, RBAC subjects and roleRefs", () => {
    const binding = (kind: string, name: string, ns?: string) => get([kind, name, ...(ns ? ['-n', ns] : [])]);
    const subjects = (o: Obj) =>
      o.subjects.map((s: Obj) => `${s.kind}:${s.namespace ? `${s.namespace}/` : ''}${s.name}`);
    const crbs: [string, string, string[]][] = [
      ['kubeadm:cluster-admins', 'cluster-admin', ['Group:kubeadm:cluster-admins']],
      ['kubeadm:get-nodes', 'kubeadm:get-nodes', [`Group:${BOOTSTRAPPERS}`]],
      ['kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [`Group:${BOOTSTRAPPERS}`]],
      [
        'kubeadm:node-autoapprove-bootstrap',
        'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
        [`Group:${BOOTSTRAPPERS}`],
      ],
      [
        'kubeadm:node-autoapprove-certificate-rotation',
        'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
        ['Group:system:nodes'],
      ],
      ['kubeadm:node-proxier', 'system:node-proxier', ['ServiceAccount:kube-system/kube-proxy']],
      ['system:coredns', 'system:coredns', ['ServiceAccount:kube-system/coredns']],
    ];
    for (const [name, role, who] of crbs) {
      const o = binding('clusterrolebinding', name);
      assert.deepEqual(o.roleRef, { apiGroup: RBAC, kind: 'ClusterRole', name: role }, name);
      assert.deepEqual(subjects(o), who, name);
    }
    const rbs: [string, string, string[]][] = [
      ['kube-system', 'kubeadm:nodes-kubeadm-config', [`Group:${BOOTSTRAPPERS}`, 'Group:system:nodes']],
      ['kube-system', 'kubeadm:kubelet-config', ['Group:system:nodes', `Group:${BOOTSTRAPPERS}`]],
      ['kube-system', 'kubeadm:kubeadm-certs', [`Group:${BOOTSTRAPPERS}`]],
      ['kube-system', 'kube-proxy', [`Group:${BOOTSTRAPPERS}`]],
      ['kube-public', 'kubeadm:bootstrap-signer-clusterinfo', ['User:system:anonymous']],
    ];
    for (const [ns, name, who] of rbs) {
      const o = binding('rolebinding', name, ns);
      assert.deepEqual(o.roleRef, { apiGroup: RBAC, kind: 'Role', name }, name);
      assert.deepEqual(subjects(o), who, name);
      const r = binding('role', name, ns);
      assert.equal(r.rules.length, 1, name);
      assert.deepEqual(r.rules[0].verbs, ['get'], name);
    }
    assert.deepEqual(get(['clusterrole', 'kubeadm:get-nodes']).rules, [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
    ]);
    assert.ok(get(['clusterrole', 'system:coredns']).rules.length === 2);

    const kubeadmConfig = get(['configmap', 'kubeadm-config', '-n', 'kube-system']);
    assert.match(kubeadmConfig.data.ClusterConfiguration, /^apiVersion: kubeadm.k8s.io\/v1beta4\n/m);
    assert.match(
      kubeadmConfig.data.ClusterConfiguration,
      new RegExp(`controlPlaneEndpoint: ${node.address.replaceAll('.', '\\.')}:6443`),
    );
    const kubeletConfig = get(['configmap', 'kubelet-config', '-n', 'kube-system']);
    assert.match(kubeletConfig.data.kubelet, /kind: KubeletConfiguration/);
    assert.match(
      kubeletConfig.metadata.annotations['kubeadm.kubernetes.io/component-config.hash'],
      /^sha256:[0-9a-f]{64}$/,
    );

    const token = get(['secret', `bootstrap-token-${TOKEN_ID}`, '-n', 'kube-system']);
    assert.equal(token.type, 'bootstrap.kubernetes.io/token');
    assert.equal(Buffer.from(token.data['token-secret'], 'base64').toString(), TOKEN_SECRET);
    assert.equal(Buffer.from(token.data['auth-extra-groups'], 'base64').toString(), BOOTSTRAPPERS);

    const proxy = get(['configmap', 'kube-proxy', '-n', 'kube-system']);
    assert.equal(proxy.metadata.labels.app, 'kube-proxy');
    assert.match(
      proxy.data['kubeconfig.conf'],
      new RegExp(`server: https://${node.address.replaceAll('.', '\\.')}:6443`),
    );
    assert.match(proxy.data['config.conf'], /clusterCIDR: 10\.244\.0\.0\/16/);
    assert.equal(
      get(['daemonset', 'kube-proxy', '-n', 'kube-system']).spec.template.spec.serviceAccountName,
      'kube-proxy',
    );
    get(['serviceaccount', 'kube-proxy', '-n', 'kube-system']);
    get(['serviceaccount', 'coredns', '-n', 'kube-system']);
    assert.match(
      get(['configmap', 'coredns', '-n', 'kube-system']).data.Corefile,
      /kubernetes cluster\.local in-addr\.arpa ip6\.arpa/,
    );
    assert.equal(get(['deployment', 'coredns', '-n', 'kube-system']).spec.replicas, 2);
    assert.equal(get(['service', 'kube-dns', '-n', 'kube-system']).spec.clusterIP, '10.96.0.10');
  });

  test('the node carries the control-plane labels and taint', () => {
    const n = get(['node', node.name]);
    assert.equal(n.metadata.labels['node-role.kubernetes.io/control-plane'], '');
    assert.equal(n.metadata.labels['node.kubernetes.io/exclude-from-external-load-balancers'], '');
    assert.deepEqual(n.spec.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
  });

  test('cluster-info is readable anonymously and carries a JWS that verifies with the token secret', async () => {
    const server = `https://${node.address}:6443`;
    // No credentials at all, as a joining node's first read (kubectl asks for a password instead).
    const ca = path.join(node.rootfs, 'etc/kubernetes/pki/ca.crt');
    const read = [
      "const https = require('node:https'); const fs = require('node:fs');",
      `https.get('${server}/api/v1/namespaces/kube-public/configmaps/cluster-info', { ca: fs.readFileSync('${ca}') }, (res) => {`,
      "  let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => { process.stdout.write(b); process.exit(res.statusCode === 200 ? 0 : 1); });",
      "}).on('error', (e) => { console.error(e.message); process.exit(2); });",
    ].join('\n');
    let last = '';
    const info = await eventually('the signed cluster-info', () => {
      const r = labExec(node, process.execPath, ['-e', read]);
      last = r.code === 0 ? r.stdout.slice(0, 2000) : r.stderr;
      const cm = r.code === 0 ? JSON.parse(r.stdout) : undefined;
      return cm?.data?.[`jws-kubeconfig-${TOKEN_ID}`] ? cm : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}\n${last}\n${podLog('kube-controller-manager')}`));
    assert.ok(
      detachedSignatureIsValid(
        info.data.kubeconfig,
        TOKEN_ID,
        TOKEN_SECRET,
        info.data[`jws-kubeconfig-${TOKEN_ID}`],
      ),
    );
    assert.ok(
      !detachedSignatureIsValid(
        info.data.kubeconfig + ' ',
        TOKEN_ID,
        TOKEN_SECRET,
        info.data[`jws-kubeconfig-${TOKEN_ID}`],
      ),
    );
    assert.match(info.data.kubeconfig, new RegExp(`server: ${server.replaceAll('.', '\\.')}`));
  });

  test('the bootstrap token reads what join needs, gets a node CSR approved, and cannot list Secrets', async () => {
    const conf = path.join(node.rootfs, 'tmp/bootstrap.conf');
    const ca = readFileSync(path.join(node.rootfs, 'etc/kubernetes/pki/ca.crt')).toString('base64');
    await fs.mkdir(path.dirname(conf), { recursive: true });
    await fs.writeFile(
      conf,
      `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: ${ca}\n    server: https://${node.address}:6443\n  name: k\ncontexts:\n- context:\n    cluster: k\n    user: t\n  name: t@k\ncurrent-context: t@k\nusers:\n- name: t\n  user:\n    token: ${TOKEN}\n`,
    );
    // cluster-info is read without credentials (previous test); the token reads what join reads next.
    for (const [ns, name] of [
      ['kube-system', 'kubeadm-config'],
      ['kube-system', 'kubelet-config'],
      ['kube-system', 'kube-proxy'],
    ]) {
      const r = kubectl(node, conf, ['get', 'configmap', name!, '-n', ns!, '-o', 'name']);
      assert.equal(r.code, 0, `${ns}/${name}: ${r.stderr}`);
    }
    const secrets = kubectl(node, conf, ['get', 'secrets', '-n', 'kube-system']);
    assert.notEqual(secrets.code, 0);
    assert.match(secrets.stderr, /forbidden: User "system:bootstrap:lab1nt" cannot list resource "secrets"/);

    const csrPem = execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        '/dev/null',
        '-subj',
        '/O=system:nodes/CN=system:node:lab-joiner',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const file = await writeObject(node, 'csr', {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'lab-joiner' },
      spec: {
        request: Buffer.from(csrPem).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'client auth'],
      },
    });
    const created = kubectl(node, conf, ['create', '--validate=false', '-f', file]);
    assert.equal(created.code, 0, created.stderr);
    const csr = await eventually('the approved CSR', () => {
      const o = get(['csr', 'lab-joiner']);
      return o.status?.certificate ? o : undefined;
    });
    assert.equal(csr.spec.username, `system:bootstrap:${TOKEN_ID}`);
    assert.equal(csr.status.conditions[0].type, 'Approved');
  });

  test('the kubeadm-certs Secret decrypts with the printed key to the exact files; a wrong key is refused', async () => {
    const key = /\[upload-certs\] Using certificate key:\n([0-9a-f]{64})\n/.exec(initOut)?.[1];
    assert.ok(key, 'the key was printed');
    const secret = get(['secret', 'kubeadm-certs', '-n', 'kube-system']);
    assert.equal(secret.metadata.ownerReferences[0].kind, 'Secret');
    assert.match(secret.metadata.ownerReferences[0].name, /^bootstrap-token-[a-z0-9]{6}$/);
    const cluster = { certificatesDir: '/etc/kubernetes/pki', etcd: { local: {} } } as never;
    const { files } = decryptKubeadmCerts(secret as never, key, cluster);
    assert.deepEqual(files.map((f) => f.name).sort(), [
      'ca.crt',
      'ca.key',
      'etcd/ca.crt',
      'etcd/ca.key',
      'front-proxy-ca.crt',
      'front-proxy-ca.key',
      'sa.key',
      'sa.pub',
    ]);
    for (const f of files) {
      assert.deepEqual(f.data, readFileSync(path.join(node.rootfs, 'etc/kubernetes/pki', f.name)), f.name);
    }
    const wrong = key.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    assert.throws(
      () => decryptKubeadmCerts(secret as never, wrong, cluster),
      /error decoding secret data with provided key/,
    );
  });

  test('token create, list and delete round-trip against the API server', () => {
    const created = kbadm(node, ['token', 'create', '--description', 'lab round trip', '--ttl', '1h']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const list = kbadm(node, ['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS/);
    assert.match(
      list.stdout,
      new RegExp(
        `${token}\\s+(59m|1h)\\s+\\S+\\s+authentication,signing\\s+lab round trip\\s+${BOOTSTRAPPERS}`,
      ),
    );
    const again = kbadm(node, ['token', 'create', token]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, new RegExp(`a token with id "${token.split('.')[0]}" already exists`));
    const deleted = kbadm(node, ['token', 'delete', token]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), `bootstrap token "${token.split('.')[0]}" deleted`);
    assert.doesNotMatch(kbadm(node, ['token', 'list']).stdout, new RegExp(token));
    const join = kbadm(node, ['token', 'create', '--print-join-command']);
    assert.match(
      join.stdout,
      new RegExp(
        `^kbadm join ${node.address}:6443 --token [a-z0-9]{6}\\.[a-z0-9]{16} --discovery-token-ca-cert-hash sha256:[0-9a-f]{64} \n$`,
      ),
    );
  });

  test('init run again on the same node converges without duplicating anything', () => {
    const inventory = () =>
      kubectl(node, 'admin.conf', [
        'get',
        'clusterroles,clusterrolebindings,roles,rolebindings,configmaps,secrets,serviceaccounts,deployments,daemonsets,services',
        '-A',
        '-o',
        'name',
      ])
        .stdout.split('\n')
        .filter((l) => l !== '' && !l.includes('bootstrap-token-'))
        .sort();
    const before = inventory();
    const r = kbadm(node, ['init', '--config', '/cfg.yaml', '--ignore-preflight-errors=all']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.deepEqual(inventory(), before);
    assert.match(r.stdout, /Your Kubernetes control-plane has initialized successfully!/);
  });
});
