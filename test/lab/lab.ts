// A cluster's machines on one machine: N nodes, each a network namespace with its own loopback
// (so several control-plane nodes bind the same ports), its own --rootfs directory and its own
// containerd (socket at /run/containerd/containerd.sock under the node's root); a hub namespace
// holding a bridge and a local registry mirrored for registry.k8s.io; link-local addresses only.
// Everything made is recorded in <dir>/lab.json before it is made, so `down` can remove it after
// a crash too, and running `down` twice is harmless.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connectRuntime } from '../../src/host/cri/client.js';
import { removePodSandboxes } from '../../src/host/runtime-ops.js';
import {
  configToml,
  killShims,
  mountsUnder,
  removeCgroups,
  taskIds,
  type ContainerdLayout,
} from '../support/containerd.js';
import {
  buildImages,
  bundleComponents,
  labImageNames,
  pushImage,
  repositoryAndTag,
} from './images/catalog.js';
import { removeStaleBuilds } from './images/stale-builds.js';
import { alive, killAll, processesNaming, processesUnder } from './lab-processes.js';

export const HUB_ADDRESS = '169.254.200.1';
export const REGISTRY_PORT = 5000;
const nodeAddress = (i: number) => `169.254.200.${10 + i}`;
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const IMAGE_CACHE = path.resolve(HERE, '../../node_modules/.cache/kbadm-lab-images');
// The kubelet runs from wherever `up` was started: its entry point and tsx are found from here,
// not from the working directory.
const KUBELET_MAIN = path.join(HERE, 'kubelet/main.ts');
const CATALOG = path.join(HERE, 'images/catalog.ts');
const TSX = import.meta.resolve('tsx');

export interface LabNode {
  name: string;
  rootfs: string;
  address: string;
  netns: string;
  criSocket: string;
}

export interface LabState {
  id: string;
  dir: string;
  hubNetns: string;
  registry: string;
  versions: string[];
  nodes: LabNode[];
  /** Processes the lab started, to stop on `down`. */
  pids: { pid: number; what: string }[];
}

export function defaultLabDir(): string {
  return process.env.KBADM_LAB_DIR ?? '/tmp/kbadm-lab';
}

const stateFile = (dir: string) => path.join(dir, 'lab.json');

export function readState(dir: string): LabState | undefined {
  return existsSync(stateFile(dir))
    ? (JSON.parse(readFileSync(stateFile(dir), 'utf8')) as LabState)
    : undefined;
}

function saveState(s: LabState): void {
  writeFileSync(stateFile(s.dir), JSON.stringify(s, null, 2));
}

function sh(cmd: string, args: string[], opts: { allowFailure?: boolean; input?: string } = {}): string {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      input: opts.input ?? '',
    });
  } catch (err) {
    if (opts.allowFailure) return '';
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new Error('the lab needs root (network namespaces, mounts, containerd)');
  const missing = ['ip', 'nsenter', 'containerd', 'runc', 'docker-registry', 'skopeo', 'etcd', 'tar'].filter(
    (c) => sh('sh', ['-c', `command -v ${c}`], { allowFailure: true }).trim() === '',
  );
  if (missing.length > 0)
    throw new Error(
      `the lab needs these commands: ${missing.join(', ')} (Debian: iproute2, util-linux, containerd, runc, docker-registry, skopeo, etcd-server, tar)`,
    );
}

function containerdConfig(root: string): string {
  const mirror = `http://${HUB_ADDRESS}:${REGISTRY_PORT}`;
  return configToml(nodeContainerdLayout(root), {
    mirrors: { 'registry.k8s.io': mirror, [`${HUB_ADDRESS}:${REGISTRY_PORT}`]: mirror },
  });
}

/** A node's containerd keeps its state under the node's root; its socket is where kubeadm expects it. */
function nodeContainerdLayout(root: string): ContainerdLayout {
  return {
    dir: path.join(root, 'var/lib/containerd-lab'),
    root: path.join(root, 'var/lib/containerd'),
    state: path.join(root, 'run/containerd'),
    socket: path.join(root, 'run/containerd/containerd.sock'),
  };
}

function registryConfig(dir: string): string {
  return `version: 0.1
storage:
  filesystem:
    rootdirectory: ${dir}
  delete:
    enabled: true
http:
  addr: ${HUB_ADDRESS}:${REGISTRY_PORT}
log:
  level: error
`;
}

function startDetached(
  s: LabState,
  what: string,
  netns: string,
  cmd: string,
  args: string[],
  logFile: string,
): number {
  const out = openSync(logFile, 'a');
  const child = spawn('nsenter', [`--net=/var/run/netns/${netns}`, cmd, ...args], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  s.pids.push({ pid: child.pid!, what });
  saveState(s);
  return child.pid!;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * Builds every image for the lab's versions (cached across labs under node_modules/.cache, keyed by
 * the stand-ins' bundle and the versions), then pushes them to the lab registry.
 */
async function buildAndPushImages(s: LabState): Promise<void> {
  const work = path.join(s.dir, 'build');
  await fs.mkdir(work, { recursive: true });
  const bundle = path.join(work, 'components.mjs');
  await bundleComponents(bundle);
  const images = labImageNames(s.versions);
  const key = createHash('sha256')
    .update(await fs.readFile(bundle))
    // What goes into the images besides the stand-ins (the pause program, the etcd wrapper...).
    .update(await fs.readFile(CATALOG))
    .update(images.join(','))
    .update(readFileSync(process.execPath).subarray(0, 4096))
    .digest('hex')
    .slice(0, 16);
  const cache = path.join(IMAGE_CACHE, key);
  await removeStaleBuilds(IMAGE_CACHE, alive);
  if (!existsSync(path.join(cache, '.complete'))) {
    // Several labs may start at once (test files run in parallel): each builds into a directory of
    // its own and puts it in place with one rename; a lab that loses the race uses the winner's.
    const building = `${cache}.building-${process.pid}-${s.id}`;
    await buildImages(images, building, path.join(work, 'rootfs'), bundle);
    await fs.writeFile(path.join(building, '.complete'), '');
    // An incomplete one was left by a lab that died while building; a complete one is another lab's.
    if (!existsSync(path.join(cache, '.complete'))) await fs.rm(cache, { recursive: true, force: true });
    await fs.rename(building, cache).catch(async () => {
      if (!existsSync(path.join(cache, '.complete')))
        throw new Error(`cannot put the lab images in ${cache}`);
      await fs.rm(building, { recursive: true, force: true });
    });
    // Other keys are other image sets (a lab at other versions may be pushing from one right now)
    // or older builds of the stand-ins: only those untouched for a day go.
    const dayAgo = Date.now() - 24 * 3600 * 1000;
    for (const old of readdirSync(IMAGE_CACHE))
      if (
        old !== key &&
        !old.includes('.building-') &&
        statSync(path.join(IMAGE_CACHE, old)).mtimeMs < dayAgo
      )
        await fs.rm(path.join(IMAGE_CACHE, old), { recursive: true, force: true });
  }
  for (const image of images) {
    const { repository, tag } = repositoryAndTag(image);
    pushImage(
      path.join(cache, `${repository.replace(/\//g, '_')}-${tag}`),
      tag,
      s.registry,
      repository,
      s.hubNetns,
    );
  }
}

export async function labUp(options: {
  nodes: number;
  dir?: string;
  versions?: string[];
}): Promise<LabState> {
  requireRoot();
  const dir = path.resolve(options.dir ?? defaultLabDir());
  if (readState(dir) !== undefined) throw new Error(`a lab is already up in ${dir} (run down first)`);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const id = createHash('sha256').update(dir).digest('hex').slice(0, 6);
  const s: LabState = {
    id,
    dir,
    hubNetns: `kbl-${id}-hub`,
    registry: `${HUB_ADDRESS}:${REGISTRY_PORT}`,
    versions: options.versions ?? ['v1.34.0'],
    nodes: [],
    pids: [],
  };
  saveState(s);
  try {
    sh('ip', ['netns', 'add', s.hubNetns]);
    sh('ip', ['-n', s.hubNetns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', s.hubNetns, 'link', 'add', 'br0', 'type', 'bridge']);
    sh('ip', ['-n', s.hubNetns, 'addr', 'add', `${HUB_ADDRESS}/24`, 'dev', 'br0']);
    sh('ip', ['-n', s.hubNetns, 'link', 'set', 'br0', 'up']);
    const registryDir = path.join(dir, 'registry');
    await fs.mkdir(registryDir, { recursive: true });
    await fs.writeFile(path.join(dir, 'registry.yml'), registryConfig(registryDir));
    startDetached(
      s,
      'registry',
      s.hubNetns,
      'docker-registry',
      ['serve', path.join(dir, 'registry.yml')],
      path.join(dir, 'registry.log'),
    );
    await waitFor('the registry', () => tcpReachable(s.hubNetns, HUB_ADDRESS, REGISTRY_PORT));

    for (let i = 1; i <= options.nodes; i++) {
      const name = `node-${i}`;
      const node: LabNode = {
        name,
        rootfs: path.join(dir, 'nodes', name),
        address: nodeAddress(i),
        netns: `kbl-${id}-n${i}`,
        criSocket: 'unix:///run/containerd/containerd.sock',
      };
      s.nodes.push(node);
      saveState(s);
      sh('ip', ['netns', 'add', node.netns]);
      sh('ip', ['-n', node.netns, 'link', 'set', 'lo', 'up']);
      sh('ip', [
        '-n',
        s.hubNetns,
        'link',
        'add',
        `v${i}`,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        node.netns,
      ]);
      sh('ip', ['-n', s.hubNetns, 'link', 'set', `v${i}`, 'master', 'br0', 'up']);
      sh('ip', ['-n', node.netns, 'addr', 'add', `${node.address}/24`, 'dev', 'eth0']);
      sh('ip', ['-n', node.netns, 'link', 'set', 'eth0', 'up']);
      for (const d of [
        'etc/kubernetes',
        'var/lib/kubelet',
        'run/containerd',
        'var/lib/containerd',
        'tmp',
        'etc/containerd',
      ]) {
        await fs.mkdir(path.join(node.rootfs, d), { recursive: true });
      }
      await fs.writeFile(path.join(node.rootfs, 'etc/hostname'), `${name}\n`);
      const config = path.join(node.rootfs, 'etc/containerd/config.toml');
      await fs.writeFile(config, containerdConfig(node.rootfs));
      startDetached(
        s,
        `containerd ${name}`,
        node.netns,
        'containerd',
        ['--config', config],
        path.join(dir, `${name}-containerd.log`),
      );
    }
    for (const node of s.nodes) {
      await waitFor(`containerd of ${node.name}`, () =>
        existsSync(path.join(node.rootfs, 'run/containerd/containerd.sock')),
      );
    }
    await buildAndPushImages(s);
    for (const node of s.nodes) {
      const version = s.versions[0]!;
      startDetached(
        s,
        `kubelet ${node.name}`,
        node.netns,
        process.execPath,
        [
          '--import',
          TSX,
          KUBELET_MAIN,
          '--root',
          node.rootfs,
          '--node-name',
          node.name,
          '--address',
          node.address,
          '--version',
          version,
        ],
        path.join(dir, `${node.name}-kubelet.log`),
      );
    }
    return s;
  } catch (err) {
    await labDown(dir).catch(() => undefined);
    throw err;
  }
}

/** Whether something accepts TCP connections at host:port, seen from inside `netns`. */
export function tcpReachable(netns: string, host: string, port: number): boolean {
  const probe = `require('net').connect(${port}, '${host}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  try {
    execFileSync('nsenter', [`--net=/var/run/netns/${netns}`, process.execPath, '-e', probe], {
      stdio: 'ignore',
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

/** Runs a command inside a node's network namespace, with its output (up to 64 MiB of each). */
export function labExec(
  node: LabNode,
  cmd: string,
  args: string[],
): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync('nsenter', [`--net=/var/run/netns/${node.netns}`, cmd, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Removes everything `up` made; safe after a crash and safe to run twice. */
export async function labDown(dirOption?: string): Promise<void> {
  const dir = path.resolve(dirOption ?? defaultLabDir());
  const s = readState(dir);
  if (s === undefined) {
    await fs.rm(dir, { recursive: true, force: true });
    return;
  }
  // Kubelets first, and anything else started against the lab's files (a kbadm run in a node, a
  // kubelet the state does not list), so nothing restarts or rewrites what is removed next; the
  // containerds stay up to remove their sandboxes.
  await killAll(
    [
      ...s.pids.filter((p) => p.what.startsWith('kubelet')).map((p) => p.pid),
      ...processesNaming(dir)
        .filter((p) => !path.basename(p.command).startsWith('containerd'))
        .map((p) => p.pid),
    ].filter(alive),
  );
  const tasks: string[] = [];
  for (const node of s.nodes) {
    const layout = nodeContainerdLayout(node.rootfs);
    tasks.push(...taskIds(layout.state));
    try {
      const runtime = await connectRuntime(layout.socket, { timeoutMs: 5000 });
      try {
        await removePodSandboxes(
          runtime,
          (await runtime.listPodSandboxes()).map((p) => p.id),
        );
      } finally {
        runtime.close();
      }
    } catch {
      // A containerd that is gone leaves its tasks to the kills below.
    }
  }
  await killAll(s.pids.map((p) => p.pid).filter(alive));
  for (const node of s.nodes) killShims(nodeContainerdLayout(node.rootfs).socket);
  await killAll(processesUnder(dir));
  removeCgroups(tasks);
  for (const m of mountsUnder(dir)) sh('umount', ['-l', m], { allowFailure: true });
  for (const ns of [...s.nodes.map((n) => n.netns), s.hubNetns])
    sh('ip', ['netns', 'delete', ns], { allowFailure: true });
  await fs.rm(dir, { recursive: true, force: true });
}
