// A real `kill -9` of the built CLI's `kbadm init` once it has written the static Pod manifests,
// then a plain `kbadm init` with the same flags: it resumes the interrupted init (preflight reports
// the manifests as warnings) and completes it; once it has, the next init is refused again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { config, tempRoot, type Root } from '../support/e2e.js';
import { treeProblems } from '../support/pki-check.js';
import { IGNORE_IN_TEMP_ROOT, SKIP_API_SERVER_PHASES } from '../support/temp-root-preflight.js';

const CLI = fileURLToPath(new URL('../../dist/bundle/kbadm.js', import.meta.url));
/** Preflight runs: it is what a resumed init has to get past. */
const INIT = ['init', '--config', '/cfg.yaml', ...IGNORE_IN_TEMP_ROOT, ...SKIP_API_SERVER_PHASES];
const MARKER = 'etc/kubernetes/tmp/kbadm-init.in-progress';
const MANIFESTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

let root: Root;
before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  root = tempRoot(config('ECDSA-P256'));
});
after(() => root.cleanup());

/**
 * Starts the built CLI and sends it SIGKILL as soon as it prints its first kubelet-start line: the
 * control-plane phase, which writes the last manifests, has finished by then. Resolves with the
 * output it printed and whether SIGKILL is what ended it.
 */
function killAtKubeletStart(args: string[]): Promise<{ killed: boolean; stdout: string }> {
  const child = spawn(process.execPath, [CLI, '--rootfs', root.dir, ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (/^\[kubelet-start\] /m.test(stdout)) child.kill('SIGKILL');
  });
  return new Promise((resolve) =>
    child.on('close', (_code, signal) => resolve({ killed: signal === 'SIGKILL', stdout })),
  );
}

test('kill -9 of init after the manifests were written; a plain re-run resumes and completes it', async () => {
  const first = await killAtKubeletStart(INIT);
  assert.ok(first.killed, `init ended before the kill:\n${first.stdout}`);
  for (const m of MANIFESTS)
    assert.ok(existsSync(join(root.kube, 'manifests', `${m}.yaml`)), `${m}.yaml was written`);
  assert.match(readFileSync(join(root.dir, MARKER), 'utf8'), /^started: .+\npid: \d+\n/m);

  const again = await root.kbadm(INIT, { allowFailure: true });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^\[preflight\] Resuming an interrupted init \(pid \d+, started [^)]+\): /m);
  for (const m of MANIFESTS)
    assert.match(
      again.stderr,
      new RegExp(`^\\t\\[WARNING FileAvailable--etc-kubernetes-manifests-${m}\\.yaml\\]: `, 'm'),
    );
  assert.doesNotMatch(again.stderr, /\[ERROR /);
  assert.match(again.stdout, /Your Kubernetes control-plane has initialized successfully!/);
  assert.deepEqual(treeProblems(root.dir), []);
  for (const f of ['var/lib/kubelet/config.yaml', 'var/lib/kubelet/kubeadm-flags.env'])
    assert.ok(existsSync(join(root.dir, f)), `${f} was written`);
  assert.ok(!existsSync(join(root.dir, MARKER)), 'nothing is left to resume');

  // Finished: a further init is refused, as on any node that has a control plane.
  const third = await root.kbadm(INIT, { allowFailure: true });
  assert.equal(third.code, 2, third.stderr);
  assert.match(third.stderr, /^\t\[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver\.yaml\]: /m);
});
