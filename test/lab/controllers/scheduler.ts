// The kube-scheduler stand-in, run from kbadm's kube-scheduler.yaml: it checks its flags and
// kubeconfig as the real one does, serves /livez, /readyz and /healthz on its secure port (healthy
// while the API server answers with the scheduler's credentials), and schedules: each Pod without a
// node goes to a Ready, uncordoned Node whose taints it tolerates and whose labels match its
// nodeSelector (POST pods/<name>/binding); a Pod no Node takes gets PodScheduled=False, Unschedulable,
// with the scheduler's message. No scoring beyond the fewest Pods. Test support only.
import { KubeError, clientFromKubeconfig, type KubeClient } from '../kube-client.js';
import { unfitReason, unschedulableMessage } from '../../support/scheduling.js';
import { parseComponentFlags } from './controller-manager.js';
import { serveHealth } from './health-server.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const KNOWN = new Set([
  'authentication-kubeconfig',
  'authorization-kubeconfig',
  'bind-address',
  'kubeconfig',
  'leader-elect',
  'feature-gates',
  'profiling',
  'secure-port',
  'v',
  'config',
  'tls-cert-file',
  'tls-private-key-file',
]);

const TERMINAL = new Set(['Succeeded', 'Failed']);

export class Scheduler {
  constructor(private readonly client: KubeClient) {}

  /** One pass: every Pod waiting for a node is bound, or marked unschedulable. */
  async schedule(): Promise<void> {
    const pending = await this.client.request(
      'GET',
      `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName=')}`,
    );
    const pods: Obj[] = (pending.items ?? []).filter(
      (p: Obj) =>
        !TERMINAL.has(p.status?.phase) &&
        (p.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler',
    );
    if (pods.length === 0) return;
    const nodes: Obj[] = (await this.client.request('GET', '/api/v1/nodes')).items ?? [];
    const bound: Obj[] = (await this.client.request('GET', '/api/v1/pods')).items ?? [];
    const load = new Map<string, number>();
    for (const p of bound)
      if (p.spec?.nodeName && !TERMINAL.has(p.status?.phase))
        load.set(p.spec.nodeName, (load.get(p.spec.nodeName) ?? 0) + 1);
    for (const pod of pods) {
      const fit = nodes
        .filter((n) => unfitReason(pod.spec ?? {}, n) === undefined)
        .sort(
          (a, b) =>
            (load.get(a.metadata.name) ?? 0) - (load.get(b.metadata.name) ?? 0) ||
            a.metadata.name.localeCompare(b.metadata.name),
        )[0];
      if (fit === undefined) {
        await this.markUnschedulable(pod, unschedulableMessage(pod.spec ?? {}, nodes));
        continue;
      }
      const name = fit.metadata.name;
      try {
        await this.client.request(
          'POST',
          `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`,
          {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
            target: { apiVersion: 'v1', kind: 'Node', name },
          },
        );
        load.set(name, (load.get(name) ?? 0) + 1);
      } catch (err) {
        // Deleted meanwhile, or bound by someone else: the next pass sees how things are.
        if (!(err instanceof KubeError && (err.code === 404 || err.code === 409))) throw err;
      }
    }
  }

  private async markUnschedulable(pod: Obj, message: string): Promise<void> {
    const current = (pod.status?.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.message === message) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await this.client
      .request(
        'PATCH',
        `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
        {
          status: {
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message,
                lastProbeTime: null,
                lastTransitionTime: now,
              },
            ],
          },
        },
        'application/strategic-merge-patch+json',
      )
      .catch((err: unknown) => {
        if (!(err instanceof KubeError && err.code === 404)) throw err;
      });
  }
}

export async function runScheduler(args: readonly string[], intervalMs = 1000): Promise<() => Promise<void>> {
  const flags = parseComponentFlags(args, KNOWN);
  const kubeconfig = flags.get('kubeconfig');
  if (kubeconfig === undefined) throw new Error('--kubeconfig must be set');
  const client = clientFromKubeconfig(kubeconfig);
  for (const f of ['authentication-kubeconfig', 'authorization-kubeconfig']) {
    if (flags.has(f)) clientFromKubeconfig(flags.get(f)!).close();
  }
  const scheduler = new Scheduler(client);
  let healthy = false;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        await client.request('GET', '/api/v1/nodes?limit=1');
        healthy = true;
      } catch {
        healthy = false;
      }
      if (healthy)
        await scheduler
          .schedule()
          .catch((err: unknown) => process.stderr.write(`scheduler error: ${(err as Error).message}\n`));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  const server = await serveHealth(
    'kube-scheduler',
    flags.get('bind-address') ?? '0.0.0.0',
    Number(flags.get('secure-port') ?? 10259),
    () => healthy,
  );
  return async () => {
    stopped = true;
    await loop;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    client.close();
  };
}
