// `kbadm config images pull`, the installed entry point as users run it, against a real containerd
// of the test's own and a private registry mirroring registry.k8s.io: every image of a version
// arrives over CRI with kbadm's default names unchanged; a missing image fails in kubeadm's words
// after its retries; a stopped runtime is one error that names the socket. No crictl anywhere.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { STACK_HINT } from '../../src/main.js';
import { RUNTIME_TOOLS, mirrorsFor, startContainerd, type Containerd } from '../support/containerd.js';
import { IMAGE_TOOLS, pushTestImages } from '../support/images.js';
import { REGISTRY_BINARY, startRegistry, type Registry } from '../support/registry.js';
import { requireTool } from '../support/tools.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  bin: { kbadm: string };
};
const cli = new URL(`../../${pkg.bin.kbadm}`, import.meta.url).pathname;

const missing = [...RUNTIME_TOOLS, REGISTRY_BINARY, ...IMAGE_TOOLS].filter((f) => !existsSync(f));
// A missing tool fails the run (npm test installs them all); the suites below then skip rather
// than fail one by one.
test('the container runtime tools are installed', () => {
  for (const t of ['containerd', 'runc', 'docker-registry', 'skopeo', 'umoci', 'busybox']) requireTool(t);
  assert.deepEqual(missing, []);
});
const skip = !existsSync(cli)
  ? 'run npm run build first'
  : missing.length > 0
    ? `not installed: ${missing.join(', ')}`
    : process.getuid?.() !== 0
      ? 'a containerd of its own needs root'
      : false;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function kbadm(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      // No crictl on the PATH kbadm sees, whatever the machine has.
      env: { PATH: '/nonexistent', HOME: process.env.HOME ?? '/root' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('kbadm config images pull over CRI', { skip }, () => {
  let registry: Registry | undefined;
  let containerd: Containerd | undefined;
  let config: string;

  before(async () => {
    registry = await startRegistry();
    containerd = await startContainerd({ mirrors: mirrorsFor(registry) });
    config = path.join(containerd.dir, 'kubeadm.yaml');
    await fs.writeFile(
      config,
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: InitConfiguration',
        'nodeRegistration:',
        `  criSocket: ${containerd.endpoint}`,
        '---',
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: ClusterConfiguration',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await containerd?.destroy();
    await registry?.stop();
  });

  test("every image of the version is pulled, under kbadm's default names", async () => {
    const list = await kbadm(['config', 'images', 'list', '--config', config]);
    assert.equal(list.code, 0, list.stderr);
    const images = list.stdout.trim().split('\n');
    assert.equal(images.length, 7);
    assert.ok(images.every((i) => i.startsWith('registry.k8s.io/')));
    await pushTestImages(registry!, images);

    const r = await kbadm(['config', 'images', 'pull', '--config', config]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, images.map((i) => `[config/images] Pulled ${i}\n`).join(''));

    const runtime = await containerd!.connect();
    try {
      const held = await runtime.listImages();
      for (const image of images) assert.ok(held.includes(image), `${image} is in the runtime`);
    } finally {
      runtime.close();
    }
  });

  test("an image the registry does not have fails in kubeadm's words, and nothing after it is pulled", async () => {
    const missingConfig = path.join(containerd!.dir, 'missing.yaml');
    const repo = registry!.host;
    await fs.writeFile(
      missingConfig,
      (await fs.readFile(config, 'utf8')) + `imageRepository: ${repo}\nkubernetesVersion: v1.33.0\n`,
    );
    const r = await kbadm(['config', 'images', 'pull', '--config', missingConfig]);
    const image = `${repo}/kube-apiserver:v1.33.0`;
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `failed to pull image "${image}": failed to pull image ${image}: rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found\n${STACK_HINT}\n`,
    );
    const runtime = await containerd!.connect();
    try {
      assert.deepEqual(
        (await runtime.listImages()).filter((i) => i.startsWith(`${repo}/`)),
        [],
      );
    } finally {
      runtime.close();
    }
  });

  test('a stopped runtime is one error naming its socket', async () => {
    await containerd!.stop();
    const r = await kbadm(['config', 'images', 'pull', '--config', config]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `failed to create new CRI runtime service: validate service connection: validate CRI v1 runtime API for endpoint "${containerd!.endpoint}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${containerd!.socket}: connect: no such file or directory"\n${STACK_HINT}\n`,
    );
  });
});
