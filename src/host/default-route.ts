// The address kubeadm advertises by default: the first global address of the interface that holds
// the default route (IPv4 first, then IPv6), as Kubernetes' ChooseHostInterface does. Parsing is
// pure; facts.ts reads /proc and the interfaces.
import type { NetworkInterfaceInfo } from 'node:os';

export interface DefaultRoute {
  family: 'IPv4' | 'IPv6';
  iface: string;
  metric: number;
}

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

/** Default routes in /proc/net/route, lowest metric first. */
export function parseIPv4DefaultRoutes(text: string): DefaultRoute[] {
  const [header, ...rows] = text.split('\n').filter((l) => l.trim() !== '');
  if (header === undefined) return [];
  const columns = header.trim().split(/\s+/);
  const c = {
    iface: columns.indexOf('Iface'),
    dest: columns.indexOf('Destination'),
    flags: columns.indexOf('Flags'),
    metric: columns.indexOf('Metric'),
    mask: columns.indexOf('Mask'),
  };
  if (Object.values(c).some((i) => i < 0)) return [];
  const routes: DefaultRoute[] = [];
  for (const row of rows) {
    const f = row.trim().split(/\s+/);
    const at = (i: number): string => f[i] ?? '';
    if (at(c.dest) !== '00000000' || at(c.mask) !== '00000000') continue;
    if ((parseInt(at(c.flags), 16) & RTF_UP) === 0) continue;
    routes.push({ family: 'IPv4', iface: at(c.iface), metric: parseInt(at(c.metric), 10) || 0 });
  }
  return byMetric(routes);
}

/** Default routes in /proc/net/ipv6_route (fixed columns, no header), lowest metric first. */
export function parseIPv6DefaultRoutes(text: string): DefaultRoute[] {
  const routes: DefaultRoute[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest = '', prefixLen, , , , metric = '', , , flags = '', iface = ''] = f;
    if (!/^0{32}$/.test(dest) || prefixLen !== '00' || iface === 'lo') continue;
    const bits = parseInt(flags, 16);
    // The kernel keeps an unreachable default route on lo when there is no IPv6 default route.
    if ((bits & RTF_UP) === 0 || (bits & RTF_REJECT) !== 0) continue;
    routes.push({ family: 'IPv6', iface, metric: parseInt(metric, 16) || 0 });
  }
  return byMetric(routes);
}

function byMetric(routes: DefaultRoute[]): DefaultRoute[] {
  return routes.sort((a, b) => a.metric - b.metric);
}

/** A global unicast address, as Go's net.IP.IsGlobalUnicast sees it. */
export function isGlobalUnicast(address: string, family: 'IPv4' | 'IPv6'): boolean {
  if (family === 'IPv4') {
    const o = address.split('.').map(Number);
    if (o.length !== 4 || o.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false;
    const [a, b] = o as [number, number];
    return !(a === 0 || a === 127 || (a === 169 && b === 254) || a >= 224);
  }
  const lower = address.toLowerCase().split('%')[0] ?? '';
  if (lower === '::' || lower === '::1' || lower.startsWith('ff')) return false;
  // fe80::/10 is link-local.
  return !/^fe[89ab]/.test(lower);
}

/** The first global address of the first default-route interface that has one; IPv4 routes first. */
export function pickDefaultRouteAddress(
  routes: readonly DefaultRoute[],
  interfaces: Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>,
): string | undefined {
  const ordered = [
    ...routes.filter((r) => r.family === 'IPv4'),
    ...routes.filter((r) => r.family === 'IPv6'),
  ];
  for (const route of ordered) {
    const found = (interfaces[route.iface] ?? []).find(
      (a) => a.family === route.family && !a.internal && isGlobalUnicast(a.address, route.family),
    );
    if (found) return found.address;
  }
  return undefined;
}
