// Labs build their images into `<key>.building-<pid>-<lab id>` and rename the directory into place
// when done; a lab killed while building leaves its directory behind. The pid in the name tells
// whether the builder is gone.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

const BUILDING = /\.building-(\d+)-/;

/** Removes the build directories in `cacheDir` whose builder is no longer alive; returns their names. */
export async function removeStaleBuilds(
  cacheDir: string,
  alive: (pid: number) => boolean,
): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(cacheDir);
  } catch {
    return [];
  }
  const stale = names.filter((n) => {
    const m = BUILDING.exec(n);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  for (const n of stale) await fs.rm(path.join(cacheDir, n), { recursive: true, force: true });
  return stale;
}
