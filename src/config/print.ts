// Rendering configurations as kubeadm prints them: v1beta4, keys sorted, documents joined by
// `---`. Covers `config print *-defaults` and `config migrate`.
import { dumpYaml } from '../output/yaml.js';
import { KBADM_VERSION } from '../version.js';
import { defaultComponentConfigs } from './component-configs.js';
import {
  clusterFromWire,
  clusterToV1beta4,
  initFromWire,
  initToV1beta4,
  joinFromWire,
  joinToV1beta4,
  resetFromWire,
  resetToV1beta4,
  upgradeFromWire,
  upgradeToV1beta4,
} from './convert.js';
import { DEFAULTS, PLACEHOLDER_TOKEN } from './defaults.js';
import { loadAllConfig, type LoadOptions } from './load.js';
import { V1BETA4, type InitConfig } from './model.js';

/** Component config kinds `--component-configs` accepts, sorted. */
export const COMPONENT_CONFIG_KINDS = ['KubeProxyConfiguration', 'KubeletConfiguration'] as const;

/** YAML documents as kubeadm joins them. */
export function renderDocuments(docs: readonly unknown[]): string {
  return docs.map((d) => dumpYaml(d)).join('---\n');
}

/** kubeadm's DefaultedStaticInitConfiguration: placeholders instead of host facts and a random token. */
export function staticInitDefaults(): InitConfig {
  const init = initFromWire(
    {
      bootstrapTokens: [{ token: PLACEHOLDER_TOKEN }],
      localAPIEndpoint: { advertiseAddress: '1.2.3.4' },
      nodeRegistration: { criSocket: DEFAULTS.criSocket, name: 'node' },
    },
    V1BETA4,
  );
  // kubeadm's own version without the `v`, as Go's version.String() prints it.
  const cluster = clusterFromWire({ kubernetesVersion: KBADM_VERSION.replace(/^v/, '') }, V1BETA4);
  const cc = defaultComponentConfigs(cluster, init.localAPIEndpoint, {});
  return { init, cluster, componentConfigs: cc.value };
}

export function parseComponentConfigKinds(
  list: readonly string[],
): ('KubeletConfiguration' | 'KubeProxyConfiguration')[] {
  for (const k of list) {
    if (!(COMPONENT_CONFIG_KINDS as readonly string[]).includes(k)) {
      throw new Error(`--component-configs needs to contain some of [${COMPONENT_CONFIG_KINDS.join(' ')}]`);
    }
  }
  return list as ('KubeletConfiguration' | 'KubeProxyConfiguration')[];
}

/** `config print init-defaults [--component-configs ...]`. */
export function printInitDefaults(componentKinds: readonly string[] = []): string {
  const kinds = parseComponentConfigKinds(componentKinds);
  const cfg = staticInitDefaults();
  const docs: unknown[] = [initToV1beta4(cfg.init), clusterToV1beta4(cfg.cluster)];
  for (const k of kinds) {
    const cc = k === 'KubeletConfiguration' ? cfg.componentConfigs.kubelet : cfg.componentConfigs.kubeProxy;
    docs.push(cc!.config);
  }
  return renderDocuments(docs);
}

/** `config print join-defaults`: kubeadm fills the node name from the host (it skips CRI detection). */
export function printJoinDefaults(hostname = 'node'): string {
  const join = joinFromWire(
    {
      discovery: {
        bootstrapToken: {
          token: PLACEHOLDER_TOKEN,
          apiServerEndpoint: 'kube-apiserver:6443',
          unsafeSkipCAVerification: true,
        },
      },
      nodeRegistration: { criSocket: DEFAULTS.criSocket, name: hostname.trim().toLowerCase() || 'node' },
    },
    V1BETA4,
  );
  return renderDocuments([joinToV1beta4(join)]);
}

export function printResetDefaults(): string {
  return renderDocuments([resetToV1beta4(resetFromWire({ criSocket: DEFAULTS.criSocket }))]);
}

export function printUpgradeDefaults(): string {
  return renderDocuments([upgradeToV1beta4(upgradeFromWire({}))]);
}

/**
 * `config migrate`: loads every kubeadm kind as its command would (strictly, with dynamic
 * defaults and validation) and writes it back as v1beta4. Component configs are not written,
 * as in kubeadm.
 */
export function migrateConfig(text: string, opts: LoadOptions): { text: string; warnings: string[] } {
  const all = loadAllConfig(text, { ...opts, strict: true, command: 'validate' });
  const docs: unknown[] = [];
  if (all.init) docs.push(initToV1beta4(all.init.init), clusterToV1beta4(all.init.cluster));
  if (all.join) docs.push(joinToV1beta4(all.join));
  if (all.reset) docs.push(resetToV1beta4(all.reset));
  if (all.upgrade) docs.push(upgradeToV1beta4(all.upgrade));
  return { text: renderDocuments(docs), warnings: all.warnings };
}
