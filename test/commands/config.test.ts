import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configCommand } from '../../src/commands/config.js';
import { ConfigValidationError } from '../../src/config/errors.js';
import { ValidationError } from '../../src/errors.js';
import { createTestHost, type TestHost } from '../../src/host/test-host.js';
import { createTestRuntime, type TestRuntime } from '../../src/host/test-runtime.js';
import { decodeConfig } from '../../src/config/load.js';
import { runOnHost, type HostRun } from '../support/host-cli.js';

type Run = HostRun;

async function run(args: string[], host: TestHost = createTestHost()): Promise<Run> {
  return runOnHost(configCommand, args, host);
}

async function fails(args: string[], host?: TestHost): Promise<unknown> {
  try {
    await run(args, host);
  } catch (e) {
    return e;
  }
  assert.fail(`expected ${args.join(' ')} to fail`);
}

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/configs/${name}`, import.meta.url), 'utf8');

const INIT_DEFAULTS = `apiVersion: kubeadm.k8s.io/v1beta4
bootstrapTokens:
- groups:
  - system:bootstrappers:kubeadm:default-node-token
  token: abcdef.0123456789abcdef
  ttl: 24h0m0s
  usages:
  - signing
  - authentication
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 1.2.3.4
  bindPort: 6443
nodeRegistration:
  criSocket: unix:///var/run/containerd/containerd.sock
  imagePullPolicy: IfNotPresent
  imagePullSerial: true
  name: node
  taints: null
timeouts:
  controlPlaneComponentHealthCheck: 4m0s
  discovery: 5m0s
  etcdAPICall: 2m0s
  kubeletHealthCheck: 4m0s
  kubernetesAPICall: 1m0s
  tlsBootstrap: 5m0s
  upgradeManifests: 5m0s
---
apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controllerManager: {}
dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: 1.34.0
networking:
  dnsDomain: cluster.local
  serviceSubnet: 10.96.0.0/12
proxy: {}
scheduler: {}
`;

describe('kbadm config print', () => {
  it('init-defaults prints what kubeadm prints', async () => {
    assert.equal((await run(['print', 'init-defaults'])).stdout, INIT_DEFAULTS);
  });

  for (const which of ['init', 'join', 'reset', 'upgrade']) {
    it(`${which}-defaults loads back through config validate unchanged`, async () => {
      const printed = (await run(['print', `${which}-defaults`])).stdout;
      const host = createTestHost().seedFile('/cfg/defaults.yaml', printed);
      const r = await run(['validate', '--config', '/cfg/defaults.yaml'], host);
      assert.equal(r.stdout, 'ok\n');
      assert.equal(r.stderr, '');
    });
  }

  it('init-defaults with component configs loads back through config validate unchanged', async () => {
    const args = [
      'print',
      'init-defaults',
      '--component-configs',
      'KubeletConfiguration,KubeProxyConfiguration',
    ];
    const printed = (await run(args)).stdout;
    const host = createTestHost().seedFile('/cfg/defaults.yaml', printed);
    const r = await run(['validate', '--config', '/cfg/defaults.yaml'], host);
    assert.equal(r.stdout, 'ok\n');
    assert.equal(r.stderr, '');
  });

  it('join-defaults names the node after the host', async () => {
    const r = await run(['print', 'join-defaults'], createTestHost({ facts: { hostname: 'Worker-7' } }));
    assert.match(r.stdout, /\n {2}name: worker-7\n/);
    assert.match(r.stdout, /apiServerEndpoint: kube-apiserver:6443/);
    assert.match(r.stdout, /tlsBootstrapToken: abcdef.0123456789abcdef/);
  });

  it('--component-configs appends the kubeadm-defaulted component configs', async () => {
    const r = await run([
      'print',
      'init-defaults',
      '--component-configs',
      'KubeletConfiguration,KubeProxyConfiguration',
    ]);
    const docs = r.stdout.split('---\n');
    assert.equal(docs.length, 4);
    assert.match(docs[2]!, /^apiVersion: kubelet.config.k8s.io\/v1beta1\n/);
    assert.match(docs[2]!, /cgroupDriver: systemd/);
    assert.match(docs[3]!, /kind: KubeProxyConfiguration/);
    const e = await fails(['print', 'init-defaults', '--component-configs', 'Kubelet']);
    assert.match(
      String(e),
      /--component-configs needs to contain some of \[KubeProxyConfiguration KubeletConfiguration\]/,
    );
  });

  it('takes no arguments and accepts the parent --kubeconfig flag', async () => {
    await fails(['print', 'reset-defaults', 'extra']);
    const r = await run(['--kubeconfig', '/tmp/admin.conf', 'print', 'upgrade-defaults']);
    assert.match(r.stdout, /kind: UpgradeConfiguration/);
  });
});

describe('kbadm config validate', () => {
  it('requires --config', async () => {
    assert.match(String(await fails(['validate'])), /the --config flag is mandatory/);
  });

  it('reports every problem with field paths and lines (exit 3)', async () => {
    const host = createTestHost().seedFile('/c.yaml', fixture('invalid/bad-pod-subnet-cidr.yaml'));
    const e = await fails(['validate', '--config', '/c.yaml'], host);
    assert.ok(e instanceof ConfigValidationError);
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /ClusterConfiguration\.networking\.podSubnet: .* \(\/c\.yaml:\d+:\d+\)/);
  });

  it('a missing file is one clear error naming it', async () => {
    const e = await fails(['validate', '--config', '/missing.yaml'], createTestHost());
    assert.equal(
      String((e as Error).message),
      'unable to read config from "/missing.yaml": no such file or directory',
    );
  });

  it('unknown fields are errors here', async () => {
    const host = createTestHost().seedFile('/c.yaml', fixture('invalid/unknown-field.yaml'));
    const e = await fails(['validate', '--config', '/c.yaml'], host);
    assert.ok(e instanceof ConfigValidationError);
    assert.match(e.message, /strict decoding error: unknown field "networking.podCIDR"/);
  });

  it('checks that a discovery file exists on the host, as kubeadm does', async () => {
    const text = [
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: JoinConfiguration',
      'discovery:',
      '  file:',
      '    kubeConfigPath: /etc/kubernetes/discovery.conf',
      '  tlsBootstrapToken: abcdef.0123456789abcdef',
    ].join('\n');
    const missing = createTestHost().seedFile('/c.yaml', text);
    const e = await fails(['validate', '--config', '/c.yaml'], missing);
    assert.ok(e instanceof ConfigValidationError);
    assert.match(
      e.message,
      /JoinConfiguration\.discovery\.file\.kubeConfigPath: "\/etc\/kubernetes\/discovery\.conf": not a valid HTTPS URL or a file on disk/,
    );
    const present = createTestHost()
      .seedFile('/c.yaml', text)
      .seedFile('/etc/kubernetes/discovery.conf', 'apiVersion: v1\nkind: Config\n');
    assert.equal((await run(['validate', '--config', '/c.yaml'], present)).stdout, 'ok\n');
  });

  it('prints warnings on stderr and still says ok', async () => {
    const host = createTestHost().seedFile('/c.yaml', fixture('20-timeouts-encryption-validity.yaml'));
    const r = await run(['validate', '--config', '/c.yaml'], host);
    assert.equal(r.stdout, 'ok\n');
    assert.match(r.stderr, /\[WARNING\] certificateValidityPeriod: the value 17520h0m0s/);
  });
});

describe('kbadm config migrate', () => {
  it('writes v1beta4 to stdout, with host facts filled in', async () => {
    const host = createTestHost({
      facts: { hostname: 'cp-1', defaultRouteAddress: '192.168.0.10' },
    }).seedFile('/old.yaml', fixture('10-v1beta3-extra-args-volumes.yaml'));
    const r = await run(['migrate', '--old-config', '/old.yaml'], host);
    const docs = decodeConfig(r.stdout, { strict: true });
    assert.deepEqual(docs.documents.sourceVersions, {
      InitConfiguration: 'kubeadm.k8s.io/v1beta4',
      ClusterConfiguration: 'kubeadm.k8s.io/v1beta4',
    });
    assert.equal(docs.documents.init!.localAPIEndpoint.advertiseAddress, '192.168.0.10');
    assert.equal(docs.documents.init!.nodeRegistration.name, 'cp-audit-1');
    assert.match(r.stdout, /extraArgs:\n {2}- name: audit-log-maxage\n {4}value: "30"/);
  });

  it('writes --new-config with mode 0644', async () => {
    const host = createTestHost().seedFile('/old.yaml', fixture('18-reset-configuration.yaml'));
    const r = await run(['migrate', '--old-config', '/old.yaml', '--new-config', '/new.yaml'], host);
    assert.equal(r.stdout, '');
    assert.equal(host.modeOf('/new.yaml'), 0o644);
    assert.match(host.text('/new.yaml'), /^apiVersion: kubeadm.k8s.io\/v1beta4\n/);
    assert.ok(decodeConfig(host.text('/new.yaml')).documents.reset);
  });

  it('requires --old-config and rejects invalid files', async () => {
    assert.match(String(await fails(['migrate'])), /the --old-config flag is mandatory/);
    const host = createTestHost().seedFile('/old.yaml', fixture('invalid/bad-bind-port.yaml'));
    assert.ok((await fails(['migrate', '--old-config', '/old.yaml'], host)) instanceof ValidationError);
  });
});

describe('kbadm config images', () => {
  const DEFAULT_IMAGES = [
    'registry.k8s.io/kube-apiserver:v1.34.0',
    'registry.k8s.io/kube-controller-manager:v1.34.0',
    'registry.k8s.io/kube-scheduler:v1.34.0',
    'registry.k8s.io/kube-proxy:v1.34.0',
    'registry.k8s.io/coredns/coredns:v1.12.1',
    'registry.k8s.io/pause:3.10.1',
    'registry.k8s.io/etcd:3.6.4-0',
  ];

  it('list: text, json and yaml', async () => {
    assert.equal((await run(['images', 'list'])).stdout, `${DEFAULT_IMAGES.join('\n')}\n`);
    const json = (await run(['images', 'list', '-o', 'json'])).stdout;
    assert.deepEqual(JSON.parse(json), {
      kind: 'Images',
      apiVersion: 'output.kubeadm.k8s.io/v1alpha3',
      images: DEFAULT_IMAGES,
    });
    assert.match(json, /^\{\n {4}"kind": "Images",\n {4}"apiVersion"/);
    const yaml = (await run(['images', 'list', '-o', 'yaml'])).stdout;
    assert.match(
      yaml,
      /^apiVersion: output.kubeadm.k8s.io\/v1alpha3\nimages:\n- registry.k8s.io\/kube-apiserver:v1.34.0\n/,
    );
    assert.match(yaml, /kind: Images\n$/);
    assert.ok((await fails(['images', 'list', '-o', 'wide'])) instanceof ValidationError);
  });

  it('list: flags choose version and repository; --config wins over them', async () => {
    const r = await run([
      'images',
      'list',
      '--kubernetes-version',
      'v1.33.2',
      '--image-repository',
      'mirror.example',
    ]);
    assert.match(r.stdout, /^mirror.example\/kube-apiserver:v1.33.2\n/);
    assert.match(r.stdout, /mirror.example\/coredns:v1.12.1\n/);
    assert.match(r.stdout, /mirror.example\/etcd:3.5.21-0\n$/);
    const host = createTestHost().seedFile('/c.yaml', fixture('06-external-etcd.yaml'));
    const fromFile = await run(
      ['images', 'list', '--config', '/c.yaml', '--image-repository', 'ignored.example'],
      host,
    );
    assert.doesNotMatch(fromFile.stdout, /ignored\.example|etcd:/);
  });

  /** A test host whose runtime records which endpoint each connection asked for. */
  function withRuntime(runtime: TestRuntime = createTestRuntime()): { host: TestHost; endpoints: string[] } {
    const endpoints: string[] = [];
    const host = createTestHost().setRuntime((endpoint) => {
      endpoints.push(endpoint);
      return runtime;
    });
    return { host, endpoints };
  }
  const pulls = (runtime: TestRuntime) =>
    runtime.calls.filter((c) => c.method === 'pullImage').map((c) => c.target);

  it('pull: one CRI PullImage per image on the detected socket, with progress lines, then the connection is closed', async () => {
    const runtime = createTestRuntime();
    const { host, endpoints } = withRuntime(runtime);
    host.seedSocket('/var/run/crio/crio.sock');
    const r = await run(['images', 'pull'], host);
    assert.deepEqual(endpoints, ['unix:///var/run/crio/crio.sock']);
    assert.deepEqual(pulls(runtime), DEFAULT_IMAGES);
    assert.equal(r.stdout, DEFAULT_IMAGES.map((i) => `[config/images] Pulled ${i}\n`).join(''));
    assert.ok(runtime.closed);
  });

  it('pull: a stale socket file nobody listens on is not detected; the containerd default is used', async () => {
    const { host, endpoints } = withRuntime();
    host.seedSocket('/var/run/crio/crio.sock', { answers: false });
    await run(['images', 'pull'], host);
    assert.deepEqual(endpoints, ['unix:///var/run/containerd/containerd.sock']);
  });

  it("pull: --cri-socket, and five attempts before failing with the last error, in kubeadm's words", async () => {
    const runtime = createTestRuntime().failPull(
      DEFAULT_IMAGES[0]!,
      'rpc error: code = NotFound desc = not found',
    );
    const { host, endpoints } = withRuntime(runtime);
    const e = await fails(['images', 'pull', '--cri-socket', 'unix:///run/custom.sock'], host);
    assert.deepEqual(pulls(runtime), Array(5).fill(DEFAULT_IMAGES[0]));
    assert.equal(
      (e as Error).message,
      'failed to pull image "registry.k8s.io/kube-apiserver:v1.34.0": failed to pull image registry.k8s.io/kube-apiserver:v1.34.0: rpc error: code = NotFound desc = not found',
    );
    assert.deepEqual(endpoints, ['unix:///run/custom.sock']);
  });

  it('pull: a socket path without a scheme gets unix://, with the warning', async () => {
    const { host, endpoints } = withRuntime();
    const r = await run(['images', 'pull', '--cri-socket', '/run/custom.sock'], host);
    assert.deepEqual(endpoints, ['unix:///run/custom.sock']);
    assert.match(r.stderr, /Automatically prepending scheme "unix" to the "criSocket"/);
  });

  it('pull: the socket is looked for and dialled under --rootfs', async () => {
    const endpoints: string[] = [];
    const host = createTestHost({ rootfs: '/srv/node1' })
      .seedSocket('/srv/node1/var/run/crio/crio.sock')
      .setRuntime((endpoint) => {
        endpoints.push(endpoint);
        return createTestRuntime();
      });
    await run(['images', 'pull'], host);
    assert.deepEqual(endpoints, ['unix:///srv/node1/var/run/crio/crio.sock']);
  });

  it('pull: a failed attempt is retried, then the next image follows', async () => {
    const runtime = createTestRuntime().failPull(
      DEFAULT_IMAGES[0]!,
      'rpc error: code = Unavailable desc = x',
      2,
    );
    const { host } = withRuntime(runtime);
    const r = await run(['images', 'pull'], host);
    assert.deepEqual(pulls(runtime), [DEFAULT_IMAGES[0], DEFAULT_IMAGES[0], ...DEFAULT_IMAGES]);
    assert.equal(r.stdout.split('\n').filter(Boolean).length, DEFAULT_IMAGES.length);
  });

  it('pull: a runtime that does not answer is one error, and nothing is pulled', async () => {
    const host = createTestHost().setRuntime(() => {
      throw new Error(
        'failed to create new CRI runtime service: dial unix /var/run/containerd/containerd.sock',
      );
    });
    const e = await fails(['images', 'pull'], host);
    assert.match((e as Error).message, /^failed to create new CRI runtime service: .*containerd\.sock$/);
  });

  it('pull: --config chooses the socket and images; --cri-socket is then ignored, as in kubeadm', async () => {
    const runtime = createTestRuntime();
    const { host, endpoints } = withRuntime(runtime);
    host.seedFile('/c.yaml', fixture('05-ha-endpoint-vip.yaml'));
    await run(['images', 'pull', '--config', '/c.yaml', '--cri-socket', 'unix:///run/other.sock'], host);
    assert.ok(pulls(runtime).length > 0);
    assert.deepEqual(endpoints, ['unix:///var/run/crio/crio.sock']);
  });

  it("pull: several CRI sockets without --cri-socket is kubeadm's error", async () => {
    const { host, endpoints } = withRuntime();
    host.seedSocket('/var/run/containerd/containerd.sock').seedSocket('/var/run/crio/crio.sock');
    assert.match(String(await fails(['images', 'pull'], host)), /found multiple CRI endpoints on the host/);
    assert.deepEqual(endpoints, []);
  });
});
