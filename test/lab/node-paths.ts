// Paths on a lab node as seen from the machine: a node's `/` is its root directory, and symbolic
// links inside it (the kubelet's absolute kubelet-client-current.pem link) resolve within it.
import { lstatSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

export function resolveInNode(root: string, p: string, depth = 0): string {
  if (depth > 40) throw new Error(`${p}: too many levels of symbolic links`);
  const parts = path.posix
    .normalize(p)
    .split('/')
    .filter((s) => s !== '');
  let inside = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = path.posix.join(inside, parts[i]!);
    const onMachine = path.join(root, next);
    let isLink = false;
    try {
      isLink = lstatSync(onMachine).isSymbolicLink();
    } catch {
      return path.join(root, next, ...parts.slice(i + 1));
    }
    if (!isLink) {
      inside = next;
      continue;
    }
    const target = readlinkSync(onMachine);
    const absolute = path.posix.isAbsolute(target) ? target : path.posix.join(inside, target);
    const rest = parts.slice(i + 1).join('/');
    return resolveInNode(root, rest ? path.posix.join(absolute, rest) : absolute, depth + 1);
  }
  return path.join(root, inside);
}
