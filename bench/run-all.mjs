// Runs every benchmark in this folder, one after another.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs')
  .sort()) {
  console.log(`## ${file}`);
  const r = spawnSync(process.execPath, [file], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
