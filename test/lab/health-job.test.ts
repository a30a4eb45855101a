// kubeadm's upgrade health-check Job for real, on a one-node lab at v1.34.0: `kbadm upgrade plan`
// creates it, the controller-manager stand-in makes its Pod, the scheduler binds it to the control
// plane (whose taint it tolerates), the kubelet runs the pause image with -v through containerd as
// user 999, and the Job completes. With the node tainted against it, the Pod is never scheduled:
// plan fails with kubeadm's CreateJob error after 15 s, the Job fails at its deadline and goes
// after its TTL, and a plan after the taint is removed passes again.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labDown, labUp, requireRoot, type LabNode } from './lab.js';
import {
  eventually,
  kbadm,
  kubectl,
  LAB_ROOT_IGNORES,
  requireBuild,
  writeInitConfig,
  writeObject,
} from './lab-cli.js';

requireRoot();
requireBuild();

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TAINT = 'lab.example/blocked';

describe('the upgrade health-check Job on a lab cluster', { timeout: 900_000 }, () => {
  let dir: string;
  let cp: LabNode;

  const get = (args: string[]): Obj => {
    const r = kubectl(cp, 'admin.conf', ['get', ...args, '-o', 'json']);
    assert.equal(r.code, 0, `kubectl get ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const healthJobs = () =>
    (get(['jobs', '-n', 'kube-system']).items as Obj[]).filter((j) =>
      j.metadata.name.startsWith('upgrade-health-check-'),
    );
  const kubeletLog = () => {
    const f = path.join(dir, `${cp.name}-kubelet.log`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  };
  /** What a container of a Pod in kube-system wrote, from the CRI log files under the node's root. */
  const containerLog = (podPrefix: string, container: string): string => {
    const pods = path.join(cp.rootfs, 'var/log/pods');
    return readdirSync(pods)
      .filter((d) => d.startsWith(`kube-system_${podPrefix}`))
      .map((d) => path.join(pods, d, container, '0.log'))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
  };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-healthjob-'));
    const lab = await labUp({ nodes: 1, dir, versions: ['v1.34.0'] });
    [cp] = lab.nodes as [LabNode];
    await writeInitConfig(cp, { token: 'labhjb.0123456789abcdef', kubernetesVersion: 'v1.34.0' });
    const r = kbadm(cp, ['init', '--config', '/cfg.yaml', ...LAB_ROOT_IGNORES]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${kubeletLog().slice(-4000)}`);
  });
  after(async () => {
    if (dir) await labDown(dir);
  });

  test('plan runs the Job to completion: the pause image printed its version, exit code 0', () => {
    const r = kbadm(cp, ['upgrade', 'plan']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${kubeletLog().slice(-4000)}`);
    assert.match(r.stdout, /^\[upgrade\] Running cluster health checks$/m);
    assert.match(
      kubeletLog(),
      /upgrade-health-check-\d+-[a-z0-9]{5}: container upgrade-health-check exited with code 0/,
    );
    assert.match(
      containerLog('upgrade-health-check-', 'upgrade-health-check'),
      / stdout F pause\.c v3\.10\.1\n/,
    );
  });

  test("a Pod's securityContext reaches the container: it runs as user 999, group 999", async () => {
    const file = await writeObject(cp, 'whoami', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'whoami', namespace: 'kube-system' },
      spec: {
        restartPolicy: 'Never',
        securityContext: { runAsUser: 999, runAsGroup: 999, runAsNonRoot: true },
        tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
        containers: [{ name: 'id', image: 'registry.k8s.io/pause:3.10.1', command: ['/bin/busybox', 'id'] }],
      },
    });
    const r = kubectl(cp, 'admin.conf', ['create', '--validate=false', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    const pod = await eventually('the Pod whoami to finish', () => {
      const p = get(['pod', 'whoami', '-n', 'kube-system']);
      return ['Succeeded', 'Failed'].includes(p.status?.phase) ? p : undefined;
    });
    assert.equal(pod.status.phase, 'Succeeded', JSON.stringify(pod.status));
    assert.equal(pod.spec.nodeName, cp.name);
    assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, 0);
    assert.match(containerLog('whoami', 'id'), / stdout F uid=999 gid=999/);
  });

  test("a node that takes no Pod: plan fails with kubeadm's CreateJob error; the Job fails at its deadline and goes after its TTL; untainted, plan passes", async () => {
    let r = kubectl(cp, 'admin.conf', ['taint', 'nodes', cp.name, `${TAINT}=true:NoSchedule`]);
    assert.equal(r.code, 0, r.stderr);
    const before = new Set(healthJobs().map((j) => j.metadata.name));
    r = kbadm(cp, ['upgrade', 'plan']);
    assert.equal(r.code, 2, `${r.stderr}\n${r.stdout}`);
    const m =
      /\t\[ERROR CreateJob\]: Job "(upgrade-health-check-\d+)" in the namespace "kube-system" did not complete in 15s: no condition of type Complete\n/.exec(
        r.stderr,
      );
    assert.ok(m, r.stderr);
    const name = m[1]!;
    assert.ok(!before.has(name));
    assert.doesNotMatch(r.stdout, /kbadm upgrade apply/, 'no plan after a failed check');
    const failed = await eventually('the Job to fail at its deadline', () => {
      const j = healthJobs().find((x) => x.metadata.name === name);
      return j?.status?.conditions?.some((c: Obj) => c.type === 'Failed') ? j : undefined;
    });
    assert.equal(failed.status.conditions[0].reason, 'DeadlineExceeded');
    assert.equal(failed.status.succeeded ?? 0, 0);
    await eventually('the Job gone after its TTL', () => !healthJobs().some((j) => j.metadata.name === name));
    const pods = get(['pods', '-n', 'kube-system', '-l', `job-name=${name}`]).items as Obj[];
    assert.deepEqual(pods, [], 'its Pod gone too');

    r = kubectl(cp, 'admin.conf', ['taint', 'nodes', cp.name, `${TAINT}-`]);
    assert.equal(r.code, 0, r.stderr);
    r = kbadm(cp, ['upgrade', 'plan']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${kubeletLog().slice(-4000)}`);
  });
});
