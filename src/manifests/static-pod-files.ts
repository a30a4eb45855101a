// Joins the pure renderers to a Host: the host facts they need, patches from the patches
// directory, and writing manifests and kubelet files with kubeadm's modes. Messages name host
// paths, never --rootfs ones.
import * as path from 'node:path';
import { caExternallyManaged, PkiStore } from '../certs/pki-files.js';
import { featureEnabled } from '../config/feature-gates.js';
import type { InitConfig } from '../config/model.js';
import type { Host } from '../host/host.js';
import type { Paths } from '../host/paths.js';
import type { Output } from '../output/output.js';
import type { Json } from '../patches/json-patch.js';
import { readPatchDir } from '../patches/patch-files.js';
import { applyPatches, readingPatchesMessage, type PatchSet, type PatchTarget } from '../patches/patches.js';
import { CA_CERTS_EXTRA_PATHS, type ControlPlaneInputs } from './control-plane.js';
import type { EtcdInputs } from './etcd.js';
import { proxyEnvVars, type StaticPod } from './pod.js';
import { manifestFileName, MANIFEST_FILE_MODE, MANIFESTS_DIR_MODE, toYaml } from './serialize.js';

/** What the static-Pod and kubelet phases read from the run data. */
export interface StaticPodRunData {
  config: InitConfig;
  paths: Paths;
  host: Host;
  out: Output;
  dryRun: boolean;
  /** kbadm's own environment (proxy variables for the Pods); absent means none. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A path from the configuration as a path under --rootfs. */
export function rooted(d: Pick<StaticPodRunData, 'paths'>, hostPath: string): string {
  return d.paths.under(hostPath);
}

export async function existingCaCertDirs(d: Pick<StaticPodRunData, 'host' | 'paths'>): Promise<string[]> {
  const present: string[] = [];
  for (const p of CA_CERTS_EXTRA_PATHS) if (await d.host.exists(rooted(d, p))) present.push(p);
  return present;
}

export async function controlPlaneInputs(d: StaticPodRunData): Promise<ControlPlaneInputs> {
  return {
    cluster: d.config.cluster,
    endpoint: d.config.init.localAPIEndpoint,
    controlPlaneHealthCheckMs: d.config.init.timeouts.controlPlaneComponentHealthCheck,
    caCertDirsPresent: await existingCaCertDirs(d),
    proxyEnv: proxyEnvVars(d.env ?? {}),
    // kubeadm's UsingExternalCA as far as the KCM cares: no ca.key, so no signing flags.
    externalCA: await caExternallyManaged(new PkiStore(d.host, rooted(d, d.config.cluster.certificatesDir))),
  };
}

export function etcdInputs(d: Pick<StaticPodRunData, 'config'>): EtcdInputs {
  return {
    cluster: d.config.cluster,
    endpoint: d.config.init.localAPIEndpoint,
    nodeName: d.config.init.nodeRegistration.name,
    controlPlaneHealthCheckMs: d.config.init.timeouts.controlPlaneComponentHealthCheck,
  };
}

// One read of the patches directory per run data, as kubeadm caches its patch manager per path.
const patchCache = new WeakMap<object, Promise<PatchSet[]>>();

/** The configured patches (--patches / patches.directory), read once and reported once. */
export function patchSets(d: StaticPodRunData): Promise<PatchSet[]> {
  const dir = d.config.init.patches?.directory ?? '';
  if (dir === '') return Promise.resolve([]);
  let sets = patchCache.get(d);
  if (!sets) {
    // Announced before listing, so a bad directory's error follows the line that names it.
    d.out.progress('patches', readingPatchesMessage(dir));
    sets = readPatchDir(d.host, rooted(d, dir), dir).then((r) => {
      for (const m of r.messages.slice(1)) d.out.progress('patches', m);
      return r.sets;
    });
    patchCache.set(d, sets);
  }
  return sets;
}

export async function patched<T>(d: StaticPodRunData, target: PatchTarget, value: T): Promise<T> {
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
  d: Pick<StaticPodRunData, 'config' | 'out'>,
  tag: string,
  component: string,
): void {
  if (!featureEnabled(d.config.cluster.featureGates, ROOTLESS_CONTROL_PLANE)) return;
  d.out.warn(
    `[${tag}] the ${ROOTLESS_CONTROL_PLANE} feature gate is not supported by kbadm: "${component}" will run as root`,
  );
}

/** Patches a static Pod and writes `<manifests>/<name>.yaml` (0600, dir 0700). */
export async function writeStaticPod(
  d: StaticPodRunData,
  component: PatchTarget,
  pod: StaticPod,
): Promise<string> {
  const final = await patched(d, component, pod);
  await d.host.mkdir(d.paths.manifestsDir, MANIFESTS_DIR_MODE);
  const file = path.join(d.paths.manifestsDir, manifestFileName(component));
  await d.host.writeFile(file, toYaml(final), MANIFEST_FILE_MODE);
  return file;
}
