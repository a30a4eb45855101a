// The static Pod upgrade on an in-memory host. A fake "kubelet" derives the mirror Pod hash from
// the manifest on disk (so it changes when the file does, and comes back after a rollback) unless
// a test freezes it; health is whatever the test says about the manifest in place.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { MemoryCluster } from '../../../src/cluster/memory.js';
import { apiServerPod } from '../../../src/manifests/control-plane.js';
import { newInitCache } from '../../../src/phases/init/data.js';
import {
  controlPlaneInputs,
  patchedStaticPod,
  writePatchedStaticPod,
} from '../../../src/phases/init/static-pods.js';
import { testInitData } from '../../support/init-data.js';
import { loadConfigText } from '../../support/manifests.js';
import { createTestHost, type TestHost } from '../../../src/host/test-host.js';
import { toYaml } from '../../../src/manifests/serialize.js';
import { recordOutput, type RecordedOutput } from '../../../src/output/output.js';
import { mirrorPodHashReader, podsRunningProbe } from '../../../src/phases/upgrade/mirror-pod.js';
import {
  announceUpgradedManifests,
  backupTimestamp,
  cleanupUpgradedManifests,
  manifestsEqual,
  StaticPodUpgradeError,
  upgradeDirs,
  upgradeStaticPod,
  type StaticPodUpgradeContext,
} from '../../../src/phases/upgrade/static-pod-upgrade.js';

const MANIFESTS = '/etc/kubernetes/manifests';
const TMP = '/etc/kubernetes/tmp';
// A fixed local time, so the backup directory name is known.
const NOW = new Date(2026, 11, 5, 9, 8, 7);
const DIRS = upgradeDirs(TMP, NOW, '42');
const BACKUPS = `${TMP}/kubeadm-backup-manifests-2026-12-05-09-08-07`;

function pod(component: string, version: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: component, namespace: 'kube-system', labels: { component, tier: 'control-plane' } },
    spec: { containers: [{ name: component, image: `registry.k8s.io/${component}:${version}` }] },
  };
}

// Written by hand (a comment, odd spacing), so a byte-for-byte restore can be told from a re-render.
const OLD_APISERVER = `# kept as it was
apiVersion: v1
kind:   Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
  labels: {component: kube-apiserver, tier: control-plane}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.33.0
`;

interface Fixture {
  host: TestHost;
  out: RecordedOutput;
  ctx: StaticPodUpgradeContext;
  /** Hash reads, in order. */
  reads: string[];
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

function fixture(
  options: {
    frozenHash?: boolean;
    noMirrorPod?: boolean;
    healthy?: (manifest: string) => boolean | Promise<boolean>;
  } = {},
): Fixture {
  const host = createTestHost().seedFile(`${MANIFESTS}/kube-apiserver.yaml`, OLD_APISERVER, 0o600);
  const out = recordOutput();
  const reads: string[] = [];
  let t = 0;
  let frozen: string | undefined;
  const ctx: StaticPodUpgradeContext = {
    host,
    out,
    dirs: DIRS,
    manifestsDir: MANIFESTS,
    nodeName: 'cp-1',
    readHash: async (component) => {
      reads.push(component);
      if (options.noMirrorPod) return undefined;
      if (frozen !== undefined) return frozen;
      // Like the kubelet, which deletes the mirror Pod of a manifest that left the directory.
      if (!(await host.exists(`${MANIFESTS}/${component}.yaml`))) return undefined;
      const h = sha(host.text(`${MANIFESTS}/${component}.yaml`));
      if (options.frozenHash) return (frozen ??= h);
      return h;
    },
    healthy: async (component) =>
      (options.healthy ?? (() => true))(host.text(`${MANIFESTS}/${component}.yaml`)),
    timeoutMs: 5 * 60 * 1000,
    sleep: async (ms) => void (t += ms),
    now: () => t,
  };
  return { host, out, ctx, reads };
}

const lines = (out: RecordedOutput) => out.text().trimEnd().split('\n');

describe('upgradeDirs', () => {
  test('kubeadm names: a random suffix for new manifests, a local timestamp for backups', () => {
    assert.deepEqual(DIRS, {
      upgradedManifests: `${TMP}/kubeadm-upgraded-manifests42`,
      backupManifests: BACKUPS,
      backupEtcd: `${TMP}/kubeadm-backup-etcd-2026-12-05-09-08-07`,
    });
    assert.equal(backupTimestamp(new Date(2027, 0, 2, 3, 4, 5)), '2027-01-02-03-04-05');
    assert.match(upgradeDirs(TMP, NOW).upgradedManifests, /kubeadm-upgraded-manifests\d+$/);
  });

  test('announce prints the host path; cleanup removes only the new-manifests directory', async () => {
    const f = fixture();
    announceUpgradedManifests(f.ctx);
    assert.equal(
      f.out.text(),
      `[upgrade/staticpods] Writing new Static Pod manifests to "${TMP}/kubeadm-upgraded-manifests42"\n`,
    );
    await upgradeStaticPod(f.ctx, 'kube-apiserver', pod('kube-apiserver', 'v1.34.0'));
    await cleanupUpgradedManifests(f.ctx);
    assert.equal(await f.host.exists(DIRS.upgradedManifests), false);
    assert.equal(await f.host.exists(`${BACKUPS}/kube-apiserver.yaml`), true);
  });
});

describe('manifestsEqual', () => {
  test('same Pod in another layout is equal; another image is not; bad YAML is not', () => {
    assert.equal(manifestsEqual(OLD_APISERVER, toYaml(pod('kube-apiserver', 'v1.33.0'))), true);
    assert.equal(manifestsEqual(OLD_APISERVER, toYaml(pod('kube-apiserver', 'v1.34.0'))), false);
    assert.equal(manifestsEqual('a: [', 'a: ['), true);
    assert.equal(manifestsEqual('a: [', 'a: [ '), false);
  });
});

describe('upgradeStaticPod', () => {
  test('success: staged, backed up byte for byte, moved in, waited for; kubeadm lines', async () => {
    const f = fixture();
    const next = pod('kube-apiserver', 'v1.34.0');
    const r = await upgradeStaticPod(f.ctx, 'kube-apiserver', next);
    assert.deepEqual(r, {
      component: 'kube-apiserver',
      outcome: 'upgraded',
      backupManifest: `${BACKUPS}/kube-apiserver.yaml`,
    });
    assert.equal(f.host.text(`${MANIFESTS}/kube-apiserver.yaml`), toYaml(next));
    assert.equal(f.host.modeOf(`${MANIFESTS}/kube-apiserver.yaml`), 0o600);
    assert.equal(f.host.text(`${BACKUPS}/kube-apiserver.yaml`), OLD_APISERVER);
    assert.equal(f.host.text(`${DIRS.upgradedManifests}/kube-apiserver.yaml`), toYaml(next));
    assert.deepEqual(lines(f.out), [
      '[upgrade/staticpods] Preparing for "kube-apiserver" upgrade',
      `[upgrade/staticpods] Moving new manifest to "${MANIFESTS}/kube-apiserver.yaml" and backing up old manifest to "${BACKUPS}/kube-apiserver.yaml"`,
      '[upgrade/staticpods] Waiting for the kubelet to restart the component',
      '[upgrade/staticpods] This can take up to 5m0s',
      '[upgrade/staticpods] Component "kube-apiserver" upgraded successfully!',
    ]);
  });

  test('the mirror Pod hash never changes: the old manifest is restored byte for byte', async () => {
    const f = fixture({ frozenHash: true });
    const err = await upgradeStaticPod(f.ctx, 'kube-apiserver', pod('kube-apiserver', 'v1.34.0')).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof StaticPodUpgradeError);
    assert.equal(err.component, 'kube-apiserver');
    assert.equal(err.restored, true);
    assert.equal(
      err.message,
      `couldn't upgrade control plane component "kube-apiserver": static Pod hash for component kube-apiserver on Node cp-1 did not change after 5m0s; restored the old manifest from "${BACKUPS}/kube-apiserver.yaml"`,
    );
    assert.equal(f.host.text(`${MANIFESTS}/kube-apiserver.yaml`), OLD_APISERVER);
    assert.equal(f.host.modeOf(`${MANIFESTS}/kube-apiserver.yaml`), 0o600);
    assert.doesNotMatch(f.out.text(), /upgraded successfully/);
  });

  test('the new component stays unhealthy: rolled back, and the old one is waited for', async () => {
    let checks = 0;
    const f = fixture({
      healthy: (m) => {
        checks++;
        return m === OLD_APISERVER;
      },
    });
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'kube-apiserver', pod('kube-apiserver', 'v1.34.0')),
      (e: Error) =>
        e instanceof StaticPodUpgradeError &&
        /"kube-apiserver": component "kube-apiserver" did not become healthy within 5m0s; restored the old manifest/.test(
          e.message,
        ),
    );
    assert.equal(f.host.text(`${MANIFESTS}/kube-apiserver.yaml`), OLD_APISERVER);
    assert.ok(checks > 1);
    assert.deepEqual(f.out.stderr, [], 'the old component came back: no warning');
  });

  test('the restored component does not come back either: a warning, the same error', async () => {
    const f = fixture({ healthy: () => false });
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'kube-apiserver', pod('kube-apiserver', 'v1.34.0')),
      /restored the old manifest/,
    );
    assert.match(f.out.stderr.join(''), /the restored "kube-apiserver" did not come back healthy/);
  });

  test('an unchanged manifest is skipped: no backup, no hash read, file untouched', async () => {
    const f = fixture();
    let prepared = false;
    const r = await upgradeStaticPod(f.ctx, 'kube-apiserver', pod('kube-apiserver', 'v1.33.0'), {
      prepare: async () => void (prepared = true),
    });
    assert.deepEqual(r, { component: 'kube-apiserver', outcome: 'unchanged' });
    assert.equal(prepared, false, 'no certificates renewed for a component that does not restart');
    assert.deepEqual(lines(f.out), [
      '[upgrade/staticpods] Preparing for "kube-apiserver" upgrade',
      '[upgrade/staticpods] Current and new manifests of kube-apiserver are equal, skipping upgrade',
    ]);
    assert.equal(f.host.text(`${MANIFESTS}/kube-apiserver.yaml`), OLD_APISERVER);
    assert.equal(await f.host.exists(BACKUPS), false);
    assert.deepEqual(f.reads, []);
  });

  test('unchanged but renewed: the Pod is stopped and started with the same manifest, byte for byte', async () => {
    const f = fixture();
    const events: string[] = [];
    const readHash = f.ctx.readHash;
    f.ctx.readHash = async (c) => {
      const h = await readHash(c);
      if (events.at(-1) !== String(h !== undefined)) events.push(String(h !== undefined));
      return h;
    };
    const r = await upgradeStaticPod(f.ctx, 'kube-apiserver', pod('kube-apiserver', 'v1.33.0'), {
      prepare: async () => void events.push('renewed'),
      restartWhenUnchanged: true,
    });
    assert.equal(r.outcome, 'restarted');
    // Renewed first; the mirror Pod was there, went away, and came back.
    assert.deepEqual(events, ['renewed', 'true', 'false', 'true']);
    assert.deepEqual(lines(f.out), [
      '[upgrade/staticpods] Preparing for "kube-apiserver" upgrade',
      `[upgrade/staticpods] Restarting the kube-apiserver static pod and backing up its manifest to "${BACKUPS}/kube-apiserver.yaml"`,
      '[upgrade/staticpods] Waiting for the kubelet to restart the component',
      '[upgrade/staticpods] This can take up to 5m0s',
      '[upgrade/staticpods] Component "kube-apiserver" upgraded successfully!',
    ]);
    assert.equal(f.host.text(`${MANIFESTS}/kube-apiserver.yaml`), OLD_APISERVER);
    assert.equal(f.host.text(`${BACKUPS}/kube-apiserver.yaml`), OLD_APISERVER);
  });

  test('unchanged but renewed, and the kubelet never stops the Pod: the manifest is back, the error says so', async () => {
    const f = fixture({ frozenHash: true });
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'kube-apiserver', pod('kube-apiserver', 'v1.33.0'), {
        restartWhenUnchanged: true,
      }),
      /couldn't upgrade control plane component "kube-apiserver": the kubelet did not stop the static Pod of kube-apiserver on Node cp-1 within 5m0s after its manifest was taken away; restored the old manifest/,
    );
    assert.equal(f.host.text(`${MANIFESTS}/kube-apiserver.yaml`), OLD_APISERVER);
  });

  test('no mirror Pod to compare with: nothing is moved', async () => {
    const f = fixture({ noMirrorPod: true });
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'kube-apiserver', pod('kube-apiserver', 'v1.34.0')),
      /cannot upgrade "kube-apiserver": no mirror Pod kube-apiserver-cp-1 with a config hash appeared within 5m0s/,
    );
    assert.equal(f.host.text(`${MANIFESTS}/kube-apiserver.yaml`), OLD_APISERVER);
    assert.equal(await f.host.exists(BACKUPS), false);
  });

  test('a missing current manifest is an error naming it', async () => {
    const f = fixture();
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'kube-scheduler', pod('kube-scheduler', 'v1.34.0')),
      /cannot upgrade "kube-scheduler": its static Pod manifest \/etc\/kubernetes\/manifests\/kube-scheduler.yaml does not exist/,
    );
  });
});

describe('upgradeStaticPod for etcd', () => {
  const DATA = '/var/lib/etcd';
  const ETCD_BACKUP = `${TMP}/kubeadm-backup-etcd-2026-12-05-09-08-07`;

  function etcdFixture(healthy: (manifest: string, host: TestHost) => boolean | Promise<boolean>) {
    const f = fixture({ healthy: (m) => healthy(m, f.host) });
    f.host
      .seedFile(`${MANIFESTS}/etcd.yaml`, toYaml(pod('etcd', '3.5.21-0')), 0o600)
      .seedDir(DATA, 0o700)
      .seedFile(`${DATA}/member/snap/db`, 'database v1', 0o600)
      .seedFile(`${DATA}/member/wal/0.wal`, 'wal v1', 0o600);
    return f;
  }

  test('the data directory is copied and a snapshot saved before the manifest moves', async () => {
    const f = etcdFixture(() => true);
    let snapshotsTaken = 0;
    const r = await upgradeStaticPod(f.ctx, 'etcd', pod('etcd', '3.6.4-0'), {
      etcd: {
        dataDir: DATA,
        snapshot: async () => {
          snapshotsTaken++;
          // Taken while the old manifest is still in place.
          assert.equal(f.host.text(`${MANIFESTS}/etcd.yaml`), toYaml(pod('etcd', '3.5.21-0')));
          return Buffer.from('snapshot bytes');
        },
        available: async () => true,
      },
    });
    assert.equal(snapshotsTaken, 1);
    assert.equal(r.backupEtcdData, `${ETCD_BACKUP}/etcd`);
    assert.equal(r.snapshot, `${ETCD_BACKUP}/snapshot.db`);
    assert.equal(f.host.text(`${ETCD_BACKUP}/etcd/member/snap/db`), 'database v1');
    assert.equal(f.host.text(`${ETCD_BACKUP}/etcd/member/wal/0.wal`), 'wal v1');
    assert.equal(f.host.modeOf(`${ETCD_BACKUP}/etcd/member/snap/db`), 0o600);
    assert.equal(f.host.text(`${ETCD_BACKUP}/snapshot.db`), 'snapshot bytes');
    assert.equal(f.host.modeOf(`${ETCD_BACKUP}/snapshot.db`), 0o600);
    assert.deepEqual(lines(f.out), [
      '[upgrade/staticpods] Preparing for "etcd" upgrade',
      `[upgrade/etcd] Saved a snapshot of etcd to "${ETCD_BACKUP}/snapshot.db"`,
      `[upgrade/staticpods] Moving new manifest to "${MANIFESTS}/etcd.yaml" and backing up old manifest to "${BACKUPS}/etcd.yaml"`,
      '[upgrade/staticpods] Waiting for the kubelet to restart the component',
      '[upgrade/staticpods] This can take up to 5m0s',
      '[upgrade/etcd] Waiting for etcd to become available',
      '[upgrade/staticpods] Component "etcd" upgraded successfully!',
    ]);
  });

  test('a failed etcd upgrade restores the manifest and the data directory', async () => {
    // The new etcd rewrites its data and adds a file, then never becomes healthy.
    const f = etcdFixture(async (m, host) => {
      if (m.includes('3.6.4-0')) {
        await host.writeFile(`${DATA}/member/snap/db`, 'database v2', 0o600);
        await host.writeFile(`${DATA}/member/wal/1.wal`, 'wal v2', 0o600);
        return false;
      }
      return true;
    });
    const oldManifest = f.host.text(`${MANIFESTS}/etcd.yaml`);
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'etcd', pod('etcd', '3.6.4-0'), { etcd: { dataDir: DATA } }),
      (e: Error) =>
        e instanceof StaticPodUpgradeError &&
        e.message ===
          `couldn't upgrade control plane component "etcd": component "etcd" did not become healthy within 5m0s; restored the old manifest from "${BACKUPS}/etcd.yaml" and the etcd data directory from "${ETCD_BACKUP}/etcd"`,
    );
    assert.equal(f.host.text(`${MANIFESTS}/etcd.yaml`), oldManifest);
    assert.deepEqual(f.host.listFiles(DATA), [`${DATA}/member/snap/db`, `${DATA}/member/wal/0.wal`]);
    assert.equal(f.host.text(`${DATA}/member/snap/db`), 'database v1');
  });

  test('etcd that never becomes available is rolled back too', async () => {
    const f = etcdFixture(() => true);
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'etcd', pod('etcd', '3.6.4-0'), {
        etcd: { dataDir: DATA, available: async () => false },
      }),
      /etcd did not become available within 5m0s; restored the old manifest/,
    );
    assert.equal(f.host.text(`${MANIFESTS}/etcd.yaml`), toYaml(pod('etcd', '3.5.21-0')));
  });

  test('a missing data directory stops before anything changes', async () => {
    const f = etcdFixture(() => true);
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'etcd', pod('etcd', '3.6.4-0'), {
        etcd: { dataDir: '/var/lib/etcd-elsewhere' },
      }),
      /cannot upgrade "etcd": its data directory \/var\/lib\/etcd-elsewhere does not exist/,
    );
    assert.equal(f.host.text(`${MANIFESTS}/etcd.yaml`), toYaml(pod('etcd', '3.5.21-0')));
  });

  test('a failed snapshot stops before anything changes', async () => {
    const f = etcdFixture(() => true);
    await assert.rejects(
      upgradeStaticPod(f.ctx, 'etcd', pod('etcd', '3.6.4-0'), {
        etcd: {
          dataDir: DATA,
          snapshot: () => Promise.reject(new Error('connection refused')),
        },
      }),
      /cannot upgrade "etcd": taking an etcd snapshot failed, nothing was changed: connection refused/,
    );
    assert.equal(f.host.text(`${MANIFESTS}/etcd.yaml`), toYaml(pod('etcd', '3.5.21-0')));
    assert.equal(await f.host.exists(`${BACKUPS}/etcd.yaml`), false);
  });
});

describe('mirror Pod reader and Pod probe', () => {
  const mirror = (name: string, hash: string | undefined, phase: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { component: 'kube-apiserver' },
      ...(hash ? { annotations: { 'kubernetes.io/config.hash': hash } } : {}),
    },
    status: { phase },
  });

  test('reads the hash of <component>-<node>; none without the Pod or the annotation', async () => {
    const api = new MemoryCluster();
    const read = mirrorPodHashReader(api, 'cp-1');
    assert.equal(await read('kube-apiserver'), undefined);
    api.seed(mirror('kube-apiserver-cp-1', undefined, 'Running'));
    assert.equal(await read('kube-apiserver'), undefined);
    api.seed(mirror('kube-apiserver-cp-1', 'abc123', 'Running'));
    assert.equal(await read('kube-apiserver'), 'abc123');
  });

  test('healthy when every Pod with the component label runs; prints the count when it changes', async () => {
    const api = new MemoryCluster();
    const out = recordOutput();
    const probe = podsRunningProbe(api, out);
    assert.equal(await probe('kube-apiserver'), false);
    api.seed(mirror('kube-apiserver-cp-1', 'a', 'Pending'));
    assert.equal(await probe('kube-apiserver'), false);
    api.seed(mirror('kube-apiserver-cp-1', 'a', 'Running'));
    assert.equal(await probe('kube-apiserver'), true);
    assert.deepEqual(lines(out), [
      '[apiclient] Found 0 Pods for label selector component=kube-apiserver',
      '[apiclient] Found 1 Pods for label selector component=kube-apiserver',
    ]);
  });

  test("with the node named, this node's Pod must also be Ready: a crash-looping component is Running but not upgraded", async () => {
    const api = new MemoryCluster();
    const probe = podsRunningProbe(api, undefined, 'cp-1');
    const pod = mirror('kube-apiserver-cp-1', 'a', 'Running');
    api.seed(pod);
    assert.equal(await probe('kube-apiserver'), false, 'no Ready condition yet');
    api.seed({ ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } });
    assert.equal(await probe('kube-apiserver'), false, 'Running, restarting, not Ready');
    api.seed({ ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
    assert.equal(await probe('kube-apiserver'), true);
  });
});

describe('with the init renderers', () => {
  test('a patched kube-apiserver rendered for a new version replaces the one init wrote', async () => {
    const config = (version: string) =>
      loadConfigText(
        [
          'apiVersion: kubeadm.k8s.io/v1beta4',
          'kind: InitConfiguration',
          'patches:',
          '  directory: /etc/kbadm-patches',
          '---',
          'apiVersion: kubeadm.k8s.io/v1beta4',
          'kind: ClusterConfiguration',
          `kubernetesVersion: ${version}`,
          '',
        ].join('\n'),
      );
    const old = testInitData(config('v1.34.0'));
    old.host.seedFile(
      '/etc/kbadm-patches/kube-apiserver+merge.yaml',
      'metadata:\n  labels:\n    patched: "yes"\n',
    );
    const oldPod = apiServerPod(await controlPlaneInputs(old)).value;
    await writePatchedStaticPod(old, 'kube-apiserver', oldPod);
    const written = old.host.text(`${MANIFESTS}/kube-apiserver.yaml`);

    const next = { ...old, config: config('v1.34.2'), cache: newInitCache(), out: recordOutput() };
    const pod = await patchedStaticPod(
      next,
      'kube-apiserver',
      apiServerPod(await controlPlaneInputs(next)).value,
    );
    let t = 0;
    const r = await upgradeStaticPod(
      {
        host: old.host,
        out: next.out,
        dirs: DIRS,
        manifestsDir: old.paths.manifestsDir,
        nodeName: 'cp-1',
        readHash: async (c) => sha(old.host.text(`${MANIFESTS}/${c}.yaml`)),
        healthy: async () => true,
        sleep: async (ms) => void (t += ms),
        now: () => t,
      },
      'kube-apiserver',
      pod,
    );
    assert.equal(r.outcome, 'upgraded');
    const now = old.host.text(`${MANIFESTS}/kube-apiserver.yaml`);
    assert.match(now, /image: registry\.k8s\.io\/kube-apiserver:v1\.34\.2/);
    assert.match(now, /patched: "yes"/);
    assert.equal(old.host.text(`${BACKUPS}/kube-apiserver.yaml`), written);
  });
});
