// networking.*: subnets (syntax, dual-stack pairing, sizes, node CIDR masks) and the DNS domain.
import type { FieldProblem } from '../../errors.js';
import type { ClusterConfiguration } from '../model.js';
import { dns1123SubdomainErrors } from '../names.js';
import {
  cidrContains,
  formatCIDR,
  hostBits,
  isDualStack,
  parseCIDRSloppy,
  rangeSize,
  type CIDR,
} from '../net.js';
import { emptyFindings, invalid, lastArgValue, type Findings } from './common.js';
import { goAtoi } from './go-compat.js';

/** The DNS service takes the 10th address of the first service subnet. */
export const MINIMUM_ADDRESSES_IN_SERVICE_SUBNET = 10n;
/** An IPv4 /28 (14 usable addresses) is the smallest pod network kubeadm accepts. */
export const MINIMUM_ADDRESSES_IN_POD_SUBNET = 14n;
/** The apiserver's own limit: an IPv4 /12 or IPv6 /108 at most. */
export const MAXIMUM_BITS_FOR_SERVICE_SUBNET = 20;
/** The controller manager's CIDR allocator bitmap limit. */
export const POD_SUBNET_NODE_MASK_MAX_DIFF = 16;
export const DEFAULT_NODE_MASK_IPV4 = 24;
export const DEFAULT_NODE_MASK_IPV6 = 64;

const DUAL_STACK_SHAPE =
  'expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking';

const SITE_LOCAL = parseCIDRSloppy('fec0::/10')!;

/** k8s.io/utils ParseCIDRs over a comma-separated string: every element must parse (sloppily). */
export function parseSubnets(s: string): CIDR[] | undefined {
  const out: CIDR[] = [];
  for (const part of s.split(',')) {
    const c = parseCIDRSloppy(part);
    if (!c) return undefined;
    out.push(c);
  }
  return out;
}

/**
 * k8s.io/utils RangeSize, which kubeadm compares with its minimums: like net.ts rangeSize, but a
 * network with 31+ (IPv4) or 127+ (IPv6) host bits counts as 0 addresses, so `0.0.0.0/0` and
 * `::/1` are "too small".
 */
export function utilsRangeSize(c: CIDR): bigint {
  const bits = hostBits(c);
  if ((c.ip.family === 4 && bits >= 31) || (c.ip.family === 6 && bits >= 127)) return 0n;
  return rangeSize(c);
}

/** kubeadm's ValidateIPNetFromString: syntax, at most one CIDR per family, a minimum size. */
export function validateIPNetFromString(subnets: string, minAddresses: bigint, field: string): Findings {
  const out = emptyFindings();
  const list = parseSubnets(subnets);
  if (!list) {
    out.errors.push(invalid(field, subnets, "couldn't parse subnet"));
    return out;
  }
  if (list.length > 2 || (list.length === 2 && !isDualStack(list))) {
    out.errors.push(invalid(field, subnets, DUAL_STACK_SHAPE));
  }
  for (const c of list) {
    const n = utilsRangeSize(c);
    if (n < minAddresses) {
      out.errors.push(
        invalid(
          field,
          formatCIDR(c),
          `subnet with ${n} address(es) is too small, the minimum is ${minAddresses}`,
        ),
      );
    }
    if (c.ip.family === 6 && (cidrContains(SITE_LOCAL, c.ip) || cidrContains(c, SITE_LOCAL.ip))) {
      out.warnings.push(
        `the subnet ${formatCIDR(c)} contains IPv6 site-local addresses that belong to fec0::/10 which has been deprecated by rfc3879`,
      );
    }
  }
  return out;
}

/** kubeadm's ValidateServiceSubnetSize: at most 20 host bits (the apiserver's own limit). */
export function validateServiceSubnetSize(subnets: string, field: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const c of parseSubnets(subnets) ?? []) {
    if (hostBits(c) > MAXIMUM_BITS_FOR_SERVICE_SUBNET) {
      const bits = c.ip.family === 4 ? 32 : 128;
      out.push(
        invalid(
          field,
          formatCIDR(c),
          `specified service subnet is too large; for ${bits}-bit addresses, the mask must be >= ${bits - MAXIMUM_BITS_FOR_SERVICE_SUBNET}`,
        ),
      );
    }
  }
  return out;
}

/**
 * kubeadm's getClusterNodeMask: the controller manager's `node-cidr-mask-size-ipv4/-ipv6` extra
 * arg, else 24 / 64. Like kubeadm, the single-stack `node-cidr-mask-size` flag is not consulted.
 */
export function clusterNodeMask(
  cluster: ClusterConfiguration,
  ipv6: boolean,
): { mask: number } | { error: string } {
  const flag = ipv6 ? 'node-cidr-mask-size-ipv6' : 'node-cidr-mask-size-ipv4';
  const value = lastArgValue(cluster.controllerManager.extraArgs, flag);
  if (value === undefined || value === '')
    return { mask: ipv6 ? DEFAULT_NODE_MASK_IPV6 : DEFAULT_NODE_MASK_IPV4 };
  const n = goAtoi(value);
  if ('error' in n) {
    return {
      error: `could not parse the value of the kube-controller-manager flag ${flag} as an integer: ${n.error}`,
    };
  }
  return { mask: n.value };
}

/** kubeadm's ValidatePodSubnetNodeMask: each pod subnet must hold whole node subnets, ≤ 2^16 of them. */
export function validatePodSubnetNodeMask(
  subnets: string,
  cluster: ClusterConfiguration,
  field: string,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const c of parseSubnets(subnets) ?? []) {
    const node = clusterNodeMask(cluster, c.ip.family === 6);
    const text = formatCIDR(c);
    if ('error' in node) {
      out.push(invalid(field, text, node.error));
      continue;
    }
    if (c.prefix > node.mask) {
      out.push(
        invalid(
          field,
          text,
          `the size of pod subnet with mask ${c.prefix} is smaller than the size of node subnet with mask ${node.mask}`,
        ),
      );
    } else if (node.mask - c.prefix > POD_SUBNET_NODE_MASK_MAX_DIFF) {
      out.push(
        invalid(
          field,
          text,
          `pod subnet mask (${c.prefix}) and node-mask (${node.mask}) difference is greater than ${POD_SUBNET_NODE_MASK_MAX_DIFF}`,
        ),
      );
    }
  }
  return out;
}

/** kubeadm's ValidateNetworking. `path` is e.g. `ClusterConfiguration.networking`. */
export function validateNetworking(cluster: ClusterConfiguration, path: string): Findings {
  const out = emptyFindings();
  const n = cluster.networking;
  for (const e of dns1123SubdomainErrors(n.dnsDomain))
    out.errors.push(invalid(`${path}.dnsDomain`, n.dnsDomain, e));
  if (n.serviceSubnet !== '') {
    const f = `${path}.serviceSubnet`;
    const r = validateIPNetFromString(n.serviceSubnet, MINIMUM_ADDRESSES_IN_SERVICE_SUBNET, f);
    out.errors.push(...r.errors, ...validateServiceSubnetSize(n.serviceSubnet, f));
    out.warnings.push(...r.warnings);
  }
  if (n.podSubnet !== '') {
    const f = `${path}.podSubnet`;
    const r = validateIPNetFromString(n.podSubnet, MINIMUM_ADDRESSES_IN_POD_SUBNET, f);
    out.errors.push(...r.errors);
    out.warnings.push(...r.warnings);
    // Without node CIDR allocation the controller manager never carves the pod subnet.
    if (lastArgValue(cluster.controllerManager.extraArgs, 'allocate-node-cidrs') !== 'false') {
      out.errors.push(...validatePodSubnetNodeMask(n.podSubnet, cluster, f));
    }
  }
  return out;
}
