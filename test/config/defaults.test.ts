import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KbadmError } from '../../src/errors.js';
import { ConfigValidationError } from '../../src/config/errors.js';
import {
  applyInitDynamicDefaults,
  applyJoinDynamicDefaults,
  applyResetDynamicDefaults,
  CONTROL_PLANE_TAINT,
  detectCRISocket,
  KNOWN_CRI_SOCKETS,
  normalizeKubernetesVersion,
  type DefaultingFacts,
} from '../../src/config/defaults.js';
import {
  defaultComponentConfigs,
  defaultKubeletConfig,
  defaultKubeProxyConfig,
} from '../../src/config/component-configs.js';
import { decodeConfig } from '../../src/config/load.js';
import type {
  ClusterConfiguration,
  InitConfig,
  InitConfiguration,
  Timeouts,
} from '../../src/config/model.js';
import { DEFAULT_KUBERNETES_VERSION } from '../../src/version.js';
import { FACTS, fixedToken } from '../support/config.js';

const M = 60_000;
const H = 60 * M;

const TIMEOUTS: Timeouts = {
  controlPlaneComponentHealthCheck: 4 * M,
  kubeletHealthCheck: 4 * M,
  kubernetesAPICall: 1 * M,
  etcdAPICall: 2 * M,
  tlsBootstrap: 5 * M,
  discovery: 5 * M,
  upgradeManifests: 5 * M,
};

function decode(kind: string, version = 'v1beta4', body = ''): ReturnType<typeof decodeConfig>['documents'] {
  return decodeConfig(`apiVersion: kubeadm.k8s.io/${version}\nkind: ${kind}\n${body}`).documents;
}

function initConfig(body = '', clusterBody = ''): InitConfig {
  const init = decode('InitConfiguration', 'v1beta4', body).init!;
  const cluster = decode('ClusterConfiguration', 'v1beta4', clusterBody).cluster!;
  return { init, cluster, componentConfigs: {} };
}

describe('static defaults', () => {
  for (const version of ['v1beta3', 'v1beta4']) {
    it(`InitConfiguration (${version})`, () => {
      const expected: InitConfiguration = {
        bootstrapTokens: [
          {
            token: '',
            description: '',
            ttl: 24 * H,
            usages: ['signing', 'authentication'],
            groups: ['system:bootstrappers:kubeadm:default-node-token'],
          },
        ],
        dryRun: false,
        nodeRegistration: {
          name: '',
          criSocket: '',
          taints: null,
          kubeletExtraArgs: [],
          ignorePreflightErrors: [],
          imagePullPolicy: 'IfNotPresent',
          imagePullSerial: true,
        },
        localAPIEndpoint: { advertiseAddress: '', bindPort: 6443 },
        certificateKey: '',
        skipPhases: [],
        timeouts: TIMEOUTS,
      };
      assert.deepEqual(decode('InitConfiguration', version).init, expected);
    });

    it(`ClusterConfiguration (${version})`, () => {
      const expected: ClusterConfiguration = {
        etcd: {
          local: {
            imageRepository: '',
            imageTag: '',
            dataDir: '/var/lib/etcd',
            extraArgs: [],
            extraEnvs: [],
            serverCertSANs: [],
            peerCertSANs: [],
          },
        },
        networking: { serviceSubnet: '10.96.0.0/12', podSubnet: '', dnsDomain: 'cluster.local' },
        kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
        controlPlaneEndpoint: '',
        apiServer: { extraArgs: [], extraVolumes: [], extraEnvs: [], certSANs: [] },
        controllerManager: { extraArgs: [], extraVolumes: [], extraEnvs: [] },
        scheduler: { extraArgs: [], extraVolumes: [], extraEnvs: [] },
        dns: { imageRepository: '', imageTag: '', disabled: false },
        proxy: { disabled: false },
        certificatesDir: '/etc/kubernetes/pki',
        imageRepository: 'registry.k8s.io',
        featureGates: {},
        clusterName: 'kubernetes',
        encryptionAlgorithm: 'RSA-2048',
        certificateValidityPeriod: 8760 * H,
        caCertificateValidityPeriod: 87600 * H,
      };
      assert.deepEqual(decode('ClusterConfiguration', version).cluster, expected);
    });

    it(`JoinConfiguration (${version})`, () => {
      const join = decode(
        'JoinConfiguration',
        version,
        'discovery:\n  bootstrapToken:\n    token: abcdef.0123456789abcdef\ncontrolPlane: {}\n',
      ).join!;
      assert.equal(join.caCertPath, '/etc/kubernetes/pki/ca.crt');
      assert.equal(join.dryRun, false);
      assert.deepEqual(join.discovery, {
        bootstrapToken: {
          token: 'abcdef.0123456789abcdef',
          apiServerEndpoint: '',
          caCertHashes: [],
          unsafeSkipCAVerification: false,
        },
        tlsBootstrapToken: 'abcdef.0123456789abcdef',
      });
      assert.deepEqual(join.controlPlane, {
        localAPIEndpoint: { advertiseAddress: '', bindPort: 6443 },
        certificateKey: '',
      });
      assert.deepEqual(join.timeouts, TIMEOUTS);
      assert.equal(join.nodeRegistration.imagePullPolicy, 'IfNotPresent');
      assert.equal(join.nodeRegistration.imagePullSerial, true);
      assert.equal(join.nodeRegistration.taints, null);
    });
  }

  it('external etcd replaces the local default', () => {
    const c = decode(
      'ClusterConfiguration',
      'v1beta4',
      'etcd:\n  external:\n    endpoints: [https://e:2379]\n',
    ).cluster!;
    assert.equal(c.etcd.local, undefined);
    assert.deepEqual(c.etcd.external, {
      endpoints: ['https://e:2379'],
      caFile: '',
      certFile: '',
      keyFile: '',
    });
  });

  it('a token gets the default lifetime only without an expiry', () => {
    const i = decode(
      'InitConfiguration',
      'v1beta4',
      'bootstrapTokens:\n- expires: "2030-01-01T00:00:00Z"\n- ttl: 1h\n',
    ).init!;
    assert.equal(i.bootstrapTokens[0]!.ttl, undefined);
    assert.equal(i.bootstrapTokens[0]!.expires, '2030-01-01T00:00:00Z');
    assert.equal(i.bootstrapTokens[1]!.ttl, H);
  });

  it('a file:// discovery URL becomes its path; https stays', () => {
    const j = decode(
      'JoinConfiguration',
      'v1beta4',
      'discovery:\n  file:\n    kubeConfigPath: file:///etc/k%20s/ci.conf\n',
    ).join!;
    assert.equal(j.discovery.file!.kubeConfigPath, '/etc/k s/ci.conf');
    const h = decode(
      'JoinConfiguration',
      'v1beta4',
      'discovery:\n  file:\n    kubeConfigPath: https://x/y\n',
    ).join!;
    assert.equal(h.discovery.file!.kubeConfigPath, 'https://x/y');
  });

  it('a fieldRef without apiVersion defaults to v1', () => {
    const c = decode(
      'ClusterConfiguration',
      'v1beta4',
      'apiServer:\n  extraEnvs:\n  - name: NODE\n    valueFrom:\n      fieldRef:\n        fieldPath: spec.nodeName\n',
    ).cluster!;
    assert.deepEqual(c.apiServer.extraEnvs[0], {
      name: 'NODE',
      valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } },
    });
  });

  it('ResetConfiguration and UpgradeConfiguration', () => {
    assert.deepEqual(decode('ResetConfiguration').reset, {
      cleanupTmpDir: false,
      certificatesDir: '/etc/kubernetes/pki',
      criSocket: '',
      dryRun: false,
      force: false,
      ignorePreflightErrors: [],
      skipPhases: [],
      unmountFlags: [],
      timeouts: TIMEOUTS,
    });
    assert.deepEqual(decode('UpgradeConfiguration').upgrade, {
      apply: {
        kubernetesVersion: '',
        certificateRenewal: true,
        etcdUpgrade: true,
        ignorePreflightErrors: [],
        skipPhases: [],
        imagePullPolicy: 'IfNotPresent',
        imagePullSerial: true,
      },
      diff: { kubernetesVersion: '', contextLines: 0 },
      node: {
        certificateRenewal: true,
        etcdUpgrade: true,
        ignorePreflightErrors: [],
        skipPhases: [],
        imagePullPolicy: 'IfNotPresent',
        imagePullSerial: true,
      },
      plan: { kubernetesVersion: '', ignorePreflightErrors: [], etcdUpgrade: true },
      timeouts: TIMEOUTS,
    });
  });

  it('explicit values are kept, zero ports fall back to 6443', () => {
    const i = decode(
      'InitConfiguration',
      'v1beta4',
      'localAPIEndpoint:\n  bindPort: 0\nnodeRegistration:\n  taints: []\n',
    ).init!;
    assert.equal(i.localAPIEndpoint.bindPort, 6443);
    assert.deepEqual(i.nodeRegistration.taints, []);
  });
});

describe('dynamic defaults', () => {
  const opts = { generateToken: fixedToken };

  it('node name is the hostname lower-cased; a given name is trimmed and lower-cased', () => {
    assert.equal(
      applyInitDynamicDefaults(initConfig(), FACTS, opts).value.init.nodeRegistration.name,
      'node-a',
    );
    const given = applyInitDynamicDefaults(initConfig('nodeRegistration:\n  name: " CP-2 "\n'), FACTS, opts);
    assert.equal(given.value.init.nodeRegistration.name, 'cp-2');
    assert.throws(
      () => applyInitDynamicDefaults(initConfig(), { ...FACTS, hostname: '  ' }, opts),
      (e: unknown) =>
        e instanceof ConfigValidationError &&
        e.problems[0]!.field === 'InitConfiguration.nodeRegistration.name',
    );
  });

  it('advertise address comes from the default route; none gives 0.0.0.0 with a warning', () => {
    assert.equal(
      applyInitDynamicDefaults(initConfig(), FACTS, opts).value.init.localAPIEndpoint.advertiseAddress,
      '192.168.0.10',
    );
    const unspecified = applyInitDynamicDefaults(
      initConfig('localAPIEndpoint:\n  advertiseAddress: 0.0.0.0\n'),
      FACTS,
      opts,
    );
    assert.equal(unspecified.value.init.localAPIEndpoint.advertiseAddress, '192.168.0.10');
    const noRoute: DefaultingFacts = { hostname: 'h', criSocketsPresent: [] };
    const r = applyInitDynamicDefaults(initConfig(), noRoute, opts);
    assert.equal(r.value.init.localAPIEndpoint.advertiseAddress, '0.0.0.0');
    assert.match(r.warnings.join('\n'), /could not obtain a bind address for the API Server/);
    const given = applyInitDynamicDefaults(
      initConfig('localAPIEndpoint:\n  advertiseAddress: 10.1.2.3\n'),
      noRoute,
      opts,
    );
    assert.equal(given.value.init.localAPIEndpoint.advertiseAddress, '10.1.2.3');
  });

  it('rejects an advertise address that is not an IP', () => {
    assert.throws(
      () =>
        applyInitDynamicDefaults(
          initConfig('localAPIEndpoint:\n  advertiseAddress: cp.example\n'),
          FACTS,
          opts,
        ),
      /couldn't use "cp.example" as "apiserver-advertise-address", must be ipv4 or ipv6 address/,
    );
  });

  it('CRI socket detection: none → containerd, one → it, several → kubeadm error', () => {
    assert.equal(detectCRISocket([]), 'unix:///var/run/containerd/containerd.sock');
    assert.equal(detectCRISocket(['unix:///var/run/crio/crio.sock']), 'unix:///var/run/crio/crio.sock');
    assert.throws(
      () => detectCRISocket([...KNOWN_CRI_SOCKETS]),
      (e: unknown) =>
        e instanceof KbadmError &&
        e.message ===
          "found multiple CRI endpoints on the host. Please define which one do you wish to use by setting the 'criSocket' field in the kubeadm configuration file: unix:///var/run/containerd/containerd.sock, unix:///var/run/crio/crio.sock, unix:///var/run/cri-dockerd.sock",
    );
    const crio = applyInitDynamicDefaults(
      initConfig(),
      { ...FACTS, criSocketsPresent: ['unix:///var/run/crio/crio.sock'] },
      opts,
    );
    assert.equal(crio.value.init.nodeRegistration.criSocket, 'unix:///var/run/crio/crio.sock');
    const skipped = applyInitDynamicDefaults(
      initConfig(),
      { ...FACTS, criSocketsPresent: [...KNOWN_CRI_SOCKETS] },
      { ...opts, skipCRIDetect: true },
    );
    assert.equal(skipped.value.init.nodeRegistration.criSocket, 'unix:///var/run/containerd/containerd.sock');
  });

  it('a socket without a scheme gets unix:// and a warning', () => {
    const r = applyInitDynamicDefaults(
      initConfig('nodeRegistration:\n  criSocket: /run/crio.sock\n'),
      FACTS,
      opts,
    );
    assert.equal(r.value.init.nodeRegistration.criSocket, 'unix:///run/crio.sock');
    assert.match(
      r.warnings.join('\n'),
      /Automatically prepending scheme "unix" to the "criSocket" with value "\/run\/crio.sock"/,
    );
    const reset = applyResetDynamicDefaults(
      decode('ResetConfiguration', 'v1beta4', 'criSocket: /x.sock\n').reset!,
      FACTS,
    );
    assert.equal(reset.value.criSocket, 'unix:///x.sock');
    assert.equal(reset.warnings.length, 1);
  });

  it('control-plane taint when taints are unset; [] stays empty; workers get none', () => {
    assert.deepEqual(applyInitDynamicDefaults(initConfig(), FACTS, opts).value.init.nodeRegistration.taints, [
      CONTROL_PLANE_TAINT,
    ]);
    assert.deepEqual(
      applyInitDynamicDefaults(initConfig('nodeRegistration:\n  taints: []\n'), FACTS, opts).value.init
        .nodeRegistration.taints,
      [],
    );
    const worker = decode(
      'JoinConfiguration',
      'v1beta4',
      'discovery:\n  file:\n    kubeConfigPath: /k\n',
    ).join!;
    assert.equal(applyJoinDynamicDefaults(worker, FACTS).value.nodeRegistration.taints, null);
    const cp = decode(
      'JoinConfiguration',
      'v1beta4',
      'discovery:\n  file:\n    kubeConfigPath: /k\ncontrolPlane: {}\n',
    ).join!;
    const j = applyJoinDynamicDefaults(cp, FACTS).value;
    assert.deepEqual(j.nodeRegistration.taints, [CONTROL_PLANE_TAINT]);
    assert.equal(j.controlPlane!.localAPIEndpoint.advertiseAddress, '192.168.0.10');
  });

  it('empty tokens get a generated value; given ones stay', () => {
    const r = applyInitDynamicDefaults(
      initConfig('bootstrapTokens:\n- token: zzzzzz.0123456789abcdef\n- description: second\n'),
      FACTS,
      { generateToken: () => 'gen000.0000000000000000' },
    );
    assert.deepEqual(
      r.value.init.bootstrapTokens.map((t) => t.token),
      ['zzzzzz.0123456789abcdef', 'gen000.0000000000000000'],
    );
    const random = applyInitDynamicDefaults(initConfig(), FACTS).value.init.bootstrapTokens[0]!.token;
    assert.match(random, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  });

  it('does not change its input', () => {
    const cfg = initConfig();
    const before = structuredClone(cfg);
    applyInitDynamicDefaults(cfg, FACTS, opts);
    assert.deepEqual(cfg, before);
  });

  it('controlPlaneEndpoint without a port gets the bind port; certSANs are lower-cased', () => {
    const r = applyInitDynamicDefaults(
      initConfig(
        'localAPIEndpoint:\n  bindPort: 7443\n',
        'controlPlaneEndpoint: lb.example.com\napiServer:\n  certSANs: [API.Example.com]\n',
      ),
      FACTS,
      opts,
    );
    assert.equal(r.value.cluster.controlPlaneEndpoint, 'lb.example.com:7443');
    assert.deepEqual(r.value.cluster.apiServer.certSANs, ['api.example.com']);
    const v6 = applyInitDynamicDefaults(initConfig('', 'controlPlaneEndpoint: "fd00::1"\n'), FACTS, opts);
    assert.equal(v6.value.cluster.controlPlaneEndpoint, '[fd00::1]:6443');
  });

  it('kubernetesVersion: v added, labels fall back offline with a warning, too old is an error', () => {
    const w: string[] = [];
    assert.equal(normalizeKubernetesVersion('1.34.1', 'f', {}, w), 'v1.34.1');
    assert.equal(normalizeKubernetesVersion('stable-1', 'f', {}, w), DEFAULT_KUBERNETES_VERSION);
    assert.match(w.join('\n'), /falling back to the local client version/);
    assert.equal(
      normalizeKubernetesVersion('stable', 'f', { resolveVersionLabel: () => 'v1.34.2' }, []),
      'v1.34.2',
    );
    assert.throws(() => normalizeKubernetesVersion('banana', 'f', {}, []), /doesn't match patterns/);
    assert.throws(
      () => normalizeKubernetesVersion('v1.30.0', 'ClusterConfiguration.kubernetesVersion', {}, []),
      (e: unknown) =>
        e instanceof ConfigValidationError &&
        e.problems[0]!.field === 'ClusterConfiguration.kubernetesVersion' &&
        /control plane version >= 1\.33\.0/.test(e.message),
    );
  });

  it('kubernetesVersion: a component too large for a Go uint is refused, not turned into 1e+23', () => {
    const big = 'v1.34.99999999999999999999999';
    assert.throws(
      () => normalizeKubernetesVersion(big, 'ClusterConfiguration.kubernetesVersion', {}, []),
      (e: unknown) =>
        e instanceof ConfigValidationError &&
        e.message ===
          `ClusterConfiguration.kubernetesVersion: "${big}": couldn't parse Kubernetes version "${big}": illegal non-numeric version component "99999999999999999999999" in "${big}": strconv.ParseUint: parsing "99999999999999999999999": value out of range`,
    );
    // The largest uint64 is still a version, written out digit for digit.
    assert.equal(
      normalizeKubernetesVersion('v1.34.18446744073709551615', 'f', {}, []),
      'v1.34.18446744073709551615',
    );
  });
});

describe('component configs', () => {
  const cluster = (body = ''): ClusterConfiguration =>
    decode('ClusterConfiguration', 'v1beta4', body).cluster!;

  it('kubelet: kubeadm values when unset', () => {
    const w: string[] = [];
    assert.deepEqual(defaultKubeletConfig({}, cluster(), w), {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      staticPodPath: '/etc/kubernetes/manifests',
      clusterDNS: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      authentication: {
        x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' },
        anonymous: { enabled: false },
        webhook: { enabled: true },
      },
      authorization: { mode: 'Webhook' },
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      rotateCertificates: true,
      cgroupDriver: 'systemd',
    });
    assert.deepEqual(w, []);
  });

  it('kubelet: follows the cluster, keeps user values and warns about differing ones', () => {
    const w: string[] = [];
    const c = defaultKubeletConfig(
      {
        cgroupDriver: 'cgroupfs',
        staticPodPath: '/srv/manifests',
        clusterDNS: ['1.1.1.1'],
        rotateCertificates: false,
      },
      cluster(
        'networking:\n  serviceSubnet: 10.200.0.0/16\n  dnsDomain: corp.local\ncertificatesDir: /pki\n',
      ),
      w,
    );
    assert.equal(c.cgroupDriver, 'cgroupfs');
    assert.equal(c.staticPodPath, '/srv/manifests');
    assert.deepEqual(c.clusterDNS, ['1.1.1.1']);
    assert.equal(c.clusterDomain, 'corp.local');
    assert.equal(c.rotateCertificates, true);
    assert.deepEqual((c.authentication as { x509: unknown }).x509, { clientCAFile: '/pki/ca.crt' });
    assert.ok(
      w.includes(
        'The recommended value for "staticPodPath" in "KubeletConfiguration" is: /etc/kubernetes/manifests; the provided value is: /srv/manifests',
      ),
    );
    assert.ok(
      w.includes(
        'The recommended value for "clusterDNS" in "KubeletConfiguration" is: [10.200.0.10]; the provided value is: [1.1.1.1]',
      ),
    );
  });

  it('kube-proxy: bind address by family, clusterCIDR from podSubnet, kubeconfig path', () => {
    const w: string[] = [];
    const ep = { advertiseAddress: '192.168.0.10', bindPort: 6443 };
    assert.deepEqual(
      defaultKubeProxyConfig({}, cluster('networking:\n  podSubnet: 10.244.0.0/16\n'), ep, w),
      {
        apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
        kind: 'KubeProxyConfiguration',
        bindAddress: '0.0.0.0',
        clusterCIDR: '10.244.0.0/16',
        clientConnection: { kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf' },
      },
    );
    const v6 = defaultKubeProxyConfig({}, cluster(), { advertiseAddress: 'fd00::10', bindPort: 6443 }, w);
    assert.equal(v6.bindAddress, '::');
    assert.equal(v6.clusterCIDR, undefined);
    assert.deepEqual(w, []);
  });

  it('user-supplied configs stay marked; generated ones are not', () => {
    const r = defaultComponentConfigs(
      cluster(),
      { advertiseAddress: '10.0.0.1', bindPort: 6443 },
      {
        kubelet: {
          config: { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', maxPods: 50 },
          userSupplied: true,
        },
      },
    );
    assert.equal(r.value.kubelet!.userSupplied, true);
    assert.equal(r.value.kubelet!.config.maxPods, 50);
    assert.equal(r.value.kubeProxy!.userSupplied, false);
  });

  it('init defaulting fills both component configs', () => {
    const r = applyInitDynamicDefaults(initConfig('', 'networking:\n  podSubnet: 10.244.0.0/16\n'), FACTS, {
      generateToken: fixedToken,
    });
    assert.equal(r.value.componentConfigs.kubeProxy!.config.clusterCIDR, '10.244.0.0/16');
    assert.deepEqual(r.value.componentConfigs.kubelet!.config.clusterDNS, ['10.96.0.10']);
  });
});
