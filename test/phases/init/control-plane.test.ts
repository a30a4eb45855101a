import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extraArgsFlags } from '../../../src/commands/init.js';
import { controlPlanePhase, runControlPlaneComponent } from '../../../src/phases/init/control-plane.js';
import { CONFIGS_DIR, lines, loadConfigFile } from '../../support/manifests.js';
import { testInitData } from '../../support/init-data.js';
import { failure, fullMessage, newHost, run } from '../../support/phases.js';

const initConfig = () => loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);

describe('init phase control-plane', () => {
  test('the parent names the manifest folder; each child writes its manifest 0600', async () => {
    const run = testInitData(initConfig());
    await controlPlanePhase.run!(run);
    for (const child of controlPlanePhase.phases!) await child.run!(run);
    assert.deepEqual(lines(run.out), [
      '[control-plane] Using manifest folder "/etc/kubernetes/manifests"',
      '[control-plane] Creating static Pod manifest for "kube-apiserver"',
      '[control-plane] Creating static Pod manifest for "kube-controller-manager"',
      '[control-plane] Creating static Pod manifest for "kube-scheduler"',
    ]);
    assert.deepEqual(run.host.listFiles('/etc/kubernetes/manifests'), [
      '/etc/kubernetes/manifests/kube-apiserver.yaml',
      '/etc/kubernetes/manifests/kube-controller-manager.yaml',
      '/etc/kubernetes/manifests/kube-scheduler.yaml',
    ]);
    for (const f of run.host.listFiles('/etc/kubernetes/manifests'))
      assert.equal(run.host.modeOf(f), 0o600, f);
    assert.equal(run.host.modeOf('/etc/kubernetes/manifests'), 0o700);
  });

  test('CA directories are mounted only when they exist on the host', async () => {
    const bare = testInitData(initConfig());
    await runControlPlaneComponent(bare, 'kube-apiserver');
    assert.doesNotMatch(bare.host.text('/etc/kubernetes/manifests/kube-apiserver.yaml'), /etc-pki-ca-trust/);
    const rhel = testInitData(initConfig());
    rhel.host.seedDir('/etc/pki/ca-trust').seedDir('/etc/pki/tls/certs');
    await runControlPlaneComponent(rhel, 'kube-controller-manager');
    const kcm = rhel.host.text('/etc/kubernetes/manifests/kube-controller-manager.yaml');
    assert.match(kcm, /name: etc-pki-ca-trust/);
    assert.match(kcm, /name: etc-pki-tls-certs/);
    assert.doesNotMatch(kcm, /path: \/etc\/pki\n/, 'never all of /etc/pki');
  });

  test('RootlessControlPlane is not implemented: each component says it will run as root', async () => {
    const s = initConfig();
    s.cluster.featureGates = { RootlessControlPlane: true };
    const run = testInitData(s);
    await runControlPlaneComponent(run, 'kube-scheduler');
    assert.match(
      run.out.stderr.join(''),
      /\[control-plane\] the RootlessControlPlane feature gate is not supported by kbadm: "kube-scheduler" will run as root/,
    );
    const plain = testInitData(initConfig());
    await runControlPlaneComponent(plain, 'kube-scheduler');
    assert.doesNotMatch(plain.out.stderr.join(''), /RootlessControlPlane/);
  });

  test('an unknown authorization mode is warned about; the user value still wins, as in kubeadm', async () => {
    const s = initConfig();
    s.cluster.apiServer.extraArgs = [{ name: 'authorization-mode', value: 'Node,Magic,RBAC' }];
    const run = testInitData(s);
    await runControlPlaneComponent(run, 'kube-apiserver');
    // kubeadm filters the default it computes, but the extraArgs entry then overrides it.
    assert.match(
      run.host.text('/etc/kubernetes/manifests/kube-apiserver.yaml'),
      /--authorization-mode=Node,Magic,RBAC\n/,
    );
    assert.match(run.out.stderr.join(''), /ignoring unknown kube-apiserver authorization-mode "Magic"/);
  });

  test('authorization-config in extraArgs removes --authorization-mode', async () => {
    const s = initConfig();
    s.cluster.apiServer.extraArgs = [{ name: 'authorization-config', value: '/etc/kubernetes/authz.yaml' }];
    const run = testInitData(s);
    await runControlPlaneComponent(run, 'kube-apiserver');
    const text = run.host.text('/etc/kubernetes/manifests/kube-apiserver.yaml');
    assert.doesNotMatch(text, /--authorization-mode/);
    assert.match(text, /--authorization-config=\/etc\/kubernetes\/authz\.yaml/);
  });

  test('the KCM flex-volume-plugin-dir extraArg moves the writable flexvolume mount', async () => {
    const s = initConfig();
    s.cluster.controllerManager.extraArgs = [{ name: 'flex-volume-plugin-dir', value: '/opt/flex' }];
    const run = testInitData(s);
    await runControlPlaneComponent(run, 'kube-controller-manager');
    const text = run.host.text('/etc/kubernetes/manifests/kube-controller-manager.yaml');
    assert.match(text, /- mountPath: \/opt\/flex\n\s+name: flexvolume-dir\n/);
  });

  test('an extraVolume with a default name replaces the default volume', async () => {
    const s = initConfig();
    s.cluster.scheduler.extraVolumes = [
      {
        name: 'kubeconfig',
        hostPath: '/srv/sched.conf',
        mountPath: '/etc/kubernetes/scheduler.conf',
        readOnly: true,
        pathType: 'File',
      },
    ];
    const run = testInitData(s);
    await runControlPlaneComponent(run, 'kube-scheduler');
    const text = run.host.text('/etc/kubernetes/manifests/kube-scheduler.yaml');
    assert.match(text, /path: \/srv\/sched\.conf\n\s+type: File\n\s+name: kubeconfig/);
    assert.equal(text.match(/name: kubeconfig/g)?.length, 2, 'one volume and one mount');
  });

  test('phase shape: kubeadm’s children, flags and the deprecated extra-args flags', () => {
    assert.deepEqual(
      controlPlanePhase.phases?.map((p) => p.name),
      ['apiserver', 'controller-manager', 'scheduler'],
    );
    const [api, kcm, sched] = controlPlanePhase.phases!;
    assert.ok(api!.inheritFlags!.includes('apiserver-extra-args'));
    assert.ok(api!.inheritFlags!.includes('feature-gates'));
    assert.ok(kcm!.inheritFlags!.includes('controller-manager-extra-args'));
    assert.ok(kcm!.inheritFlags!.includes('pod-network-cidr'));
    assert.ok(sched!.inheritFlags!.includes('scheduler-extra-args'));
    assert.ok(!sched!.inheritFlags!.includes('apiserver-extra-args'));
    const all = controlPlanePhase.all;
    assert.ok(all && all.inheritFlags?.includes('scheduler-extra-args'));
    assert.deepEqual(
      extraArgsFlags.map((f) => f.name),
      ['apiserver-extra-args', 'controller-manager-extra-args', 'scheduler-extra-args'],
    );
  });
});

describe('init phase control-plane with the deprecated --*-extra-args flags', () => {
  test('the flag wins over the configuration and reaches the manifest', async () => {
    const host = newHost();
    await run(host, 'init', [
      'phase',
      'control-plane',
      'apiserver',
      '--apiserver-extra-args',
      'v=4,audit-log-path=/var/log/a.log',
      '--apiserver-advertise-address',
      '10.0.0.5',
    ]);
    const manifest = host.text('/etc/kubernetes/manifests/kube-apiserver.yaml');
    assert.match(manifest, /- --v=4\n/);
    assert.match(manifest, /- --audit-log-path=\/var\/log\/a\.log\n/);
  });

  test('with --config it is refused, as kubeadm refuses mixing', async () => {
    const err = await failure(newHost(), 'init', [
      'phase',
      'control-plane',
      'apiserver',
      '--config',
      '/cfg.yaml',
      '--apiserver-extra-args',
      'v=4',
    ]);
    assert.match(fullMessage(err), /can not mix '--config' with arguments \[apiserver-extra-args\]/);
  });

  test('a malformed value names the flag', async () => {
    const err = await failure(newHost(), 'init', [
      'phase',
      'control-plane',
      'scheduler',
      '--scheduler-extra-args',
      'profiling',
    ]);
    assert.match(fullMessage(err), /invalid argument "profiling" for "--scheduler-extra-args" flag/);
  });
});
