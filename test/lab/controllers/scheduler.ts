// The kube-scheduler stand-in, run from kbadm's kube-scheduler.yaml: it checks its flags and
// kubeconfig as the real one does and serves /livez, /readyz and /healthz on its secure port,
// healthy while the API server answers with the scheduler's credentials. Test support only.
import { clientFromKubeconfig } from '../kube-client.js';
import { parseComponentFlags } from './controller-manager.js';
import { serveHealth } from './health-server.js';

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

export async function runScheduler(args: readonly string[], intervalMs = 1000): Promise<() => Promise<void>> {
  const flags = parseComponentFlags(args, KNOWN);
  const kubeconfig = flags.get('kubeconfig');
  if (kubeconfig === undefined) throw new Error('--kubeconfig must be set');
  const client = clientFromKubeconfig(kubeconfig);
  for (const f of ['authentication-kubeconfig', 'authorization-kubeconfig']) {
    if (flags.has(f)) clientFromKubeconfig(flags.get(f)!).close();
  }
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
