// Which proxy an HTTPS request from this node would go through, by the rules Go's net/http uses
// for HTTP(S)_PROXY and NO_PROXY (kube-apiserver and the kubelet are Go programs, so these are
// the rules that matter). Pure: the environment comes in as data.
import { cidrContains, parseCIDR, parseIP, type IPAddr } from '../config/net.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The first non-empty variable, upper case first, as Go's httpproxy.FromEnvironment reads them. */
function envAny(env: Env, ...names: string[]): string {
  for (const n of names) {
    const v = env[n];
    if (v) return v;
  }
  return '';
}

/** A proxy setting as a URL text: `proxy:3128` means `http://proxy:3128`; a password is masked. */
export function proxyURL(setting: string): string {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]/.test(setting) ? setting : `http://${setting}`;
  return withScheme.replace(/^([^:]+:\/\/[^:@/]*):[^@/]*@/, '$1:xxxxx@');
}

function sameIP(a: IPAddr, b: IPAddr): boolean {
  return a.family === b.family && a.bytes.every((v, i) => v === b.bytes[i]);
}

/** Whether NO_PROXY exempts `host` (a name or an IP literal without brackets) on `port`. */
export function noProxyMatches(noProxy: string, host: string, port: string): boolean {
  const name = host.toLowerCase();
  const ip = parseIP(host);
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const cidr = entry.includes('/') ? parseCIDR(entry) : undefined;
    if (cidr) {
      if (ip && cidrContains(cidr, ip)) return true;
      continue;
    }
    // host, host:port, [v6]:port, v6
    let entryHost = entry;
    let entryPort = '';
    const m = /^\[([^\]]+)\](?::(\d*))?$/.exec(entry) ?? /^([^:]+):(\d*)$/.exec(entry);
    if (m) {
      entryHost = m[1]!;
      entryPort = m[2] ?? '';
    }
    if (entryHost === '') continue;
    const portOk = entryPort === '' || entryPort === port;
    const entryIP = parseIP(entryHost);
    if (entryIP) {
      if (ip && sameIP(ip, entryIP) && portOk) return true;
      continue;
    }
    let domain = entryHost.startsWith('*.') ? entryHost.slice(1) : entryHost;
    const matchHost = !domain.startsWith('.');
    if (matchHost) domain = `.${domain}`;
    if ((name.endsWith(domain) || (matchHost && name === domain.slice(1))) && portOk) return true;
  }
  return false;
}

/** The proxy (as printed) an `https://host:port` request would use, or undefined for a direct connection. */
export function httpsProxyFor(env: Env, host: string, port = '443'): string | undefined {
  const setting = envAny(env, 'HTTPS_PROXY', 'https_proxy');
  if (setting === '') return undefined;
  if (host === 'localhost') return undefined;
  const ip = parseIP(host);
  if (ip && isLoopback(ip)) return undefined;
  if (noProxyMatches(envAny(env, 'NO_PROXY', 'no_proxy'), host, port)) return undefined;
  return proxyURL(setting);
}

function isLoopback(ip: IPAddr): boolean {
  if (ip.family === 4) return ip.bytes[ip.bytes.length - 4] === 127;
  return ip.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}
