// The main job, end to end, under a temporary --rootfs: `kbadm init` writes the PKI, kubeconfigs,
// static Pod manifests and kubelet files of a control-plane node there and prints the join
// command. Under another root kbadm leaves services alone, so no kubelet is started, and no control
// plane comes up: the phases that wait for it or talk to its API server are skipped, and a dry run
// of init shows the API requests they would send. A second init
// on that root is refused by preflight; a re-run that skips preflight prints the results as JSON;
// last, a dry run of the kubelet phase shows how --dry-run reports files instead of writing them.
// The root is kept afterwards, to look at.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/bundle/kbadm.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'kbadm-demo-'));
// Paths on the command line are inside --rootfs, as after kubeadm's chroot.
const configInRoot = '/kbadm-config.yaml';
const configFile = join(root, configInRoot);
// What needs a running control plane: the wait for it and every phase that writes to its API server.
const API_SERVER_PHASES =
  'wait-control-plane,upload-config,upload-certs,mark-control-plane,bootstrap-token,addon';

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
  return run(0, args);
}

/** Runs one step that must exit with `status`; returns its standard output. */
function run(status, args) {
  console.log(`\n$ kbadm --rootfs ${root} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, '--rootfs', root, ...args], { encoding: 'utf8' });
  // A dry run prints each file's content indented by a tab; the demo shows which files, not their text.
  process.stdout.write(r.stdout.replace(/(\[dryrun\] Would write file .*\n)(?:\t.*\n)+/g, '$1'));
  process.stderr.write(r.stderr);
  if (r.status !== status) {
    console.error(`\ndemo step failed with exit code ${r.status}`);
    leftBehind();
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

/** Every file of the node (not the demo's config, not dry-run copies) with its bytes. */
function nodeFiles() {
  const files = new Map();
  for (const f of listFiles(root)) {
    const rel = relative(root, f);
    if (rel === relative('/', configInRoot) || rel.startsWith('etc/kubernetes/tmp/')) continue;
    files.set(rel, readFileSync(f));
  }
  return files;
}

function leftBehind() {
  console.log(`\nThe node's files are kept in ${root} to look at.`);
  console.log(`The configuration used is ${configFile} (given to kbadm as --config ${configInRoot}).`);
  console.log(`Remove it all with: rm -rf ${root}`);
}

const pinOf = (text) => /sha256:[0-9a-f]{64}/.exec(text)?.[0];
const tokenOf = (text) => /--token ([a-z0-9]{6}\.[a-z0-9]{16})/.exec(text)?.[1];

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

console.log(`kbadm demo: a control-plane node under ${root}`);
writeFileSync(configFile, config);
console.log(`\nThe configuration, in ${configFile}:\n\n${config.replace(/^/gm, '    ')}`);
kbadm('version', '-o', 'short');
kbadm('config', 'validate', '--config', configInRoot);
kbadm('config', 'images', 'list', '--config', configInRoot);
console.log(
  '\nThe temporary root is not a prepared node (no container runtime, executables, kubelet, /proc or /sys),\n' +
    'so init is told to show those preflight errors as warnings. Preflight still says "Pulling images..."\n' +
    'and tries, but finds no container runtime to pull with (its ImagePull warning): no image is pulled.\n' +
    'Nothing is started and no kubelet runs there: no control plane comes up, so the phases that need\n' +
    `its API server are skipped (${API_SERVER_PHASES}).`,
);
const first = kbadm(
  'init',
  '--config',
  configInRoot,
  '--ignore-preflight-errors',
  TEMP_ROOT_IGNORES,
  '--skip-phases',
  API_SERVER_PHASES,
);

console.log(`\nFiles kbadm wrote under ${root} (mode, bytes, path):`);
for (const rel of nodeFiles().keys()) {
  const s = statSync(join(root, rel));
  console.log(`  ${(s.mode & 0o777).toString(8).padStart(4, '0')} ${String(s.size).padStart(6)}  /${rel}`);
}
kbadm('certs', 'check-expiration', '--config', configInRoot);

console.log(
  '\nA second init on the same root is refused (exit code 2): the node already has a control plane.',
);
run(2, ['init', '--config', configInRoot, '--ignore-preflight-errors', TEMP_ROOT_IGNORES]);
console.log(
  '\nRe-running on purpose means skipping preflight. The run reuses the certificates and kubeconfigs' +
    '\nthe first one wrote; the configuration names no bootstrap token, so it makes a new one.' +
    '\nWith -o json the results are one object:',
);
const result = JSON.parse(
  kbadm('init', '--config', configInRoot, '--skip-phases', `preflight,${API_SERVER_PHASES}`, '-o', 'json'),
);
const samePin = result.caCertHashes[0] === pinOf(first);
const sameToken = result.tokens[0].token === tokenOf(first);
console.log(
  `\nCompared with the first run: the CA pin is ${samePin ? 'the same' : 'DIFFERENT'}, ` +
    `the bootstrap token is ${sameToken ? 'the same' : 'a new one'}.`,
);

console.log(
  '\nA dry run prints each file it would write (contents left out here) and leaves the node alone;' +
    '\nit puts copies of those files under /etc/kubernetes/tmp:',
);
const before = nodeFiles();
kbadm('init', 'phase', 'kubelet-start', '--config', configInRoot, '--dry-run');
const after = nodeFiles();
const unchanged =
  before.size === after.size && [...before].every(([rel, data]) => after.get(rel)?.equals(data));
const copies = readdirSync(join(root, 'etc/kubernetes/tmp')).filter((d) =>
  d.startsWith('kubeadm-init-dryrun'),
);
console.log(`\nThe node's files are ${unchanged ? 'unchanged' : 'CHANGED'} after the dry run.`);
for (const d of copies) console.log(`Dry-run copies: /etc/kubernetes/tmp/${d} (under ${root})`);

console.log(
  '\nFor the phases that talk to the API server, a dry run prints each request it would send (Secret' +
    '\nvalues masked) and sends none; here the bootstrap-token phase:',
);
kbadm('init', 'phase', 'bootstrap-token', '--config', configInRoot, '--dry-run');
leftBehind();
if (!samePin || !unchanged) process.exit(1);
