// A FileSystem over node's that fails at a chosen write: once (an I/O error or a full disk, after
// which the program goes on and cleans up what it can), or for good (every later call fails too,
// which leaves the disk exactly as a process killed at that point would leave it).
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { FileSystem } from '../../src/host/file-system.js';

/** The steps that count as writes. */
export type WriteStep = 'create' | 'write' | 'chmod' | 'sync' | 'rename' | 'link' | 'unlink' | 'mkdir';

export const ALL_STEPS: readonly WriteStep[] = [
  'create',
  'write',
  'chmod',
  'sync',
  'rename',
  'link',
  'unlink',
  'mkdir',
];

/** Fail at the `at`-th step (1-based; 0: never, only count) of the kinds in `steps`. */
export interface StepFault {
  at: number;
  /** `once`: only that step fails. `crash`: that step and every file call after it fail. */
  mode: 'once' | 'crash';
  steps?: readonly WriteStep[];
}

/**
 * Fail while writing the `file`-th file kbadm writes (1-based, counting its temporary files and
 * commit records; 0: never, only count): `data` fails writing its bytes with ENOSPC, half of them
 * written; `commit` fails putting it at its target (the rename or link) with EIO, or for a commit
 * record (never put anywhere) its bytes.
 */
export interface FileFault {
  file: number;
  at: 'data' | 'commit';
  mode: 'once' | 'crash';
}

export interface FaultyFileSystem extends FileSystem {
  /** Steps (StepFault) or files (FileFault) seen so far. */
  readonly count: number;
  /** The call that failed, as `<step> <path>`, once one has. */
  readonly failedStep: string | undefined;
  /** Files written so far (FileFault): temporary files and commit records, in order. */
  readonly files: readonly string[];
}

const KBADM_FILE = /^\.(.+\.kbadm-[0-9a-f]{12}\.tmp|kbadm-[0-9a-f]{12}\.commit)$/;

function errnoError(code: 'EIO' | 'ENOSPC', syscall: string, p: string): NodeJS.ErrnoException {
  const text = code === 'EIO' ? 'i/o error' : 'no space left on device';
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${p}'`), { code, syscall, path: p });
}

export function faultyFileSystem(plan: StepFault | FileFault): FaultyFileSystem {
  const stepPlan = typeof plan.at === 'number' ? (plan as StepFault) : undefined;
  const filePlan = stepPlan ? undefined : (plan as FileFault);
  const counted = new Set(stepPlan?.steps ?? ALL_STEPS);
  let count = 0;
  let failedStep: string | undefined;
  const files: string[] = [];
  /** The temporary file or record whose data or commit fails (FileFault). */
  let target: string | undefined;
  const dead = () => plan.mode === 'crash' && failedStep !== undefined;

  /** Whether this call is the one that fails; throws for every call once a crash has happened. */
  const fails = (kind: WriteStep, p: string, source?: string): boolean => {
    if (dead()) throw errnoError('EIO', kind, p);
    let hit = false;
    if (stepPlan) {
      if (!counted.has(kind)) return false;
      count++;
      hit = count === stepPlan.at;
    } else if (filePlan) {
      if (kind === 'create' && KBADM_FILE.test(path.basename(p))) {
        files.push(p);
        count++;
        if (count === filePlan.file) target = p;
      }
      // A commit record is never put in place, so `commit` on one fails its bytes instead: which
      // file comes Nth can change from run to run when certificates are written at once.
      const at = target !== undefined && /\.commit$/.test(target) ? 'data' : filePlan.at;
      hit =
        target !== undefined &&
        ((at === 'data' && kind === 'write' && p === target) ||
          (at === 'commit' && (kind === 'rename' || kind === 'link') && source === target));
      if (hit) target = undefined;
    }
    if (hit) failedStep = `${kind} ${p}`;
    return hit;
  };
  const check = (kind: WriteStep, p: string, source?: string): void => {
    if (fails(kind, p, source))
      throw errnoError(kind === 'write' || kind === 'create' ? 'ENOSPC' : 'EIO', kind, p);
  };
  const alive = (syscall: string, p: string): void => {
    if (dead()) throw errnoError('EIO', syscall, p);
  };

  const wrapHandle = (handle: FileHandle, p: string): FileHandle =>
    new Proxy(handle, {
      get(object, prop, receiver) {
        const value = Reflect.get(object, prop, receiver) as unknown;
        if (prop === 'writeFile') {
          return async (data: string | Uint8Array) => {
            if (fails('write', p)) {
              // A full disk: part of the data made it.
              const bytes = Buffer.from(data);
              await object.writeFile(bytes.subarray(0, Math.floor(bytes.length / 2)));
              throw errnoError('ENOSPC', 'write', p);
            }
            return object.writeFile(data);
          };
        }
        if (prop === 'chmod' || prop === 'sync') {
          return async (...args: unknown[]) => {
            check(prop, p);
            return (value as (...a: unknown[]) => Promise<void>).apply(object, args);
          };
        }
        // The kernel closes the files of a dead process too.
        if (prop === 'close') return () => object.close();
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
      },
    });

  const faulty = {
    async open(p: string, flags?: string | number, mode?: number) {
      const writing = typeof flags === 'string' ? /[wa+]/.test(flags) : flags !== undefined;
      if (writing) check('create', String(p));
      else alive('open', String(p));
      return wrapHandle(await fs.open(p, flags, mode), String(p));
    },
    async rename(a: string, b: string) {
      check('rename', String(b), String(a));
      return fs.rename(a, b);
    },
    async link(a: string, b: string) {
      check('link', String(b), String(a));
      return fs.link(a, b);
    },
    async unlink(p: string) {
      check('unlink', String(p));
      return fs.unlink(p);
    },
    async mkdir(p: string, options?: unknown) {
      check('mkdir', String(p));
      return fs.mkdir(p, options as never);
    },
    async chmod(p: string, mode: number) {
      check('chmod', String(p));
      return fs.chmod(p, mode);
    },
    async rm(p: string, options?: unknown) {
      check('unlink', String(p));
      return fs.rm(p, options as never);
    },
    async stat(p: string, options?: unknown) {
      alive('stat', String(p));
      return fs.stat(p, options as never);
    },
    async readdir(p: string, options?: unknown) {
      alive('scandir', String(p));
      return fs.readdir(p, options as never);
    },
    async readFile(p: string, options?: unknown) {
      alive('open', String(p));
      return fs.readFile(p, options as never);
    },
  };
  Object.defineProperties(faulty, {
    count: { get: () => count },
    failedStep: { get: () => failedStep },
    files: { get: () => files },
  });
  return faulty as unknown as FaultyFileSystem;
}
