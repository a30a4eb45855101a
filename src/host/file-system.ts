// The node:fs calls behind the real host's writes, as one value. Production passes node's own; a
// test passes one that fails at any chosen step (a full disk, an I/O error, a process that died).
import * as fs from 'node:fs/promises';

export type FileSystem = Pick<
  typeof fs,
  | 'open'
  | 'rename'
  | 'link'
  | 'unlink'
  | 'mkdir'
  | 'chmod'
  | 'stat'
  | 'readdir'
  | 'readFile'
  | 'rm'
  | 'realpath'
>;

export const nodeFileSystem: FileSystem = fs;
