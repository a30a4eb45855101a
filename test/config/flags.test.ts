import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KbadmError, ValidationError } from '../../src/errors.js';
import { ConfigValidationError } from '../../src/config/errors.js';
import {
  extraArgsFromFlags,
  INIT_FLAG_FIELDS,
  INIT_TOKEN_DESCRIPTION,
  isAllowedWithConfig,
  joinDocumentFromFlags,
  overrideExtraArgs,
  parseExtraArgsFlag,
  validateMixedArguments,
} from '../../src/config/flags.js';
import { resolveInitConfig, resolveJoinConfig, resolveResetConfig } from '../../src/config/resolve.js';
import { FACTS, fixedToken, readValid } from '../support/config.js';

const base = { facts: FACTS, defaulting: { skipCRIDetect: true, generateToken: fixedToken } };

describe('--config mixing', () => {
  it("allows kubeadm's list and any skip-* flag", () => {
    for (const f of [
      'config',
      'ignore-preflight-errors',
      'dry-run',
      'kubeconfig',
      'node-name',
      'kubeconfig-dir',
      'upload-certs',
      'print-join-command',
      'rootfs',
      'v',
      'log-file',
      'skip-phases',
      'skip-token-print',
    ]) {
      assert.ok(isAllowedWithConfig(f), f);
    }
    for (const f of [
      'cri-socket',
      'token',
      'pod-network-cidr',
      'apiserver-advertise-address',
      'control-plane',
    ]) {
      assert.ok(!isAllowedWithConfig(f), f);
    }
  });

  it('names the offending flags, sorted, in kubeadm words', () => {
    assert.throws(
      () => validateMixedArguments(['config', 'token', 'dry-run', 'cri-socket']),
      (e: unknown) =>
        e instanceof KbadmError && e.message === "can not mix '--config' with arguments [cri-socket token]",
    );
    validateMixedArguments(['token', 'cri-socket']);
    validateMixedArguments(['config', 'node-name', 'skip-phases']);
  });

  it('resolve* enforce it', () => {
    const text = readValid('01-single-node-minimal.yaml');
    assert.throws(
      () => resolveInitConfig({ ...base, configText: text, flags: { 'pod-network-cidr': '10.0.0.0/16' } }),
      /can not mix/,
    );
  });
});

describe('init flags', () => {
  it('every flag lands in its field', () => {
    const flags = {
      'apiserver-advertise-address': '10.1.1.1',
      'apiserver-bind-port': '7443',
      'apiserver-cert-extra-sans': ['a.example', '10.9.9.9'],
      'cert-dir': '/srv/pki',
      'certificate-key': 'ab'.repeat(32),
      'control-plane-endpoint': 'lb.example:8443',
      'cri-socket': 'unix:///var/run/crio/crio.sock',
      'dry-run': true,
      'feature-gates': 'ControlPlaneKubeletLocalMode=true',
      'ignore-preflight-errors': 'Swap,NumCPU',
      'image-repository': 'mirror.example/k8s',
      'kubernetes-version': 'v1.33.3',
      'node-name': 'CP-9',
      patches: '/etc/kubeadm/patches',
      'pod-network-cidr': '10.244.0.0/16',
      'service-cidr': '10.100.0.0/16',
      'service-dns-domain': 'corp.local',
      'skip-phases': ['addon/kube-proxy'],
      token: 'qwerty.0123456789abcdef',
      'token-ttl': '2h',
    };
    assert.deepEqual(Object.keys(flags).sort(), Object.keys(INIT_FLAG_FIELDS).sort());
    const { init, cluster } = resolveInitConfig({ ...base, flags }).config;
    assert.equal(init.localAPIEndpoint.advertiseAddress, '10.1.1.1');
    assert.equal(init.localAPIEndpoint.bindPort, 7443);
    assert.deepEqual(cluster.apiServer.certSANs, ['a.example', '10.9.9.9']);
    assert.equal(cluster.certificatesDir, '/srv/pki');
    assert.equal(init.certificateKey, 'ab'.repeat(32));
    assert.equal(cluster.controlPlaneEndpoint, 'lb.example:8443');
    assert.equal(init.nodeRegistration.criSocket, 'unix:///var/run/crio/crio.sock');
    assert.equal(init.dryRun, true);
    assert.deepEqual(cluster.featureGates, { ControlPlaneKubeletLocalMode: true });
    assert.deepEqual(init.nodeRegistration.ignorePreflightErrors, ['Swap', 'NumCPU']);
    assert.equal(cluster.imageRepository, 'mirror.example/k8s');
    assert.equal(cluster.kubernetesVersion, 'v1.33.3');
    assert.equal(init.nodeRegistration.name, 'cp-9');
    assert.deepEqual(init.patches, { directory: '/etc/kubeadm/patches' });
    assert.equal(cluster.networking.podSubnet, '10.244.0.0/16');
    assert.equal(cluster.networking.serviceSubnet, '10.100.0.0/16');
    assert.equal(cluster.networking.dnsDomain, 'corp.local');
    assert.deepEqual(init.skipPhases, ['addon/kube-proxy']);
    assert.deepEqual(init.bootstrapTokens, [
      {
        token: 'qwerty.0123456789abcdef',
        description: INIT_TOKEN_DESCRIPTION,
        ttl: 2 * 3_600_000,
        usages: ['signing', 'authentication'],
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
      },
    ]);
  });

  it('without flags: all defaults, one generated token with the init description', () => {
    const { init, cluster } = resolveInitConfig({ ...base, flags: {} }).config;
    assert.equal(init.bootstrapTokens.length, 1);
    assert.equal(init.bootstrapTokens[0]!.token, fixedToken());
    assert.equal(init.bootstrapTokens[0]!.description, INIT_TOKEN_DESCRIPTION);
    assert.equal(cluster.networking.serviceSubnet, '10.96.0.0/12');
  });

  it('a bad flag value is reported against the field and names the flag', () => {
    assert.throws(
      () => resolveInitConfig({ ...base, flags: { 'pod-network-cidr': '10.244.0.0/33' } }),
      (e: unknown) =>
        e instanceof ConfigValidationError &&
        e.problems.some(
          (p) =>
            p.field === 'ClusterConfiguration.networking.podSubnet' &&
            p.detail.endsWith('(from --pod-network-cidr)'),
        ),
    );
    assert.throws(
      () => resolveInitConfig({ ...base, flags: { 'apiserver-bind-port': 'x' } }),
      ValidationError,
    );
    assert.throws(
      () => resolveInitConfig({ ...base, flags: { 'feature-gates': 'Nope=true' } }),
      /unrecognized feature-gate key: Nope/,
    );
  });

  it('with --config, the allowed flags apply on top of the file', () => {
    const text = readValid('01-single-node-minimal.yaml');
    const r = resolveInitConfig({
      ...base,
      configText: text,
      flags: {
        'node-name': 'Flag-Node',
        'dry-run': true,
        'ignore-preflight-errors': 'Swap',
        'skip-phases': 'addon/coredns',
      },
    }).config.init;
    assert.equal(r.nodeRegistration.name, 'flag-node');
    assert.equal(r.dryRun, true);
    assert.ok(r.nodeRegistration.ignorePreflightErrors.includes('swap'));
    assert.deepEqual(r.skipPhases, ['addon/coredns']);
  });
});

describe('join flags', () => {
  it('token discovery from the positional endpoint; --token fills both tokens', () => {
    const j = resolveJoinConfig({
      ...base,
      args: ['10.0.0.1:6443'],
      flags: {
        token: 'abcdef.0123456789abcdef',
        'discovery-token-ca-cert-hash': ['sha256:' + 'a'.repeat(64)],
        'node-name': 'w1',
      },
    }).config;
    assert.deepEqual(j.discovery.bootstrapToken, {
      token: 'abcdef.0123456789abcdef',
      apiServerEndpoint: '10.0.0.1:6443',
      caCertHashes: ['sha256:' + 'a'.repeat(64)],
      unsafeSkipCAVerification: false,
    });
    assert.equal(j.discovery.tlsBootstrapToken, 'abcdef.0123456789abcdef');
    assert.equal(j.controlPlane, undefined);
    assert.equal(j.nodeRegistration.taints, null);
  });

  it('separate discovery and TLS tokens win over --token', () => {
    const { document } = joinDocumentFromFlags(
      {
        token: 'tttttt.0123456789abcdef',
        'discovery-token': 'dddddd.0123456789abcdef',
        'tls-bootstrap-token': 'ssssss.0123456789abcdef',
      },
      ['h:6443'],
    );
    const d = document.discovery as { bootstrapToken: { token: string }; tlsBootstrapToken: string };
    assert.equal(d.bootstrapToken.token, 'dddddd.0123456789abcdef');
    assert.equal(d.tlsBootstrapToken, 'ssssss.0123456789abcdef');
  });

  it('file discovery and a control-plane join', () => {
    const r = resolveJoinConfig({
      ...base,
      flags: {
        'discovery-file': 'https://example.com/ci.conf',
        'tls-bootstrap-token': 'abcdef.0123456789abcdef',
        'control-plane': true,
        'apiserver-advertise-address': '10.0.0.7',
        'apiserver-bind-port': 7443,
        'certificate-key': 'cd'.repeat(32),
      },
    });
    assert.deepEqual(r.config.controlPlane, {
      localAPIEndpoint: { advertiseAddress: '10.0.0.7', bindPort: 7443 },
      certificateKey: 'cd'.repeat(32),
    });
    assert.equal(r.config.discovery.file!.kubeConfigPath, 'https://example.com/ci.conf');
    assert.equal(r.config.discovery.bootstrapToken, undefined);
  });

  it('several endpoints: the first is used, with a warning', () => {
    const two = resolveJoinConfig({
      ...base,
      args: ['a:6443', 'b:6443'],
      flags: { token: 'abcdef.0123456789abcdef', 'discovery-token-unsafe-skip-ca-verification': true },
    });
    assert.match(
      two.warnings.join('\n'),
      /More than one API server endpoint supplied on command line \[a:6443 b:6443\]/,
    );
    assert.equal(two.config.discovery.bootstrapToken!.apiServerEndpoint, 'a:6443');
  });

  it('an endpoint next to --discovery-file sets both discoveries, which kubeadm rejects', () => {
    assert.throws(
      () =>
        resolveJoinConfig({
          ...base,
          args: ['a:6443'],
          flags: { 'discovery-file': '/k.conf', token: 'abcdef.0123456789abcdef' },
        }),
      /bootstrapToken and file cannot both be set/,
    );
  });

  it('without an endpoint or a file there is no discovery', () => {
    assert.throws(
      () => resolveJoinConfig({ ...base, flags: { token: 'abcdef.0123456789abcdef' } }),
      (e: unknown) =>
        e instanceof ConfigValidationError &&
        e.problems.some((p) => p.field.startsWith('JoinConfiguration.discovery')),
    );
  });
});

describe('reset flags', () => {
  it('map onto ResetConfiguration', () => {
    const r = resolveResetConfig({
      ...base,
      flags: {
        'cert-dir': '/srv/pki',
        'cleanup-tmp-dir': true,
        'cri-socket': 'unix:///x.sock',
        'dry-run': true,
        force: true,
        'ignore-preflight-errors': 'all',
        'skip-phases': 'cleanup-node',
      },
    }).config;
    assert.deepEqual(
      { ...r, timeouts: undefined },
      {
        cleanupTmpDir: true,
        certificatesDir: '/srv/pki',
        criSocket: 'unix:///x.sock',
        dryRun: true,
        force: true,
        ignorePreflightErrors: ['all'],
        skipPhases: ['cleanup-node'],
        unmountFlags: [],
        timeouts: undefined,
      },
    );
  });

  it('--force may not be mixed with --config', () => {
    assert.throws(
      () =>
        resolveResetConfig({
          ...base,
          configText: readValid('18-reset-configuration.yaml'),
          flags: { force: true },
        }),
      /can not mix '--config' with arguments \[force\]/,
    );
  });
});

describe('parseExtraArgsFlag (--apiserver-extra-args)', () => {
  it('k=v pairs, sorted by name, the last value for a repeated key wins', () => {
    assert.deepEqual(parseExtraArgsFlag('v=2,audit-log-path=/a,v=4', 'apiserver-extra-args'), [
      { name: 'audit-log-path', value: '/a' },
      { name: 'v', value: '4' },
    ]);
  });
  it('an item without "=" is an error naming the flag', () => {
    assert.throws(() => parseExtraArgsFlag('profiling', 'scheduler-extra-args'), /--scheduler-extra-args/);
  });
});

describe('the deprecated --*-extra-args flags', () => {
  it("become each component's extraArgs, parsed and sorted", () => {
    assert.deepEqual(
      extraArgsFromFlags({
        'apiserver-extra-args': 'v=4,audit-log-path=/a',
        'scheduler-extra-args': 'profiling=false',
        'dry-run': true,
      }),
      {
        apiServer: [
          { name: 'audit-log-path', value: '/a' },
          { name: 'v', value: '4' },
        ],
        scheduler: [{ name: 'profiling', value: 'false' }],
      },
    );
    assert.deepEqual(extraArgsFromFlags({}), {});
  });

  it('win over the same arguments from the configuration and keep the others', () => {
    const config = resolveInitConfig({
      ...base,
      configText: readValid('10-v1beta3-extra-args-volumes.yaml'),
      flags: {},
    }).config;
    const before = config.cluster.apiServer.extraArgs;
    assert.ok(before.length > 1, 'the fixture sets several apiServer extraArgs');
    const replaced = before[0]!.name;
    overrideExtraArgs(config.cluster, { apiServer: [{ name: replaced, value: 'from-flag' }] });
    const after = config.cluster.apiServer.extraArgs;
    assert.deepEqual(
      after.filter((a) => a.name === replaced),
      [{ name: replaced, value: 'from-flag' }],
    );
    assert.deepEqual(
      after.filter((a) => a.name !== replaced),
      before.filter((a) => a.name !== replaced),
    );
  });
});
