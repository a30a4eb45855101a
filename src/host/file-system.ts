// The node:fs calls behind the real host's writes, as one value. Production passes node's own; a
// test passes one that fails at any chosen step (a full disk, an I/O error, a process that died).
import * as fsSync from 'node:fs';
// Types only: node:fs/promises itself is never loaded (it brings readline with it).
import type * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';

/** What kbadm does with a file it opened through FileSystem.open: write it whole, chmod, sync, close. */
export type OpenFile = Pick<FileHandle, 'writeFile' | 'chmod' | 'sync' | 'close'>;

export interface FileSystem extends Pick<
  typeof fs,
  'rename' | 'link' | 'unlink' | 'mkdir' | 'chmod' | 'stat' | 'readdir' | 'readFile' | 'rm' | 'realpath'
> {
  open(path: string, flags: string, mode?: number): Promise<OpenFile>;
}

/** A file descriptor behind OpenFile: every call but the sync is a quick one, made synchronously. */
function openFile(fd: number): OpenFile {
  return {
    writeFile: async (data: string | Uint8Array) => fsSync.writeFileSync(fd, data),
    chmod: async (mode: fsSync.Mode) => fsSync.fchmodSync(fd, mode),
    sync: () =>
      new Promise<void>((resolve, reject) => fsSync.fsync(fd, (err) => (err ? reject(err) : resolve()))),
    close: async () => fsSync.closeSync(fd),
  } as OpenFile;
}

/**
 * Node's calls, the quick ones made synchronously: a lookup, a link, a write or a read of a small
 * file is microseconds of the kernel's time, while a trip through the thread pool costs ten times
 * that in callbacks, and waits behind generated keys. What may take long stays asynchronous: a sync
 * to disk, and removing a tree.
 */
export const nodeFileSystem: FileSystem = {
  open: async (p, flags, mode) => openFile(fsSync.openSync(p, flags, mode)),
  rm: promisify(fsSync.rm) as FileSystem['rm'],
  realpath: promisify(fsSync.realpath.native) as FileSystem['realpath'],
  rename: async (from, to) => fsSync.renameSync(from, to),
  link: async (existing, created) => fsSync.linkSync(existing, created),
  unlink: async (p) => fsSync.unlinkSync(p),
  mkdir: (async (p: fsSync.PathLike, options?: fsSync.MakeDirectoryOptions) =>
    fsSync.mkdirSync(p, options)) as FileSystem['mkdir'],
  chmod: async (p, mode) => fsSync.chmodSync(p, mode),
  stat: (async (p: fsSync.PathLike, options?: fsSync.StatOptions) =>
    fsSync.statSync(p, options)) as FileSystem['stat'],
  readdir: (async (p: fsSync.PathLike, options?: unknown) =>
    fsSync.readdirSync(p, options as never)) as FileSystem['readdir'],
  readFile: (async (p: fsSync.PathOrFileDescriptor, options?: unknown) =>
    fsSync.readFileSync(p, options as never)) as FileSystem['readFile'],
};
