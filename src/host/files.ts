// The file operations behind the real host: mkdir -p with exact modes, atomic writes, writes that
// never replace an existing file, and units of several files (a key and its certificate) that a
// later run finishes when a run stopped half-way through putting them in place.
//
// Every file is first written to a temporary file beside its target, `.<name>.kbadm-<id>.tmp`,
// created 0600, synced, then renamed (or, when it must not replace anything, hard-linked) onto its
// target. A unit adds a commit record, `.kbadm-<id>.commit`, naming its files with the SHA-256 of
// each. The record, the temporary files and their directory are written and synced at once (one wait
// for the disk); once they are all on disk the files go into place. A later run that holds the node
// lock (recoverDir) finishes a unit whose files the record vouches for, each as a temporary file or
// already in place; any other record, and every temporary file, are leftovers it deletes.
import { createHash, randomBytes } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { KbadmError } from '../errors.js';
import { nodeFileSystem, type FileSystem, type OpenFile } from './file-system.js';
import type { FileInfo, FileWrite, UnitOptions } from './host.js';

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
    ELOOP: 'too many levels of symbolic links',
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
  EXDEV: 'invalid cross-device link',
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
export async function naming<T>(
  op: string,
  shownPath: string | (() => string),
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof KbadmError || typeof e?.code !== 'string' || !e.code.startsWith('E')) throw err;
    // Worked out only now: a run names thousands of paths that never fail.
    throw new FileOperationError(op, typeof shownPath === 'string' ? shownPath : shownPath(), e);
  }
}

/** An exclusive write found its target already there (as the user knows the path). */
export class FileExistsError extends KbadmError {
  constructor(readonly file: string) {
    super(`${file} already exists: kbadm does not replace it`);
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

/**
 * Whether nothing is at `p` (following links), asked synchronously: for a file that is missing, a
 * failed asynchronous open or stat costs a hundred times the lookup, most of it in building the
 * error. Other errors than a missing path are thrown.
 */
export function absent(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false }) === undefined;
  } catch (err) {
    if (isMissing(err)) return true;
    throw err;
  }
}

export async function statIfExists(
  p: string,
  fsys: FileSystem = nodeFileSystem,
): Promise<FileInfo | undefined> {
  try {
    return toFileInfo(await fsys.stat(p));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export function notADirectory(dir: string, blocker: string): KbadmError {
  return new KbadmError(`cannot create directory "${dir}": "${blocker}" is not a directory`);
}

/** mkdir -p. Directories it creates get exactly `mode`, whatever the umask. Returns them, top first. */
export async function mkdirp(
  dir: string,
  mode: number,
  fsys: FileSystem = nodeFileSystem,
): Promise<string[]> {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    const info = await statIfExists(p, fsys);
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
      await fsys.mkdir(p, { mode });
    } catch (err) {
      // Someone else created it meanwhile: theirs, so leave its mode alone.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await statIfExists(p, fsys))?.isDirectory)
        continue;
      throw err;
    }
    await fsys.chmod(p, mode);
  }
  return missing;
}

const TEMP_FILE = /^\.(.+)\.kbadm-([0-9a-f]{12})\.tmp$/;
const COMMIT_RECORD = /^\.kbadm-([0-9a-f]{12})\.commit$/;

function newId(): string {
  return randomBytes(6).toString('hex');
}

function tempPath(dir: string, name: string, id: string): string {
  return path.join(dir, `.${name}.kbadm-${id}.tmp`);
}

function recordPath(dir: string, id: string): string {
  return path.join(dir, `.kbadm-${id}.commit`);
}

/** Whether `name` is a temporary file or commit record of kbadm's (what recoverDir cleans up). */
export function isKbadmTempName(name: string): boolean {
  return TEMP_FILE.test(name) || COMMIT_RECORD.test(name);
}

/**
 * Creates `file` (it must not exist) 0600, writes and syncs `data`, then gives it `mode`: until the
 * rename, nobody but the owner can read what it holds.
 */
async function writeNewFile(fsys: FileSystem, file: string, data: string | Uint8Array, mode: number) {
  await fillFile(await fsys.open(file, 'wx', 0o600), data, mode);
}

/** Writes `data` into a file just created, gives it `mode`, syncs and closes it. */
async function fillFile(handle: OpenFile, data: string | Uint8Array, mode: number): Promise<void> {
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Best effort: a failure here must not hide the error that brought us here. */
async function discard(fsys: FileSystem, files: readonly string[]): Promise<void> {
  for (const f of files) await fsys.rm(f, { force: true }).catch(() => undefined);
}

/**
 * Puts `tmp` at `target` unless `target` exists. A hard link fails when the target is there, which
 * no check before a rename could promise; where links are not supported the rename goes ahead
 * after a check, the node lock keeping other kbadm runs out.
 */
async function linkNoClobber(fsys: FileSystem, tmp: string, target: string): Promise<'placed' | 'exists'> {
  try {
    await fsys.link(tmp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'exists';
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    if (await statIfExists(target, fsys)) return 'exists';
    await fsys.rename(tmp, target);
    return 'placed';
  }
  await fsys.unlink(tmp);
  return 'placed';
}

export interface WriteOptions {
  exclusive?: boolean;
  /** The path as the user knows it (without the --rootfs prefix), for errors. */
  show?: (p: string) => string;
  fsys?: FileSystem;
}

/**
 * Writes one file atomically: readers see the old file or the new one, never half of one. With
 * `exclusive`, an existing file is left alone and FileExistsError is thrown.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode: number,
  options: WriteOptions = {},
): Promise<void> {
  const fsys = options.fsys ?? nodeFileSystem;
  const dir = path.dirname(file);
  await mkdirp(dir, 0o700, fsys);
  const tmp = tempPath(dir, path.basename(file), newId());
  try {
    await writeNewFile(fsys, tmp, data, mode);
    if (options.exclusive) {
      if ((await linkNoClobber(fsys, tmp, file)) === 'exists')
        throw new FileExistsError((options.show ?? String)(file));
    } else {
      await fsys.rename(tmp, file);
    }
  } catch (err) {
    await discard(fsys, [tmp]);
    throw err;
  }
  await syncDir(fsys, dir);
}

interface UnitEntry {
  name: string;
  exclusive: boolean;
  /** Of the file's content; absent in the records of kbadm releases that wrote them only after the files. */
  sha256?: string;
}

/**
 * Writes the files of one directory as a unit (see the top of this file). An exclusive file that
 * already exists stops the unit there: what follows it is not put in place, and FileExistsError
 * is thrown. A failure before the commit record is complete leaves nothing behind. A failed step
 * names the file it was writing; the commit record counts as the unit's last file.
 */
export async function writeUnit(
  files: readonly FileWrite[],
  options: WriteOptions & UnitOptions = {},
): Promise<void> {
  const fsys = options.fsys ?? nodeFileSystem;
  const show = options.show ?? String;
  if (files.length === 0) return;
  const dir = path.dirname(files[0]!.path);
  if (files.some((f) => path.dirname(f.path) !== dir))
    throw new Error(`the files of one unit must share a directory (${dir})`);
  /** The path as the user knows it, worked out only for an error that names it. */
  const later = (p: string) => () => show(p);
  // Waited for once the files are written; a failure before that is the unit's own.
  options.after?.catch(() => undefined);
  await naming('mkdir', later(dir), () => mkdirp(dir, 0o700, fsys));
  const id = newId();
  const entries: UnitEntry[] = files.map((f) => ({
    name: path.basename(f.path),
    exclusive: !!f.exclusive,
    sha256: sha256(f.data),
  }));
  const last = later(files.at(-1)!.path);
  const record = recordPath(dir, id);
  const written: string[] = [];
  try {
    // Created first, so that the directory's sync below covers every name; then the files, the
    // record and the directory are synced at once. A failure names the first file, in order, that
    // failed; the record counts as the unit's last file.
    const tmps = entries.map((e) => tempPath(dir, e.name, id));
    const created = await Promise.allSettled(
      [...tmps, record].map(async (file, i) => {
        const handle = await naming('write', i < files.length ? later(files[i]!.path) : last, () =>
          fsys.open(file, 'wx', 0o600),
        );
        written.push(file);
        return handle;
      }),
    );
    const notCreated = created.find((r) => r.status === 'rejected');
    if (notCreated) {
      await Promise.all(created.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
      throw notCreated.reason;
    }
    const handles = created.map((r) => (r as PromiseFulfilledResult<OpenFile>).value);
    const results = await Promise.allSettled([
      ...files.map((f, i) => naming('write', later(f.path), () => fillFile(handles[i]!, f.data, f.mode))),
      naming('write', last, () =>
        fillFile(handles[files.length]!, `${JSON.stringify({ files: entries })}\n`, 0o600),
      ),
      naming('write', last, () => syncDir(fsys, dir)),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // Written and synced beside their targets; what they depend on decides whether they go in place.
    await options.after;
  } catch (err) {
    // The record first: a run that stops halfway through leaves temporary files, never a unit the
    // next run would finish.
    await discard(fsys, [...written].reverse());
    throw err;
  }
  const conflict = await commitUnit(fsys, dir, id, entries, show);
  if (conflict !== undefined) throw new FileExistsError(show(conflict));
}

/**
 * Puts a unit's temporary files in place, in order, then deletes its record. A temporary file that
 * is gone was put in place before. Returns the exclusive target that was found already there, if any.
 * A failed step names the file it was putting in place (the record's: the unit's last file).
 */
async function commitUnit(
  fsys: FileSystem,
  dir: string,
  id: string,
  entries: readonly UnitEntry[],
  show: (p: string) => string = String,
): Promise<string | undefined> {
  const later = (p: string) => () => show(p);
  let conflict: string | undefined;
  for (const [i, e] of entries.entries()) {
    const tmp = tempPath(dir, e.name, id);
    const target = path.join(dir, e.name);
    const placed = await naming('write', later(target), async () => {
      if (!(await statIfExists(tmp, fsys))) return true;
      if (!e.exclusive) {
        await fsys.rename(tmp, target);
        return true;
      }
      if ((await linkNoClobber(fsys, tmp, target)) === 'placed') return true;
      if (await sameFile(fsys, tmp, target)) {
        // Linked by a run that stopped before it removed the temporary name.
        await fsys.unlink(tmp);
        return true;
      }
      return false;
    });
    if (placed) continue;
    conflict = target;
    await discard(
      fsys,
      entries.slice(i).map((rest) => tempPath(dir, rest.name, id)),
    );
    break;
  }
  const last = entries.at(-1);
  await naming('write', later(last ? path.join(dir, last.name) : dir), async () => {
    await syncDir(fsys, dir);
    await fsys.unlink(recordPath(dir, id));
  });
  return conflict;
}

/**
 * Whether every file of a unit is there as its record says: as a temporary file, or (once put in
 * place) at its target, with the content the record's digest names.
 */
async function vouchedFor(fsys: FileSystem, dir: string, id: string, entries: readonly UnitEntry[]) {
  for (const e of entries) {
    if (e.sha256 === undefined) continue;
    const data =
      (await readIfThere(fsys, tempPath(dir, e.name, id))) ??
      (await readIfThere(fsys, path.join(dir, e.name)));
    if (data === undefined || sha256(data) !== e.sha256) return false;
  }
  return true;
}

async function readIfThere(fsys: FileSystem, p: string): Promise<Buffer | undefined> {
  return fsys.readFile(p).catch((err: unknown) => {
    if (isMissing(err)) return undefined;
    throw err;
  });
}

async function sameFile(fsys: FileSystem, a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([fsys.stat(a), fsys.stat(b)]);
  return sa.ino === sb.ino && sa.dev === sb.dev;
}

function parseRecord(text: string): UnitEntry[] | undefined {
  try {
    const files = (JSON.parse(text) as { files?: unknown }).files;
    if (!Array.isArray(files)) return undefined;
    const entries = files as UnitEntry[];
    const plain = (n: unknown) => typeof n === 'string' && n !== '' && !n.includes('/') && !n.startsWith('.');
    const digest = (d: unknown) => d === undefined || (typeof d === 'string' && /^[0-9a-f]{64}$/.test(d));
    return entries.every((e) => plain(e.name) && typeof e.exclusive === 'boolean' && digest(e.sha256))
      ? entries
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What an interrupted kbadm run left in `dir`: units whose commit record is complete are put in
 * place; every other temporary file of kbadm's is deleted. Only a run that holds the node lock may
 * call this, since another run's files in progress look the same.
 */
export async function recoverDir(
  dir: string,
  fsys: FileSystem = nodeFileSystem,
  show: (p: string) => string = String,
): Promise<void> {
  let names: string[];
  try {
    names = await fsys.readdir(dir);
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  if (!names.some(isKbadmTempName)) return;
  for (const name of names) {
    const id = COMMIT_RECORD.exec(name)?.[1];
    if (id === undefined) continue;
    const parsed = parseRecord(await fsys.readFile(path.join(dir, name), 'utf8'));
    const entries = parsed && (await vouchedFor(fsys, dir, id, parsed)) ? parsed : undefined;
    // An incomplete record, or files it does not vouch for: the run stopped before any file of the
    // unit was put in place.
    if (entries === undefined) await fsys.unlink(path.join(dir, name));
    else await commitUnit(fsys, dir, id, entries, show);
  }
  for (const name of await fsys.readdir(dir)) {
    if (TEMP_FILE.test(name)) await fsys.rm(path.join(dir, name), { force: true });
  }
  await syncDir(fsys, dir);
}

/** Makes a rename durable. Some file systems cannot fsync a directory; that is not an error. */
export async function syncDir(fsys: FileSystem, dir: string): Promise<void> {
  const handle = await fsys.open(dir, 'r');
  try {
    await handle.sync().catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EINVAL' && err.code !== 'ENOTSUP') throw err;
    });
  } finally {
    await handle.close();
  }
}
