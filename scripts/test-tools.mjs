// The real tools the tests run, each with the Debian package that provides it. `npm test` checks
// them before anything else: when some are missing it installs their packages (as root, with
// apt-get), or stops and names the packages to install. Tests never skip a missing tool; they fail.
// To make a new tool available to the tests, add a row here.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** command on PATH -> Debian package. */
export const TEST_TOOLS = [
  { command: 'openssl', package: 'openssl' }, // verifies every certificate, key and chain
  { command: 'etcd', package: 'etcd-server' }, // runs the generated etcd manifest for real
  { command: 'etcdctl', package: 'etcd-client' }, // etcd's client, beside the server
  // Reads every kubeconfig. Asked for only when kubectl is missing: Debian's package would clash
  // with a kubectl installed another way.
  { command: 'kubectl', package: 'kubernetes-client' },
  { command: 'zsh', package: 'zsh' }, // runs the zsh completion script
  { command: 'fish', package: 'fish' }, // runs the fish completion script
  { command: 'mount', package: 'mount' }, // a small tmpfs makes a real full disk (ENOSPC)
  // The container runtime tests: a containerd of their own (with runc), a local registry, and
  // small images built from busybox with umoci and pushed with skopeo.
  { command: 'containerd', package: 'containerd' },
  { command: 'runc', package: 'runc' },
  { command: 'docker-registry', package: 'docker-registry' },
  { command: 'skopeo', package: 'skopeo' },
  { command: 'umoci', package: 'umoci' },
  // The image holds nothing but busybox, so it must be the statically linked one.
  { command: 'busybox', package: 'busybox-static', present: () => isStatic('/bin/busybox') },
  // The lab: network namespaces and veth pairs for its nodes, nsenter to enter them, tar for images.
  { command: 'ip', package: 'iproute2' },
  { command: 'nsenter', package: 'util-linux' },
  { command: 'tar', package: 'tar' },
];

// Where apt puts commands, searched too: a PATH without the sbin directories must not hide runc.
const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** An executable that needs no dynamic loader (`ldd` says it is not a dynamic executable). */
function isStatic(file) {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return false;
  }
  return spawnSync('ldd', [file], { stdio: 'ignore' }).status !== 0;
}

/** The absolute path of a command on PATH, or undefined. */
export function which(command, searchPath = process.env.PATH ?? '') {
  for (const dir of [...searchPath.split(delimiter), ...SYSTEM_PATH]) {
    if (dir === '') continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function missingTools(tools = TEST_TOOLS) {
  return tools.filter((t) => (t.present ? !t.present() : which(t.command) === undefined));
}

/**
 * Makes sure every tool is there. Returns an error message, or undefined when all are present
 * (installing the missing ones first when running as root).
 */
export function ensureTestTools({
  tools = TEST_TOOLS,
  isRoot = process.getuid?.() === 0,
  log = console.error,
} = {}) {
  const missing = missingTools(tools);
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((t) => t.package))];
  const names = missing.map((t) => t.command).join(', ');
  if (!isRoot) {
    return `the tests need ${names}, which are missing; install them with: sudo apt-get install ${packages.join(' ')}`;
  }
  log(`Installing what the tests need (${names}): apt-get install ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) {
      const why = r.error ? r.error.message : `exit code ${r.status}`;
      return `apt-get ${args[0]} failed (${why}); install these packages by hand: ${packages.join(' ')}`;
    }
  }
  const still = missingTools(tools);
  if (still.length > 0) {
    return `still missing after apt-get install: ${still.map((t) => `${t.command} (${t.package})`).join(', ')}`;
  }
  return undefined;
}

// Run directly (`node scripts/test-tools.mjs`, the first step of `npm test`): check, install, report.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const error = ensureTestTools();
  if (error) {
    console.error(`npm test: ${error}`);
    process.exit(1);
  }
}
