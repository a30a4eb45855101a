// Two lab nodes: `kbadm init` on node-1 at v1.33.4, node-2 joins as a worker, then `kbadm upgrade
// plan` and `kbadm upgrade apply v1.34.0` on node-1 and `kbadm upgrade node` on node-2. Real
// containerd, etcd, etcdctl and kubectl; the lab's kubelet restarts the static Pods when their
// manifests change and keeps their mirror Pods' config hash, which apply watches. Last, an apply
// whose patched kube-scheduler cannot start must put the old manifest back.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labDown, labExec, labUp, requireRoot, type LabNode } from './lab.js';
import {
  eventually,
  kbadm,
  kubectl,
  LAB_ROOT_IGNORES,
  printedJoinCommands,
  requireBuild,
  writeInitConfig,
} from './lab-cli.js';

requireRoot();
requireBuild();

const TOKEN_ID = 'lab3up';
const TOKEN = `${TOKEN_ID}.0123456789abcdef`;
const FROM = 'v1.33.4';
const TO = 'v1.34.0';
// kbadm's etcd table pairs Kubernetes 1.34 with etcd 3.6.4-0 (1.33 with 3.5.21-0).
const ETCD_FROM = '3.5.21-0';
const ETCD_TO = '3.6.4-0';
const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('upgrade of a two-node lab cluster from v1.33.4 to v1.34.0', { timeout: 1_500_000 }, () => {
  let dir: string;
  let cp: LabNode;
  let worker: LabNode;
  let workerJoin: string[] = [];
  let applyOut = '';
  const hashesBefore = new Map<string, string>();
  const manifestsBefore = new Map<string, Buffer>();

  const manifest = (c: string) => path.join(cp.rootfs, 'etc/kubernetes/manifests', `${c}.yaml`);
  const get = (args: string[]): Obj => {
    const r = kubectl(cp, 'admin.conf', ['get', ...args, '-o', 'json']);
    assert.equal(r.code, 0, `kubectl get ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const configHash = (c: string): string => {
    const pod = get(['pod', `${c}-${cp.name}`, '-n', 'kube-system']);
    const hash = pod.metadata.annotations?.['kubernetes.io/config.hash'];
    assert.ok(hash, `${c}: mirror Pod without a config hash`);
    return hash;
  };
  const logs = (node: LabNode) => {
    const f = path.join(dir, `${node.name}-kubelet.log`);
    return existsSync(f) ? readFileSync(f, 'utf8').slice(-4000) : '';
  };
  const tmpDirs = (node: LabNode, prefix: string) => {
    const tmp = path.join(node.rootfs, 'etc/kubernetes/tmp');
    return existsSync(tmp)
      ? readdirSync(tmp)
          .filter((d) => d.startsWith(prefix))
          .map((d) => path.join(tmp, d))
      : [];
  };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-upgrade-'));
    const lab = await labUp({ nodes: 2, dir, versions: [FROM, TO] });
    [cp, worker] = lab.nodes as [LabNode, LabNode];
    await writeInitConfig(cp, { token: TOKEN, kubernetesVersion: FROM });
  });
  after(async () => {
    if (dir) await labDown(dir);
  });

  test(`init on node-1 at ${FROM}, node-2 joins as a worker with the printed command`, () => {
    let r = kbadm(cp, ['init', '--config', '/cfg.yaml', ...LAB_ROOT_IGNORES]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${logs(cp)}`);
    // Init prints a control-plane join command and a worker one; the worker's has no --control-plane.
    const commands = printedJoinCommands(r.stdout);
    workerJoin = commands.find((c) => !c.includes('--control-plane')) ?? [];
    assert.deepEqual(workerJoin.slice(0, 3), [`${cp.address}:6443`, '--token', TOKEN]);
    for (const c of COMPONENTS)
      assert.match(
        readFileSync(manifest(c), 'utf8'),
        new RegExp(`image: registry\\.k8s\\.io/${c}:${c === 'etcd' ? ETCD_FROM : FROM}\\n`),
      );
    r = kbadm(worker, [
      'join',
      ...workerJoin,
      '--node-name',
      worker.name,
      '--cri-socket',
      worker.criSocket,
      ...LAB_ROOT_IGNORES,
    ]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${logs(worker)}`);
    assert.match(r.stdout, /This node has joined the cluster:\n/);
  });

  test(`upgrade plan on node-1 proposes ${TO}, as text and as JSON`, () => {
    let r = kbadm(cp, ['upgrade', 'plan']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, new RegExp(`kbadm upgrade apply ${TO.replaceAll('.', '\\.')}`));
    assert.match(r.stdout, new RegExp(`kube-apiserver\\s+\\S*\\s*${FROM}\\s+${TO}`.replaceAll('.', '\\.')));
    r = kbadm(cp, ['upgrade', 'plan', '-o', 'json']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    const plan = JSON.parse(r.stdout);
    assert.equal(plan.kind, 'UpgradePlan');
    const targets = (plan.availableUpgrades as Obj[]).flatMap((u) =>
      (u.components as Obj[]).filter((c) => c.name === 'kube-apiserver').map((c) => c.newVersion),
    );
    assert.ok(targets.includes(TO), r.stdout);
  });

  test(`upgrade apply ${TO} upgrades every static Pod, with backups and an etcd snapshot`, () => {
    for (const c of COMPONENTS) {
      hashesBefore.set(c, configHash(c));
      manifestsBefore.set(c, readFileSync(manifest(c)));
    }
    const pki = (f: string) =>
      new X509Certificate(readFileSync(path.join(cp.rootfs, 'etc/kubernetes/pki', f)));
    const serialsBefore = ['apiserver.crt', 'etcd/server.crt'].map((f) => pki(f).serialNumber);
    const r = kbadm(cp, ['upgrade', 'apply', TO, '--yes', ...LAB_ROOT_IGNORES]);
    applyOut = r.stdout;
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${logs(cp)}`);
    // Renewed before their components moved, and the components came back with them.
    ['apiserver.crt', 'etcd/server.crt'].forEach((f, i) =>
      assert.notEqual(pki(f).serialNumber, serialsBefore[i], `${f} renewed`),
    );
    assert.ok(pki('apiserver.crt').verify(pki('ca.crt').publicKey));
    assert.ok(
      r.stdout.includes(`[upgrade] SUCCESS! A control plane node of your cluster was upgraded to "${TO}".`),
      r.stdout,
    );
    for (const c of COMPONENTS) {
      const text = readFileSync(manifest(c), 'utf8');
      assert.match(text, new RegExp(`image: registry\\.k8s\\.io/${c}:${c === 'etcd' ? ETCD_TO : TO}\\n`), c);
      assert.notEqual(configHash(c), hashesBefore.get(c), `${c}: the mirror Pod's config hash changed`);
    }
    // The replaced manifests are kept byte for byte.
    const backups = tmpDirs(cp, 'kubeadm-backup-manifests-');
    assert.equal(backups.length, 1, backups.join(' '));
    for (const c of COMPONENTS)
      assert.deepEqual(readFileSync(path.join(backups[0]!, `${c}.yaml`)), manifestsBefore.get(c), c);
    // The temporary directory of new manifests is gone.
    assert.deepEqual(tmpDirs(cp, 'kubeadm-upgraded-manifests'), []);
  });

  test('the etcd snapshot apply names is one etcdctl reads', () => {
    const m = /^\[upgrade\/etcd\] Saved a snapshot of etcd to "([^"]+)"$/m.exec(applyOut);
    assert.ok(m, applyOut);
    const file = path.join(cp.rootfs, m[1]!);
    assert.ok(existsSync(file), file);
    const r = labExec(cp, 'etcdctl', ['snapshot', 'status', file, '-w', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout);
    assert.ok(status.totalKey > 0, r.stdout);
    assert.ok(status.revision > 0, r.stdout);
  });

  test(`the cluster's configuration and addons are at ${TO}; init's objects are still there`, () => {
    const kubeadmConfig = get(['configmap', 'kubeadm-config', '-n', 'kube-system']);
    assert.match(kubeadmConfig.data.ClusterConfiguration, new RegExp(`^kubernetesVersion: ${TO}$`, 'm'));
    assert.ok(get(['configmap', 'kubelet-config', '-n', 'kube-system']).data.kubelet);
    const secret = get(['secret', `bootstrap-token-${TOKEN_ID}`, '-n', 'kube-system']);
    assert.equal(Buffer.from(secret.data['token-id'], 'base64').toString(), TOKEN_ID);
    assert.ok(get(['configmap', 'cluster-info', '-n', 'kube-public']).data.kubeconfig);
    const proxy = get(['daemonset', 'kube-proxy', '-n', 'kube-system']);
    assert.equal(proxy.spec.template.spec.containers[0].image, `registry.k8s.io/kube-proxy:${TO}`);
    const coredns = get(['deployment', 'coredns', '-n', 'kube-system']);
    assert.match(coredns.spec.template.spec.containers[0].image, /^registry\.k8s\.io\/coredns\/coredns:/);
  });

  test('upgrade node on the worker rewrites its kubelet configuration and keeps the old one', () => {
    const config = path.join(worker.rootfs, 'var/lib/kubelet/config.yaml');
    const before = readFileSync(config);
    const writtenBefore = statSync(config).mtimeMs;
    const r = kbadm(worker, ['upgrade', 'node', ...LAB_ROOT_IGNORES]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /\[upgrade\] The configuration for this node was successfully upgraded!/);
    const backups = tmpDirs(worker, 'kubeadm-kubelet-config');
    assert.equal(backups.length, 1, backups.join(' '));
    assert.deepEqual(readFileSync(path.join(backups[0]!, 'config.yaml')), before);
    assert.match(
      r.stdout,
      /^\[kubelet-start\] Writing kubelet configuration to file "\/var\/lib\/kubelet\/config\.yaml"$/m,
    );
    assert.ok(statSync(config).mtimeMs > writtenBefore, 'config.yaml was written again');
    assert.match(readFileSync(config, 'utf8'), /^kind: KubeletConfiguration$/m);
  });

  test('a component that does not come back is rolled back: apply fails naming it, its old manifest is back', async (t) => {
    // A patch that gives the scheduler a hostPath file that does not exist: the kubelet cannot start
    // the new Pod, so its mirror Pod never shows the new hash and apply gives up after
    // timeouts.upgradeManifests, shortened through an UpgradeConfiguration.
    await fs.mkdir(path.join(cp.rootfs, 'patches'), { recursive: true });
    await fs.writeFile(
      path.join(cp.rootfs, 'patches/kube-scheduler+json.yaml'),
      [
        '- op: add',
        '  path: /spec/volumes/-',
        '  value: {name: lab-missing, hostPath: {path: /lab-missing-file, type: File}}',
        '',
      ].join('\n'),
    );
    const before = new Map(COMPONENTS.map((c) => [c, readFileSync(manifest(c))]));
    const schedulerHash = configHash('kube-scheduler');
    const backupsBefore = tmpDirs(cp, 'kubeadm-backup-manifests-');
    await fs.writeFile(
      path.join(cp.rootfs, 'upgrade-fault.yaml'),
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: UpgradeConfiguration',
        'apply:',
        `  kubernetesVersion: ${TO}`,
        '  patches: {directory: /patches}',
        `  ignorePreflightErrors: [${LAB_ROOT_IGNORES[1]}]`,
        'timeouts:',
        '  upgradeManifests: 40s',
        '',
      ].join('\n'),
    );
    const r = kbadm(cp, ['upgrade', 'apply', '--config', '/upgrade-fault.yaml']);
    for (const line of `exit ${r.code}\n${r.stdout}${r.stderr}`.split('\n')) t.diagnostic(line);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(
      r.stdout,
      /^\[patches\] Applied patch of type "application\/json-patch\+json" to target "kube-scheduler"$/m,
    );
    for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager'])
      assert.match(r.stdout, new RegExp(`Current and new manifests of ${c} are equal, skipping upgrade`));
    assert.match(
      r.stderr,
      /couldn't upgrade control plane component "kube-scheduler": .*; restored the old manifest from "\/etc\/kubernetes\/tmp\/kubeadm-backup-manifests-[0-9-]+\/kube-scheduler\.yaml"/,
    );
    assert.doesNotMatch(r.stdout, /SUCCESS!/);
    assert.doesNotMatch(r.stdout, /\[upload-config\]/, 'apply stops at the control plane');
    for (const c of COMPONENTS) assert.deepEqual(readFileSync(manifest(c)), before.get(c), c);
    // The kubelet runs the old scheduler Pod again.
    await eventually('the old kube-scheduler mirror Pod', () => {
      const p = kubectl(cp, 'admin.conf', [
        'get',
        'pod',
        `kube-scheduler-${cp.name}`,
        '-n',
        'kube-system',
        '-o',
        'json',
      ]);
      return (
        p.code === 0 &&
        JSON.parse(p.stdout).metadata.annotations?.['kubernetes.io/config.hash'] === schedulerHash
      );
    });
    const backups = tmpDirs(cp, 'kubeadm-backup-manifests-').filter((d) => !backupsBefore.includes(d));
    assert.equal(backups.length, 1, backups.join(' '));
    assert.deepEqual(
      readFileSync(path.join(backups[0]!, 'kube-scheduler.yaml')),
      before.get('kube-scheduler'),
    );
  });
});
