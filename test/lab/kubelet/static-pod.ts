// A static Pod manifest as the simulated kubelet runs it: the hash that identifies this version
// of the manifest (kubernetes.io/config.hash, which kbadm's upgrade watches), the CRI sandbox and
// container specs with hostPath volumes mapped under the node's root, and the mirror Pod.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ContainerSpec, SandboxSpec } from '../../../src/host/runtime.js';

export interface HostPathVolume {
  name: string;
  /** The path on the node (inside its root). */
  path: string;
  type: string;
}

export interface StaticPod {
  /** The manifest file's name in the static Pod directory. */
  file: string;
  hash: string;
  name: string;
  namespace: string;
  uid: string;
  manifest: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  volumes: HostPathVolume[];
  sandbox: SandboxSpec;
  containers: ContainerSpec[];
}

export class ManifestError extends Error {}

/**
 * Reads one manifest. `nodeRoot` is where the node's `/` lives on the machine; hostPath volumes
 * are mounted from under it, as they would be from the node's own filesystem.
 */
export function staticPodFromManifest(
  file: string,
  text: string,
  nodeName: string,
  nodeRoot: string,
): StaticPod {
  let pod: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    pod = parseYaml(text);
  } catch (err) {
    throw new ManifestError(`${file}: ${(err as Error).message}`);
  }
  if (pod?.apiVersion !== 'v1' || pod?.kind !== 'Pod') throw new ManifestError(`${file}: not a v1 Pod`);
  const name = pod.metadata?.name;
  if (!name) throw new ManifestError(`${file}: metadata.name is required`);
  const namespace = pod.metadata?.namespace ?? 'default';
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 0) throw new ManifestError(`${file}: spec.containers is required`);
  if (pod.spec?.hostNetwork !== true) throw new ManifestError(`${file}: the lab runs hostNetwork Pods only`);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
  // The kubelet derives a static Pod's UID from its hash.
  const uid = hash;
  const volumes: HostPathVolume[] = (pod.spec.volumes ?? []).map(
    (v: { name: string; hostPath?: { path: string; type?: string } }) => {
      if (v.hostPath === undefined)
        throw new ManifestError(`${file}: volume ${v.name}: the lab supports hostPath volumes only`);
      return { name: v.name, path: v.hostPath.path, type: v.hostPath.type ?? '' };
    },
  );
  const podName = `${name}-${nodeName}`;
  const logDirectory = path.join(nodeRoot, 'var/log/pods', `${namespace}_${podName}_${uid}`);
  const sandbox: SandboxSpec = {
    name: podName,
    namespace,
    uid,
    attempt: 0,
    hostNetwork: true,
    logDirectory,
    labels: {
      ...(pod.metadata.labels ?? {}),
      'io.kubernetes.pod.name': podName,
      'io.kubernetes.pod.namespace': namespace,
      'io.kubernetes.pod.uid': uid,
    },
    annotations: {
      'kubernetes.io/config.hash': hash,
      'kubernetes.io/config.source': 'file',
      ...(pod.metadata.annotations ?? {}),
    },
  };
  const byName = new Map(volumes.map((v) => [v.name, v]));
  const specs: ContainerSpec[] = containers.map((c: Record<string, any>) => {
    // eslint-disable-line @typescript-eslint/no-explicit-any
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value === undefined)
        throw new ManifestError(
          `${file}: container ${c.name}: env ${e.name}: only literal values are supported`,
        );
      env[e.name] = String(e.value);
    }
    const mounts = (c.volumeMounts ?? []).map(
      (m: { name: string; mountPath: string; readOnly?: boolean }) => {
        const v = byName.get(m.name);
        if (v === undefined)
          throw new ManifestError(`${file}: container ${c.name}: volumeMount ${m.name} names no volume`);
        return {
          containerPath: m.mountPath,
          hostPath: path.join(nodeRoot, v.path),
          readonly: m.readOnly === true,
        };
      },
    );
    return {
      name: c.name,
      attempt: 0,
      image: c.image,
      ...(c.command ? { command: c.command } : {}),
      ...(c.args ? { args: c.args } : {}),
      env,
      mounts,
      labels: {
        'io.kubernetes.container.name': c.name,
        'io.kubernetes.pod.name': podName,
        'io.kubernetes.pod.namespace': namespace,
        'io.kubernetes.pod.uid': uid,
      },
      logPath: `${c.name}/0.log`,
    };
  });
  return { file, hash, name, namespace, uid, manifest: pod, volumes, sandbox, containers: specs };
}

/** The mirror Pod the kubelet creates in the API for a running static Pod. */
export function mirrorPod(
  p: StaticPod,
  nodeName: string,
  nodeUID: string | undefined,
  ready: boolean,
  restarts: number[],
): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${p.name}-${nodeName}`,
      namespace: p.namespace,
      labels: p.manifest.metadata.labels ?? {},
      annotations: {
        ...(p.manifest.metadata.annotations ?? {}),
        'kubernetes.io/config.hash': p.hash,
        'kubernetes.io/config.mirror': p.hash,
        'kubernetes.io/config.seen': now,
        'kubernetes.io/config.source': 'file',
      },
      ...(nodeUID
        ? {
            ownerReferences: [
              { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUID, controller: true },
            ],
          }
        : {}),
    },
    spec: { ...p.manifest.spec, nodeName },
    status: mirrorPodStatus(p, ready, restarts),
  };
}

/** What the kubelet reports for a static Pod: Ready when every container runs, and the restarts. */
export function mirrorPodStatus(p: StaticPod, ready: boolean, restarts: number[]) {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
    containerStatuses: p.containers.map((c, i) => ({
      name: c.name,
      image: c.image,
      ready,
      restartCount: restarts[i] ?? 0,
    })),
  };
}

/** Whether a mirror Pod's reported status already says what `wanted` says (times aside). */
export function mirrorStatusCurrent(
  reported: { conditions?: { type: string; status: string }[]; containerStatuses?: unknown[] } | undefined,
  wanted: ReturnType<typeof mirrorPodStatus>,
): boolean {
  const readyOf = (s: typeof reported) => s?.conditions?.find((c) => c.type === 'Ready')?.status;
  const counts = (s: { containerStatuses?: unknown[] } | undefined) =>
    JSON.stringify(
      (s?.containerStatuses ?? []).map((c) => {
        const { name, ready, restartCount } = c as { name: string; ready: boolean; restartCount: number };
        return [name, ready, restartCount];
      }),
    );
  return readyOf(reported) === readyOf(wanted) && counts(reported) === counts(wanted);
}
