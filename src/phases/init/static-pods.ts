// What the static-Pod and kubelet phases take from the run data: the renderers' inputs, the
// configured patches (read once per run, as kubeadm caches its patch manager) and the patched write.
import { caExternallyManaged, PkiStore } from '../../certs/pki-files.js';
import { featureEnabled } from '../../config/feature-gates.js';
import type { ControlPlaneInputs } from '../../manifests/control-plane.js';
import type { EtcdInputs } from '../../manifests/etcd.js';
import { proxyEnvVars, type StaticPod } from '../../manifests/pod.js';
import { existingCaCertDirs, writeStaticPod } from '../../manifests/manifest-files.js';
import type { Json } from '../../patches/json-patch.js';
import { readPatchDir } from '../../patches/patch-files.js';
import {
  applyPatches,
  readingPatchesMessage,
  type PatchSet,
  type PatchTarget,
} from '../../patches/patches.js';
import type { ManifestData } from './data.js';

export async function controlPlaneInputs(d: ManifestData): Promise<ControlPlaneInputs> {
  return {
    cluster: d.config.cluster,
    endpoint: d.config.init.localAPIEndpoint,
    controlPlaneHealthCheckMs: d.config.init.timeouts.controlPlaneComponentHealthCheck,
    caCertDirsPresent: await existingCaCertDirs(d.host, d.paths),
    proxyEnv: proxyEnvVars(d.env),
    // kubeadm's UsingExternalCA as far as the KCM cares: no ca.key, so no signing flags.
    externalCA: await caExternallyManaged(
      new PkiStore(d.host, d.paths.under(d.config.cluster.certificatesDir)),
    ),
  };
}

export function etcdInputs(d: Pick<ManifestData, 'config'>): EtcdInputs {
  return {
    cluster: d.config.cluster,
    endpoint: d.config.init.localAPIEndpoint,
    nodeName: d.config.init.nodeRegistration.name,
    controlPlaneHealthCheckMs: d.config.init.timeouts.controlPlaneComponentHealthCheck,
  };
}

/**
 * The configured patches (--patches / patches.directory), read and reported once per run, as
 * kubeadm caches its patch manager per path.
 */
export function patchSets(
  d: Pick<ManifestData, 'config' | 'host' | 'paths' | 'out' | 'cache'>,
): Promise<PatchSet[]> {
  const dir = d.config.init.patches?.directory ?? '';
  if (dir === '') return Promise.resolve([]);
  if (!d.cache.patches) {
    // Announced before listing, so a bad directory's error follows the line that names it.
    d.out.progress('patches', readingPatchesMessage(dir));
    d.cache.patches = readPatchDir(d.host, d.paths.under(dir), dir).then((r) => {
      for (const m of r.messages.slice(1)) d.out.progress('patches', m);
      return r.sets;
    });
  }
  return d.cache.patches;
}

async function patched<T>(d: ManifestData, target: PatchTarget, value: T): Promise<T> {
  const sets = await patchSets(d);
  if (!sets.some((s) => s.target === target)) return value;
  const r = applyPatches(target, value as unknown as Json, sets);
  for (const m of r.messages) d.out.progress('patches', m);
  return r.value as unknown as T;
}

export const ROOTLESS_CONTROL_PLANE = 'RootlessControlPlane';

/**
 * kubeadm's RootlessControlPlane gate runs the component as a dedicated user it creates on the
 * host; kbadm does not implement that yet, so say so rather than write a root Pod silently.
 */
export function warnIfRootless(
  d: Pick<ManifestData, 'config' | 'out'>,
  tag: string,
  component: string,
): void {
  if (!featureEnabled(d.config.cluster.featureGates, ROOTLESS_CONTROL_PLANE)) return;
  d.out.warn(
    `[${tag}] the ${ROOTLESS_CONTROL_PLANE} feature gate is not supported by kbadm: "${component}" will run as root`,
  );
}

/**
 * The static Pod with the configured patches applied, as writePatchedStaticPod would write it: for
 * callers that compare or stage it before writing (upgrade).
 */
export function patchedStaticPod(
  d: ManifestData,
  component: PatchTarget,
  pod: StaticPod,
): Promise<StaticPod> {
  return patched(d, component, pod);
}

/** Applies the configured patches to a static Pod and writes `<manifests>/<component>.yaml`. */
export async function writePatchedStaticPod(
  d: ManifestData,
  component: PatchTarget,
  pod: StaticPod,
): Promise<string> {
  return writeStaticPod(d.host, d.paths.manifestsDir, component, await patched(d, component, pod));
}
