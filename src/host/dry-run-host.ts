// --dry-run: reads come from the machine, changes are recorded and printed the way kubeadm prints
// them, and nothing on the machine changes. What this run "wrote" or "removed" is kept in an
// overlay, so that later phases read what earlier ones would have written (the CA that signs the
// apiserver certificate, for one). With `writeDir`, every file written is also really written into
// kubeadm's dry-run directory (/etc/kubernetes/tmp/kubeadm-init-dryrun*), so the rendered files can
// be inspected; that directory is the only thing on the machine a dry run changes.
import { randomInt } from 'node:crypto';
import * as path from 'node:path';
import { ValidationError } from '../errors.js';
import type { Output } from '../output/output.js';
import { describeCommand } from './exec.js';
import { FileExistsError, fsError } from './files.js';
import type { FileInfo, Host, HostChange } from './host.js';
import type { Paths } from './paths.js';
import { createDryRunRuntime } from './dry-run-runtime.js';
import { createRealHost } from './real-host.js';
import { isInside, KUBEADM_MANAGED_DIRS, RemovalGuard, resolveLinksOnDisk } from './removal-guard.js';

export interface DryRunHost extends Host {
  /** Every change this host would have made, in order. */
  readonly changes: readonly HostChange[];
  /** Where written files really go (under --rootfs), when there is such a directory. */
  readonly writeDir?: string;
}

export interface DryRunHostOptions {
  /** Where reads, `which`, facts and read-only commands go (default: the real host). */
  base?: Host;
  /**
   * A directory under --rootfs (see createDryRunDir) where each written file is also written for
   * real, through `base`, at its host path below the directory:
   * `<writeDir>/etc/kubernetes/manifests/etcd.yaml`.
   */
  writeDir?: string;
}

export type DryRunCommand = 'init' | 'join' | 'upgrade';

/** The variable that names a command's dry-run directory instead of a fresh temporary one. */
export const DRY_RUN_DIR_ENV: Readonly<Record<DryRunCommand, string>> = {
  init: 'KBADM_INIT_DRYRUN_DIR',
  join: 'KBADM_JOIN_DRYRUN_DIR',
  upgrade: 'KBADM_UPGRADE_DRYRUN_DIR',
};

const DRY_RUN_DIR_MODE = 0o700;

export interface DryRunDirOptions {
  /** The environment to read DRY_RUN_DIR_ENV from (the caller passes process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The random suffix, as Go's os.MkdirTemp makes it (a decimal uint32). */
  suffix?: () => string;
}

/**
 * Creates the dry-run directory on the real host (0700) and returns it (under --rootfs): the
 * directory the environment variable names, else a new `<tmpDir>/kubeadm-<command>-dryrun<random>`.
 */
export async function createDryRunDir(
  base: Host,
  command: DryRunCommand,
  options: DryRunDirOptions = {},
): Promise<string> {
  const given = options.env?.[DRY_RUN_DIR_ENV[command]];
  if (given) {
    const dir = base.paths.rootfs === '/' ? path.resolve(given) : base.paths.under(path.resolve('/', given));
    // Files land at <dir>/<host path>: a directory above kubeadm's would turn the dry run into a real one.
    const clash = KUBEADM_MANAGED_DIRS.map((d) => base.paths.under(d)).find((d) => isInside(d, dir));
    if (clash) {
      throw new ValidationError([
        {
          field: DRY_RUN_DIR_ENV[command],
          value: given,
          detail: `a dry run would write its files into "${base.paths.onHost(clash)}"; choose a directory that does not contain it`,
        },
      ]);
    }
    await base.mkdir(dir, DRY_RUN_DIR_MODE);
    return dir;
  }
  const suffix = options.suffix ?? (() => String(randomInt(0, 2 ** 32 - 1)));
  await base.mkdir(base.paths.tmpDir, DRY_RUN_DIR_MODE);
  for (let attempt = 0; attempt < 100; attempt++) {
    const dir = path.join(base.paths.tmpDir, `kubeadm-${command}-dryrun${suffix()}`);
    if (await base.exists(dir)) continue;
    await base.mkdir(dir, DRY_RUN_DIR_MODE);
    return dir;
  }
  throw new Error(`could not create a dry-run directory in "${base.paths.onHost(base.paths.tmpDir)}"`);
}

/** Why a file's content must not be printed, or undefined when it may be. */
export function sensitiveContent(text: string): string | undefined {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) return 'private key';
  if (/^\s*client-key-data:/m.test(text)) return 'kubeconfig with a private key';
  if (/^\s*token:\s*\S/m.test(text)) return 'token';
  if (/^\s*kind:\s*EncryptionConfiguration\b/m.test(text)) return 'encryption keys';
  return undefined;
}

/** A file's content as kubeadm's dry-run prints it: each line indented with a tab. */
export function renderDryRunContent(data: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return `\t[binary content, ${data.byteLength} bytes]`;
  }
  if (text.includes('\0')) return `\t[binary content, ${data.byteLength} bytes]`;
  const secret = sensitiveContent(text);
  if (secret) return `\t[${secret} not shown, ${data.byteLength} bytes]`;
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `\t${l}`)
    .join('\n');
}

const CRI_CHANGES: Record<Extract<HostChange, { kind: 'cri' }>['action'], (target: string) => string> = {
  pull: (image) => `Would pull image "${image}"`,
  'stop-sandbox': (id) => `Would stop Pod sandbox "${id}"`,
  'remove-sandbox': (id) => `Would remove Pod sandbox "${id}"`,
  'remove-container': (id) => `Would remove container "${id}"`,
};

/** One change as the user reads it; `show` turns a path under --rootfs into the host path. */
export function describeChange(change: HostChange, show: (p: string) => string = (p) => p): string {
  switch (change.kind) {
    case 'write':
      return `Would write file "${show(change.path)}" with content:`;
    case 'mkdir':
      return `Would create directory "${show(change.path)}"`;
    case 'remove':
      return `Would remove "${show(change.path)}"`;
    case 'rename':
      return `Would move "${show(change.from)}" to "${show(change.to)}"`;
    case 'unmount':
      return `Would unmount "${show(change.path)}"`;
    case 'run':
      return `Would run "${describeCommand(change.command, change.args)}"`;
    case 'cri':
      return CRI_CHANGES[change.action](change.target);
  }
}

export function createDryRunHost(paths: Paths, out: Output, options: DryRunHostOptions = {}): DryRunHost {
  const base = options.base ?? createRealHost(paths, out);
  const guard = new RemovalGuard(paths, resolveLinksOnDisk);
  const changes: HostChange[] = [];
  const files = new Map<string, { data: Buffer; mode: number }>();
  const dirs = new Map<string, number>();
  // Trees removed by this run; files and directories written afterwards are in `files`/`dirs`.
  const removed: string[] = [];
  const isRemoved = (p: string): boolean => removed.some((r) => isInside(p, r));
  // Trees this run moved: what the machine holds at `from` is read at `to` (newest move first).
  const moved: { from: string; to: string }[] = [];
  /** Where the machine holds what this run sees at `p`. */
  const onMachine = (p: string): string => {
    for (const m of [...moved].reverse())
      if (isInside(p, m.to)) return path.join(m.from, path.relative(m.to, p));
    return p;
  };

  const record = (change: HostChange, content?: string): void => {
    changes.push(change);
    const line = describeChange(change, (p) => paths.onHost(p));
    out.progress('dryrun', content === undefined ? line : `${line}\n${content}`);
  };

  const stat = async (p: string): Promise<FileInfo | undefined> => {
    const abs = path.resolve(p);
    const file = files.get(abs);
    if (file)
      return { isFile: true, isDirectory: false, isSocket: false, mode: file.mode, size: file.data.length };
    const dirMode = dirs.get(abs);
    if (dirMode !== undefined)
      return { isFile: false, isDirectory: true, isSocket: false, mode: dirMode, size: 0 };
    return isRemoved(abs) ? undefined : base.stat(onMachine(abs));
  };

  const mkdirp = async (dir: string, mode: number): Promise<void> => {
    const missing: string[] = [];
    for (let p = path.resolve(dir); (await stat(p)) === undefined; p = path.dirname(p)) {
      missing.unshift(p);
      if (path.dirname(p) === p) break;
    }
    for (const p of missing) {
      dirs.set(p, mode);
      record({ kind: 'mkdir', path: p, mode });
    }
  };

  const readFileIfExists = async (p: string): Promise<Buffer | undefined> => {
    const abs = path.resolve(p);
    const file = files.get(abs);
    if (file) return Buffer.from(file.data);
    return isRemoved(abs) ? undefined : base.readFileIfExists(onMachine(abs));
  };

  const writeFile: Host['writeFile'] = async (p, data, mode, writeOptions = {}) => {
    const abs = path.resolve(p);
    if (writeOptions.exclusive && (await stat(abs)) !== undefined)
      throw new FileExistsError(paths.onHost(abs));
    await mkdirp(path.dirname(abs), 0o700);
    const bytes = Buffer.from(data);
    files.set(abs, { data: bytes, mode });
    record({ kind: 'write', path: abs, mode, bytes: bytes.byteLength }, renderDryRunContent(bytes));
    if (options.writeDir !== undefined) {
      await base.writeFile(path.join(options.writeDir, paths.onHost(abs)), bytes, mode);
    }
  };

  return {
    paths,
    dryRun: true,
    ...(options.writeDir !== undefined ? { writeDir: options.writeDir } : {}),
    changes,
    async readFile(p) {
      const data = await readFileIfExists(p);
      if (data === undefined) throw fsError('ENOENT', 'open', p);
      return data;
    },
    readFileIfExists,
    stat,
    exists: async (p) => (await stat(p)) !== undefined,
    async listDir(p) {
      const abs = path.resolve(p);
      const names = new Set(isRemoved(abs) ? [] : await base.listDir(onMachine(abs)));
      for (const name of names) if (isRemoved(path.join(abs, name))) names.delete(name);
      for (const q of [...files.keys(), ...dirs.keys()])
        if (path.dirname(q) === abs && q !== abs) names.add(path.basename(q));
      return [...names].sort();
    },
    writeFile,
    async writeFiles(units, unitOptions = {}) {
      await unitOptions.after;
      for (const f of units) await writeFile(f.path, f.data, f.mode, { exclusive: !!f.exclusive });
    },
    mkdir: mkdirp,
    async remove(p) {
      await guard.check(p);
      const abs = path.resolve(p);
      if ((await stat(abs)) === undefined) return;
      for (const q of [...files.keys()]) if (isInside(q, abs)) files.delete(q);
      for (const q of [...dirs.keys()]) if (isInside(q, abs)) dirs.delete(q);
      removed.push(abs);
      record({ kind: 'remove', path: abs });
    },
    async rename(from, to) {
      await guard.check(from);
      const src = path.resolve(from);
      const dst = path.resolve(to);
      const info = await stat(src);
      if (info === undefined) throw fsError('ENOENT', 'rename', from);
      if ((await stat(dst)) !== undefined)
        throw new Error(
          `cannot move "${paths.onHost(src)}" to "${paths.onHost(dst)}": the target already exists`,
        );
      await mkdirp(path.dirname(dst), 0o700);
      // What this run wrote under `from` moves along; the machine's own content is read through `moved`.
      for (const [q, f] of [...files]) {
        if (!isInside(q, src)) continue;
        files.delete(q);
        files.set(path.join(dst, path.relative(src, q)), f);
      }
      for (const [q, mode] of [...dirs]) {
        if (!isInside(q, src)) continue;
        dirs.delete(q);
        dirs.set(path.join(dst, path.relative(src, q)), mode);
      }
      removed.splice(0, removed.length, ...removed.filter((r) => !isInside(r, dst)));
      moved.push({ from: onMachine(src), to: dst });
      removed.push(src);
      if (info.isDirectory && !dirs.has(dst)) dirs.set(dst, info.mode);
      record({ kind: 'rename', from: src, to: dst });
    },
    addManagedDir: (dir) => guard.addManagedDir(dir),
    async realPath(p) {
      const abs = path.resolve(p);
      if (files.has(abs) || dirs.has(abs)) return abs;
      if (isRemoved(abs)) throw fsError('ENOENT', 'realpath', p);
      return base.realPath(abs);
    },
    mountPoints: () => base.mountPoints(),
    async unmount(mountPoint) {
      record({ kind: 'unmount', path: path.resolve(mountPoint) });
    },
    async run(command, args, runOptions = {}) {
      if (runOptions.readOnly) return base.run(command, args, runOptions);
      record({ kind: 'run', command, args: [...args] });
      return { exitCode: 0, stdout: '', stderr: '' };
    },
    which: (command) => base.which(command),
    facts: () => base.facts(),
    socketAnswers: (p) => base.socketAnswers(p),
    runtime: async (endpoint) => createDryRunRuntime(await base.runtime(endpoint), record),
    // Reads and probes that change nothing go to the machine.
    machine: () => base.machine(),
    bindError: (port) => base.bindError(port),
    lookupHost: (name, options) => base.lookupHost(name, options),
  };
}
