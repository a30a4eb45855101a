// An addon (CoreDNS, kube-proxy) as a value: the objects to put into the cluster and what
// --print-manifest shows. Rendering is pure (coredns.ts, kube-proxy.ts); applying is a separate
// step (addon-apply.ts), so that printing, dry runs and tests need no API server.
import type { KubeObject } from '../cluster/types.js';
import { dumpYaml } from '../output/yaml.js';

export type AddonName = 'coredns' | 'kube-proxy';

/** Where both addons live. */
export const ADDON_NAMESPACE = 'kube-system';

export interface AddonBase {
  name: AddonName;
  /** The objects in the order they are applied. */
  objects: KubeObject[];
  /**
   * The same objects in the order --print-manifest prints them (kubeadm's order). They are the
   * objects applied, patches, hash annotation and proxy variables included: what is printed is
   * what a run would send.
   */
  manifestOrder: KubeObject[];
  /** The line printed once the objects are applied, tag included. */
  appliedMessage: string;
  /** `[patches]` lines (without the tag) for patches applied while rendering. */
  patchMessages: string[];
  /** Warnings about the configuration, to be shown to the user. */
  warnings: string[];
}

export interface CoreDNSAddon extends AddonBase {
  name: 'coredns';
  /**
   * Corefiles that kubeadm itself writes for this configuration: an existing ConfigMap holding one
   * of these is replaced by the new default; any other Corefile is the user's and is kept.
   */
  defaultCorefiles: string[];
}

export interface KubeProxyAddon extends AddonBase {
  name: 'kube-proxy';
}

export type Addon = CoreDNSAddon | KubeProxyAddon;

/** The --print-manifest output: each object as a YAML document preceded by `---`. */
export function printManifest(addon: Pick<AddonBase, 'manifestOrder'>): string {
  return addon.manifestOrder.map((o) => `---\n${dumpYaml(o)}`).join('');
}
