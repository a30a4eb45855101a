// Subject alternative names of the serving certificates, computed and ordered as kubeadm does.
import { KbadmError } from '../errors.js';
import { isDNS1123Subdomain, isWildcardDNS1123Subdomain } from '../config/names.js';
import { formatIP, nthIP, parseCIDRSloppy, parseHostPort, parseIPSloppy } from '../config/net.js';
import type { PkiInputs } from './inputs.js';

export interface AltNames {
  dnsNames: string[];
  /** Canonical text (Go's net.IP String()). */
  ips: string[];
}

export interface AltNamesResult {
  altNames: AltNames;
  /** User SANs that were neither an IP nor a DNS name; kubeadm warns and carries on. */
  warnings: string[];
}

/**
 * Adds user-supplied SANs: an IP if it parses, else a DNS name if it is an RFC 1123 subdomain or a
 * wildcard one; anything else is skipped with kubeadm's warning. `certName` is e.g. `apiserver.crt`.
 */
export function appendUserSANs(altNames: AltNames, sans: readonly string[], certName: string): string[] {
  const warnings: string[] = [];
  for (const san of sans) {
    const ip = parseIPSloppy(san);
    if (ip) altNames.ips.push(formatIP(ip));
    else if (isDNS1123Subdomain(san) || isWildcardDNS1123Subdomain(san)) altNames.dnsNames.push(san);
    else {
      warnings.push(
        `[certificates] WARNING: '${san}' was not added to the '${certName}' SAN, because it is not a valid IP or RFC-1123 compliant DNS entry`,
      );
    }
  }
  return warnings;
}

/** DNS names de-duplicated and sorted (Go's sets.List); IPs de-duplicated in first-seen order. */
export function removeDuplicateAltNames(altNames: AltNames): AltNames {
  const dns = [...new Set(altNames.dnsNames)].sort(compareStrings);
  const ips = [...new Set(altNames.ips)];
  return { dnsNames: dns, ips };
}

/** Byte-wise order, as Go sorts strings (not locale order). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function advertiseIP(inputs: PkiInputs): string {
  const ip = parseIPSloppy(inputs.advertiseAddress);
  if (!ip) {
    throw new KbadmError(
      `error parsing LocalAPIEndpoint AdvertiseAddress ${inputs.advertiseAddress}: is not a valid textual representation of an IP address`,
    );
  }
  return formatIP(ip);
}

/** The kubernetes Service VIP: index 1 of the first service CIDR (10.96.0.0/12 → 10.96.0.1). */
export function apiServerVirtualIP(serviceSubnet: string): string {
  const first = serviceSubnet.split(',')[0] ?? '';
  const cidr = parseCIDRSloppy(first.trim());
  const ip = cidr && nthIP(cidr, 1);
  if (!ip) throw new KbadmError(`unable to get first IP address from the given CIDR: ${serviceSubnet}`);
  return formatIP(ip);
}

/** SANs of apiserver.crt, before de-duplication (call removeDuplicateAltNames to get what is signed). */
export function apiServerAltNames(inputs: PkiInputs): AltNamesResult {
  const adv = advertiseIP(inputs);
  const vip = apiServerVirtualIP(inputs.serviceSubnet);
  const altNames: AltNames = {
    dnsNames: [
      inputs.nodeName,
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      `kubernetes.default.svc.${inputs.dnsDomain}`,
    ],
    ips: [vip, adv],
  };
  if (inputs.controlPlaneEndpoint !== '') {
    const hp = parseHostPort(inputs.controlPlaneEndpoint);
    if ('error' in hp) {
      throw new KbadmError(
        `error parsing cluster controlPlaneEndpoint ${JSON.stringify(inputs.controlPlaneEndpoint)}: ${hp.error}`,
      );
    }
    const ip = parseIPSloppy(hp.host);
    if (ip) altNames.ips.push(formatIP(ip));
    else altNames.dnsNames.push(hp.host);
  }
  const warnings = appendUserSANs(altNames, inputs.apiServerCertSANs, 'apiserver.crt');
  return { altNames, warnings };
}

/** SANs of etcd/server.crt or etcd/peer.crt. */
export function etcdAltNames(inputs: PkiInputs, which: 'server' | 'peer'): AltNamesResult {
  const adv = advertiseIP(inputs);
  const altNames: AltNames = { dnsNames: [inputs.nodeName, 'localhost'], ips: [adv, '127.0.0.1', '::1'] };
  let warnings: string[] = [];
  const local = inputs.etcd.local;
  if (local) {
    warnings =
      which === 'server'
        ? appendUserSANs(altNames, local.serverCertSANs, 'etcd/server.crt')
        : appendUserSANs(altNames, local.peerCertSANs, 'etcd/peer.crt');
  }
  return { altNames, warnings };
}
