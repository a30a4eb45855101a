// `kbadm init phase certs all` (the built kbadm under a temporary --rootfs) against a bare node:crypto
// script that generates the same number of keys in parallel: the floor no implementation can beat.
// Both are whole processes, so start-up counts on both sides. Run after `npm run build`.
// BENCH_RUNS sets the number of runs per case (default 5); the median is reported.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/bundle/kbadm.js', import.meta.url));
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

function time(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function kbadmRun(algorithm) {
  const root = mkdtempSync(join(tmpdir(), 'kbadm-bench-'));
  try {
    writeFileSync(join(root, 'cfg.yaml'), config(algorithm));
    return time([cli, '--rootfs', root, 'init', 'phase', 'certs', 'all', '--config', '/cfg.yaml']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function floorRun(algorithm) {
  const script =
    "const { generateKeyPair } = require('node:crypto');" +
    "const { promisify } = require('node:util');" +
    'const gen = promisify(generateKeyPair);' +
    `const [type, opts] = ${ALGORITHMS[algorithm]};` +
    `Promise.all(Array.from({ length: ${KEYS} }, () => gen(type, opts)));`;
  return time(['-e', script]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const algorithm of Object.keys(ALGORITHMS)) {
  kbadmRun(algorithm); // warm the file cache
  floorRun(algorithm);
  const kbadm = [];
  const floor = [];
  // Alternate the two so that load from elsewhere on the machine falls on both alike.
  for (let i = 0; i < runs; i++) {
    kbadm.push(kbadmRun(algorithm));
    floor.push(floorRun(algorithm));
  }
  const k = median(kbadm);
  const f = median(floor);
  console.log(`${algorithm}`);
  console.log(`  ${KEYS} keys in parallel (node:crypto)   ${f.toFixed(0)} ms (median of ${runs})`);
  console.log(`  kbadm init phase certs all        ${k.toFixed(0)} ms (median of ${runs})`);
  console.log(`  ratio                             ${(k / f).toFixed(2)}x`);
}
