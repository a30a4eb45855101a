// Proxy checks: the API server's address and the Service and Pod ranges should be reached
// directly, not through an HTTP(S) proxy from the environment.
import { formatIP, nthIP, parseCIDRSloppy, parseIPSloppy } from '../config/net.js';
import { findings, NO_FINDINGS, type Check, type Findings } from './check.js';
import { httpsProxyFor } from './http-proxy.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A connection to the API server's host would use a proxy. */
export function judgeHTTPProxy(host: string, env: Env): Findings {
  const ip = parseIPSloppy(host);
  // IPv6 literals get a port so the URL stays valid, as kubeadm builds it.
  const url = ip?.family === 6 ? `https://[${host}]:1234` : `https://${host}`;
  const proxy = httpsProxyFor(env, ip ? formatIP(ip) : host, ip?.family === 6 ? '1234' : '443');
  if (proxy === undefined) return NO_FINDINGS;
  return findings({
    warnings: [
      `Connection to "${url}" uses proxy "${proxy}". If that is not intended, adjust your proxy settings`,
    ],
  });
}

export function httpProxy(host: string): Check {
  return { name: 'HTTPProxy', run: async (p) => judgeHTTPProxy(host, p.env) };
}

/** The first address of a Service or Pod range would be reached through a proxy. */
export function judgeHTTPProxyCIDR(cidr: string, env: Env): Findings {
  if (cidr === '') return NO_FINDINGS;
  const parsed = parseCIDRSloppy(cidr);
  if (!parsed) return findings({ errors: [`error parsing CIDR "${cidr}"`] });
  const first = nthIP(parsed, 1);
  if (!first) {
    return findings({ errors: [`unable to get first IP address from the given CIDR (${cidr})`] });
  }
  const proxy = httpsProxyFor(env, formatIP(first), first.family === 6 ? '1234' : '443');
  if (proxy === undefined) return NO_FINDINGS;
  return findings({
    warnings: [
      `connection to "${cidr}" uses proxy "${proxy}". This may lead to malfunctional cluster setup. Make sure that Pod and Services IP ranges specified correctly as exceptions in proxy configuration`,
    ],
  });
}

export function httpProxyCIDR(cidr: string): Check {
  return { name: 'HTTPProxyCIDR', run: async (p) => judgeHTTPProxyCIDR(cidr, p.env) };
}
