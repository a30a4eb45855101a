// The golden cases: fixture configurations and the host each renders on.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONTROL_PLANE_COMPONENTS } from '../../src/manifests/control-plane.js';
import { runControlPlaneComponent } from '../../src/phases/init/control-plane.js';
import { runEtcdLocal } from '../../src/phases/init/etcd.js';
import { runKubeletStart } from '../../src/phases/init/kubelet-start.js';
import { CONFIGS_DIR, loadConfigFile, MANIFEST_FIXTURES_DIR, PATCH_FIXTURES_DIR } from './manifests.js';
import { type TestInitData, testInitData } from './init-data.js';

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
export async function renderCase(c: GoldenCase): Promise<{ run: TestInitData; files: Map<string, string> }> {
  const config = loadConfigFile(c.config);
  const run = testInitData(config, { files: c.files ?? {}, ...(c.env ? { env: c.env } : {}) });
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
