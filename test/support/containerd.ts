// A private containerd for tests: its own root, state and socket in a temporary directory, never
// the machine's /run/containerd. It runs in a mount namespace of its own with a fresh tmpfs on
// /run, so the sockets of its shims and runc's state stay out of the machine's /run and every
// mount it makes (container root filesystems, sandbox /dev/shm) vanishes with it.
//
//   const registry = await startRegistry();
//   const containerd = await startContainerd({ mirrors: mirrorsFor(registry) });
//   after(async () => { await containerd.destroy(); await registry.stop(); });
//   const runtime = await containerd.connect();   // kbadm's own CRI client
//
// The settings the CRI plugin needs on this kind of machine (see the lab notes): oom_score_adj
// restricted, a sandbox image the runtime can pull, plain-HTTP mirrors for the local registry.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectRuntime, type ConnectOptions } from '../../src/host/cri/client.js';
import { probeSocket } from '../../src/host/cri/endpoint.js';
import { pauseImage } from '../../src/config/images.js';
import type { RuntimeForLab } from '../../src/host/runtime.js';
import { removePodSandboxes } from '../../src/host/runtime-ops.js';
import { alive, onExitCleanup, startProcess, stopProcess, waitForLog, type Started } from './processes.js';
import type { Registry } from './registry.js';

export const CONTAINERD_BINARY = '/usr/bin/containerd';
/** What a test needs installed to start a containerd with a local registry and images. */
export const RUNTIME_TOOLS = [
  CONTAINERD_BINARY,
  '/usr/sbin/runc',
  '/usr/bin/containerd-shim-runc-v2',
  '/usr/bin/unshare',
] as const;

export interface ContainerdOptions {
  /** Image host -> endpoint, reached over plain HTTP (see mirrorsFor). */
  mirrors?: Record<string, string>;
  /** The pause image (default: kbadm's, registry.k8s.io/pause:<version>). */
  sandboxImage?: string;
  /** A command that runs containerd elsewhere, e.g. ['nsenter', '--net=/var/run/netns/node1']. */
  wrap?: string[];
}

/** Mirrors that send registry.k8s.io (kbadm's default image names, unchanged) and the registry's own host to it. */
export function mirrorsFor(registry: Registry): Record<string, string> {
  const endpoint = `http://${registry.host}`;
  return { 'registry.k8s.io': endpoint, [registry.host]: endpoint };
}

export interface Containerd {
  readonly dir: string;
  /** The gRPC socket path. */
  readonly socket: string;
  /** unix://<socket>, as a criSocket setting names it. */
  readonly endpoint: string;
  /** What containerd has logged so far (for a failing test's message). */
  log(): string;
  /** Connects kbadm's CRI client, with the lab's calls (run sandboxes and containers). */
  connect(options?: ConnectOptions): Promise<RuntimeForLab>;
  /**
   * Ends containerd and keeps its directories: SIGTERM (it removes its socket), or SIGKILL with
   * `kill`, which leaves a socket file nobody listens on. Its shims and containers keep running.
   */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Removes every sandbox, ends containerd, its shims and containers, unmounts and deletes its directories. */
  destroy(): Promise<void>;
}

/** Where a containerd keeps its things: `dir` holds opt/ and cni/; root, state and socket may live elsewhere. */
export interface ContainerdLayout {
  dir: string;
  root: string;
  state: string;
  socket: string;
}

export function layoutIn(dir: string): ContainerdLayout {
  return {
    dir,
    root: path.join(dir, 'root'),
    state: path.join(dir, 'state'),
    socket: path.join(dir, 'containerd.sock'),
  };
}

export function configToml(layout: ContainerdLayout, options: ContainerdOptions): string {
  const { dir } = layout;
  const q = JSON.stringify;
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  const lines = [
    'version = 2',
    `root = ${q(layout.root)}`,
    `state = ${q(layout.state)}`,
    'disabled_plugins = ["io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs"]',
    '[grpc]',
    `  address = ${q(layout.socket)}`,
    '[ttrpc]',
    `  address = ${q(`${layout.socket}.ttrpc`)}`,
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${q(path.join(dir, 'opt'))}`,
    `${cri}]`,
    // Without it every RunPodSandbox fails here: runc may not lower oom_score_adj in this VM.
    '  restrict_oom_score_adj = true',
    `  sandbox_image = ${q(options.sandboxImage ?? pauseImage('registry.k8s.io'))}`,
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    `${cri}.cni]`,
    `  conf_dir = ${q(path.join(dir, 'cni'))}`,
    `  bin_dir = ${q(path.join(dir, 'cni'))}`,
  ];
  for (const [host, endpoint] of Object.entries(options.mirrors ?? {})) {
    lines.push(`${cri}.registry.mirrors.${q(host)}]`, `  endpoint = [${q(endpoint)}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Pids of processes whose command line contains `needle` (our unique socket path). */
function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(needle))
        out.push(Number(entry));
    } catch {
      // Gone already.
    }
  }
  return out;
}

/** Every descendant of the given pids, deepest last. */
function descendants(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone already.
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  roots.forEach(walk);
  return out;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** The shims serving our containerd (found by our socket path in their arguments), and their containers. */
export function killShims(socket: string): number[] {
  const shims = pidsMentioning(socket);
  const all = [...descendants(shims).reverse(), ...shims];
  killAll(all);
  return all;
}

/** Ids of the tasks (sandboxes and containers) containerd has bundles for under its state dir. */
export function taskIds(state: string): string[] {
  try {
    return fs.readdirSync(path.join(state, 'io.containerd.runtime.v2.task', 'k8s.io'));
  } catch {
    return [];
  }
}

/**
 * Removes the cgroups runc made for killed tasks (/sys/fs/cgroup/<controller>/k8s.io/<id>); a
 * runtime that stops its tasks itself leaves none. Waits a little for the killed processes to go.
 */
export function removeCgroups(ids: string[]): void {
  if (ids.length === 0) return;
  const wait = new Int32Array(new SharedArrayBuffer(4));
  const controllers = fs.existsSync('/sys/fs/cgroup') ? fs.readdirSync('/sys/fs/cgroup') : [];
  for (const id of ids) {
    for (const controller of controllers) {
      const cgroup = path.join('/sys/fs/cgroup', controller, 'k8s.io', id);
      for (let attempt = 0; attempt < 20 && fs.existsSync(cgroup); attempt++) {
        try {
          fs.rmdirSync(cgroup);
        } catch {
          Atomics.wait(wait, 0, 0, 50); // EBUSY while the last process exits
        }
      }
    }
  }
}

/** Mount points under `dir` in this mount namespace, deepest first. */
export function mountsUnder(dir: string): string[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

function unmountAll(dir: string): void {
  for (const mountPoint of mountsUnder(dir)) {
    execFileSync('umount', ['--lazy', mountPoint], { stdio: 'ignore' });
  }
}

export async function startContainerd(options: ContainerdOptions = {}): Promise<Containerd> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kbadm-containerd-'));
  const socket = path.join(dir, 'containerd.sock');
  const endpoint = `unix://${socket}`;
  const config = path.join(dir, 'config.toml');
  await fsp.mkdir(path.join(dir, 'cni'));
  await fsp.writeFile(config, configToml(layoutIn(dir), options));

  let proc: Started | undefined;
  const launch = async (): Promise<void> => {
    const [command, ...args] = [
      ...(options.wrap ?? []),
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount -t tmpfs -o mode=0755 kbadm-run /run && exec "$0" --config "$1"',
      CONTAINERD_BINARY,
      config,
    ];
    const p = startProcess(command!, args);
    proc = p;
    await waitForLog(p, /containerd successfully booted/, 30_000, 'containerd');
    for (let i = 0; i < 100 && (await probeSocket(socket)) !== undefined; i++) await sleep(50);
  };

  const removeEverythingSync = (): void => {
    if (proc?.child.pid !== undefined) killAll([proc.child.pid]);
    const tasks = taskIds(path.join(dir, 'state'));
    killShims(socket);
    removeCgroups(tasks);
    unmountAll(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onExitCleanup(removeEverythingSync);

  try {
    await launch();
  } catch (err) {
    removeEverythingSync();
    unregister();
    throw err;
  }

  const running = (): boolean => proc !== undefined && !proc.exited();
  return {
    dir,
    socket,
    endpoint,
    log: () => proc?.log() ?? '',
    connect: (connectOptions) => connectRuntime(endpoint, connectOptions),
    async stop({ kill = false } = {}) {
      if (!running()) return;
      if (kill) {
        const exited = new Promise<void>((resolve) => proc!.child.once('exit', () => resolve()));
        proc!.child.kill('SIGKILL');
        await exited;
      } else {
        await stopProcess(proc!.child);
      }
    },
    async destroy() {
      if (running()) {
        // The polite way first: the runtime stops its own sandboxes and unmounts what it mounted.
        try {
          const runtime = await connectRuntime(endpoint, { timeoutMs: 10_000 });
          try {
            await removePodSandboxes(
              runtime,
              (await runtime.listPodSandboxes()).map((s) => s.id),
            );
          } finally {
            runtime.close();
          }
        } catch {
          // Whatever is left is killed below.
        }
        await stopProcess(proc!.child);
      }
      const tasks = taskIds(path.join(dir, 'state'));
      const killed = killShims(socket);
      for (let i = 0; i < 100 && killed.some(alive); i++) await sleep(50);
      removeCgroups(tasks);
      unmountAll(dir);
      await fsp.rm(dir, { recursive: true, force: true });
      unregister();
    },
  };
}
