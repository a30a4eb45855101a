// KubeletConfiguration and KubeProxyConfiguration values. kubeadm itself only decodes these
// documents (types, unknown fields) and leaves their values to the kubelet and kube-proxy, which
// then fail, or silently fall back, on the node after kubeadm has written everything. kbadm
// checks the values those components reject (or ignore) before anything is written. The kubelet
// and kube-proxy rules are theirs (pkg/kubelet/apis/config/validation,
// pkg/proxy/apis/config/validation); cgroupDriver and clusterDNS are kbadm's own, since the
// kubelet treats an unknown driver as cgroupfs and skips a clusterDNS entry that is not an IP.
import type { FieldProblem } from '../../errors.js';
import { isDualStack, parseCIDRSloppy, parseIPSloppy, splitHostPort } from '../net.js';
import { invalid } from './common.js';
import { goQuote } from './go-compat.js';

type Obj = Record<string, unknown>;

export const CGROUP_DRIVERS = ['cgroupfs', 'systemd'] as const;
export const HAIRPIN_MODES = ['hairpin-veth', 'none', 'promiscuous-bridge'] as const;
export const KUBELET_AUTHORIZATION_MODES = ['AlwaysAllow', 'Webhook'] as const;
export const TOPOLOGY_MANAGER_POLICIES = ['best-effort', 'none', 'restricted', 'single-numa-node'] as const;
export const TOPOLOGY_MANAGER_SCOPES = ['container', 'pod'] as const;
export const NODE_ALLOCATABLE_ENFORCEMENTS = [
  'kube-reserved',
  'kube-reserved-compressible',
  'none',
  'pods',
  'system-reserved',
  'system-reserved-compressible',
] as const;
/** kube-proxy's Linux modes ('' picks the default). */
export const PROXY_MODES = ['iptables', 'ipvs', 'nftables'] as const;
export const IPVS_SCHEDULERS = [
  'dh',
  'lblc',
  'lblcr',
  'lc',
  'mh',
  'nq',
  'rr',
  'sed',
  'sh',
  'wlc',
  'wrr',
] as const;
export const NODE_PORT_ADDRESS_KEYWORDS = ['all', 'localhost', 'primary'] as const;

function at(o: Obj, path: string): unknown {
  let cur: unknown = o;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[k];
  }
  return cur;
}

function oneOf(o: Obj, key: string, allowed: readonly string[], base: string): FieldProblem[] {
  const v = at(o, key);
  if (typeof v !== 'string' || v === '' || allowed.includes(v)) return [];
  return [invalid(`${base}.${key}`, v, `must be one of ${allowed.map((a) => goQuote(a)).join(', ')}`)];
}

function inRange(
  o: Obj,
  key: string,
  min: number,
  max: number,
  base: string,
  zeroOk = false,
): FieldProblem[] {
  const v = at(o, key);
  if (typeof v !== 'number' || (zeroOk && v === 0) || (v >= min && v <= max)) return [];
  return [invalid(`${base}.${key}`, v, `must be between ${zeroOk ? 0 : min} and ${max}, inclusive`)];
}

function nonNegative(o: Obj, keys: readonly string[], base: string): FieldProblem[] {
  return keys.flatMap((k) => {
    const v = at(o, k);
    return typeof v === 'number' && v < 0
      ? [invalid(`${base}.${k}`, v, 'must not be a negative number')]
      : [];
  });
}

/** The kubelet's own value rules that a typo most often breaks, plus kbadm's two above. */
export function validateKubeletConfiguration(c: Obj, base = 'KubeletConfiguration'): FieldProblem[] {
  const out: FieldProblem[] = [
    ...oneOf(c, 'cgroupDriver', CGROUP_DRIVERS, base),
    ...oneOf(c, 'hairpinMode', HAIRPIN_MODES, base),
    ...oneOf(c, 'authorization.mode', KUBELET_AUTHORIZATION_MODES, base),
    ...oneOf(c, 'topologyManagerPolicy', TOPOLOGY_MANAGER_POLICIES, base),
    ...oneOf(c, 'topologyManagerScope', TOPOLOGY_MANAGER_SCOPES, base),
    ...inRange(c, 'port', 1, 65535, base),
    ...inRange(c, 'healthzPort', 1, 65535, base, true),
    ...inRange(c, 'readOnlyPort', 1, 65535, base, true),
    ...inRange(c, 'oomScoreAdj', -1000, 1000, base),
    ...inRange(c, 'imageGCHighThresholdPercent', 0, 100, base),
    ...inRange(c, 'imageGCLowThresholdPercent', 0, 100, base),
    ...nonNegative(
      c,
      [
        'maxPods',
        'podsPerCore',
        'maxOpenFiles',
        'eventRecordQPS',
        'eventBurst',
        'kubeAPIQPS',
        'kubeAPIBurst',
        'registryPullQPS',
        'registryBurst',
      ],
      base,
    ),
  ];
  const high = at(c, 'imageGCHighThresholdPercent');
  const low = at(c, 'imageGCLowThresholdPercent');
  if (typeof high === 'number' && typeof low === 'number' && low >= high) {
    out.push(
      invalid(
        `${base}.imageGCLowThresholdPercent`,
        low,
        `must be less than imageGCHighThresholdPercent (${high})`,
      ),
    );
  }
  const dns = at(c, 'clusterDNS');
  if (Array.isArray(dns)) {
    dns.forEach((ip, i) => {
      if (typeof ip === 'string' && !parseIPSloppy(ip))
        out.push(invalid(`${base}.clusterDNS[${i}]`, ip, 'ip address is not valid'));
    });
  }
  const enforce = at(c, 'enforceNodeAllocatable');
  if (Array.isArray(enforce)) {
    enforce.forEach((v, i) => {
      if (typeof v === 'string' && !(NODE_ALLOCATABLE_ENFORCEMENTS as readonly string[]).includes(v)) {
        out.push(
          invalid(
            `${base}.enforceNodeAllocatable[${i}]`,
            v,
            `must be one of ${NODE_ALLOCATABLE_ENFORCEMENTS.map((a) => goQuote(a)).join(', ')}`,
          ),
        );
      }
    });
    if (enforce.includes('none') && enforce.length > 1) {
      out.push(
        invalid(
          `${base}.enforceNodeAllocatable`,
          enforce,
          'may not contain additional enforcements when "none" is specified',
        ),
      );
    }
  }
  return out;
}

function validateIPPort(o: Obj, key: string, base: string): FieldProblem[] {
  const v = at(o, key);
  if (typeof v !== 'string' || v === '') return [];
  const hp = splitHostPort(v);
  if (hp && hp.port !== undefined && hp.port >= 1 && parseIPSloppy(hp.host)) return [];
  return [invalid(`${base}.${key}`, v, 'must be IP:port')];
}

/**
 * kube-proxy's value rules. `podSubnet` is the cluster's: a clusterCIDR equal to it was defaulted
 * from it (or agrees with it) and is reported at networking.podSubnet instead.
 */
export function validateKubeProxyConfiguration(
  c: Obj,
  podSubnet: string,
  base = 'KubeProxyConfiguration',
): FieldProblem[] {
  const out: FieldProblem[] = [
    ...oneOf(c, 'mode', PROXY_MODES, base),
    ...inRange(c, 'oomScoreAdj', -1000, 1000, base),
    ...inRange(c, 'iptables.masqueradeBit', 0, 31, base),
    ...inRange(c, 'nftables.masqueradeBit', 0, 31, base),
    ...nonNegative(c, ['conntrack.maxPerCore', 'conntrack.min', 'clientConnection.burst'], base),
    ...validateIPPort(c, 'healthzBindAddress', base),
    ...validateIPPort(c, 'metricsBindAddress', base),
  ];
  if (at(c, 'mode') === 'ipvs') out.push(...oneOf(c, 'ipvs.scheduler', IPVS_SCHEDULERS, base));
  const bind = at(c, 'bindAddress');
  if (typeof bind === 'string' && bind !== '' && !parseIPSloppy(bind)) {
    out.push(invalid(`${base}.bindAddress`, bind, 'not a valid textual representation of an IP address'));
  }
  const cidr = at(c, 'clusterCIDR');
  if (typeof cidr === 'string' && cidr !== '' && cidr !== podSubnet) {
    const parts = cidr.split(',').map((s) => parseCIDRSloppy(s));
    const detail = parts.some((p) => p === undefined)
      ? 'must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)'
      : parts.length > 2
        ? 'only one CIDR allowed or a valid DualStack CIDR (e.g. 10.100.0.0/16,fde4:8dba:82e1::/48)'
        : parts.length === 2 && !isDualStack(parts as NonNullable<(typeof parts)[number]>[])
          ? 'must be a valid DualStack CIDR (e.g. 10.100.0.0/16,fde4:8dba:82e1::/48)'
          : undefined;
    if (detail) out.push(invalid(`${base}.clusterCIDR`, cidr, detail));
  }
  const npa = at(c, 'nodePortAddresses');
  if (Array.isArray(npa)) {
    npa.forEach((a, i) => {
      if (
        typeof a === 'string' &&
        !(NODE_PORT_ADDRESS_KEYWORDS as readonly string[]).includes(a) &&
        !parseCIDRSloppy(a)
      )
        out.push(invalid(`${base}.nodePortAddresses[${i}]`, a, 'must be a valid IP block'));
    });
  }
  return out;
}
