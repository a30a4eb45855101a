// The Host that acts on the machine, every path already under --rootfs.
import * as path from 'node:path';
import type { Output } from '../output/output.js';
import { confinedReadPath, confineToRoot, statPathUnderRoot } from './confine.js';
import { probeSocket } from './cri/endpoint.js';
import { describeCommand, runCommand, which } from './exec.js';
import { lookupHost, readHostFacts, readMachineFacts, tryBindPort } from './facts.js';
import { nodeFileSystem, type FileSystem } from './file-system.js';
import {
  absent,
  isMissing,
  mkdirp,
  naming,
  recoverDir,
  statIfExists,
  syncDir,
  writeFileAtomic,
  writeUnit,
} from './files.js';
import type { Host } from './host.js';
import { readMountPoints, umountArgs } from './mounts.js';
import type { Paths } from './paths.js';
import { isInside, RemovalGuard, resolveLinksOnDisk } from './removal-guard.js';
import { KbadmError } from '../errors.js';

export interface RealHostOptions {
  /** Where `which` and `run` look for commands (PATH syntax); otherwise spawned commands inherit the process's env. */
  searchPath?: string;
  /** The calls file reads and writes go through (tests make them fail). */
  fileSystem?: FileSystem;
  /**
   * This host's run holds the node lock: before it first looks into a directory, it finishes the
   * units an interrupted run left there and deletes that run's temporary files (see files.ts).
   */
  recover?: boolean;
}

export function createRealHost(paths: Paths, out: Output, options: RealHostOptions = {}): Host {
  const guard = new RemovalGuard(paths, resolveLinksOnDisk);
  const fsys = options.fileSystem ?? nodeFileSystem;
  const show = (p: string): string => {
    try {
      return paths.onHost(p);
    } catch {
      return p;
    }
  };
  /** The path as the user knows it, worked out only for an error that names it. */
  const later = (p: string) => () => show(p);
  const recovered = new Map<string, Promise<void>>();
  /** Resolves once `dir` holds nothing half-done, when this host recovers at all. */
  const settled = (dir: string): Promise<void> => {
    if (!options.recover) return Promise.resolve();
    const d = path.resolve(dir);
    let p = recovered.get(d);
    if (!p) recovered.set(d, (p = recoverDir(d, fsys, show)));
    return p;
  };
  const inDir = (p: string) => settled(path.dirname(path.resolve(p)));
  // Reads are confined to --rootfs like writes, and errors name the file as the user knows it.
  const read = async <T>(p: string, fn: (at: string) => Promise<T>): Promise<T> => {
    const at = await naming('open', later(p), () => confinedReadPath(paths, p));
    await inDir(p);
    return naming('open', later(p), () => fn(at));
  };

  return {
    paths,
    dryRun: false,
    readFile: (p) => read(p, (at) => fsys.readFile(at)),
    readFileIfExists: (p) =>
      read(p, async (at) => {
        if (absent(at)) return undefined;
        try {
          return await fsys.readFile(at);
        } catch (err) {
          if (isMissing(err)) return undefined;
          throw err;
        }
      }),
    async stat(p) {
      await inDir(p);
      const at = await statPathUnderRoot(paths, p);
      return naming('stat', later(p), async () => (absent(at) ? undefined : statIfExists(at, fsys)));
    },
    async exists(p) {
      await inDir(p);
      const at = await statPathUnderRoot(paths, p);
      return naming('stat', later(p), async () => !absent(at));
    },
    async listDir(p) {
      await naming('open', later(p), () => confineToRoot(paths, p, 'read'));
      await settled(p);
      return naming('open', later(p), async () => {
        try {
          return (await fsys.readdir(p)).sort();
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
          throw err;
        }
      });
    },
    async writeFile(p, data, mode, writeOptions = {}) {
      await naming('write', later(p), () => confineToRoot(paths, path.dirname(p)));
      await inDir(p);
      await naming('write', later(p), () => writeFileAtomic(p, data, mode, { ...writeOptions, show, fsys }));
    },
    async writeFiles(files, unitOptions = {}) {
      if (files.length === 0) {
        await unitOptions.after;
        return;
      }
      await naming('write', later(files[0]!.path), () => confineToRoot(paths, path.dirname(files[0]!.path)));
      await inDir(files[0]!.path);
      // Each step names the file it writes (files.ts): ENOSPC on a certificate names the certificate.
      await writeUnit(files, { show, fsys, ...unitOptions });
    },
    async mkdir(p, mode) {
      await naming('mkdir', later(p), () => confineToRoot(paths, p));
      await naming('mkdir', later(p), () => mkdirp(p, mode, fsys));
    },
    async remove(p) {
      const target = await guard.check(p);
      await naming('remove', later(p), () => fsys.rm(target, { recursive: true, force: true }));
    },
    async rename(from, to) {
      // `from` disappears, so it must be a path `remove` would accept.
      const source = await guard.check(from);
      await naming('rename', later(to), () => confineToRoot(paths, path.dirname(to)));
      await naming('rename', later(from), async () => {
        if (await statIfExists(to, fsys)) {
          throw new KbadmError(`cannot move "${show(from)}" to "${show(to)}": the target already exists`);
        }
        await mkdirp(path.dirname(to), 0o700, fsys);
        await fsys.rename(source, to);
        await syncDir(fsys, path.dirname(to));
        if (path.dirname(source) !== path.dirname(to)) await syncDir(fsys, path.dirname(source));
      });
    },
    addManagedDir: (dir) => guard.addManagedDir(dir),
    realPath: (p) => nodeFileSystem.realpath(p),
    mountPoints: readMountPoints,
    async unmount(mountPoint, flags) {
      const target = path.resolve(mountPoint);
      if (!isInside(target, paths.rootfs)) {
        throw new KbadmError(`refusing to unmount "${target}": it is outside --rootfs "${paths.rootfs}"`);
      }
      const args = umountArgs(target, flags).args;
      out.log.debug('running command', { command: describeCommand('umount', args) });
      await runCommand('umount', args);
    },
    run(command, args, runOptions = {}) {
      out.log.debug('running command', { command: describeCommand(command, args) });
      // The command `which` finds is the one that runs: both search the same PATH.
      const env =
        options.searchPath === undefined ? runOptions.env : { PATH: options.searchPath, ...runOptions.env };
      return runCommand(command, args, { ...runOptions, ...(env ? { env } : {}) });
    },
    which: (command) => which(command, options.searchPath ?? process.env.PATH),
    facts: readHostFacts,
    // No socket file, no answer: a connection attempt costs far more than the lookup.
    socketAnswers: async (p) => !absent(p) && (await probeSocket(p)) === undefined,
    machine: async () => readMachineFacts(),
    bindError: tryBindPort,
    lookupHost,
    async runtime(endpoint) {
      out.log.debug('connecting to the container runtime', { endpoint });
      // The gRPC client and @grpc/grpc-js load only here, on first use.
      const { connectRuntime } = await import('./cri/client.js');
      return connectRuntime(endpoint);
    },
  };
}
