// The main job, end to end, under a temporary --rootfs: what kbadm can do at this stage of the
// project, printed step by step. It grows with each capability (next: a full `kbadm init --dry-run`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'kbadm-demo-'));

function kbadm(...args) {
  console.log(`\n$ kbadm ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, '--rootfs', root, ...args], { encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) {
    console.error(`demo step failed with exit code ${r.status}`);
    process.exit(1);
  }
  return r.stdout;
}

try {
  console.log(`kbadm demo, with --rootfs ${root}`);
  kbadm('version', '-o', 'short');
  kbadm('demo-workflow', '--help');
  kbadm('demo-workflow', '--skip-phases', 'render/manifests');
  kbadm('demo-workflow', 'phase', 'prepare', 'all', '--dry-run');
  const defaults = kbadm('config', 'print', 'init-defaults');
  // Under --rootfs, paths on the command line are paths inside that root, as after kubeadm's chroot.
  writeFileSync(join(root, 'kbadm-config.yaml'), defaults);
  kbadm('config', 'validate', '--config', '/kbadm-config.yaml');
  kbadm('config', 'images', 'list', '--config', '/kbadm-config.yaml');
} finally {
  rmSync(root, { recursive: true, force: true });
}
