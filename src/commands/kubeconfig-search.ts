// Which kubeconfig a day-two command talks to the cluster with, when --kubeconfig is left empty.
import type { Host } from '../host/host.js';
import { userPath } from '../host/paths.js';

export const ADMIN_CONF = '/etc/kubernetes/admin.conf';

/**
 * The kubeconfig under --rootfs. A non-empty flag is taken as given; an empty one searches as
 * client-go's default rules do ($KUBECONFIG's entries, then ~/.kube/config), with admin.conf last.
 * The first file that exists wins; when none does, admin.conf is named, so the error says where
 * kbadm looked last.
 */
export async function searchKubeconfig(
  env: Readonly<Record<string, string | undefined>>,
  host: Host,
  flag: string,
): Promise<string> {
  if (flag !== '') return userPath(host.paths, flag);
  const candidates = (env['KUBECONFIG'] ?? '').split(':').filter((p) => p !== '');
  if (env['HOME']) candidates.push(`${env['HOME']}/.kube/config`);
  candidates.push(ADMIN_CONF);
  const rooted = candidates.map((p) => userPath(host.paths, p));
  for (const p of rooted) if (await host.exists(p)) return p;
  return rooted[rooted.length - 1]!;
}
