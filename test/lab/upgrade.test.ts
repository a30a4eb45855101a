// Three lab nodes: `kbadm init --upload-certs` on node-1 at v1.33.4, node-3 joins as a worker and
// node-2 as a second control-plane node (a second etcd member), then `kbadm upgrade plan` and
// `kbadm upgrade apply v1.34.0` on node-1 (the addons wait for node-2), `kbadm upgrade node` on
// node-2 (its static Pods and etcd member, then the addons) and on node-3. Real containerd, etcd,
// etcdctl and kubectl; the lab's kubelet restarts the static Pods when their manifests change and
// keeps their mirror Pods' config hash, which the upgrades watch. Last, an apply whose patched
// kube-scheduler cannot start must put the old manifest back.
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
  writeObject,
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

describe('upgrade of a three-node lab cluster from v1.33.4 to v1.34.0', { timeout: 1_500_000 }, () => {
  let dir: string;
  let cp: LabNode;
  let cp2: LabNode;
  let worker: LabNode;
  let workerJoin: string[] = [];
  let cpJoin: string[] = [];
  let applyOut = '';
  const hashesBefore = new Map<string, string>();
  const manifestsBefore = new Map<string, Buffer>();

  const manifest = (c: string, node = cp) => path.join(node.rootfs, 'etc/kubernetes/manifests', `${c}.yaml`);
  const get = (args: string[]): Obj => {
    const r = kubectl(cp, 'admin.conf', ['get', ...args, '-o', 'json']);
    assert.equal(r.code, 0, `kubectl get ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const configHash = (c: string, node = cp): string => {
    const pod = get(['pod', `${c}-${node.name}`, '-n', 'kube-system']);
    const hash = pod.metadata.annotations?.['kubernetes.io/config.hash'];
    assert.ok(hash, `${c}: mirror Pod without a config hash`);
    return hash;
  };
  const logs = (node: LabNode) => {
    const f = path.join(dir, `${node.name}-kubelet.log`);
    return existsSync(f) ? readFileSync(f, 'utf8').slice(-4000) : '';
  };
  /** etcdctl inside `node`, asking its own member with its healthcheck client; the JSON answer. */
  const etcdctl = (node: LabNode, args: string[]): Obj | Obj[] => {
    const pki = path.join(node.rootfs, 'etc/kubernetes/pki/etcd');
    const r = labExec(node, 'etcdctl', [
      `--endpoints=https://${node.address}:2379`,
      `--cacert=${pki}/ca.crt`,
      `--cert=${pki}/healthcheck-client.crt`,
      `--key=${pki}/healthcheck-client.key`,
      '-w',
      'json',
      ...args,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  /** [name, isLearner] of each etcd member, sorted by name. */
  const etcdMembers = (node: LabNode) =>
    (((etcdctl(node, ['member', 'list']) as Obj).members ?? []) as Obj[])
      .map((m) => [m.name, m.isLearner ?? false])
      .sort();
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
    const lab = await labUp({ nodes: 3, dir, versions: [FROM, TO] });
    [cp, cp2, worker] = lab.nodes as [LabNode, LabNode, LabNode];
    await writeInitConfig(cp, { token: TOKEN, kubernetesVersion: FROM });
  });
  after(async () => {
    if (dir) await labDown(dir);
  });

  test(`init on node-1 at ${FROM}, node-3 joins as a worker with the printed command`, () => {
    let r = kbadm(cp, ['init', '--config', '/cfg.yaml', '--upload-certs', ...LAB_ROOT_IGNORES]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${logs(cp)}`);
    // Init prints a control-plane join command and a worker one; the worker's has no --control-plane.
    const commands = printedJoinCommands(r.stdout);
    workerJoin = commands.find((c) => !c.includes('--control-plane')) ?? [];
    cpJoin = commands.find((c) => c.includes('--control-plane')) ?? [];
    assert.ok(cpJoin.includes('--certificate-key'), r.stdout);
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

  test(`node-2 joins as a second control-plane node at ${FROM}, with its own etcd member`, () => {
    const r = kbadm(cp2, [
      'join',
      ...cpJoin,
      '--node-name',
      cp2.name,
      '--apiserver-advertise-address',
      cp2.address,
      '--cri-socket',
      cp2.criSocket,
      ...LAB_ROOT_IGNORES,
    ]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${logs(cp2)}`);
    assert.match(r.stdout, /This node has joined the cluster and a new control plane instance was created:/);
    for (const c of COMPONENTS)
      assert.match(
        readFileSync(manifest(c, cp2), 'utf8'),
        new RegExp(`image: registry\\.k8s\\.io/${c}:${c === 'etcd' ? ETCD_FROM : FROM}\\n`),
      );
    assert.deepEqual(etcdMembers(cp2), [
      [cp.name, false],
      [cp2.name, false],
    ]);
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
    // node-2 still runs the old kube-apiserver: the addons wait for it (kubeadm says so once per addon).
    const waiting = `[upgrade/addon] Skipping upgrade of addons because control plane instances [${cp2.name}] have not been upgraded\n`;
    assert.equal(r.stdout.split(waiting).length - 1, 2, r.stdout);
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

  test(`the cluster's configuration is at ${TO}, the addons wait for node-2; init's objects are still there`, () => {
    const kubeadmConfig = get(['configmap', 'kubeadm-config', '-n', 'kube-system']);
    assert.match(kubeadmConfig.data.ClusterConfiguration, new RegExp(`^kubernetesVersion: ${TO}$`, 'm'));
    assert.ok(get(['configmap', 'kubelet-config', '-n', 'kube-system']).data.kubelet);
    const secret = get(['secret', `bootstrap-token-${TOKEN_ID}`, '-n', 'kube-system']);
    assert.equal(Buffer.from(secret.data['token-id'], 'base64').toString(), TOKEN_ID);
    assert.ok(get(['configmap', 'cluster-info', '-n', 'kube-public']).data.kubeconfig);
    const proxy = get(['daemonset', 'kube-proxy', '-n', 'kube-system']);
    assert.equal(proxy.spec.template.spec.containers[0].image, `registry.k8s.io/kube-proxy:${FROM}`);
    const coredns = get(['deployment', 'coredns', '-n', 'kube-system']);
    assert.match(coredns.spec.template.spec.containers[0].image, /^registry\.k8s\.io\/coredns\/coredns:/);
  });

  test(`upgrade node on node-2 brings its static Pods and etcd member to ${TO}, then the addons`, () => {
    const hashes = new Map(COMPONENTS.map((c) => [c, configHash(c, cp2)]));
    const manifests = new Map(COMPONENTS.map((c) => [c, readFileSync(manifest(c, cp2))]));
    const config = path.join(cp2.rootfs, 'var/lib/kubelet/config.yaml');
    const kubeletBefore = readFileSync(config);
    const kubeletWritten = statSync(config).mtimeMs;
    const r = kbadm(cp2, ['upgrade', 'node', ...LAB_ROOT_IGNORES]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${logs(cp2)}`);
    assert.ok(
      r.stdout.includes(
        `[upgrade/control-plane] Upgrading your Static Pod-hosted control plane instance to version "${TO}"...`,
      ),
      r.stdout,
    );
    for (const c of COMPONENTS) {
      assert.match(
        readFileSync(manifest(c, cp2), 'utf8'),
        new RegExp(`image: registry\\.k8s\\.io/${c}:${c === 'etcd' ? ETCD_TO : TO}\\n`),
        c,
      );
      assert.notEqual(configHash(c, cp2), hashes.get(c), `${c}: the mirror Pod's config hash changed`);
    }
    const backups = tmpDirs(cp2, 'kubeadm-backup-manifests-');
    assert.equal(backups.length, 1, backups.join(' '));
    for (const c of COMPONENTS)
      assert.deepEqual(readFileSync(path.join(backups[0]!, `${c}.yaml`)), manifests.get(c), c);
    assert.equal(tmpDirs(cp2, 'kubeadm-backup-etcd-').length, 1);
    // Its etcd member came back healthy, and the cluster still has both voting members.
    const health = etcdctl(cp2, ['endpoint', 'health']) as Obj[];
    assert.equal(health[0]?.health, true, JSON.stringify(health));
    assert.deepEqual(etcdMembers(cp2), [
      [cp.name, false],
      [cp2.name, false],
    ]);
    // Its kubelet configuration, rewritten with the old one kept.
    const kubeletBackups = tmpDirs(cp2, 'kubeadm-kubelet-config');
    assert.equal(kubeletBackups.length, 1, kubeletBackups.join(' '));
    assert.deepEqual(readFileSync(path.join(kubeletBackups[0]!, 'config.yaml')), kubeletBefore);
    assert.ok(statSync(config).mtimeMs > kubeletWritten, 'config.yaml was written again');
    // node-2 was the last control plane behind: the addons are upgraded now.
    assert.doesNotMatch(r.stdout, /Skipping upgrade of addons/);
    const proxy = get(['daemonset', 'kube-proxy', '-n', 'kube-system']);
    assert.equal(proxy.spec.template.spec.containers[0].image, `registry.k8s.io/kube-proxy:${TO}`);
    assert.ok(
      r.stdout.includes(`[upgrade] SUCCESS! The control plane instance on this node now runs "${TO}".`),
    );
  });

  test('upgrade node on the worker (node-3) rewrites its kubelet configuration and keeps the old one', () => {
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
    // Same version, same manifests, renewed certificates: each component restarts to read them.
    for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager']) {
      assert.match(r.stdout, new RegExp(`Restarting the ${c} static pod and backing up its manifest to`));
      assert.match(r.stdout, new RegExp(`Component "${c}" upgraded successfully!`));
    }
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

  // After the fault test: its apply failed and put the scheduler back, yet left a newer backup
  // directory holding the v1.34.0 scheduler. Rollback must go back to the first apply's backup.
  test(`upgrade rollback passes over the failed apply and brings back the ${FROM} manifests byte for byte; the old Pods run again`, async () => {
    const backups = tmpDirs(cp, 'kubeadm-backup-manifests-').sort();
    assert.ok(backups.length >= 2, backups.join(' '));
    const [completed, failed] = [backups[0]!, backups.at(-1)!].map((d) => `/${path.relative(cp.rootfs, d)}`);
    const r = kbadm(cp, ['upgrade', 'rollback']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.ok(
      r.stdout.includes(
        `[upgrade/rollback] Passing over "${failed}": its upgrade to ${TO} did not complete (kube-scheduler did not come back and was put back as it was)\n`,
      ),
      r.stdout,
    );
    assert.ok(
      r.stdout.includes(
        `[upgrade/rollback] Using the manifests backed up in "${completed}": the upgrade from ${FROM} to ${TO}\n`,
      ),
      r.stdout,
    );
    assert.match(r.stdout, /Restored 4 manifest\(s\)/);
    for (const c of COMPONENTS) assert.deepEqual(readFileSync(manifest(c)), manifestsBefore.get(c), c);
    // The kubelet runs the old manifests again: their mirror Pods carry the hashes from before the upgrade.
    for (const c of COMPONENTS)
      await eventually(`the ${FROM} ${c} mirror Pod`, () => {
        const p = kubectl(cp, 'admin.conf', [
          'get',
          'pod',
          `${c}-${cp.name}`,
          '-n',
          'kube-system',
          '-o',
          'json',
        ]);
        if (p.code !== 0) return false;
        const pod = JSON.parse(p.stdout);
        return (
          pod.metadata.annotations?.['kubernetes.io/config.hash'] === hashesBefore.get(c) &&
          pod.spec.containers[0].image === `registry.k8s.io/${c}:${c === 'etcd' ? ETCD_FROM : FROM}`
        );
      });
    await eventually(`the API server reporting ${FROM}`, () => {
      const v = kubectl(cp, 'admin.conf', ['version', '-o', 'json']);
      return v.code === 0 && JSON.parse(v.stdout).serverVersion?.gitVersion === FROM;
    });
  });

  test('upgrade rollback --etcd-snapshot refuses while etcd has a second member, and changes nothing; node-2 is then reset', () => {
    const before = new Map(COMPONENTS.map((c) => [c, readFileSync(manifest(c))]));
    const data = readdirSync(path.join(cp.rootfs, 'var/lib/etcd/member'));
    let r = kbadm(cp, ['upgrade', 'rollback', '--etcd-snapshot']);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(
      r.stderr,
      new RegExp(
        `cannot restore etcd: etcd has 2 members \\(${cp.name} \\(.*\\); ${cp2.name} \\(.*\\)\\); .*single-member etcd only`,
      ),
    );
    for (const c of COMPONENTS) assert.deepEqual(readFileSync(manifest(c)), before.get(c), c);
    assert.deepEqual(readdirSync(path.join(cp.rootfs, 'var/lib/etcd/member')), data);
    assert.deepEqual(tmpDirs(cp, 'kbadm-rollback-etcd-'), []);
    // node-2 leaves: reset takes its member out of etcd, so node-1's etcd is alone.
    r = kbadm(cp2, ['reset', '--force', '--cri-socket', cp2.criSocket]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.deepEqual(etcdMembers(cp), [[cp.name, false]]);
  });

  test('upgrade rollback --etcd-snapshot restarts etcd from the snapshot apply took', async () => {
    const snapshot = /^\[upgrade\/etcd\] Saved a snapshot of etcd to "([^"]+)"$/m.exec(applyOut)?.[1];
    assert.ok(snapshot, applyOut);
    // Written after the snapshot: it must be gone. kubeadm-config was at FROM when the snapshot was taken.
    const file = await writeObject(cp, 'after-snapshot', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'after-snapshot', namespace: 'default' },
      data: { k: 'v' },
    });
    let r = kubectl(cp, 'admin.conf', ['create', '--validate=false', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(get(['configmap', 'after-snapshot', '-n', 'default']).data.k, 'v');
    assert.match(
      get(['configmap', 'kubeadm-config', '-n', 'kube-system']).data.ClusterConfiguration,
      new RegExp(`^kubernetesVersion: ${TO}$`, 'm'),
    );
    const dataDir = path.join(cp.rootfs, 'var/lib/etcd');
    const dataBefore = readdirSync(path.join(dataDir, 'member'));

    // A dry run says what it would do and changes nothing.
    r = kbadm(cp, ['upgrade', 'rollback', '--etcd-snapshot', '--dry-run']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.ok(
      r.stdout.includes(
        `[dryrun] Would restore the snapshot "${snapshot}" into "/var/lib/etcd.kbadm-restore": `,
      ),
      r.stdout,
    );
    assert.deepEqual(tmpDirs(cp, 'kbadm-rollback-etcd-'), []);
    for (const c of COMPONENTS) assert.ok(existsSync(manifest(c)), c);

    r = kbadm(cp, ['upgrade', 'rollback', '--etcd-snapshot']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${logs(cp)}`);
    for (const line of [
      '[upgrade/rollback] Moved "/etc/kubernetes/manifests/etcd.yaml" to "/etc/kubernetes/tmp/kbadm-rollback-etcd-',
      `[upgrade/rollback] Restoring the etcd snapshot "${snapshot}" into "/var/lib/etcd.kbadm-restore"\n`,
      `[upgrade/rollback] etcd is healthy on the data restored from "${snapshot}"`,
    ])
      assert.ok(r.stdout.includes(line), `${line}\n---\n${r.stdout}`);
    for (const c of COMPONENTS) assert.deepEqual(readFileSync(manifest(c)), manifestsBefore.get(c), c);
    // The replaced data is kept under /etc/kubernetes/tmp.
    const work = tmpDirs(cp, 'kbadm-rollback-etcd-');
    assert.equal(work.length, 1, work.join(' '));
    assert.deepEqual(readdirSync(path.join(work[0]!, 'etcd/member')), dataBefore);

    // The API server, started again on the restored data: the ConfigMap is gone, the old configuration back.
    await eventually(
      'the API server on the restored etcd',
      () => {
        const cm = kubectl(cp, 'admin.conf', [
          'get',
          'configmap',
          'after-snapshot',
          '-n',
          'default',
          '-o',
          'name',
        ]);
        return cm.code !== 0 && /NotFound/.test(cm.stderr);
      },
      120_000,
    );
    assert.match(
      get(['configmap', 'kubeadm-config', '-n', 'kube-system']).data.ClusterConfiguration,
      new RegExp(`^kubernetesVersion: ${FROM}$`, 'm'),
    );
    assert.equal(
      Buffer.from(
        get(['secret', `bootstrap-token-${TOKEN_ID}`, '-n', 'kube-system']).data['token-id'],
        'base64',
      ).toString(),
      TOKEN_ID,
    );

    // Once done, a second run leaves etcd alone.
    r = kbadm(cp, ['upgrade', 'rollback', '--etcd-snapshot']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /etcd was already restored from ".*" by an earlier rollback/);
  });
});
