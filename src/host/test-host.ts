// An in-memory Host for tests: the same semantics as the real one (modes, parent directories
// created 0700, sorted listDir, the same removal guard and command errors), scripted commands,
// settable facts, and a record of every change.
//
//   const host = createTestHost()
//     .seedFile('/etc/kubernetes/pki/ca.crt', pem)
//     .seedSocket('/var/run/containerd/containerd.sock')
//     .onRun('systemctl', (args) => (args[0] === 'is-active' ? { stdout: 'active' } : {}));
//   await phase.run({ ...data, host });
//   assert.equal(host.text('/etc/kubernetes/admin.conf'), expected);
//   assert.deepEqual(host.changes, [...]);
import * as path from 'node:path';
import { CommandNotFoundError, settle } from './exec.js';
import { FileExistsError, fsError, notADirectory } from './files.js';
import type { ExecResult, FileInfo, Host, HostChange, HostFacts, MachineFacts, RunOptions } from './host.js';
import type { UnmountFlag } from './mounts.js';
import type { ContainerRuntime } from './runtime.js';
import { createPaths, type Paths } from './paths.js';
import { isInside, noLinks, RemovalGuard } from './removal-guard.js';

type Node =
  | { type: 'file'; data: Buffer; mode: number }
  | { type: 'dir'; mode: number }
  | { type: 'socket'; mode: number; answers: boolean };

/** A scripted command: its result (missing fields: exit 0, empty output), or throw to fail the run. */
export type RunHandler = (
  args: string[],
  options: RunOptions,
) => Partial<ExecResult> | void | Promise<Partial<ExecResult> | void>;

export interface RunCall {
  command: string;
  args: string[];
  options: RunOptions;
}

export interface TestHostOptions {
  /** Default `/`, so tests can use plain host paths. */
  rootfs?: string;
  dryRun?: boolean;
  /** Default: hostname `cp-1`, default-route address `192.168.0.10`. */
  facts?: Partial<HostFacts>;
  /** Files present from the start (mode 0644 for text, as on a fresh machine), not recorded as changes. */
  files?: Record<string, string | Uint8Array>;
  /** The runtime `runtime(endpoint)` answers with; without one, every endpoint is unreachable. */
  runtime?: (endpoint: string) => ContainerRuntime;
  /** Default: root, 2 CPUs, 4 GiB, Linux 6.1.0 (a machine that meets kubeadm's minimums). */
  machine?: Partial<MachineFacts>;
  /** Ports something already listens on (`bindError` answers EADDRINUSE for them). */
  portsInUse?: number[];
  /** What names resolve to; default: the hostname fact and localhost. */
  hosts?: Record<string, string[]>;
}

export interface UnmountCall {
  path: string;
  flags: UnmountFlag[];
}

export interface TestHost extends Host {
  /** Every change made through the Host interface (seeding is not a change), in order. */
  readonly changes: HostChange[];
  /** Every command run, read-only ones included, with its options. */
  readonly runs: RunCall[];
  /** Every unmount asked for, in order, including those that failed. */
  readonly unmounts: UnmountCall[];
  /** A mount point (mounted after those seeded before); `busy` ones refuse to be unmounted. */
  seedMount(path: string, options?: { busy?: boolean }): this;
  /** Every name looked up, with the nameservers asked when they were given. */
  readonly lookups: { name: string; servers?: string[] }[];
  /** Scripts `command` (matched by name or by basename of a path); it also becomes visible to `which`. */
  onRun(command: string, handler: RunHandler | Partial<ExecResult>): this;
  /** Merges into the facts; pass `defaultRouteAddress: undefined` for a host without a default route. */
  setFacts(facts: Partial<HostFacts>): this;
  /** Answers `runtime(endpoint)` from now on. */
  setRuntime(connect: (endpoint: string) => ContainerRuntime): this;
  /** Merges into the machine facts. */
  setMachine(facts: Partial<MachineFacts>): this;
  /** Marks ports as taken by another listener. */
  setPortsInUse(...ports: number[]): this;
  /** Makes `name` resolve to `addresses` (none: it does not resolve). */
  setHost(name: string, addresses: string[]): this;
  seedFile(path: string, data: string | Uint8Array, mode?: number): this;
  seedDir(path: string, mode?: number): this;
  /** A Unix socket, e.g. a CRI endpoint; `answers: false` is one nothing listens on any more. */
  seedSocket(path: string, options?: { answers?: boolean }): this;
  /** A file's content as UTF-8; throws when it is missing. */
  text(path: string): string;
  /** Permission bits of a file, directory or socket, or undefined. */
  modeOf(path: string): number | undefined;
  /** Paths of all files and sockets (not directories), sorted, optionally only those under `dir`. */
  listFiles(dir?: string): string[];
  clearChanges(): this;
}

export function createTestHost(options: TestHostOptions = {}): TestHost {
  const paths: Paths = createPaths(options.rootfs ?? '/');
  const guard = new RemovalGuard(paths, noLinks);
  const nodes = new Map<string, Node>([['/', { type: 'dir', mode: 0o755 }]]);
  const handlers = new Map<string, RunHandler>();
  const changes: HostChange[] = [];
  const runs: RunCall[] = [];
  const unmounts: UnmountCall[] = [];
  const mounts: { path: string; busy: boolean }[] = [];
  let connectRuntime = options.runtime;
  let facts: HostFacts = {
    hostname: 'cp-1',
    defaultRouteAddress: '192.168.0.10',
    ...options.facts,
  };
  let machine: MachineFacts = {
    euid: 0,
    cpus: 2,
    memoryBytes: 4 * 1024 ** 3,
    os: 'Linux',
    kernelRelease: '6.1.0',
    pid: 4242,
    ...options.machine,
  };
  const portsInUse = new Set(options.portsInUse ?? []);
  const lookups: { name: string; servers?: string[] }[] = [];
  const hosts = new Map<string, string[]>(
    Object.entries(
      options.hosts ?? {
        [facts.hostname]: [facts.defaultRouteAddress ?? '127.0.1.1'],
        localhost: ['127.0.0.1'],
      },
    ),
  );

  const abs = (p: string): string => {
    if (!path.isAbsolute(p)) throw new Error(`test host: "${p}" is not an absolute path`);
    return path.resolve(p);
  };

  /** Like stat(2): a missing path is undefined, a file where a directory should be is ENOTDIR. */
  const lookup = (p: string, syscall: string): Node | undefined => {
    for (let parent = path.dirname(p); parent !== p && parent !== '/'; parent = path.dirname(parent)) {
      const n = nodes.get(parent);
      if (n && n.type !== 'dir') throw fsError('ENOTDIR', syscall, p);
    }
    return nodes.get(p);
  };

  const mkdirp = (dir: string, mode: number, recordIt: boolean): void => {
    const missing: string[] = [];
    for (let p = dir; ; p = path.dirname(p)) {
      const n = nodes.get(p);
      if (n) {
        if (n.type !== 'dir') throw notADirectory(dir, p);
        break;
      }
      missing.unshift(p);
    }
    for (const p of missing) {
      nodes.set(p, { type: 'dir', mode });
      if (recordIt) changes.push({ kind: 'mkdir', path: p, mode });
    }
  };

  const put = (p: string, node: Node, recordIt: boolean): void => {
    const file = abs(p);
    mkdirp(path.dirname(file), 0o700, recordIt);
    if (nodes.get(file)?.type === 'dir') throw fsError('EISDIR', 'rename', file);
    nodes.set(file, node);
  };

  const readFileIfExists = async (p: string): Promise<Buffer | undefined> => {
    const n = lookup(abs(p), 'open');
    if (n === undefined) return undefined;
    if (n.type !== 'file') throw fsError('EISDIR', 'read', p);
    return Buffer.from(n.data);
  };

  const stat = async (p: string): Promise<FileInfo | undefined> => {
    let n: Node | undefined;
    try {
      n = lookup(abs(p), 'stat');
    } catch {
      return undefined; // ENOTDIR: missing, as on the real host
    }
    if (n === undefined) return undefined;
    return {
      isFile: n.type === 'file',
      isDirectory: n.type === 'dir',
      isSocket: n.type === 'socket',
      mode: n.mode,
      size: n.type === 'file' ? n.data.byteLength : 0,
    };
  };

  const handlerFor = (command: string): RunHandler | undefined =>
    handlers.get(command) ?? (command.includes('/') ? handlers.get(path.basename(command)) : undefined);

  const host: TestHost = {
    paths,
    dryRun: options.dryRun ?? false,
    changes,
    runs,
    unmounts,
    lookups,
    async readFile(p) {
      const data = await readFileIfExists(p);
      if (data === undefined) throw fsError('ENOENT', 'open', p);
      return data;
    },
    readFileIfExists,
    stat,
    exists: async (p) => (await stat(p)) !== undefined,
    async listDir(p) {
      const dir = abs(p);
      const n = lookup(dir, 'scandir');
      if (n === undefined) return [];
      if (n.type !== 'dir') throw fsError('ENOTDIR', 'scandir', p);
      return [...nodes.keys()]
        .filter((q) => q !== dir && path.dirname(q) === dir)
        .map((q) => path.basename(q))
        .sort();
    },
    async writeFile(p, data, mode, writeOptions = {}) {
      const file = abs(p);
      if (writeOptions.exclusive && nodes.has(file)) throw new FileExistsError(paths.onHost(file));
      const bytes = Buffer.from(data);
      put(file, { type: 'file', data: bytes, mode }, true);
      changes.push({ kind: 'write', path: file, mode, bytes: bytes.byteLength });
    },
    async writeFiles(files, unitOptions = {}) {
      // In memory a unit cannot be interrupted: it is written up to its first exclusive conflict.
      await unitOptions.after;
      for (const f of files) await host.writeFile(f.path, f.data, f.mode, { exclusive: !!f.exclusive });
    },
    async mkdir(p, mode) {
      mkdirp(abs(p), mode, true);
    },
    async remove(p) {
      const target = abs(await guard.check(p));
      if ((await stat(target)) === undefined) return;
      // As on a real machine: a tree holding an active mount point cannot be removed.
      const mounted = mounts.find((m) => isInside(m.path, target));
      if (mounted) throw fsError('EBUSY', 'rmdir', mounted.path);
      for (const q of [...nodes.keys()]) if (isInside(q, target)) nodes.delete(q);
      changes.push({ kind: 'remove', path: target });
    },
    async rename(from, to) {
      const source = abs(await guard.check(from));
      const target = abs(to);
      if ((await stat(source)) === undefined) throw fsError('ENOENT', 'rename', from);
      if ((await stat(target)) !== undefined)
        throw new Error(`test host: cannot move "${from}" to "${to}": the target already exists`);
      const mounted = mounts.find((m) => isInside(m.path, source));
      if (mounted) throw fsError('EBUSY', 'rename', mounted.path);
      mkdirp(path.dirname(target), 0o700, true);
      for (const [q, n] of [...nodes]) {
        if (!isInside(q, source)) continue;
        nodes.delete(q);
        nodes.set(path.join(target, path.relative(source, q)), n);
      }
      changes.push({ kind: 'rename', from: source, to: target });
    },
    addManagedDir: (dir) => guard.addManagedDir(dir),
    async realPath(p) {
      const target = abs(p);
      if ((await stat(target)) === undefined) throw fsError('ENOENT', 'realpath', p);
      return target;
    },
    async mountPoints() {
      return mounts.map((m) => m.path);
    },
    async unmount(mountPoint, flags) {
      const target = abs(mountPoint);
      unmounts.push({ path: target, flags: [...flags] });
      // The most recent mount on a path is the one umount(2) takes off.
      const i = mounts.map((m) => m.path).lastIndexOf(target);
      if (i < 0) throw new Error(`umount: ${target}: not mounted.`);
      if (mounts[i]!.busy) throw new Error(`umount: ${target}: target is busy.`);
      mounts.splice(i, 1);
      changes.push({ kind: 'unmount', path: target });
    },
    seedMount(p, o = {}) {
      const target = abs(p);
      mkdirp(target, 0o755, false);
      mounts.push({ path: target, busy: o.busy ?? false });
      return this;
    },
    async run(command, args, runOptions = {}) {
      runs.push({ command, args: [...args], options: runOptions });
      const handler = handlerFor(command);
      if (handler === undefined) throw new CommandNotFoundError(command);
      if (!runOptions.readOnly) changes.push({ kind: 'run', command, args: [...args] });
      const r = (await handler([...args], runOptions)) ?? {};
      return settle(
        command,
        args,
        { exitCode: r.exitCode ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' },
        runOptions,
      );
    },
    async which(command) {
      if (handlerFor(command) === undefined) return undefined;
      return command.includes('/') ? command : `/usr/bin/${command}`;
    },
    async facts() {
      return { ...facts };
    },
    async socketAnswers(p) {
      try {
        const n = lookup(abs(p), 'connect');
        return n?.type === 'socket' && n.answers;
      } catch {
        return false;
      }
    },
    async runtime(endpoint) {
      if (connectRuntime === undefined) throw new Error(`test host: no container runtime at ${endpoint}`);
      return connectRuntime(endpoint);
    },
    setRuntime(connect) {
      connectRuntime = connect;
      return this;
    },
    async machine() {
      return { ...machine };
    },
    async bindError(port) {
      return portsInUse.has(port) ? 'EADDRINUSE' : undefined;
    },
    async lookupHost(name, lookup = {}) {
      lookups.push({ name, ...(lookup.servers ? { servers: [...lookup.servers] } : {}) });
      const addresses = hosts.get(name) ?? [];
      // The error node's resolver gives for an unknown name.
      if (addresses.length === 0)
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return [...addresses];
    },
    setMachine(more) {
      machine = { ...machine, ...more };
      return this;
    },
    setPortsInUse(...ports) {
      for (const p of ports) portsInUse.add(p);
      return this;
    },
    setHost(name, addresses) {
      hosts.set(name, [...addresses]);
      return this;
    },

    onRun(command, handler) {
      handlers.set(command, typeof handler === 'function' ? handler : () => handler);
      return this;
    },
    setFacts(more) {
      facts = { ...facts, ...more };
      if ('defaultRouteAddress' in more && more.defaultRouteAddress === undefined)
        delete facts.defaultRouteAddress;
      return this;
    },
    seedFile(p, data, mode = 0o644) {
      put(p, { type: 'file', data: Buffer.from(data), mode }, false);
      return this;
    },
    seedDir(p, mode = 0o755) {
      mkdirp(abs(p), mode, false);
      return this;
    },
    seedSocket(p, options = {}) {
      put(p, { type: 'socket', mode: 0o660, answers: options.answers ?? true }, false);
      return this;
    },
    text(p) {
      const n = nodes.get(abs(p));
      if (n?.type !== 'file') throw new Error(`test host: no file "${p}"`);
      return n.data.toString('utf8');
    },
    modeOf: (p) => nodes.get(abs(p))?.mode,
    listFiles(dir = '/') {
      const under = abs(dir);
      return [...nodes]
        .filter(([q, n]) => n.type !== 'dir' && isInside(q, under))
        .map(([q]) => q)
        .sort();
    },
    clearChanges() {
      changes.length = 0;
      runs.length = 0;
      unmounts.length = 0;
      return this;
    },
  };
  for (const [p, data] of Object.entries(options.files ?? {})) host.seedFile(p, data);
  return host;
}
