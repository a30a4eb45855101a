// The main job, end to end, under a temporary --rootfs: `kbadm init` writes the PKI, kubeconfigs,
// static Pod manifests and kubelet files of a control-plane node there and prints the join
// command. Under another root kbadm leaves services alone, so no kubelet is started. Last, a dry
// run of the kubelet phase shows how --dry-run reports files instead of writing them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/bundle/kbadm.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'kbadm-demo-'));

function kbadm(...args) {
  console.log(`\n$ kbadm --rootfs ${root} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, '--rootfs', root, ...args], { encoding: 'utf8' });
  // A dry run prints each file's content indented by a tab; the demo shows which files, not their text.
  process.stdout.write(r.stdout.replace(/(\[dryrun\] Would write file .*\n)(?:\t.*\n)+/g, '$1'));
  process.stderr.write(r.stderr);
  if (r.status !== 0) {
    console.error(`demo step failed with exit code ${r.status}`);
    process.exit(1);
  }
  return r.stdout;
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => join(dir, p))
    .filter((p) => statSync(p).isFile())
    .sort();
}

const config = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 192.0.2.10
nodeRegistration:
  name: demo-cp
  criSocket: unix:///var/run/containerd/containerd.sock
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
controlPlaneEndpoint: cp.demo.internal:6443
networking:
  podSubnet: 10.244.0.0/16
`;

try {
  console.log(`kbadm demo: a control-plane node under ${root}`);
  kbadm('version', '-o', 'short');
  // Paths on the command line are inside --rootfs, as after kubeadm's chroot.
  writeFileSync(join(root, 'kbadm-config.yaml'), config);
  kbadm('config', 'validate', '--config', '/kbadm-config.yaml');
  kbadm('config', 'images', 'list', '--config', '/kbadm-config.yaml');
  kbadm('init', '--config', '/kbadm-config.yaml');

  console.log(`\nFiles kbadm wrote under ${root} (mode, bytes, path):`);
  for (const f of listFiles(root)) {
    const rel = relative(root, f);
    if (rel === 'kbadm-config.yaml' || rel.startsWith('etc/kubernetes/tmp/')) continue;
    const s = statSync(f);
    console.log(`  ${(s.mode & 0o777).toString(8).padStart(4, '0')} ${String(s.size).padStart(6)}  /${rel}`);
  }
  kbadm('certs', 'check-expiration', '--config', '/kbadm-config.yaml');
  console.log('\nThe same results, machine-readable (a re-run reuses every file):');
  kbadm('init', '--config', '/kbadm-config.yaml', '-o', 'json');
  console.log('\nA dry run writes nothing there and prints each file instead (contents left out here):');
  kbadm('init', 'phase', 'kubelet-start', '--config', '/kbadm-config.yaml', '--dry-run');
} finally {
  rmSync(root, { recursive: true, force: true });
}
