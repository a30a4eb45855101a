import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/errors.js';
import { ConfigValidationError } from '../../src/config/errors.js';
import {
  decodeConfig,
  loadAllConfig,
  loadInitConfig,
  loadJoinConfig,
  loadResetConfig,
  loadUpgradeConfig,
  type LoadOptions,
} from '../../src/config/load.js';
import {
  expectedInvalid,
  FACTS,
  fixedToken,
  invalidFiles,
  readInvalid,
  readValid,
  validFiles,
} from '../support/config.js';

const opts = (extra: Partial<LoadOptions> = {}): LoadOptions => ({
  facts: FACTS,
  defaulting: { skipCRIDetect: true, generateToken: fixedToken },
  ...extra,
});

function problemsOf(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigValidationError, `expected ConfigValidationError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('corpus', () => {
  for (const f of validFiles()) {
    it(`${f} loads strictly, as config validate does`, () => {
      const r = loadAllConfig(readValid(f), opts({ strict: true, source: f, command: 'validate' }));
      assert.ok(r.init || r.join || r.reset || r.upgrade, 'some kind was loaded');
      const expectWarnings = f.startsWith('20-') ? 1 : 0;
      assert.equal(r.warnings.length, expectWarnings, r.warnings.join('\n'));
    });
  }

  const expected = expectedInvalid();
  for (const f of invalidFiles()) {
    it(`invalid/${f} is rejected naming ${expected[f]?.join(', ')}`, () => {
      const e = problemsOf(() =>
        loadAllConfig(readInvalid(f), opts({ strict: true, source: f, command: 'validate' })),
      );
      assert.ok(e instanceof ValidationError);
      assert.equal(e.exitCode, 3);
      const fields = e.problems.map((p) => p.field);
      for (const want of expected[f] ?? ['<no expectation>']) {
        assert.ok(
          fields.some((x) => x.includes(want)),
          `${want} not among ${JSON.stringify(fields)}`,
        );
      }
      // Every problem the file caused carries a line (the files are small and each mistake is on a line).
      assert.ok(
        e.problems.some((p) => typeof p.line === 'number' && p.line > 0),
        e.message,
      );
      assert.match(e.message, new RegExp(`${f.replace('.', '\\.')}:\\d+`));
    });
  }

  it('the expectations cover every invalid file', () => {
    assert.deepEqual(Object.keys(expectedInvalid()).sort(), invalidFiles());
  });
});

describe('documents', () => {
  it('reports YAML syntax errors with line and column', () => {
    const e = problemsOf(() =>
      decodeConfig('kind: InitConfiguration\napiVersion: [a,\nb: c: d\n', { source: 'x.yaml' }),
    );
    assert.ok(e.problems.every((p) => p.line !== undefined && p.line >= 2));
    assert.match(e.message, /x\.yaml:\d+:\d+/);
  });

  it('requires apiVersion and kind in every document', () => {
    const e = problemsOf(() =>
      decodeConfig('apiVersion: kubeadm.k8s.io/v1beta4\n---\nkind: InitConfiguration\n'),
    );
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.line]),
      [
        ['kind', 1],
        ['apiVersion', 3],
      ],
    );
    assert.match(e.problems[0]!.detail, /kind and apiVersion is mandatory information/);
  });

  it('rejects a kind given twice', () => {
    const doc = 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n';
    const e = problemsOf(() => decodeConfig(`${doc}---\n${doc}`));
    assert.equal(e.problems.length, 1);
    assert.equal(
      e.problems[0]!.detail,
      'invalid configuration: kind "ClusterConfiguration" is specified twice in YAML file',
    );
    assert.equal(e.problems[0]!.line, 4);
  });

  it('rejects old kubeadm API versions with the migrate hint', () => {
    const e = problemsOf(() => decodeConfig('apiVersion: kubeadm.k8s.io/v1beta2\nkind: InitConfiguration\n'));
    assert.match(e.message, /old API spec: "kubeadm\.k8s\.io\/v1beta2".*kubeadm v1\.22/);
  });

  it('knows Reset and Upgrade only in v1beta4', () => {
    for (const kind of ['ResetConfiguration', 'UpgradeConfiguration']) {
      const e = problemsOf(() => decodeConfig(`apiVersion: kubeadm.k8s.io/v1beta3\nkind: ${kind}\n`));
      assert.equal(e.problems[0]!.field, `${kind}.apiVersion`);
      assert.match(e.problems[0]!.detail, /no kind .* is registered for version "kubeadm.k8s.io\/v1beta3"/);
    }
  });

  it('skips unknown kinds with a warning, but rejects them strictly', () => {
    const text =
      'apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n';
    const d = decodeConfig(text);
    assert.deepEqual(d.warnings, [
      '[config] WARNING: Ignored configuration document with GroupVersionKind apps/v1, Kind=Deployment',
    ]);
    const e = problemsOf(() => decodeConfig(text, { strict: true }));
    assert.equal(e.problems[0]!.field, 'kind');
    assert.match(e.problems[0]!.detail, /unknown configuration APIs: apps\/v1, Kind=Deployment/);
  });

  it('ignores other kinds of the component-config groups silently', () => {
    const d = decodeConfig(
      'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: CredentialProviderConfig\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n',
    );
    assert.deepEqual(d.warnings, []);
  });

  it('rejects a component config in an unsupported version', () => {
    const e = problemsOf(() =>
      decodeConfig('apiVersion: kubelet.config.k8s.io/v1\nkind: KubeletConfiguration\n'),
    );
    assert.match(e.message, /unexpected apiVersion "kubelet.config.k8s.io\/v1"/);
  });

  it('warns about unknown and duplicate fields during init, with the line', () => {
    const text = [
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: ClusterConfiguration',
      'networking:',
      '  podCIDR: 10.244.0.0/16',
      '  dnsDomain: a.local',
      '  dnsDomain: b.local',
    ].join('\n');
    const r = loadInitConfig(text, opts({ source: 'c.yaml' }));
    assert.equal(r.config.cluster.networking.dnsDomain, 'b.local', 'the last duplicate wins');
    assert.deepEqual(
      r.warnings.filter((w) => w.includes('strict decoding error')),
      [
        'error unmarshaling configuration kubeadm.k8s.io/v1beta4, Kind=ClusterConfiguration: strict decoding error: unknown field "networking.podCIDR" (c.yaml:4:3)',
        'error unmarshaling configuration kubeadm.k8s.io/v1beta4, Kind=ClusterConfiguration: strict decoding error: duplicate field "networking.dnsDomain" (c.yaml:6:3)',
      ],
    );
    const e = problemsOf(() => loadAllConfig(text, opts({ strict: true })));
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.line]),
      [
        ['ClusterConfiguration.networking.podCIDR', 4],
        ['ClusterConfiguration.networking.dnsDomain', 6],
      ],
    );
  });

  it('field names are case-sensitive', () => {
    const r = decodeConfig(
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nClusterName: x\n',
    );
    assert.equal(r.documents.cluster!.clusterName, 'kubernetes');
    assert.match(r.warnings.join(), /unknown field "ClusterName"/);
  });

  it('wrong types are errors in every mode, with kubeadm-like text', () => {
    const text = [
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: InitConfiguration',
      'localAPIEndpoint:',
      '  bindPort: "6443"',
      'nodeRegistration:',
      '  taints: {}',
      'dryRun: "yes please"',
    ].join('\n');
    const e = problemsOf(() => decodeConfig(text));
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.detail, p.line]),
      [
        [
          'InitConfiguration.localAPIEndpoint.bindPort',
          'cannot unmarshal string into Go value of type int32',
          4,
        ],
        [
          'InitConfiguration.nodeRegistration.taints',
          'cannot unmarshal object into Go value of type []Taint',
          6,
        ],
        ['InitConfiguration.dryRun', 'cannot unmarshal string into Go value of type bool', 7],
      ],
    );
  });

  it('reads YAML 1.1 booleans as kubeadm does', () => {
    const d = decodeConfig('apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\ndryRun: yes\n');
    assert.equal(d.documents.init!.dryRun, true);
  });

  it('reads JSON', () => {
    const d = decodeConfig(readValid('21-cluster-only.json'));
    assert.equal(d.documents.cluster!.proxy.disabled, true);
  });

  it('warns about the deprecated v1beta3 outside validate/migrate', () => {
    const d = decodeConfig('apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n');
    assert.match(d.warnings[0]!, /deprecated API spec: "kubeadm\.k8s\.io\/v1beta3"/);
    assert.deepEqual(
      decodeConfig('apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n', { strict: true })
        .warnings,
      [],
    );
  });
});

describe('extraArgs', () => {
  it('v1beta3 maps become name-sorted lists; positions follow', () => {
    const text = [
      'apiVersion: kubeadm.k8s.io/v1beta3',
      'kind: ClusterConfiguration',
      'apiServer:',
      '  extraArgs:',
      '    v: "4"',
      '    "": x',
    ].join('\n');
    const e = problemsOf(() => loadInitConfig(text, opts()));
    const p = e.problems.find((x) => x.field.startsWith('ClusterConfiguration.apiServer.extraArgs'));
    assert.ok(p?.line, e.message);
    const ok = loadInitConfig(text.replace('"": x', 'audit-log-path: /a'), opts());
    assert.deepEqual(ok.config.cluster.apiServer.extraArgs, [
      { name: 'audit-log-path', value: '/a' },
      { name: 'v', value: '4' },
    ]);
  });

  it('v1beta4 lists keep order and repeated names', () => {
    const r = loadInitConfig(readValid('11-v1beta4-extra-args-envs.yaml'), opts());
    const issuers = r.config.cluster.apiServer.extraArgs.filter((a) => a.name === 'service-account-issuer');
    assert.equal(issuers.length, 2);
  });

  it('a v1beta3 map value must be a string', () => {
    const e = problemsOf(() =>
      decodeConfig(
        'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    v: 4\n',
      ),
    );
    assert.equal(e.problems[0]!.field, 'ClusterConfiguration.apiServer.extraArgs[v]');
  });
});

describe('per-command loading', () => {
  it('init needs InitConfiguration or ClusterConfiguration', () => {
    const e = problemsOf(() =>
      loadInitConfig('apiVersion: kubeadm.k8s.io/v1beta4\nkind: ResetConfiguration\n', opts()),
    );
    assert.match(e.message, /no InitConfiguration or ClusterConfiguration kind was found/);
  });

  it('v1beta3 timeoutForControlPlane and discovery.timeout land in the v1beta4 timeouts', () => {
    const init = loadInitConfig(
      'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  timeoutForControlPlane: 7m\n',
      opts(),
    );
    assert.equal(init.config.init.timeouts.controlPlaneComponentHealthCheck, 7 * 60_000);
    const join = loadJoinConfig(
      readValid('16-join-worker-file.yaml').replace('timeout: 5m0s', 'timeout: 2m30s'),
      opts(),
    );
    assert.equal(join.config.timeouts.discovery, 150_000);
  });

  it('join, reset and upgrade each need or default their kind', () => {
    assert.throws(
      () => loadJoinConfig('apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n', opts()),
      /no JoinConfiguration/,
    );
    assert.throws(
      () => loadResetConfig('apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n', opts()),
      /no ResetConfiguration/,
    );
    const up = loadUpgradeConfig('apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n', opts());
    assert.equal(up.config.apply.etcdUpgrade, true);
    assert.match(
      up.warnings.join('\n'),
      /is deprecated for upgrade, please use config file with kind of UpgradeConfiguration/,
    );
  });

  it('validation problems carry the line of the field', () => {
    const e = problemsOf(() => loadInitConfig(readInvalid('bad-bind-port.yaml'), opts({ source: 'b.yaml' })));
    const p = e.problems.find((x) => x.field === 'InitConfiguration.localAPIEndpoint.bindPort');
    assert.ok(p?.line, e.message);
    const lines = readInvalid('bad-bind-port.yaml').split('\n');
    assert.match(lines[p.line - 1]!, /bindPort/);
  });

  it('collects problems of several kinds into one error', () => {
    const text = [readInvalid('bad-unmount-flags.yaml'), readInvalid('bad-image-pull-policy.yaml')].join(
      '\n---\n',
    );
    const e = problemsOf(() => loadAllConfig(text, opts({ strict: true })));
    const fields = e.problems.map((p) => p.field);
    assert.ok(fields.some((f) => f.startsWith('ResetConfiguration.unmountFlags')));
    assert.ok(fields.some((f) => f.startsWith('InitConfiguration.nodeRegistration.imagePullPolicy')));
    assert.match(e.message, /^2 problems/);
  });
});

describe('component configs', () => {
  const CLUSTER = 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n';
  const kubelet = (...lines: string[]): string =>
    `${CLUSTER}---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n${lines.join('\n')}\n`;
  const kubeProxy = (...lines: string[]): string =>
    `${CLUSTER}---\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n${lines.join('\n')}\n`;

  it('unknown and duplicate fields warn during init with path and line, and are dropped', () => {
    const text = kubelet(
      'cgroupDriver: systemd',
      'maxPod: 250',
      'authentication:',
      '  x509:',
      '    caFile: /ca.crt',
    );
    const r = loadInitConfig(text, opts({ source: 'c.yaml' }));
    assert.deepEqual(
      r.warnings.filter((w) => w.includes('strict decoding error')),
      [
        'error unmarshaling configuration kubelet.config.k8s.io/v1beta1, Kind=KubeletConfiguration: strict decoding error: unknown field "maxPod" (c.yaml:7:1)',
        'error unmarshaling configuration kubelet.config.k8s.io/v1beta1, Kind=KubeletConfiguration: strict decoding error: unknown field "authentication.x509.caFile" (c.yaml:10:5)',
      ],
    );
    const cfg = r.config.componentConfigs.kubelet!.config;
    assert.equal(cfg.maxPod, undefined);
    assert.equal((cfg.authentication as { x509: Record<string, unknown> }).x509.caFile, undefined);
    assert.equal(cfg.cgroupDriver, 'systemd');
  });

  it('unknown and duplicate fields are errors for config validate', () => {
    const e = problemsOf(() =>
      loadAllConfig(
        kubeProxy('mode: ipvs', 'mode: iptables', 'ipvs:', '  strictArp: true'),
        opts({ strict: true }),
      ),
    );
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.detail, p.line]),
      [
        ['KubeProxyConfiguration.mode', 'strict decoding error: duplicate field "mode"', 7],
        ['KubeProxyConfiguration.ipvs.strictArp', 'strict decoding error: unknown field "ipvs.strictArp"', 9],
      ],
    );
  });

  it('wrong types are errors in every mode', () => {
    const e = problemsOf(() =>
      decodeConfig(kubelet('maxPods: many', 'clusterDNS: 10.96.0.10', 'syncFrequency: 1 minute')),
    );
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.detail, p.line]),
      [
        ['KubeletConfiguration.maxPods', 'cannot unmarshal string into Go value of type int32', 6],
        ['KubeletConfiguration.clusterDNS', 'cannot unmarshal string into Go value of type []string', 7],
        ['KubeletConfiguration.syncFrequency', 'time: invalid duration "1 minute"', 8],
      ],
    );
  });

  it('values are carried as written (durations stay text) under the kubeadm defaults', () => {
    const r = loadInitConfig(
      kubelet(
        'syncFrequency: 90s',
        'evictionHard:',
        '  memory.available: 200Mi',
        'logging:',
        '  format: json',
      ),
      opts(),
    );
    const cfg = r.config.componentConfigs.kubelet!.config;
    assert.equal(cfg.syncFrequency, '90s');
    assert.deepEqual(cfg.evictionHard, { 'memory.available': '200Mi' });
    assert.deepEqual(cfg.logging, { format: 'json' });
    assert.equal(cfg.cgroupDriver, 'systemd');
  });

  it('values the kubelet or kube-proxy would reject fail validation with path and line', () => {
    const e = problemsOf(() =>
      loadInitConfig(kubelet('cgroupDriver: cgroups', 'clusterDNS:', '- 10.96.0.10', '- coredns'), opts()),
    );
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.line]),
      [
        ['KubeletConfiguration.cgroupDriver', 6],
        ['KubeletConfiguration.clusterDNS[1]', 9],
      ],
    );
    const p = problemsOf(() => loadAllConfig(kubeProxy('mode: ebpf', 'clusterCIDR: 10.244.0.0'), opts()));
    assert.deepEqual(
      p.problems.map((x) => [x.field, x.line]),
      [
        ['KubeProxyConfiguration.mode', 6],
        ['KubeProxyConfiguration.clusterCIDR', 7],
      ],
    );
  });

  it('a component config given twice is an error', () => {
    const text =
      kubelet('maxPods: 10') + '---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';
    assert.match(
      problemsOf(() => decodeConfig(text)).message,
      /kind "KubeletConfiguration" is specified twice/,
    );
  });
});
