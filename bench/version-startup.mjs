// `kbadm version` against a bare `node -e 0`: the ratio shows what kbadm's start-up costs.
// Target: under 1.5x. Run after `npm run build`. The two are run alternately so that load from
// elsewhere on the machine falls on both alike.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { readFileSync } from 'node:fs';

// The installed entry point, as `kbadm` on PATH runs it.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const cli = fileURLToPath(new URL(`../${pkg.bin.kbadm}`, import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 30);

function time(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bare = [];
const version = [];
time(['-e', '0']); // warm the file cache
time([cli, 'version']);
for (let i = 0; i < runs; i++) {
  bare.push(time(['-e', '0']));
  version.push(time([cli, 'version']));
}
const b = median(bare);
const v = median(version);
console.log(`node -e 0        ${b.toFixed(1)} ms (median of ${runs})`);
console.log(`kbadm version    ${v.toFixed(1)} ms (median of ${runs})`);
console.log(`ratio            ${(v / b).toFixed(2)}x (target < 1.5x)`);
