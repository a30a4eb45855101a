// The main job, end to end, under a temporary --rootfs: `kbadm init` writes the PKI, kubeconfigs,
// static Pod manifests and kubelet files of a control-plane node there and prints the join
// command. Under another root kbadm leaves services alone, so no kubelet is started. A second init
// on that root is refused by preflight. Last, a dry run of the kubelet phase shows how --dry-run
// reports files instead of writing them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/bundle/kbadm.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'kbadm-demo-'));

// The preflight errors an empty temporary root cannot avoid: it may run as an ordinary user on a
// machine of any size whose ports may be taken, and the root holds no container runtime, no
// executables, no kubelet and no /proc or /sys. They are shown as warnings; every other check,
// FileAvailable and DirAvailable among them, stays fatal.
const TEMP_ROOT_IGNORES = [
  'IsPrivilegedUser',
  'NumCPU',
  'Mem',
  'Port-6443',
  'Port-10259',
  'Port-10257',
  'Port-10250',
  'Port-2379',
  'Port-2380',
  'CRI',
  'ImagePull',
  'FileExisting-ip',
  'FileExisting-iptables',
  'FileExisting-mount',
  'FileExisting-nsenter',
  'KubeletVersion',
  'SystemVerification',
  'FileContent--proc-sys-net-ipv4-ip_forward',
].join(',');

function kbadm(...args) {
  run(0, args);
}

/** Runs one step; its output goes straight to the terminal, so warnings stay beside their lines. */
function run(status, args, { hideDryRunContent = false } = {}) {
  console.log(`\n$ kbadm --rootfs ${root} ${args.join(' ')}`);
  const argv = [cli, '--rootfs', root, ...args];
  const r = hideDryRunContent
    ? spawnSync(process.execPath, argv, { encoding: 'utf8' })
    : spawnSync(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (hideDryRunContent) {
    // A dry run prints each file's content indented by a tab; the demo shows which files, not their text.
    process.stdout.write(r.stdout.replace(/(\[dryrun\] Would write file .*\n)(?:\t.*\n)+/g, '$1'));
    process.stderr.write(r.stderr);
  }
  if (r.status !== status) {
    console.error(`demo step failed with exit code ${r.status}`);
    process.exit(1);
  }
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
  console.log(
    '\nThe temporary root is not a prepared node (no container runtime, executables, kubelet, /proc or /sys),\n' +
      'so init is told to show those preflight errors as warnings; nothing is pulled or started.',
  );
  kbadm('init', '--config', '/kbadm-config.yaml', '--ignore-preflight-errors', TEMP_ROOT_IGNORES);

  console.log(`\nFiles kbadm wrote under ${root} (mode, bytes, path):`);
  for (const f of listFiles(root)) {
    const rel = relative(root, f);
    if (rel === 'kbadm-config.yaml' || rel.startsWith('etc/kubernetes/tmp/')) continue;
    const s = statSync(f);
    console.log(`  ${(s.mode & 0o777).toString(8).padStart(4, '0')} ${String(s.size).padStart(6)}  /${rel}`);
  }
  kbadm('certs', 'check-expiration', '--config', '/kbadm-config.yaml');
  console.log(
    '\nA second init on the same root is refused (exit code 2): the node already has a control plane.',
  );
  run(2, ['init', '--config', '/kbadm-config.yaml', '--ignore-preflight-errors', TEMP_ROOT_IGNORES]);
  console.log(
    '\nRe-running on purpose means skipping preflight: the certificates and kubeconfigs are reused, a new\n' +
      'bootstrap token is made, and -o json prints the results as one object:',
  );
  kbadm('init', '--config', '/kbadm-config.yaml', '--skip-phases', 'preflight', '-o', 'json');
  console.log('\nA dry run writes nothing there and prints each file instead (contents left out here):');
  run(0, ['init', 'phase', 'kubelet-start', '--config', '/kbadm-config.yaml', '--dry-run'], {
    hideDryRunContent: true,
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
