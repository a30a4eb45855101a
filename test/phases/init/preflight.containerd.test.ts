// init's preflight against a real containerd of the test's own (its own socket and state, never the
// machine's) and a private registry mirroring registry.k8s.io: the CRI check passes, every image of
// the version is pulled over CRI, and a runtime that went away is a CRI error naming its endpoint.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clusterImages } from '../../../src/config/images.js';
import { RUNTIME_TOOLS, mirrorsFor, startContainerd, type Containerd } from '../../support/containerd.js';
import { runCli } from '../../support/cli.js';
import { IMAGE_TOOLS, pushTestImages } from '../../support/images.js';
import { loadConfigText } from '../../support/manifests.js';
import { REGISTRY_BINARY, startRegistry, type Registry } from '../../support/registry.js';
import { TEMP_ROOT_IGNORES } from '../../support/temp-root-preflight.js';

const missing = [...RUNTIME_TOOLS, REGISTRY_BINARY, ...IMAGE_TOOLS].filter((f) => !existsSync(f));
const skip =
  missing.length > 0
    ? `not installed: ${missing.join(', ')}`
    : process.getuid?.() !== 0
      ? 'a containerd of its own needs root'
      : false;

// The machine's own facts (size, ports, /proc, executables, kubelet) are not what this test is
// about; the runtime checks are, so CRI and ImagePull stay fatal.
const IGNORES = TEMP_ROOT_IGNORES.filter((n) => n !== 'CRI' && n !== 'ImagePull').join(',');

describe('init phase preflight over CRI', { skip }, () => {
  let registry: Registry | undefined;
  let containerd: Containerd | undefined;
  let config: string;
  let images: string[];

  before(async () => {
    registry = await startRegistry();
    containerd = await startContainerd({ mirrors: mirrorsFor(registry) });
    config = path.join(containerd.dir, 'kubeadm.yaml');
    // `localhost` resolves from /etc/hosts, so the Hostname check sends no query off the machine.
    const text =
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: 10.0.0.5\n' +
      `nodeRegistration:\n  name: localhost\n  criSocket: ${containerd.endpoint}\n---\n` +
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n';
    await fs.writeFile(config, text);
    images = clusterImages(loadConfigText(text).cluster);
    await pushTestImages(registry, images);
  });

  after(async () => {
    await containerd?.destroy();
    await registry?.stop();
  });

  const preflight = () =>
    runCli(['init', 'phase', 'preflight', '--config', config, '--ignore-preflight-errors', IGNORES]);

  test('the runtime answers and every image arrives over CRI', async () => {
    const r = await preflight();
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /\[(WARNING|ERROR) (CRI|ImagePull)\]/);
    assert.match(r.stdout, /^\[preflight\] Pulling images required for setting up a Kubernetes cluster$/m);
    const runtime = await containerd!.connect();
    try {
      const held = await runtime.listImages();
      for (const image of images) assert.ok(held.includes(image), `${image} is in the runtime`);
    } finally {
      runtime.close();
    }
  });

  test('a runtime that was killed (its socket left behind) is a CRI error naming the endpoint', async () => {
    await containerd!.stop({ kill: true });
    const r = await preflight();
    assert.equal(r.code, 2, r.stderr);
    const cri = r.stderr.split('\n').find((l) => l.startsWith('\t[ERROR CRI]: '));
    assert.ok(cri, r.stderr);
    assert.match(cri, /^\t\[ERROR CRI\]: container runtime is not running: /);
    assert.ok(cri.includes(containerd!.endpoint), cri);
    assert.doesNotMatch(r.stdout, /Pulling images/, 'no pull is attempted after a failed check');
  });
});
