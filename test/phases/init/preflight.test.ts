// init's preflight phase over a prepared in-memory node: checks, image pulls through the runtime,
// --ignore-preflight-errors and the configuration field, and the refusal of an initialised node.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterImages } from '../../../src/config/images.js';
import { EXIT_PREFLIGHT, exitCodeOf } from '../../../src/errors.js';
import { createTestHost } from '../../../src/host/test-host.js';
import { createTestRuntime } from '../../../src/host/test-runtime.js';
import { CONTAINERD_SOCKET, prepareNode, pulls } from '../../support/prepared-node.js';
import { loadConfigText } from '../../support/manifests.js';
import { configYaml, run, settle } from '../../support/phases.js';

const CFG = ['--config', '/cfg.yaml'];
const MANIFESTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'];
const IMAGES = clusterImages(loadConfigText(configYaml()).cluster);

function node(config = configYaml(), images: string[] = []) {
  return prepareNode(
    createTestHost({ files: { '/cfg.yaml': config }, facts: { hostname: 'cp-1' } }),
    createTestRuntime({ images }),
  );
}

const nodeRegistration = (extra: string) =>
  configYaml().replace('nodeRegistration:\n  name: cp-1\n', `nodeRegistration:\n  name: cp-1\n${extra}`);

describe('init phase preflight', () => {
  test('a prepared node passes silently and the images are pulled in kubeadm’s order', async () => {
    const { host, runtime, endpoints } = node();
    const r = await run(host, 'init', ['phase', 'preflight', ...CFG]);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      '[preflight] Running pre-flight checks',
      '[preflight] Pulling images required for setting up a Kubernetes cluster',
      '[preflight] This might take a minute or two, depending on the speed of your internet connection',
      "[preflight] You can also perform this action beforehand using 'kbadm config images pull'",
    ]);
    assert.deepEqual(pulls(runtime), IMAGES);
    assert.equal(IMAGES.length, 7);
    assert.deepEqual(endpoints, [`unix://${CONTAINERD_SOCKET}`]);
    assert.equal(runtime.closed, true, 'the connection is closed after the phase');
    assert.deepEqual(host.changes, [], 'preflight writes nothing');
  });

  test('IfNotPresent skips images the runtime holds; Never pulls nothing; Always pulls all', async () => {
    const present = node(configYaml(), IMAGES.slice(0, 5));
    await run(present.host, 'init', ['phase', 'preflight', ...CFG]);
    assert.deepEqual(pulls(present.runtime), IMAGES.slice(5));

    // Never: kubeadm's usual pull lines, then the ImagePull check skips without a word.
    const never = node(nodeRegistration('  imagePullPolicy: Never\n'));
    const r = await run(never.host, 'init', ['phase', 'preflight', ...CFG]);
    assert.deepEqual(pulls(never.runtime), []);
    assert.deepEqual(r.stdout.trimEnd().split('\n').slice(1), [
      '[preflight] Pulling images required for setting up a Kubernetes cluster',
      '[preflight] This might take a minute or two, depending on the speed of your internet connection',
      "[preflight] You can also perform this action beforehand using 'kbadm config images pull'",
    ]);
    assert.equal(r.stderr, '');

    const always = node(nodeRegistration('  imagePullPolicy: Always\n  imagePullSerial: false\n'), IMAGES);
    await run(always.host, 'init', ['phase', 'preflight', ...CFG]);
    assert.deepEqual([...pulls(always.runtime)].sort(), [...IMAGES].sort());
  });

  test('a failed pull is an ImagePull error (exit 2) unless ignored', async () => {
    const broken = prepareNode(
      createTestHost({ files: { '/cfg.yaml': configYaml() } }),
      createTestRuntime().failPull(IMAGES[5]!, 'rpc error: code = NotFound desc = not found'),
    );
    const r = await settle(broken.host, 'init', ['phase', 'preflight', ...CFG]);
    assert.equal(exitCodeOf(r.error), EXIT_PREFLIGHT);
    assert.match(
      r.stderr,
      new RegExp(`\\t\\[ERROR ImagePull\\]: failed to pull image ${IMAGES[5]!.replaceAll('.', '\\.')}: `),
    );
    const ignored = await run(broken.host, 'init', [
      'phase',
      'preflight',
      ...CFG,
      '--ignore-preflight-errors',
      'imagepull',
    ]);
    assert.match(ignored.stderr, /^\t\[WARNING ImagePull\]: failed to pull image /m);
  });

  test('dry run: the checks run, nothing is pulled', async () => {
    const { host, runtime } = node();
    const r = await run(host, 'init', ['phase', 'preflight', ...CFG, '--dry-run']);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      '[preflight] Running pre-flight checks',
      "[preflight] Would pull the required images (like 'kbadm config images pull')",
    ]);
    assert.deepEqual(pulls(runtime), []);
  });

  test('not root: only IsPrivilegedUser is reported, nothing else runs', async () => {
    const { host, endpoints } = node();
    host.setMachine({ euid: 1000 }).setPortsInUse(6443);
    const r = await settle(host, 'init', ['phase', 'preflight', ...CFG]);
    assert.equal(exitCodeOf(r.error), EXIT_PREFLIGHT);
    assert.equal(r.error?.message, 'error execution phase preflight: preflight checks failed');
    assert.equal(
      r.stderr,
      '[preflight] Some fatal errors occurred:\n' +
        '\t[ERROR IsPrivilegedUser]: user is not running as root\n' +
        '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n',
    );
    assert.deepEqual(endpoints, [], 'the runtime was not even asked');
  });

  test('every failure is listed together; the config field and the flag both downgrade', async () => {
    const build = (config?: string) => {
      const n = node(config);
      n.host.setPortsInUse(6443, 2379).setMachine({ cpus: 1 });
      n.host.seedFile('/proc/sys/net/ipv4/ip_forward', '0\n');
      return n.host;
    };
    const r = await settle(build(), 'init', ['phase', 'preflight', ...CFG]);
    assert.equal(exitCodeOf(r.error), EXIT_PREFLIGHT);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('\t[ERROR '));
    assert.deepEqual(errors, [
      '\t[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2',
      '\t[ERROR Port-6443]: Port 6443 is in use',
      '\t[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1',
      '\t[ERROR Port-2379]: Port 2379 is in use',
    ]);

    const fromFlag = await run(build(), 'init', [
      'phase',
      'preflight',
      ...CFG,
      '--ignore-preflight-errors',
      'NumCPU,port-6443,Port-2379,FileContent--proc-sys-net-ipv4-ip_forward',
    ]);
    assert.equal(fromFlag.stderr.split('\n').filter((l) => l.startsWith('\t[WARNING ')).length, 4);

    const fromConfig = nodeRegistration('  ignorePreflightErrors:\n  - NumCPU\n  - Port-6443\n');
    const partly = await settle(build(fromConfig), 'init', [
      'phase',
      'preflight',
      ...CFG,
      '--ignore-preflight-errors',
      'Port-2379,FileContent--proc-sys-net-ipv4-ip_forward',
    ]);
    assert.equal(partly.error, undefined, 'the file’s list and the flag’s list are united');

    const all = await run(build(), 'init', [
      'phase',
      'preflight',
      ...CFG,
      '--ignore-preflight-errors',
      'all',
    ]);
    assert.match(all.stderr, /^\t\[WARNING NumCPU\]: /m);
  });

  test('no runtime socket: CRI fails; with CRI ignored the pull fails too, with one clear error', async () => {
    const withoutSocket = createTestHost({ files: { '/cfg.yaml': configYaml() } });
    prepareNode(withoutSocket, createTestRuntime(), { socket: false });
    const r = await settle(withoutSocket, 'init', [
      'phase',
      'preflight',
      ...CFG,
      '--ignore-preflight-errors',
      'all',
    ]);
    assert.equal(r.error, undefined);
    assert.match(
      r.stderr,
      /^\t\[WARNING CRI\]: container runtime is not running: cannot connect to "unix:\/\/\/var\/run\/containerd\/containerd\.sock": no such socket$/m,
    );
    assert.match(
      r.stderr,
      /^\t\[WARNING ImagePull\]: no image was pulled: cannot connect to "unix:\/\/\/var\/run\/containerd\/containerd\.sock": no such socket$/m,
    );
  });
});

describe('kbadm init on a node that already has a control plane', () => {
  test('exits 2 naming every manifest, and changes nothing', async () => {
    const { host, runtime } = node();
    await run(host, 'init', CFG);
    const files = () =>
      new Map(
        host
          .listFiles()
          .filter((f) => f !== CONTAINERD_SOCKET)
          .map((f) => [f, host.text(f)]),
      );
    const before = files();
    host.clearChanges();
    const pulled = pulls(runtime).length;

    const r = await settle(host, 'init', CFG);
    assert.equal(exitCodeOf(r.error), EXIT_PREFLIGHT);
    for (const m of MANIFESTS) {
      assert.match(
        r.stderr,
        new RegExp(
          `^\\t\\[ERROR FileAvailable--etc-kubernetes-manifests-${m}\\.yaml\\]: /etc/kubernetes/manifests/${m}\\.yaml already exists$`,
          'm',
        ),
      );
    }
    assert.deepEqual(host.changes, []);
    assert.deepEqual(files(), before);
    assert.equal(pulls(runtime).length, pulled, 'no image pulled either');
    assert.ok(!host.runs.some((c) => c.command === 'systemctl' && ['stop', 'restart'].includes(c.args[0]!)));
  });
});

describe('kbadm init resuming an interrupted init', () => {
  const MARKER = '/etc/kubernetes/tmp/kbadm-init.in-progress';
  const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('\t[WARNING '));
  const errors = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('\t[ERROR '));

  test('a whole init marks the node once preflight passed, before the first write, and unmarks it when it succeeded', async () => {
    const { host } = node();
    await run(host, 'init', CFG);
    const written = host.changes.filter((c) => c.kind === 'write').map((c) => c.path);
    assert.equal(written[0], MARKER, 'the first file written');
    const mark = host.changes.find((c) => c.kind === 'write' && c.path === MARKER);
    assert.equal(mark?.kind === 'write' && mark.mode, 0o600);
    assert.ok(!(await host.exists(MARKER)));
    assert.ok(!(await host.exists('/etc/kubernetes/tmp')), 'the directory it made for the mark goes too');
  });

  test('neither a phase run on its own, nor a dry run, nor a refused init marks the node', async () => {
    const { host } = node();
    await run(host, 'init', ['phase', 'preflight', ...CFG]);
    await run(host, 'init', [...CFG, '--dry-run']);
    assert.ok(!(await host.exists(MARKER)));
    host.setMachine({ cpus: 1 });
    assert.equal(exitCodeOf((await settle(host, 'init', CFG)).error), EXIT_PREFLIGHT);
    assert.ok(!(await host.exists(MARKER)));
  });

  test('an init that failed after its manifests were written is resumed by a plain re-run', async () => {
    const { host } = node();
    // kubelet-start cannot write its directory: init fails after the control-plane manifests.
    host.seedFile('/var/lib/kubelet', 'in the way');
    const failed = await settle(host, 'init', CFG);
    assert.match(failed.error?.message ?? '', /^error execution phase kubelet-start: /);
    assert.match(host.text(MARKER), /^started: \d{4}-\d\d-\d\dT[\d:.]+Z\npid: 4242\n/m);
    for (const m of MANIFESTS) assert.ok(await host.exists(`/etc/kubernetes/manifests/${m}.yaml`));

    await host.remove('/var/lib/kubelet');
    // The components it started would hold their ports by now; the etcd data directory has data.
    host.setPortsInUse(6443, 10259, 10257, 10250, 2379, 2380);
    host.seedFile('/var/lib/etcd/member/snap/db', 'db');
    const r = await run(host, 'init', CFG);
    const [, checking, resuming] = r.stdout.split('\n');
    assert.equal(checking, '[preflight] Running pre-flight checks');
    assert.match(
      resuming!,
      /^\[preflight\] Resuming an interrupted init \(pid 4242, started [\d-]+T[\d:.]+Z\): its manifests, etcd data and component ports are warnings, not errors$/,
    );
    assert.deepEqual(errors(r.stderr), []);
    assert.deepEqual(
      warnings(r.stderr).sort(),
      [
        ...MANIFESTS.map(
          (m) =>
            `\t[WARNING FileAvailable--etc-kubernetes-manifests-${m}.yaml]: /etc/kubernetes/manifests/${m}.yaml already exists`,
        ),
        '\t[WARNING DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty',
        ...[6443, 10259, 10257, 10250, 2379, 2380].map((p) => `\t[WARNING Port-${p}]: Port ${p} is in use`),
      ].sort(),
    );
    assert.match(r.stdout, /Your Kubernetes control-plane has initialized successfully!/);
    assert.ok(!(await host.exists(MARKER)), 'the resumed init succeeded: nothing left to resume');

    // Finished now: the next init is refused as on any initialised node.
    const again = await settle(host, 'init', CFG);
    assert.equal(exitCodeOf(again.error), EXIT_PREFLIGHT);
    assert.match(again.stderr, /\[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver\.yaml\]/);
  });

  test('resuming, every other check still stops init', async () => {
    const { host } = node();
    await run(host, 'init', CFG);
    host.seedFile(MARKER, 'started: 2025-01-01T00:00:00.000Z\npid: 77\n').setMachine({ cpus: 1 });
    const r = await settle(host, 'init', CFG);
    assert.equal(exitCodeOf(r.error), EXIT_PREFLIGHT);
    assert.match(
      r.stdout,
      /^\[preflight\] Resuming an interrupted init \(pid 77, started 2025-01-01T00:00:00\.000Z\): /m,
    );
    assert.deepEqual(errors(r.stderr), [
      '\t[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2',
    ]);
    assert.ok(await host.exists(MARKER), 'still to be resumed');
  });
});
