// The kubelet's part in an in-process upgrade, for any number of control-plane nodes: each node's
// mirror Pods follow its manifests (a new kubernetes.io/config.hash, the manifest's annotations and
// containers once a manifest changes; gone while the manifest is away), Running and Ready, and
// each Node reports Ready (or not).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/cluster/types.js';
import type { TestCluster } from './memory-cluster.js';

export const STATIC_POD_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'];

export interface KubeletNode {
  name: string;
  /** The node's --rootfs: its manifests are under etc/kubernetes/manifests. */
  root: string;
  /** Default true. */
  ready?: boolean;
  /** Components that never run a new manifest: their mirror Pods keep the first hash seen. */
  frozen?: string[];
}

type PodManifest = { metadata: { annotations?: Record<string, string> }; spec?: { containers?: unknown[] } };

export function fakeKubelet(api: TestCluster, nodes: readonly KubeletNode[]): { stop(): void } {
  let stopped = false;
  const seen = new Map<string, string>();
  const sync = () => {
    for (const node of nodes) {
      for (const component of STATIC_POD_COMPONENTS) {
        const file = path.join(node.root, 'etc/kubernetes/manifests', `${component}.yaml`);
        const key = `${node.name}/${component}`;
        if (!existsSync(file)) {
          // The kubelet stops a Pod whose manifest left the directory and deletes its mirror Pod.
          if (seen.delete(key))
            void api.delete({
              apiVersion: 'v1',
              kind: 'Pod',
              namespace: 'kube-system',
              name: `${component}-${node.name}`,
            });
          continue;
        }
        const bytes = readFileSync(file);
        const hash = createHash('md5').update(bytes).digest('hex');
        if (seen.get(key) === hash || (node.frozen?.includes(component) && seen.has(key))) continue;
        const pod = parse(bytes.toString('utf8')) as PodManifest;
        seen.set(key, hash);
        api.seed({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${component}-${node.name}`,
            namespace: 'kube-system',
            labels: { component, tier: 'control-plane' },
            annotations: { ...pod.metadata.annotations, 'kubernetes.io/config.hash': hash },
          },
          spec: { nodeName: node.name, containers: pod.spec?.containers ?? [] },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
        });
      }
    }
  };
  sync();
  for (const node of nodes) {
    const existing = api.storedObject({ apiVersion: 'v1', kind: 'Node', name: node.name });
    const base: KubeObject = existing ?? { apiVersion: 'v1', kind: 'Node', metadata: { name: node.name } };
    const ready = node.ready === false ? 'False' : 'True';
    api.seed({ ...base, status: { conditions: [{ type: 'Ready', status: ready }] } });
  }
  void (async () => {
    while (!stopped) {
      sync();
      await sleep(50);
    }
  })();
  return { stop: () => (stopped = true) };
}
