// The Host that acts on the machine, every path already under --rootfs.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Output } from '../output/output.js';
import { confineToRoot } from './confine.js';
import { probeSocket } from './cri/endpoint.js';
import { describeCommand, runCommand, which } from './exec.js';
import { lookupHost, readHostFacts, readMachineFacts, tryBindPort } from './facts.js';
import { isMissing, mkdirp, statIfExists, writeFileAtomic } from './files.js';
import type { Host } from './host.js';
import { readMountPoints, umountArgs } from './mounts.js';
import type { Paths } from './paths.js';
import { isInside, RemovalGuard, resolveLinksOnDisk } from './removal-guard.js';
import { KbadmError } from '../errors.js';

export interface RealHostOptions {
  /** Where `which` and `run` look for commands (PATH syntax); otherwise spawned commands inherit the process's env. */
  searchPath?: string;
}

export function createRealHost(paths: Paths, out: Output, options: RealHostOptions = {}): Host {
  const guard = new RemovalGuard(paths, resolveLinksOnDisk);
  return {
    paths,
    dryRun: false,
    readFile: (p) => fs.readFile(p),
    async readFileIfExists(p) {
      try {
        return await fs.readFile(p);
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    stat: statIfExists,
    exists: async (p) => (await statIfExists(p)) !== undefined,
    async listDir(p) {
      try {
        return (await fs.readdir(p)).sort();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    async writeFile(p, data, mode) {
      await confineToRoot(paths, path.dirname(p));
      await writeFileAtomic(p, data, mode);
    },
    async mkdir(p, mode) {
      await confineToRoot(paths, p);
      await mkdirp(p, mode);
    },
    async remove(p) {
      const target = await guard.check(p);
      await fs.rm(target, { recursive: true, force: true });
    },
    addManagedDir: (dir) => guard.addManagedDir(dir),
    realPath: (p) => fs.realpath(p),
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
    socketAnswers: async (p) => (await probeSocket(p)) === undefined,
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
