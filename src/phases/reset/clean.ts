// Emptying directories through the host's guarded removal, for reset's phases.
import * as path from 'node:path';
import type { Host } from '../../host/host.js';

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Removes everything in `dir` but keeps the directory, as kubeadm does; a missing directory is
 * already clean. Every entry is tried; the failures are reported together.
 */
export async function cleanDir(host: Host, dir: string): Promise<void> {
  const failures: string[] = [];
  for (const name of await host.listDir(dir)) {
    try {
      await host.remove(path.join(dir, name));
    } catch (err) {
      failures.push(errorText(err));
    }
  }
  if (failures.length === 1) throw new Error(failures[0]);
  if (failures.length > 1) throw new Error(`[${failures.join(', ')}]`);
}
