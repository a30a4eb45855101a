// Join discovery answered from an in-memory cluster: cluster-info as the API server would hand it
// out to anyone, no waiting between tries, discovery files read from the test's root.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MemoryCluster } from '../../src/cluster/memory.js';
import type { DiscoveryFactory } from '../../src/commands/context.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE } from '../../src/tokens/cluster-info.js';

export function memoryDiscovery(api: MemoryCluster, root: string): DiscoveryFactory & { fetches: string[] } {
  const fetches: string[] = [];
  const clusterInfo = async (how: string) => {
    fetches.push(how);
    const cm = api
      .stored('ConfigMap')
      .find((o) => o.metadata.namespace === CLUSTER_INFO_NAMESPACE && o.metadata.name === CLUSTER_INFO_NAME);
    if (!cm) throw new Error('configmaps "cluster-info" not found');
    return { ...((cm as { data?: Record<string, string> }).data ?? {}) };
  };
  const factory = async () => ({
    fetchInsecure: () => clusterInfo('insecure'),
    fetchWithCA: () => clusterInfo('with-ca'),
    fetchWithKubeconfig: () => clusterInfo('with-kubeconfig'),
    fetchURL: async (url: string) => {
      throw new Error(`no network in this test: ${url}`);
    },
    readFile: async (p: string) => readFileSync(path.join(root, p), 'utf8'),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    now: () => Date.now(),
    log: () => {},
    warn: () => {},
  });
  return Object.assign(factory, { fetches });
}
