// Which API server a joining node's kubeconfig files point at, and whether the API server's
// certificate covers it. kubeadm always keeps the server cluster-info names; kbadm keeps the
// control-plane endpoint the user gave (--control-plane-endpoint / JoinConfiguration.controlPlaneEndpoint),
// e.g. a virtual IP in front of several API servers, and says when the two disagree.
import type { AltNames } from '../certs/sans.js';
import { verifyHostname } from '../certs/x509.js';
import { formatIP, joinHostPort, parseHostPort, parseIP, parseIPSloppy } from '../config/net.js';
import { KbadmError } from '../errors.js';
import type { DiscoveredCluster } from './discovery.js';

export interface JoinServer {
  /** `https://host:port`, the server of bootstrap-kubelet.conf and of a control-plane node's kubeconfigs. */
  server: string;
  /** Preflight warnings, without a prefix (the caller adds its own, as preflight checks do). */
  warnings: string[];
}

function parseServerURL(server: string): URL {
  try {
    return new URL(server);
  } catch {
    throw new KbadmError(`the API server ${JSON.stringify(server)} found by discovery is not a valid URL`);
  }
}

/** The port a URL reaches: its own, else the scheme's (the URL parser drops 443 for https). */
const portOf = (u: URL): string => u.port || (u.protocol === 'http:' ? '80' : '443');

/**
 * The server the node's kubeconfig files use. Without `given` (unset or empty) it is the server
 * discovery found, as in kubeadm. With it, `given` (`host` or `host:port`, IPv6 in brackets when a
 * port follows) as an https URL; a missing port is the discovered server's, which is the port the
 * cluster's own kubeconfigs use (init fills a missing controlPlaneEndpoint port the same way).
 */
export function chooseJoinServer(discovered: DiscoveredCluster, given?: string): JoinServer {
  if (given === undefined || given === '') return { server: discovered.server, warnings: [] };
  const hp = parseHostPort(given);
  if ('error' in hp)
    throw new KbadmError(`invalid control-plane endpoint ${JSON.stringify(given)}: ${hp.error}`);
  const found = parseServerURL(discovered.server);
  // Canonical IPs: the URL parser would read a leading-zero IPv4 octet as octal, Go as decimal.
  const ip = parseIPSloppy(hp.host);
  const host = ip ? formatIP(ip) : hp.host;
  const server = `https://${joinHostPort(host, hp.port ?? portOf(found))}`;
  const chosen = new URL(server);
  const same = chosen.protocol === found.protocol && chosen.host === found.host;
  if (same) return { server, warnings: [] };
  return {
    server,
    warnings: [
      `the control-plane endpoint ${JSON.stringify(server)} differs from the API server ${JSON.stringify(discovered.server)} found by discovery; this node's kubeconfig files will use ${JSON.stringify(server)}, so both should reach the same API servers`,
    ],
  };
}

/** The host of an https URL as a certificate is checked against (no brackets around IPv6). */
export function serverHost(server: string): string {
  const h = parseServerURL(server).hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * A warning when the API server certificate's SANs do not cover `host` (a DNS name or an IP,
 * brackets allowed), by Go's VerifyHostname rules: IPs match IP SANs only; a DNS wildcard covers
 * exactly one left-most label; names compare case-insensitively. Undefined when covered.
 */
export function endpointSANWarning(host: string, sans: AltNames): string | undefined {
  const canonical = {
    dnsNames: sans.dnsNames,
    ips: sans.ips.map((s) => {
      const ip = parseIP(s);
      return ip ? formatIP(ip) : s;
    }),
    // The CN is never a fallback for TLS clients of the API server (Go ignores it since 1.17).
    subject: { commonName: '' },
  };
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const err = verifyHostname(canonical, bare);
  if (err === undefined) return undefined;
  return `the API server certificate does not cover ${JSON.stringify(bare)} (${err}): TLS connections to this endpoint will fail; add it to ClusterConfiguration.apiServer.certSANs and regenerate the apiserver certificate on every control-plane node`;
}
