// The hidden `kubeconfig` phase of `upgrade node` and `upgrade apply`, run on its own against a
// control plane made by a real `kbadm init`: kubelet.conf follows ControlPlaneKubeletLocalMode.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../../support/cli.js';
import { fakeKubelet } from '../../support/fake-kubelet.js';
import { initCluster, type Cluster } from '../../support/memory-control-plane.js';
import { tempDir } from '../../support/temp.js';

const LB = 'https://lb.example:6443';
const LOCAL = 'https://10.0.0.5:6443';

/** The stored ClusterConfiguration, edited as `edit` says. */
function editClusterConfiguration(c: Cluster, edit: (text: string) => string): void {
  const cm = c.api
    .stored('ConfigMap')
    .find((o) => o.metadata.namespace === 'kube-system' && o.metadata.name === 'kubeadm-config')!;
  const data = (cm as unknown as { data: Record<string, string> }).data;
  data.ClusterConfiguration = edit(data.ClusterConfiguration!);
  c.api.seed(cm);
}

/** A cluster behind lb.example, whose cp-1 kubelet.conf names `server`. */
async function behindBalancer(t: { after(fn: () => void): void }, server: string, gate?: boolean) {
  const c = await initCluster(t);
  // The kubelet's mirror Pods, which tell the node's API endpoint.
  const kubelet = fakeKubelet(c.api, [{ name: 'cp-1', root: c.cpRoot, ready: true }]);
  t.after(() => kubelet.stop());
  editClusterConfiguration(c, (text) => {
    let out = text.replace(/controlPlaneEndpoint: .*/, 'controlPlaneEndpoint: lb.example:6443');
    if (gate !== undefined) out += `featureGates:\n  ControlPlaneKubeletLocalMode: ${gate}\n`;
    return out;
  });
  const file = path.join(c.cpRoot, 'etc/kubernetes/kubelet.conf');
  const text = readFileSync(file, 'utf8').replace(/server: .*/, `server: ${server}`);
  writeFileSync(file, text, { mode: 0o600 });
  return { c, file, text };
}

const PHASE = (root: string, ...extra: string[]) => [
  '--rootfs',
  root,
  'upgrade',
  'node',
  'phase',
  'kubeconfig',
  ...extra,
];

const DONE = /^\[upgrade\/kubeconfig\] The kubeconfig files for this node were successfully upgraded!$/m;

describe('upgrade node|apply phase kubeconfig', () => {
  test('kubelet.conf naming controlPlaneEndpoint moves to the local API server; nothing else in it changes', async (t) => {
    const { c, file, text } = await behindBalancer(t, LB);
    const r = await runCli(PHASE(c.cpRoot), { cluster: c.api.factory });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, DONE);
    const after = readFileSync(file, 'utf8');
    assert.equal(after, text.replace(`server: ${LB}`, `server: ${LOCAL}`));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // Converged: a second run changes nothing.
    const again = await runCli(PHASE(c.cpRoot), { cluster: c.api.factory });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(file, 'utf8'), after);
    // Hidden from the phase tables, as kubeadm's is, and still runnable by name.
    for (const cmd of ['apply', 'node']) {
      const help = await runCli(['upgrade', cmd, '--help']);
      assert.match(help.stdout, /^kubelet-config /m);
      assert.doesNotMatch(help.stdout, /^kubeconfig /m);
    }
  });

  test('with the gate off, a local server moves back to controlPlaneEndpoint', async (t) => {
    const { c, file } = await behindBalancer(t, LOCAL, false);
    const r = await runCli(PHASE(c.cpRoot), { cluster: c.api.factory });
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(file, 'utf8'), new RegExp(`server: ${LB}\\n`));
  });

  test('--dry-run says what would change and writes nothing; a server set by hand is left alone', async (t) => {
    const { c, file, text } = await behindBalancer(t, LB);
    const r = await runCli(PHASE(c.cpRoot, '--dry-run'), { cluster: c.api.factory });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^\[dryrun\] Would change the server of \/etc\/kubernetes\/kubelet\.conf from "https:\/\/lb\.example:6443" to "https:\/\/10\.0\.0\.5:6443"$/m,
    );
    assert.equal(readFileSync(file, 'utf8'), text);
    writeFileSync(file, text.replace(`server: ${LB}`, 'server: https://elsewhere:6443'));
    const own = await runCli(PHASE(c.cpRoot), { cluster: c.api.factory });
    assert.equal(own.code, 0, own.stderr);
    assert.match(readFileSync(file, 'utf8'), /server: https:\/\/elsewhere:6443\n/);
  });

  test('a control-plane node whose kubelet.conf is broken fails naming the file; a worker skips the phase', async (t) => {
    const { c, file } = await behindBalancer(t, LB);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s+)cluster: kubernetes$/m, '$1cluster: gone'));
    const r = await runCli(PHASE(c.cpRoot), { cluster: c.api.factory });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /failed to update kubelet local mode: \/etc\/kubernetes\/kubelet\.conf: the cluster "gone" of its current context is not in the file/,
    );
    assert.doesNotMatch(r.stdout, DONE);

    const worker = tempDir(t, 'kbadm-upgrade-kubeconfig-');
    mkdirSync(path.join(worker, 'etc/kubernetes'), { recursive: true });
    writeFileSync(
      path.join(worker, 'etc/kubernetes/kubelet.conf'),
      readFileSync(path.join(c.cpRoot, 'etc/kubernetes/admin.conf')),
    );
    const w = await runCli(PHASE(worker), { cluster: c.api.factory });
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /^\[upgrade\/kubeconfig\] Skipping phase\. Not a control plane node\.$/m);
  });
});
