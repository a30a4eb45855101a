import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goQuote, kubeletFiles, kubeletFlags, kubeletFlagsEnvFile } from '../../../src/manifests/kubelet.js';
import { createPatchSet } from '../../../src/patches/patches.js';
import { kubeletStartPhase, runKubeletStart } from '../../../src/phases/init/kubelet-start.js';
import { CONFIGS_DIR, lines, loadConfigFile } from '../../support/manifests.js';
import { testInitData, type TestInitData } from '../../support/init-data.js';

const initConfig = () => loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);

/** A systemd host whose kubelet unit exists; `resolved` says whether systemd-resolved runs. */
function systemd(
  run: TestInitData,
  opts: { resolved?: boolean; restartFails?: boolean; unit?: boolean } = {},
): TestInitData {
  run.host.onRun('systemctl', (args) => {
    if (args[0] === 'is-active')
      return opts.resolved ? { stdout: 'active\n' } : { stdout: 'inactive\n', exitCode: 3 };
    if (args[0] === 'status') {
      return opts.unit === false
        ? { stdout: 'Unit kubelet.service could not be found.\n   Loaded: not-found\n', exitCode: 4 }
        : { stdout: 'kubelet.service - kubelet\n   Loaded: loaded\n', exitCode: 3 };
    }
    if (args[0] === 'restart' && opts.restartFails)
      return { exitCode: 1, stderr: 'Job for kubelet.service failed' };
    return {};
  });
  return run;
}

describe('init phase kubelet-start', () => {
  test('stops the kubelet, writes the three files, reloads systemd and restarts the kubelet', async () => {
    const run = systemd(testInitData(initConfig()));
    await runKubeletStart(run);
    assert.deepEqual(
      run.host.runs.map((r) => [r.command, ...r.args].join(' ')),
      [
        'systemctl status kubelet',
        'systemctl stop kubelet',
        'systemctl is-active systemd-resolved',
        'systemctl status kubelet',
        'systemctl daemon-reload',
        'systemctl restart kubelet',
      ],
    );
    assert.deepEqual(run.host.listFiles('/var/lib/kubelet'), [
      '/var/lib/kubelet/config.yaml',
      '/var/lib/kubelet/instance-config.yaml',
      '/var/lib/kubelet/kubeadm-flags.env',
    ]);
    for (const f of run.host.listFiles('/var/lib/kubelet')) assert.equal(run.host.modeOf(f), 0o644, f);
    assert.equal(run.host.modeOf('/var/lib/kubelet'), 0o700);
    assert.deepEqual(lines(run.out), [
      '[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"',
      '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/instance-config.yaml"',
      '[patches] Applied patch of type "application/strategic-merge-patch+json" to target "kubeletconfiguration"',
      '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"',
      '[kubelet-start] Starting the kubelet',
    ]);
  });

  test('instance-config.yaml holds only the quoted CRI endpoint, as kubeadm writes it', async () => {
    const s = initConfig();
    s.init.nodeRegistration.criSocket = 'unix:///var/run/crio/crio.sock';
    const run = systemd(testInitData(s));
    await runKubeletStart(run);
    assert.equal(
      run.host.text('/var/lib/kubelet/instance-config.yaml'),
      'containerRuntimeEndpoint: "unix:///var/run/crio/crio.sock"\n',
    );
    assert.match(
      run.host.text('/var/lib/kubelet/config.yaml'),
      /\ncontainerRuntimeEndpoint: unix:\/\/\/var\/run\/crio\/crio\.sock\n/,
    );
  });

  test('config.yaml: kubeadm defaults, cluster DNS = 10th service IP, the CRI socket from instance config', async () => {
    const s = initConfig();
    s.cluster.networking.serviceSubnet = '10.100.0.0/16';
    const run = systemd(testInitData(s));
    // The component config was defaulted at load time for the default subnet; re-default here.
    const { defaultKubeletConfig } = await import('../../../src/config/component-configs.js');
    s.componentConfigs.kubelet!.config = defaultKubeletConfig({}, s.cluster, []);
    await runKubeletStart(run);
    const config = run.host.text('/var/lib/kubelet/config.yaml');
    for (const line of [
      'cgroupDriver: systemd',
      'clusterDNS:\n- 10.100.0.10',
      'clusterDomain: cluster.local',
      'staticPodPath: /etc/kubernetes/manifests',
      'rotateCertificates: true',
      'containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock',
      '  anonymous:\n    enabled: false',
      '  webhook:\n    enabled: true',
      '  mode: Webhook',
    ]) {
      assert.ok(config.includes(line), `${line}\n---\n${config}`);
    }
    assert.doesNotMatch(config, /resolvConf/);
  });

  test('systemd-resolved running: resolvConf points at its real file', async () => {
    const run = systemd(testInitData(initConfig()), { resolved: true });
    await runKubeletStart(run);
    assert.match(
      run.host.text('/var/lib/kubelet/config.yaml'),
      /resolvConf: \/run\/systemd\/resolve\/resolv\.conf/,
    );
  });

  test('no init system: says so clearly and still writes every file', async () => {
    const run = testInitData(initConfig());
    await runKubeletStart(run);
    assert.equal(run.host.runs.length, 0);
    assert.equal(run.host.listFiles('/var/lib/kubelet').length, 3);
    const out = lines(run.out);
    assert.ok(
      out.includes(
        "[kubelet-start] No supported init system detected, won't make sure the kubelet is running properly.",
      ),
      out.join('\n'),
    );
  });

  test('no kubelet unit, or a failing restart: reported, the phase continues', async () => {
    const missing = systemd(testInitData(initConfig()), { unit: false });
    await runKubeletStart(missing);
    assert.ok(
      lines(missing.out).includes(
        "[kubelet-start] Couldn't detect a kubelet service, can't make sure the kubelet is running properly.",
      ),
    );
    const failing = systemd(testInitData(initConfig()), { restartFails: true });
    await runKubeletStart(failing);
    assert.match(failing.out.stderr.join(''), /unable to start the kubelet service/);
    assert.ok(
      lines(failing.out).includes('[kubelet-start] Please ensure kubelet is reloaded and running manually.'),
    );
  });

  test('dry run: nothing is stopped or started', async () => {
    const run = { ...systemd(testInitData(initConfig())), dryRun: true };
    await runKubeletStart(run);
    assert.deepEqual(
      run.host.runs.map((r) => r.args.join(' ')),
      ['is-active systemd-resolved'],
      'only the read-only query',
    );
    const out = lines(run.out);
    assert.equal(out[0], '[kubelet-start] Would stop the kubelet');
    assert.equal(out[out.length - 1], '[kubelet-start] Would start the kubelet');
  });

  test('NodeLocalCRISocket off: the socket is a flag and there is no instance config', async () => {
    const s = initConfig();
    s.cluster.featureGates = { NodeLocalCRISocket: false };
    const run = systemd(testInitData(s));
    await runKubeletStart(run);
    assert.equal(run.host.modeOf('/var/lib/kubelet/instance-config.yaml'), undefined);
    assert.equal(
      run.host.text('/var/lib/kubelet/kubeadm-flags.env'),
      'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10.1"\n',
    );
  });

  test('kubeletconfiguration patches apply to config.yaml', async () => {
    const s = initConfig();
    s.init.patches = { directory: '/etc/kubernetes/patches' };
    const run = systemd(
      testInitData(s, { files: { '/etc/kubernetes/patches/kubeletconfiguration.yaml': 'maxPods: 42\n' } }),
    );
    await runKubeletStart(run);
    assert.match(run.host.text('/var/lib/kubelet/config.yaml'), /maxPods: 42/);
  });

  test('the instance config is applied after the user patches, so its CRI endpoint wins', async () => {
    const s = initConfig();
    s.init.patches = { directory: '/etc/kubernetes/patches' };
    const run = systemd(
      testInitData(s, {
        files: {
          '/etc/kubernetes/patches/kubeletconfiguration.yaml':
            'containerRuntimeEndpoint: unix:///patched.sock\nmaxPods: 42\n',
        },
      }),
    );
    await runKubeletStart(run);
    const config = run.host.text('/var/lib/kubelet/config.yaml');
    assert.match(config, /containerRuntimeEndpoint: unix:\/\/\/var\/run\/containerd\/containerd\.sock\n/);
    assert.match(config, /maxPods: 42/);
    const applied = lines(run.out).filter((l) => l.startsWith('[patches] Applied'));
    assert.equal(applied.length, 2, 'the user patch, then the instance config');
  });

  test('every file is rendered before the first is written: a failing patch leaves no kubelet file', async () => {
    const s = initConfig();
    s.init.patches = { directory: '/etc/kubernetes/patches' };
    const run = systemd(
      testInitData(s, {
        files: {
          '/etc/kubernetes/patches/kubeletconfiguration+json.yaml': '- op: remove\n  path: /nonexistent\n',
        },
      }),
    );
    await assert.rejects(
      runKubeletStart(run),
      /could not apply the following patch of type "application\/json-patch\+json"/,
    );
    assert.deepEqual(run.host.listFiles('/var/lib/kubelet'), []);
    assert.ok(
      !lines(run.out).some((l) => l.startsWith('[kubelet-start] Writing')),
      lines(run.out).join('\n'),
    );
  });

  test('another --rootfs: no service command runs on this machine, the files are written under it', async () => {
    const run = systemd(testInitData(initConfig(), { rootfs: '/some/root' }), { resolved: true });
    await runKubeletStart(run);
    assert.deepEqual(run.host.runs, []);
    assert.equal(run.host.listFiles('/some/root/var/lib/kubelet').length, 3);
    assert.doesNotMatch(run.host.text('/some/root/var/lib/kubelet/config.yaml'), /resolvConf/);
    const out = lines(run.out);
    assert.equal(
      out[out.length - 1],
      '[kubelet-start] Not managing the kubelet service: --rootfs is "/some/root"; start it on that system with "systemctl restart kubelet"',
    );
    assert.ok(!out.includes('[kubelet-start] Starting the kubelet'), out.join('\n'));

    const dry = { ...systemd(testInitData(initConfig(), { rootfs: '/some/root' })), dryRun: true };
    await runKubeletStart(dry);
    assert.deepEqual(dry.host.runs, []);
    assert.ok(!lines(dry.out).includes('[kubelet-start] Would stop the kubelet'));
    assert.match(lines(dry.out).at(-1)!, /Not managing the kubelet service: --rootfs is "\/some\/root"/);
  });

  test('phase flags are kubeadm’s', () => {
    assert.deepEqual(kubeletStartPhase.inheritFlags, [
      'config',
      'image-repository',
      'cri-socket',
      'node-name',
      'patches',
      'dry-run',
    ]);
  });
});

describe('kubeadm-flags.env', () => {
  const s = initConfig();
  const base = {
    cluster: s.cluster,
    nodeRegistration: s.init.nodeRegistration,
    registerTaintsUsingFlags: false,
  };
  test('user kubeletExtraArgs win and are merged, sorted by name; a different node name overrides the hostname', () => {
    const flags = kubeletFlags({
      ...base,
      hostname: 'Other-Host',
      nodeRegistration: {
        ...s.init.nodeRegistration,
        kubeletExtraArgs: [
          { name: 'pod-infra-container-image', value: 'mirror/pause:1' },
          { name: 'node-ip', value: '10.0.0.5' },
        ],
      },
    });
    assert.equal(
      kubeletFlagsEnvFile(flags),
      'KUBELET_KUBEADM_ARGS="--hostname-override=cp-1 --node-ip=10.0.0.5 --pod-infra-container-image=mirror/pause:1"\n',
    );
  });
  test('taints go into the flag only when asked (worker join)', () => {
    const taints = [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'x', value: '', effect: 'NoExecute' },
    ];
    const nr = { ...s.init.nodeRegistration, taints };
    assert.ok(
      !kubeletFlags({ ...base, hostname: 'cp-1', nodeRegistration: nr }).some(
        (a) => a.name === 'register-with-taints',
      ),
    );
    const join = kubeletFlags({
      ...base,
      hostname: 'cp-1',
      nodeRegistration: nr,
      registerTaintsUsingFlags: true,
    });
    assert.deepEqual(
      join.find((a) => a.name === 'register-with-taints'),
      {
        name: 'register-with-taints',
        value: 'dedicated=gpu:NoSchedule,x:NoExecute',
      },
    );
  });
  test('values are quoted as Go %q', () => {
    assert.equal(goQuote('a "b" \\ c\n\t'), '"a \\"b\\" \\\\ c\\n\\t"');
  });
});

describe('kubeletFiles: the kubelet files rendered without a host', () => {
  test('three files in kubeadm order, each with the lines printed before it; patches, then the instance config', () => {
    const s = initConfig();
    const user = createPatchSet(
      'kubeletconfiguration.yaml',
      'kubeletconfiguration',
      'strategic',
      'maxPods: 42\n',
    );
    const { files, warnings } = kubeletFiles({
      config: s,
      hostname: 'cp-1',
      systemdResolvedActive: true,
      patchSets: [user],
      shownDir: '/var/lib/kubelet',
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      files.map((f) => [f.path, f.mode]),
      [
        ['kubeadm-flags.env', 0o644],
        ['instance-config.yaml', 0o644],
        ['config.yaml', 0o644],
      ],
    );
    assert.deepEqual(files[2]!.lines, [
      '[patches] Applied patch of type "application/strategic-merge-patch+json" to target "kubeletconfiguration"',
      '[patches] Applied patch of type "application/strategic-merge-patch+json" to target "kubeletconfiguration"',
      '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"',
    ]);
    assert.match(files[2]!.data, /maxPods: 42/);
    assert.match(files[2]!.data, /resolvConf: \/run\/systemd\/resolve\/resolv\.conf/);
  });

  test('join writes the env file last; only a worker join registers its taints through the flag', () => {
    const s = initConfig();
    s.init.nodeRegistration.taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }];
    const render = (writer: 'join-worker' | 'join-control-plane') =>
      kubeletFiles({
        config: s,
        hostname: 'cp-1',
        systemdResolvedActive: false,
        patchSets: [],
        shownDir: '/var/lib/kubelet',
        writer,
      }).files;
    const worker = render('join-worker');
    assert.deepEqual(
      worker.map((f) => f.path),
      ['instance-config.yaml', 'config.yaml', 'kubeadm-flags.env'],
    );
    assert.match(worker[2]!.data, /--register-with-taints=dedicated=gpu:NoSchedule/);
    assert.doesNotMatch(render('join-control-plane')[2]!.data, /register-with-taints/);
  });

  test('a resolvConf the user chose is kept, with a warning, when systemd-resolved runs', () => {
    const s = initConfig();
    s.componentConfigs.kubelet!.config = {
      ...s.componentConfigs.kubelet!.config,
      resolvConf: '/etc/my-resolv.conf',
    };
    const { files, warnings } = kubeletFiles({
      config: s,
      hostname: 'cp-1',
      systemdResolvedActive: true,
      patchSets: [],
      shownDir: '/var/lib/kubelet',
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /resolvConf value "\/etc\/my-resolv\.conf" is different/);
    assert.match(files.at(-1)!.data, /resolvConf: \/etc\/my-resolv\.conf/);
  });
});
