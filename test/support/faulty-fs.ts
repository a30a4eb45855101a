// A FileSystem over node's that fails at the Nth write step: once (an I/O error or a full disk,
// after which the program goes on and cleans up what it can), or for good (every later call fails
// too, which leaves the disk exactly as a process killed at that step would leave it).
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
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

export interface FaultPlan {
  /** 1-based: the step that fails. 0: none (count only). */
  at: number;
  /** `once`: only that step fails. `crash`: that step and every file call after it fail. */
  mode: 'once' | 'crash';
  /** Which steps count (default: all). */
  steps?: readonly WriteStep[];
}

export interface FaultyFileSystem extends FileSystem {
  /** Write steps seen so far. */
  readonly count: number;
  /** The step that failed, as `<kind> <path>`, once it has. */
  readonly failedStep: string | undefined;
}

function errnoError(code: 'EIO' | 'ENOSPC', syscall: string, p: string): NodeJS.ErrnoException {
  const text = code === 'EIO' ? 'i/o error' : 'no space left on device';
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${p}'`), { code, syscall, path: p });
}

export function faultyFileSystem(plan: FaultPlan): FaultyFileSystem {
  const counted = new Set(plan.steps ?? ALL_STEPS);
  let count = 0;
  let failedStep: string | undefined;
  const dead = () => plan.mode === 'crash' && failedStep !== undefined;

  /** Throws when this step is the one that fails (or the process is "dead"); a full disk on data writes. */
  const step = (kind: WriteStep, p: string): 'ok' | 'fail' => {
    if (dead()) throw errnoError('EIO', kind, p);
    if (!counted.has(kind)) return 'ok';
    count++;
    if (count !== plan.at) return 'ok';
    failedStep = `${kind} ${p}`;
    return 'fail';
  };
  const check = (kind: WriteStep, p: string): void => {
    if (step(kind, p) === 'fail')
      throw errnoError(kind === 'write' || kind === 'create' ? 'ENOSPC' : 'EIO', kind, p);
  };
  const alive = (syscall: string, p: string): void => {
    if (dead()) throw errnoError('EIO', syscall, p);
  };

  const wrapHandle = (handle: FileHandle, p: string): FileHandle =>
    new Proxy(handle, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'writeFile') {
          return async (data: string | Uint8Array) => {
            if (step('write', p) === 'fail') {
              // A full disk: part of the data made it.
              const bytes = Buffer.from(data);
              await target.writeFile(bytes.subarray(0, Math.floor(bytes.length / 2)));
              throw errnoError('ENOSPC', 'write', p);
            }
            return target.writeFile(data);
          };
        }
        if (prop === 'chmod' || prop === 'sync') {
          return async (...args: unknown[]) => {
            check(prop, p);
            return (value as (...a: unknown[]) => Promise<void>).apply(target, args);
          };
        }
        if (prop === 'close') return () => target.close(); // the kernel closes files even for a dead process
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });

  const faulty: FileSystem = {
    async open(p, flags, mode) {
      const writing = typeof flags === 'string' ? /[wa+]/.test(flags) : flags !== undefined;
      if (writing) check('create', String(p));
      else alive('open', String(p));
      return wrapHandle(await fs.open(p, flags, mode), String(p));
    },
    async rename(a, b) {
      check('rename', String(b));
      return fs.rename(a, b);
    },
    async link(a, b) {
      check('link', String(b));
      return fs.link(a, b);
    },
    async unlink(p) {
      check('unlink', String(p));
      return fs.unlink(p);
    },
    async mkdir(p, options) {
      check('mkdir', String(p));
      return fs.mkdir(p, options);
    },
    async chmod(p, mode) {
      check('chmod', String(p));
      return fs.chmod(p, mode);
    },
    async rm(p, options) {
      check('unlink', String(p));
      return fs.rm(p, options);
    },
    async stat(p, options?: unknown) {
      alive('stat', String(p));
      return fs.stat(p, options as never);
    },
    async readdir(p, options?: unknown) {
      alive('scandir', String(p));
      return fs.readdir(p, options as never);
    },
    async readFile(p, options?: unknown) {
      alive('open', String(p));
      return fs.readFile(p, options as never);
    },
  } as FileSystem;
  Object.defineProperties(faulty, {
    count: { get: () => count },
    failedStep: { get: () => failedStep },
  });
  return faulty as FaultyFileSystem;
}
