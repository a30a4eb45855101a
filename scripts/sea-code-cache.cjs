// Makes the V8 code caches of the single executable: runs kbadm's assets (see sea-main.cjs) through
// the commands people run most, in this process and under temporary roots, then saves each asset's
// code cache as <name>.cache beside it, holding every function those commands compiled. Run by the
// Node.js that the executable embeds (a cache fits only the V8 that made it):
//   node sea-code-cache.cjs <asset directory> <scratch directory>
// With --check instead, a fresh process confirms that V8 accepts every cache that is not empty:
//   node sea-code-cache.cjs --check <asset directory>
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
const { createLoader } = require('./sea-main.cjs');

if (process.argv[2] === '--check') {
  const assets = process.argv[3];
  const names = ['kbadm.js', ...JSON.parse(readFileSync(join(assets, 'scripts.json'), 'utf8'))];
  for (const name of names) {
    const cachedData = readFileSync(join(assets, `${name}.cache`));
    if (cachedData.length === 0) continue;
    const source = readFileSync(join(assets, name), 'utf8');
    if (new Script(source, { filename: name, cachedData }).cachedDataRejected) {
      console.error(`V8 rejects the code cache of ${name}`);
      process.exitCode = 1;
    }
  }
  return;
}

const [assets, scratch] = process.argv.slice(2);
const scripts = JSON.parse(readFileSync(join(assets, 'scripts.json'), 'utf8'));
const loader = createLoader((name) => ({ source: readFileSync(join(assets, name), 'utf8') }), scripts);

const CONFIG =
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
  'localAPIEndpoint:\n  advertiseAddress: 10.0.0.5\nnodeRegistration:\n  name: cp-1\n' +
  '  criSocket: unix:///var/run/containerd/containerd.sock\n---\n' +
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\n';

function root(name) {
  const dir = join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cfg.yaml'), CONFIG);
  return dir;
}

const COMMANDS = [
  ['version'],
  ['--help'],
  ['config', 'print', 'init-defaults'],
  ['--rootfs', root('certs'), 'init', 'phase', 'certs', 'all', '--config', '/cfg.yaml'],
  // No kubelet runs under the scratch root, so no control plane: the phases that need one are skipped.
  [
    '--rootfs',
    root('init'),
    'init',
    '--config',
    '/cfg.yaml',
    '--skip-phases',
    'preflight,wait-control-plane,upload-config,upload-certs,mark-control-plane,bootstrap-token,addon',
  ],
];

/** One kbadm run, as the executable starts it; resolves with its exit code. */
function run(args) {
  process.argv = [process.execPath, process.execPath, ...args];
  process.exitCode = undefined;
  loader.run();
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (process.exitCode !== undefined) {
        clearInterval(poll);
        resolve(process.exitCode);
      } else if (Date.now() - started > 60_000) {
        clearInterval(poll);
        reject(new Error(`kbadm ${args.join(' ')} did not finish`));
      }
    }, 5);
  });
}

(async () => {
  // kbadm ends its process once a command is done (its exit code set before); here the next
  // command is still to come.
  process.exit = (code) => {
    if (code !== undefined) process.exitCode = code;
  };
  const write = process.stdout.write;
  for (const args of COMMANDS) {
    process.stdout.write = () => true; // what the commands print is not wanted here
    const code = await run(args).finally(() => (process.stdout.write = write));
    if (code !== 0) throw new Error(`kbadm ${args.join(' ')} exited ${code}`);
  }
  for (const [name, { script }] of loader.scripts) {
    writeFileSync(join(assets, `${name}.cache`), script.createCachedData());
  }
  // A script that none of the commands loaded still needs a cache asset: an empty one, which V8 rejects.
  for (const name of scripts) {
    if (!loader.scripts.has(name)) writeFileSync(join(assets, `${name}.cache`), '');
  }
  process.exitCode = 0;
})().catch((err) => {
  console.error(`code cache: ${err.message}`);
  process.exitCode = 1;
});
