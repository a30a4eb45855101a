// `upgrade diff`: the control-plane manifests this node would get for a target version, rendered
// from the cluster's stored configuration and this node's API endpoint, compared with the files
// on disk. Nothing is written. etcd is left out, as kubeadm leaves it out.
import * as path from 'node:path';
import { parseDocument, stringify } from 'yaml';
import type { ClusterConfigDocuments } from '../../config/from-cluster.js';
import { parseKubernetesVersionOrError } from '../../config/k8s-version.js';
import type { InitConfig } from '../../config/model.js';
import { V1BETA4 } from '../../config/model.js';
import { resolveInitConfig } from '../../config/resolve.js';
import { KbadmError, ValidationError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import { parseFlags } from '../../manifests/args.js';
import {
  apiServerPod,
  controllerManagerPod,
  KUBE_APISERVER,
  KUBE_CONTROLLER_MANAGER,
  KUBE_SCHEDULER,
  schedulerPod,
} from '../../manifests/control-plane.js';
import { manifestFileName, toYaml } from '../../manifests/serialize.js';
import type { Output } from '../../output/output.js';
import { yamlLib } from '../../output/yaml.js';
import { unifiedDiff } from '../../output/unified-diff.js';
import { newInitCache } from '../init/data.js';
import { controlPlaneInputs } from '../init/static-pods.js';

/** In kubeadm's map order there is none; kbadm prints them in the order the control plane starts. */
export const DIFFED_COMPONENTS = [KUBE_APISERVER, KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER] as const;
export const NEW_MANIFEST_LABEL = 'new manifest';
/** Any CRI socket will do: none of the three manifests depends on it, and nothing is detected. */
const PLACEHOLDER_CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

export interface LocalEndpoint {
  advertiseAddress: string;
  bindPort: number;
}

/**
 * This node's API endpoint as its kube-apiserver manifest states it: kubeadm's advertise-address
 * annotation, else the --advertise-address and --secure-port flags. `file` names it in errors.
 */
export function localEndpointFromManifest(text: string, file: string): LocalEndpoint {
  let pod: {
    metadata?: { annotations?: Record<string, string> };
    spec?: { containers?: { command?: string[] }[] };
  };
  try {
    pod = (yamlLib().parse(text) ?? {}) as typeof pod;
  } catch (err) {
    throw new KbadmError(`static Pod manifest ${file} is not valid YAML: ${(err as Error).message}`);
  }
  const annotated =
    pod.metadata?.annotations?.['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint'];
  if (annotated) {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(annotated);
    if (m) return { advertiseAddress: m[1]!, bindPort: Number(m[2]) };
  }
  const flags = parseFlags(pod.spec?.containers?.[0]?.command ?? []);
  const address = flags.find((f) => f.name === 'advertise-address')?.value;
  const port = flags.find((f) => f.name === 'secure-port')?.value ?? '6443';
  if (!address) throw new KbadmError(`cannot tell this node's API server address from ${file}`);
  return { advertiseAddress: address, bindPort: Number(port) };
}

/** Checks a target version given on the command line or in the UpgradeConfiguration. */
export function checkTargetVersion(version: string, field: string): void {
  const r = parseKubernetesVersionOrError(version);
  if ('error' in r) throw new ValidationError([{ field, value: version, detail: r.error }]);
}

/**
 * The cluster's documents behind an InitConfiguration for this node, with the ClusterConfiguration's
 * kubernetesVersion set to `version` when one is given, loaded like a --config file.
 */
export function upgradeTargetConfig(
  docs: ClusterConfigDocuments,
  node: { name: string; endpoint: LocalEndpoint },
  version: string | undefined,
): { config: InitConfig; warnings: string[] } {
  const init = stringify({
    apiVersion: V1BETA4,
    kind: 'InitConfiguration',
    localAPIEndpoint: node.endpoint,
    nodeRegistration: { name: node.name, criSocket: PLACEHOLDER_CRI_SOCKET },
  });
  let cluster = docs.clusterConfiguration;
  if (version !== undefined && version !== '') {
    const doc = parseDocument(cluster);
    doc.set('kubernetesVersion', version);
    cluster = doc.toString();
  }
  const documents = [init, cluster, docs.kubelet, docs.kubeProxy].filter((d): d is string => d !== undefined);
  const r = resolveInitConfig({
    configText: documents.map((d) => d.replace(/^---\n/, '').replace(/\n*$/, '\n')).join('---\n'),
    source: 'the cluster configuration',
    flags: {},
    facts: { hostname: node.name, criSocketsPresent: [PLACEHOLDER_CRI_SOCKET] },
  });
  return { config: r.config, warnings: r.warnings };
}

/** The three manifests for `config`, as kbadm would write them (no patches: diff takes none). */
export async function renderControlPlaneManifests(
  config: InitConfig,
  host: Host,
  out: Output,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Record<(typeof DIFFED_COMPONENTS)[number], string>> {
  const inputs = await controlPlaneInputs({
    config,
    host,
    paths: host.paths,
    out,
    dryRun: true,
    env,
    cache: newInitCache(),
  });
  return {
    [KUBE_APISERVER]: toYaml(apiServerPod(inputs).value),
    [KUBE_CONTROLLER_MANAGER]: toYaml(controllerManagerPod(inputs)),
    [KUBE_SCHEDULER]: toYaml(schedulerPod(inputs)),
  };
}

/** Reads `<manifestsDir>/<component>.yaml`; a missing file is an error naming it. */
export async function readManifest(host: Host, component: string): Promise<{ text: string; shown: string }> {
  const file = path.join(host.paths.manifestsDir, manifestFileName(component));
  const shown = host.paths.onHost(file);
  const data = await host.readFileIfExists(file);
  if (data === undefined) throw new KbadmError(`static Pod manifest ${shown} does not exist`);
  return { text: data.toString('utf8'), shown };
}

/** Every component's diff, concatenated; '' when the files on disk already match. */
export async function diffControlPlaneManifests(
  host: Host,
  rendered: Record<string, string>,
  contextLines: number,
): Promise<string> {
  let text = '';
  for (const component of DIFFED_COMPONENTS) {
    const current = await readManifest(host, component);
    text += unifiedDiff(current.text, rendered[component] ?? '', {
      fromFile: current.shown,
      toFile: NEW_MANIFEST_LABEL,
      context: contextLines,
    });
  }
  return text;
}
