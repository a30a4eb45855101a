// init's API phases against an in-memory API server: the requests of kubeadm's init sequence in
// its order, the objects they carry, and a second run that converges without duplicating anything.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { decryptKubeadmCerts } from '../../../src/certs/copy-certs.js';
import { MemoryCluster } from '../../../src/cluster/memory.js';
import type { KubeObject } from '../../../src/cluster/types.js';
import { addonPhase } from '../../../src/phases/init/addon.js';
import { bootstrapTokenPhase } from '../../../src/phases/init/bootstrap-token.js';
import { markControlPlanePhase } from '../../../src/phases/init/mark-control-plane.js';
import { uploadCertsPhase } from '../../../src/phases/init/upload-certs.js';
import { uploadConfigPhase } from '../../../src/phases/init/upload-config.js';
import type { Phase } from '../../../src/workflow/index.js';
import type { InitData } from '../../../src/phases/init/data.js';
import { ADMIN_CONF } from '../../support/admin-conf.js';
import { CONFIGS_DIR, lines, loadConfigFile } from '../../support/manifests.js';
import { testInitData, type TestInitData } from '../../support/init-data.js';

const KEY = 'a'.repeat(64);
/** A real certificate, key and public key (download classifies each by parsing it). */
function pemSet(cn: string): { cert: string; key: string; pub: string } {
  const sh = (args: string[], input = '') =>
    execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  const key = sh(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  // node's child stdio is a socket, which openssl cannot open as /dev/stdin: the key goes in a file.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbadm-pem-'));
  writeFileSync(path.join(dir, 'key.pem'), key);
  const cert = sh(['req', '-x509', '-key', path.join(dir, 'key.pem'), '-subj', `/CN=${cn}`, '-days', '1']);
  rmSync(dir, { recursive: true });
  return { cert, key, pub: sh(['pkey', '-pubout'], key) };
}
const [ca, fp, sa, etcd] = ['ca', 'front-proxy-ca', 'sa', 'etcd-ca'].map(pemSet) as [
  ReturnType<typeof pemSet>,
  ReturnType<typeof pemSet>,
  ReturnType<typeof pemSet>,
  ReturnType<typeof pemSet>,
];
const PKI = {
  '/etc/kubernetes/pki/ca.crt': ca.cert,
  '/etc/kubernetes/pki/ca.key': ca.key,
  '/etc/kubernetes/pki/front-proxy-ca.crt': fp.cert,
  '/etc/kubernetes/pki/front-proxy-ca.key': fp.key,
  '/etc/kubernetes/pki/sa.pub': sa.pub,
  '/etc/kubernetes/pki/sa.key': sa.key,
  '/etc/kubernetes/pki/etcd/ca.crt': etcd.cert,
  '/etc/kubernetes/pki/etcd/ca.key': etcd.key,
};

function data(api = new MemoryCluster(), o: { uploadCerts?: boolean; dryRun?: boolean } = {}): TestInitData {
  const d = testInitData(loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`), {
    api,
    files: { '/etc/kubernetes/admin.conf': ADMIN_CONF, ...PKI },
    uploadCerts: o.uploadCerts ?? true,
    certificateKey: KEY,
    ...(o.dryRun ? { dryRun: true } : {}),
  });
  api.seed({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: d.config.init.nodeRegistration.name, labels: { 'kubernetes.io/hostname': 'x' } },
  });
  return d;
}

async function run(phase: Phase<InitData>, d: InitData): Promise<void> {
  if (phase.run && (!phase.runIf || (await phase.runIf(d)))) await phase.run(d);
  for (const child of phase.phases ?? []) await run(child, d);
}

const API_PHASES = [
  uploadConfigPhase,
  uploadCertsPhase,
  markControlPlanePhase,
  bootstrapTokenPhase,
  addonPhase,
];

async function runAll(d: InitData): Promise<void> {
  for (const p of API_PHASES) await run(p, d);
}

const written = (api: MemoryCluster) =>
  api.requests
    .filter((r) => r.verb === 'CREATE' || r.verb === 'PATCH')
    .map((r) => `${r.verb} ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`);

describe("init's API phases", () => {
  test("send kubeadm's writes in kubeadm's order", async () => {
    const d = data();
    await runAll(d);
    const writes = written(d.api).map((w) =>
      w.replace(/bootstrap-token-(?!abcdef)[a-z0-9]{6}/, 'bootstrap-token-<id>'),
    );
    assert.deepEqual(writes, [
      'CREATE ConfigMap kube-system/kubeadm-config',
      'CREATE Role kube-system/kubeadm:nodes-kubeadm-config',
      'CREATE RoleBinding kube-system/kubeadm:nodes-kubeadm-config',
      'CREATE ConfigMap kube-system/kubelet-config',
      'CREATE Role kube-system/kubeadm:kubelet-config',
      'CREATE RoleBinding kube-system/kubeadm:kubelet-config',
      'CREATE Secret kube-system/bootstrap-token-<id>',
      'CREATE Secret kube-system/kubeadm-certs',
      'CREATE Role kube-system/kubeadm:kubeadm-certs',
      'CREATE RoleBinding kube-system/kubeadm:kubeadm-certs',
      `PATCH Node ${d.config.init.nodeRegistration.name}`,
      'CREATE Secret kube-system/bootstrap-token-abcdef',
      'CREATE ClusterRole kubeadm:get-nodes',
      'CREATE ClusterRoleBinding kubeadm:get-nodes',
      'CREATE ClusterRoleBinding kubeadm:kubelet-bootstrap',
      'CREATE ClusterRoleBinding kubeadm:node-autoapprove-bootstrap',
      'CREATE ClusterRoleBinding kubeadm:node-autoapprove-certificate-rotation',
      'CREATE ConfigMap kube-public/cluster-info',
      'CREATE Role kube-public/kubeadm:bootstrap-signer-clusterinfo',
      'CREATE RoleBinding kube-public/kubeadm:bootstrap-signer-clusterinfo',
      'CREATE ConfigMap kube-system/coredns',
      'CREATE ClusterRole system:coredns',
      'CREATE ClusterRoleBinding system:coredns',
      'CREATE ServiceAccount kube-system/coredns',
      'CREATE Deployment kube-system/coredns',
      'CREATE Service kube-system/kube-dns',
      'CREATE ConfigMap kube-system/kube-proxy',
      'CREATE DaemonSet kube-system/kube-proxy',
      'CREATE ServiceAccount kube-system/kube-proxy',
      'CREATE ClusterRoleBinding kubeadm:node-proxier',
      'CREATE Role kube-system/kube-proxy',
      'CREATE RoleBinding kube-system/kube-proxy',
    ]);
    const out = lines(d.out);
    assert.ok(out.includes('[upload-certs] Using certificate key:'));
    assert.equal(out[out.indexOf('[upload-certs] Using certificate key:') + 1], KEY);
    assert.ok(out.includes('[bootstrap-token] Using token: abcdef.0123456789abcdef'));
    assert.deepEqual(out.slice(-2), [
      '[addons] Applied essential addon: CoreDNS',
      '[addons] Applied essential addon: kube-proxy',
    ]);
  });

  test('the node gets the control-plane labels and taint', async () => {
    const d = data();
    await run(markControlPlanePhase, d);
    const node = d.api.stored('Node')[0]!;
    assert.equal(node.metadata.labels?.['node-role.kubernetes.io/control-plane'], '');
    assert.deepEqual((node.spec as { taints: unknown }).taints, [
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
    ]);
  });

  test('the kubeadm-certs Secret decrypts with the key to the exact files and belongs to a 2h token', async () => {
    const d = data();
    await run(uploadCertsPhase, d);
    const secrets = d.api.stored('Secret');
    const certs = secrets.find((s) => s.metadata.name === 'kubeadm-certs')!;
    const owner = secrets.find((s) => s.metadata.name.startsWith('bootstrap-token-'))!;
    assert.equal(certs.metadata.ownerReferences?.[0]?.uid, owner.metadata.uid);
    const { files } = decryptKubeadmCerts(certs, KEY, d.config.cluster);
    for (const f of files)
      assert.equal(f.data.toString(), PKI[`/etc/kubernetes/pki/${f.name}` as keyof typeof PKI], f.name);
    assert.throws(
      () => decryptKubeadmCerts(certs, 'b'.repeat(64), d.config.cluster),
      /error decoding secret data with provided key/,
    );
  });

  test('without --upload-certs the phase only says it skips', async () => {
    const d = data(new MemoryCluster(), { uploadCerts: false });
    await run(uploadCertsPhase, d);
    assert.deepEqual(lines(d.out), ['[upload-certs] Skipping phase. Please see --upload-certs']);
    assert.deepEqual(d.api.requests, []);
  });

  test('a second run converges: every object is updated in place, none is added', async () => {
    const api = new MemoryCluster();
    await runAll(data(api, { uploadCerts: false }));
    const inventory = () =>
      [
        'ConfigMap',
        'Secret',
        'Role',
        'RoleBinding',
        'ClusterRole',
        'ClusterRoleBinding',
        'ServiceAccount',
        'Deployment',
        'DaemonSet',
        'Service',
      ]
        .flatMap((k) =>
          api
            .stored(k)
            .map(
              (o: KubeObject) => `${k} ${o.metadata.namespace ?? ''}/${o.metadata.name} ${o.metadata.uid}`,
            ),
        )
        .sort();
    const first = inventory();
    await runAll(data(api, { uploadCerts: false }));
    assert.deepEqual(inventory(), first);
  });

  test('--print-manifest prints the addon objects and sends nothing', async () => {
    const d = data();
    d.printManifest = true;
    await run(addonPhase, d);
    assert.deepEqual(d.api.requests, []);
    const text = d.out.text();
    assert.match(text, /^---\n/);
    assert.match(text, /kind: Deployment\n/);
    assert.match(text, /kind: DaemonSet\n/);
  });
});

describe('upload-config kubelet and the CRI socket', () => {
  test('with NodeLocalCRISocket off, the socket is annotated on the Node; with it on (1.34), not', async () => {
    const on = data();
    await run(uploadConfigPhase, on);
    assert.equal(on.api.stored('Node')[0]!.metadata.annotations, undefined);

    const off = data();
    off.config.cluster.featureGates = { ...off.config.cluster.featureGates, NodeLocalCRISocket: false };
    await run(uploadConfigPhase, off);
    assert.deepEqual(off.api.stored('Node')[0]!.metadata.annotations, {
      'kubeadm.alpha.kubernetes.io/cri-socket': off.config.init.nodeRegistration.criSocket,
    });
  });
});
