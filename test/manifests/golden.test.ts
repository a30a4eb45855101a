// Golden files: for each fixture configuration, the phases render exactly the checked-in files
// in test/fixtures/manifests/<case>/. Regenerate with UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Pod } from 'kubernetes-models/v1/Pod';
import { yamlLib } from '../../src/output/yaml.js';
import { runControlPlaneComponent } from '../../src/phases/init/control-plane.js';
import { runEtcdLocal } from '../../src/phases/init/etcd.js';
import { runKubeletStart } from '../../src/phases/init/kubelet-start.js';
import { CONTROL_PLANE_COMPONENTS } from '../../src/manifests/control-plane.js';
import {
  CONFIGS_DIR,
  loadConfigFile,
  MANIFEST_FIXTURES_DIR,
  PATCH_FIXTURES_DIR,
  testRun,
  type TestRun,
} from './support.js';

export interface GoldenCase {
  name: string;
  config: string;
  /** Extra host state: seeded files, the environment. */
  files?: Record<string, string>;
  env?: Record<string, string>;
  patchDir?: string;
}

/** Debian-like CA directories exist on every case's host. */
const CA_DIRS = ['/etc/ca-certificates', '/usr/share/ca-certificates'];

export const GOLDEN_CASES: GoldenCase[] = [
  { name: 'default', config: `${CONFIGS_DIR}01-single-node-minimal.yaml` },
  { name: 'ha-endpoint', config: `${CONFIGS_DIR}04-ha-endpoint-dns-name.yaml` },
  {
    name: 'external-etcd',
    config: `${MANIFEST_FIXTURES_DIR}external-etcd/config.yaml`,
    // An external CA: ca.crt without ca.key.
    files: { '/etc/kubernetes/pki/ca.crt': 'placeholder' },
  },
  { name: 'dual-stack', config: `${CONFIGS_DIR}09-dual-stack.yaml` },
  { name: 'extra-args-v1beta3', config: `${CONFIGS_DIR}10-v1beta3-extra-args-volumes.yaml` },
  {
    name: 'extra-args-v1beta4',
    config: `${CONFIGS_DIR}11-v1beta4-extra-args-envs.yaml`,
    env: { HTTPS_PROXY: 'http://corp-proxy:8080', no_proxy: 'localhost', PATH: '/usr/bin', HTTP_PROXY: '' },
  },
  {
    name: 'patches',
    config: `${CONFIGS_DIR}12-patches.yaml`,
    patchDir: `${PATCH_FIXTURES_DIR}cp-patched-1`,
  },
  { name: 'ipv6', config: `${MANIFEST_FIXTURES_DIR}ipv6/config.yaml` },
  { name: 'feature-gates', config: `${CONFIGS_DIR}13-feature-gates.yaml` },
];

/** Runs etcd/local, control-plane/* and kubelet-start for a case; returns the files by base name. */
export async function renderCase(c: GoldenCase): Promise<{ run: TestRun; files: Map<string, string> }> {
  const spec = loadConfigFile(c.config);
  const run = testRun(spec, { files: c.files ?? {}, ...(c.env ? { env: c.env } : {}) });
  for (const dir of CA_DIRS) run.host.seedDir(dir);
  if (c.patchDir) {
    for (const f of readdirSync(c.patchDir)) {
      run.host.seedFile(path.join('/etc/kubernetes/patches', f), readFileSync(path.join(c.patchDir, f)));
    }
  }
  run.host.onRun('systemctl', (args) =>
    args[0] === 'is-active' ? { stdout: 'inactive\n', exitCode: 3 } : {},
  );
  await runEtcdLocal(run);
  for (const component of CONTROL_PLANE_COMPONENTS) await runControlPlaneComponent(run, component);
  await runKubeletStart(run);
  const files = new Map<string, string>();
  for (const f of [
    ...run.host.listFiles('/etc/kubernetes/manifests'),
    ...run.host.listFiles('/var/lib/kubelet'),
  ]) {
    files.set(path.basename(f), run.host.text(f));
  }
  return { run, files };
}

const update = process.env.UPDATE_GOLDEN === '1';

describe('golden manifests', () => {
  for (const c of GOLDEN_CASES) {
    test(`${c.name}: every file equals test/fixtures/manifests/${c.name}/`, async () => {
      const { files } = await renderCase(c);
      const dir = path.join(MANIFEST_FIXTURES_DIR, c.name, 'expected');
      if (update) {
        mkdirSync(dir, { recursive: true });
        for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
      }
      const expected = readdirSync(dir).sort();
      assert.deepEqual([...files.keys()].sort(), expected, 'the same set of files');
      for (const name of expected) {
        assert.equal(files.get(name), readFileSync(path.join(dir, name), 'utf8'), `${c.name}/${name}`);
      }
    });
  }

  test('external etcd writes no etcd.yaml; local etcd does', async () => {
    const external = await renderCase(GOLDEN_CASES.find((c) => c.name === 'external-etcd')!);
    assert.equal(external.files.has('etcd.yaml'), false);
    const local = await renderCase(GOLDEN_CASES[0]!);
    assert.equal(local.files.has('etcd.yaml'), true);
  });
});

describe('schema validation with kubernetes-models', () => {
  for (const c of GOLDEN_CASES) {
    test(`${c.name}: every static Pod is a valid core/v1 Pod`, async () => {
      const { files } = await renderCase(c);
      let pods = 0;
      for (const [name, text] of files) {
        const obj = yamlLib().parse(text) as { kind?: string };
        if (obj.kind !== 'Pod') continue;
        pods++;
        assert.doesNotThrow(() => new Pod(obj as ConstructorParameters<typeof Pod>[0]).validate(), name);
      }
      assert.ok(pods >= 3, `${pods} Pods`);
    });
  }

  test('the validator rejects a broken Pod, so the checks above can fail', async () => {
    const { files } = await renderCase(GOLDEN_CASES[0]!);
    const obj = yamlLib().parse(files.get('kube-apiserver.yaml')!) as Record<string, any>;
    obj.spec.containers[0].ports[0].containerPort = 'not-a-port';
    assert.throws(() => new Pod(obj as ConstructorParameters<typeof Pod>[0]).validate());
  });
});

export function expectedDir(name: string): string {
  return path.join(MANIFEST_FIXTURES_DIR, name, 'expected');
}

export function hasExpected(name: string): boolean {
  return existsSync(expectedDir(name));
}
