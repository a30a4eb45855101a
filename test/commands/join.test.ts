// `kbadm join` in-process: a control plane made by a real `kbadm init` under one temporary root
// against an in-memory API server, and nodes joining it under other roots. The kubelet's TLS
// bootstrap is played by the test (it writes kubelet.conf once bootstrap-kubelet.conf appears);
// the lab tests run the same commands against a real control plane and kubelet.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { ClusterApiError } from '../../src/cluster/types.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE } from '../../src/tokens/cluster-info.js';
import { WORKER_JOINED } from '../../src/commands/join.js';
import { runCli } from '../support/cli.js';
import { memoryDiscovery } from '../support/memory-discovery.js';
import { tempDir } from '../support/temp.js';
import { initCluster, KEY, TOKEN, type Cluster } from '../support/memory-control-plane.js';
import { IGNORE_IN_TEMP_ROOT } from '../support/temp-root-preflight.js';

/** Plays the kubelet's TLS bootstrap: once bootstrap-kubelet.conf exists, writes kubelet.conf. */
function fakeTlsBootstrap(root: string): { stop(): void } {
  let stopped = false;
  void (async () => {
    const kdir = path.join(root, 'etc/kubernetes');
    while (!stopped && !existsSync(path.join(kdir, 'bootstrap-kubelet.conf'))) await sleep(20);
    if (stopped) return;
    const boot = readFileSync(path.join(kdir, 'bootstrap-kubelet.conf'), 'utf8');
    mkdirSync(path.join(root, 'var/lib/kubelet/pki'), { recursive: true });
    writeFileSync(path.join(root, 'var/lib/kubelet/pki/kubelet-client-current.pem'), 'cert and key\n');
    writeFileSync(
      path.join(kdir, 'kubelet.conf'),
      boot.replace(
        /^(\s*)token: .*$/m,
        '$1client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n$1client-key: /var/lib/kubelet/pki/kubelet-client-current.pem',
      ),
    );
  })();
  return { stop: () => (stopped = true) };
}

function joinArgs(root: string, c: Cluster, extra: string[] = []): string[] {
  return [
    '--rootfs',
    root,
    'join',
    '10.0.0.5:6443',
    '--token',
    TOKEN,
    '--discovery-token-ca-cert-hash',
    c.caHash,
    ...IGNORE_IN_TEMP_ROOT,
    ...extra,
  ];
}

/** A control-plane join of cp-2 (10.0.0.6) with `key`, then `extra`. */
function cpJoinArgs(root: string, c: Cluster, key: string, extra: string[] = []): string[] {
  const cp = ['--node-name', 'cp-2', '--control-plane', '--apiserver-advertise-address', '10.0.0.6'];
  return joinArgs(root, c, [...cp, '--certificate-key', key, ...extra]);
}

describe('kbadm join, in-process against an in-memory control plane', () => {
  test('a worker joins: discovery, the cluster configuration, kubelet files in join order, the TLS bootstrap', async (t) => {
    const c = await initCluster(t);
    const root = tempDir(t, 'kbadm-join-worker-');
    const kubelet = fakeTlsBootstrap(root);
    t.after(() => kubelet.stop());
    c.api.requests.length = 0;
    const discovery = memoryDiscovery(c.api, root);
    const r = await runCli(joinArgs(root, c, ['--node-name', 'worker-1']), {
      cluster: c.api.factory,
      discovery,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.endsWith(WORKER_JOINED), r.stdout);
    assert.deepEqual(discovery.fetches, ['insecure', 'with-ca']);
    assert.deepEqual(c.api.lines(), [
      'GET ConfigMap kube-system/kubeadm-config',
      'GET ConfigMap kube-system/kubelet-config',
      'GET ConfigMap kube-system/kube-proxy',
      'GET Node worker-1',
    ]);
    const lines = r.stdout.split('\n');
    const order = [
      '[preflight] Running pre-flight checks',
      '[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...',
      '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/instance-config.yaml"',
      '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"',
      '[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"',
      '[kubelet-check] Skipping the kubelet health check because the healthz port is set to 0',
      '[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap',
    ];
    let at = -1;
    for (const want of order) {
      const i = lines.indexOf(want, at + 1);
      assert.ok(i > at, `"${want}" after line ${at}:\n${r.stdout}`);
      at = i;
    }
    const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
    assert.equal(
      read('etc/kubernetes/pki/ca.crt'),
      readFileSync(path.join(c.cpRoot, 'etc/kubernetes/pki/ca.crt'), 'utf8'),
    );
    assert.ok(
      !existsSync(path.join(root, 'etc/kubernetes/bootstrap-kubelet.conf')),
      'removed after the bootstrap',
    );
    assert.match(read('var/lib/kubelet/config.yaml'), /healthzPort: 0/);
    assert.match(read('var/lib/kubelet/kubeadm-flags.env'), /--hostname-override=worker-1/);
    // A worker writes no control-plane files.
    assert.ok(!existsSync(path.join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml')));
    assert.ok(!existsSync(path.join(root, 'etc/kubernetes/admin.conf')));
  });

  test('bootstrap-kubelet.conf names the discovered server, the cluster CA and the bootstrap token user', async (t) => {
    const c = await initCluster(t);
    const root = tempDir(t, 'kbadm-join-worker-');
    const discovery = memoryDiscovery(c.api, root);
    // Stop before the wait: the file is removed at the end of the bootstrap.
    const r = await runCli(
      joinArgs(root, c, ['--node-name', 'worker-1', '--skip-phases', 'kubelet-wait-bootstrap']),
      { cluster: c.api.factory, discovery },
    );
    assert.equal(r.code, 0, r.stderr);
    const boot = readFileSync(path.join(root, 'etc/kubernetes/bootstrap-kubelet.conf'), 'utf8');
    assert.match(boot, /server: https:\/\/10\.0\.0\.5:6443/);
    assert.match(boot, /name: tls-bootstrap-token-user/);
    assert.match(boot, new RegExp(`token: ${TOKEN.replace('.', '\\.')}`));
    const ca = readFileSync(path.join(c.cpRoot, 'etc/kubernetes/pki/ca.crt'));
    assert.match(boot, new RegExp(`certificate-authority-data: ${ca.toString('base64')}`));
  });

  test('a wrong CA pin stops join before anything is written on the node', async (t) => {
    const c = await initCluster(t);
    const root = tempDir(t, 'kbadm-join-worker-');
    const wrong = `sha256:${'0'.repeat(64)}`;
    const r = await runCli(
      [
        '--rootfs',
        root,
        'join',
        '10.0.0.5:6443',
        '--token',
        TOKEN,
        '--discovery-token-ca-cert-hash',
        wrong,
        ...IGNORE_IN_TEMP_ROOT,
      ],
      { cluster: c.api.factory, discovery: memoryDiscovery(c.api, root) },
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /none of the public keys "sha256:[0-9a-f]{64}" are pinned/);
    assert.ok(!existsSync(path.join(root, 'etc')), 'nothing written');
  });

  test('a cluster-info whose signature does not match its content stops join before anything is written', async (t) => {
    const c = await initCluster(t);
    const cm = c.api
      .stored('ConfigMap')
      .find((o) => o.metadata.namespace === CLUSTER_INFO_NAMESPACE && o.metadata.name === CLUSTER_INFO_NAME)!;
    const data = (cm as unknown as { data: Record<string, string> }).data;
    // The content changed after signing: another server address slipped in.
    data.kubeconfig = data.kubeconfig!.replace('https://10.0.0.5:6443', 'https://10.0.0.66:6443');
    c.api.seed(cm);
    const root = tempDir(t, 'kbadm-join-worker-');
    const r = await runCli(joinArgs(root, c, ['--node-name', 'worker-1']), {
      cluster: c.api.factory,
      discovery: memoryDiscovery(c.api, root),
    });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /failed to verify JWS signature of received cluster info object, can't trust this API Server/,
    );
    assert.ok(!existsSync(path.join(root, 'etc')), 'nothing written');
  });

  test('a token refused after discovery (deleted, the signer not caught up yet) is said plainly', async (t) => {
    const c = await initCluster(t);
    c.api.intercept = (r) =>
      r.kind === 'ConfigMap' && r.name === 'kubeadm-config'
        ? new ClusterApiError('Unauthorized', 401, 'Unauthorized', `GET ${r.path}`)
        : undefined;
    const root = tempDir(t, 'kbadm-join-worker-');
    const r = await runCli(joinArgs(root, c, ['--node-name', 'worker-1']), {
      cluster: c.api.factory,
      discovery: memoryDiscovery(c.api, root),
    });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /^error execution phase preflight: the API server did not accept the bootstrap token with ID "abcdef": it has expired or was deleted\./m,
    );
    assert.doesNotMatch(r.stderr, /0123456789abcdef/, 'the secret is never printed');
    assert.ok(!existsSync(path.join(root, 'etc')), 'nothing written');
  });

  test('a control-plane node gets the shared CAs from kubeadm-certs, its own certificates, kubeconfigs and manifests', async (t) => {
    const c = await initCluster(t);
    const root = tempDir(t, 'kbadm-join-cp2-');
    const r = await runCli(
      // No etcd, kubelet or control plane runs in this test: the lab covers those steps.
      cpJoinArgs(root, c, KEY, [
        '--skip-phases',
        'check-etcd,etcd-join,kubelet-wait-bootstrap,wait-control-plane',
      ]),
      { cluster: c.api.factory, discovery: memoryDiscovery(c.api, root) },
    );
    assert.equal(r.code, 0, r.stderr);
    const same = (p: string) =>
      assert.deepEqual(readFileSync(path.join(root, p)), readFileSync(path.join(c.cpRoot, p)), p);
    for (const f of ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'sa.key', 'etcd/ca.crt'])
      same(`etc/kubernetes/pki/${f}`);
    assert.notDeepEqual(
      readFileSync(path.join(root, 'etc/kubernetes/pki/apiserver.crt')),
      readFileSync(path.join(c.cpRoot, 'etc/kubernetes/pki/apiserver.crt')),
      'its own serving certificate',
    );
    for (const f of [
      'admin.conf',
      'controller-manager.conf',
      'scheduler.conf',
      'manifests/kube-apiserver.yaml',
    ])
      assert.ok(existsSync(path.join(root, 'etc/kubernetes', f)), f);
    for (const f of ['super-admin.conf', 'kubelet.conf'])
      assert.ok(!existsSync(path.join(root, 'etc/kubernetes', f)), `${f} is not written`);
    assert.match(
      readFileSync(path.join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8'),
      /--advertise-address=10\.0\.0\.6/,
    );
    // Local mode: the control plane's kubelet bootstraps against its own API server.
    assert.match(
      readFileSync(path.join(root, 'etc/kubernetes/bootstrap-kubelet.conf'), 'utf8'),
      /server: https:\/\/10\.0\.0\.6:6443/,
    );
    const node = c.api.storedObject({ apiVersion: 'v1', kind: 'Node', name: 'cp-2' })!;
    assert.equal(node.metadata.labels?.['node-role.kubernetes.io/control-plane'], '');
    // Steps were skipped: the closing message says what is missing instead of claiming success.
    assert.doesNotMatch(r.stdout, /This node has joined the cluster/);
    assert.match(
      r.stdout,
      /not a complete control-plane node yet; these did not run:\n\* kubelet-wait-bootstrap .*\n\* etcd-join .*\n\* wait-control-plane /,
    );
  });

  test('--control-plane-endpoint: the node keeps the given endpoint, and preflight warns about it', async (t) => {
    const c = await initCluster(t);
    const root = tempDir(t, 'kbadm-join-worker-');
    const r = await runCli(
      joinArgs(root, c, [
        '--node-name',
        'worker-1',
        '--control-plane-endpoint',
        '127.0.0.1:1',
        '--skip-phases',
        'kubelet-wait-bootstrap',
      ]),
      { cluster: c.api.factory, discovery: memoryDiscovery(c.api, root) },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /\[WARNING ControlPlaneEndpoint\]: the control-plane endpoint "https:\/\/127\.0\.0\.1:1" differs from the API server "https:\/\/10\.0\.0\.5:6443"/,
    );
    assert.match(r.stderr, /\[WARNING ControlPlaneEndpoint\]: .*127\.0\.0\.1:1.*connection refused/);
    const boot = readFileSync(path.join(root, 'etc/kubernetes/bootstrap-kubelet.conf'), 'utf8');
    assert.match(boot, /server: https:\/\/127\.0\.0\.1:1\n/);
    assert.match(r.stdout, /\* kubelet-wait-bootstrap/);
  });

  test('a wrong certificate key fails in download-certs and writes nothing', async (t) => {
    const c = await initCluster(t);
    const root = tempDir(t, 'kbadm-join-cp2-');
    const r = await runCli(cpJoinArgs(root, c, 'd'.repeat(64)), {
      cluster: c.api.factory,
      discovery: memoryDiscovery(c.api, root),
    });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /^error execution phase control-plane-prepare\/download-certs: error downloading certs: error decoding secret data with provided key/m,
    );
    assert.ok(!existsSync(path.join(root, 'etc/kubernetes/pki')), 'nothing written');
  });

  test('a cluster without a controlPlaneEndpoint cannot take another control plane', async (t) => {
    const c = await initCluster(t);
    // Rewrite the stored ClusterConfiguration without the endpoint.
    const cm = c.api.stored('ConfigMap').find((o) => o.metadata.name === 'kubeadm-config')!;
    const data = (cm as unknown as { data: Record<string, string> }).data;
    data.ClusterConfiguration = data.ClusterConfiguration!.replace(/^controlPlaneEndpoint:.*\n/m, '');
    c.api.seed(cm);
    const root = tempDir(t, 'kbadm-join-cp2-');
    const r = await runCli(cpJoinArgs(root, c, KEY), {
      cluster: c.api.factory,
      discovery: memoryDiscovery(c.api, root),
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /doesn't have a stable controlPlaneEndpoint address/);
    assert.ok(!existsSync(path.join(root, 'etc/kubernetes/pki')), 'nothing written');
  });

  test('--dry-run discovers and reads the cluster for real, writes only into the dry-run directory', async (t) => {
    const c = await initCluster(t);
    for (const cp of [false, true]) {
      const root = tempDir(t, 'kbadm-join-dry-');
      const extra = cp
        ? ['--control-plane', '--apiserver-advertise-address', '10.0.0.6', '--certificate-key', KEY]
        : [];
      const r = await runCli(
        joinArgs(root, c, ['--node-name', cp ? 'cp-2' : 'worker-1', '--dry-run', ...extra]),
        {
          cluster: c.api.factory,
          discovery: memoryDiscovery(c.api, root),
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\[dryrun\] Finished dry-running successfully/);
      assert.match(r.stdout, /\[kubelet-start\] Would start the kubelet|Not managing the kubelet service/);
      assert.doesNotMatch(r.stdout, /This node has joined the cluster/);
      const m =
        /The files it would write are in the "(\/etc\/kubernetes\/tmp\/kubeadm-join-dryrun\d+)" directory/.exec(
          r.stdout,
        );
      assert.ok(m, r.stdout);
      assert.ok(existsSync(path.join(root, m[1]!, 'var/lib/kubelet/config.yaml')));
      if (cp) assert.ok(existsSync(path.join(root, m[1]!, 'etc/kubernetes/manifests/kube-apiserver.yaml')));
      assert.deepEqual(
        readdirSync(path.join(root, 'etc/kubernetes')),
        ['tmp'],
        'nothing outside the dry-run directory',
      );
      assert.ok(!existsSync(path.join(root, 'var')));
    }
  });

  test('a JoinConfiguration file and a single phase: kbadm join phase kubelet-start --config', async (t) => {
    const c = await initCluster(t);
    const root = tempDir(t, 'kbadm-join-cfg-');
    writeFileSync(
      path.join(root, 'join.yaml'),
      [
        'apiVersion: kubeadm.k8s.io/v1beta3',
        'kind: JoinConfiguration',
        'discovery:',
        '  bootstrapToken:',
        '    apiServerEndpoint: 10.0.0.5:6443',
        `    token: ${TOKEN}`,
        `    caCertHashes: ["${c.caHash}"]`,
        'nodeRegistration:',
        '  name: worker-9',
        '  taints: [{key: dedicated, value: infra, effect: NoSchedule}]',
        '',
      ].join('\n'),
    );
    const r = await runCli(['--rootfs', root, 'join', 'phase', 'kubelet-start', '--config', '/join.yaml'], {
      cluster: c.api.factory,
      discovery: memoryDiscovery(c.api, root),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /This node has joined/, 'a single phase prints no closing message');
    const flags = readFileSync(path.join(root, 'var/lib/kubelet/kubeadm-flags.env'), 'utf8');
    assert.match(flags, /--register-with-taints=dedicated=infra:NoSchedule/);
    assert.match(flags, /--hostname-override=worker-9/);
    assert.ok(existsSync(path.join(root, 'etc/kubernetes/bootstrap-kubelet.conf')));
  });
});
