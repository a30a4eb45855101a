// The file operations behind the real host: mkdir -p with exact modes and atomic writes.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { KbadmError } from '../errors.js';
import type { FileInfo } from './host.js';

export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** An error shaped like node:fs's, for hosts that keep files elsewhere than on disk. */
export function fsError(code: string, syscall: string, p: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'not a directory',
    EISDIR: 'illegal operation on a directory',
    EBUSY: 'resource busy or locked',
  };
  return Object.assign(new Error(`${code}: ${messages[code] ?? 'error'}, ${syscall} '${p}'`), {
    code,
    syscall,
    path: p,
  });
}

// Go's texts for the errors a file operation meets, which kubeadm users know.
const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'file exists',
  EIO: 'input/output error',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  ENOTDIR: 'not a directory',
  ENOTEMPTY: 'directory not empty',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

/**
 * A failed file operation that names its file, `write /etc/kubernetes/pki/ca.key: no space left on
 * device`: node leaves the path out of many errors (ENOSPC on write, EISDIR on read). It keeps the
 * errno `code`, so callers still tell a missing file from a broken one.
 */
export class FileOperationError extends KbadmError {
  readonly code: string;
  readonly path: string;
  constructor(op: string, shownPath: string, cause: NodeJS.ErrnoException) {
    const code = cause.code ?? 'EIO';
    const reason = ERRNO_TEXT[code] ?? /^[A-Z0-9]+: (.*?),/.exec(cause.message)?.[1] ?? cause.message;
    super(`${op} ${shownPath}: ${reason}`, { cause });
    this.code = code;
    this.path = shownPath;
  }
}

/** Runs a file operation; an errno error from it becomes a FileOperationError naming the file. */
export async function naming<T>(op: string, shownPath: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof KbadmError || typeof e?.code !== 'string' || !e.code.startsWith('E')) throw err;
    throw new FileOperationError(op, shownPath, e);
  }
}

export function toFileInfo(st: Stats): FileInfo {
  return {
    isFile: st.isFile(),
    isDirectory: st.isDirectory(),
    isSocket: st.isSocket(),
    mode: st.mode & 0o7777,
    size: st.size,
  };
}

export async function statIfExists(p: string): Promise<FileInfo | undefined> {
  try {
    return toFileInfo(await fs.stat(p));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export function notADirectory(dir: string, blocker: string): KbadmError {
  return new KbadmError(`cannot create directory "${dir}": "${blocker}" is not a directory`);
}

/** mkdir -p. Directories it creates get exactly `mode`, whatever the umask. Returns them, top first. */
export async function mkdirp(dir: string, mode: number): Promise<string[]> {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    const info = await statIfExists(p);
    if (info) {
      if (!info.isDirectory)
        throw new KbadmError(`cannot create directory "${dir}": "${p}" is not a directory`);
      break;
    }
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      await fs.mkdir(p, { mode });
    } catch (err) {
      // Someone else created it meanwhile: theirs, so leave its mode alone.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await statIfExists(p))?.isDirectory) continue;
      throw err;
    }
    await fs.chmod(p, mode);
  }
  return missing;
}

/**
 * Writes through a temp file in the same directory, renamed over the target, so that readers see
 * the old file or the new one. The temp file is created with the target mode (at most) and fixed
 * to exactly that mode before any byte is written, so a 0600 file is never readable by others.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const dir = path.dirname(file);
  await mkdirp(dir, 0o700);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode & 0o777);
  let renamed = false;
  try {
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    renamed = true;
  } finally {
    if (!renamed) await fs.rm(tmp, { force: true });
  }
  await syncDir(dir);
}

/** Makes a rename durable. Some file systems cannot fsync a directory; that is not an error. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync().catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EINVAL' && err.code !== 'ENOTSUP') throw err;
    });
  } finally {
    await handle.close();
  }
}
