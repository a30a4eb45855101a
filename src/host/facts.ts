// Facts about the machine kbadm runs on: for config defaulting (hostname, default-route address,
// which CRI sockets answer under --rootfs) and for preflight (CPUs, memory, kernel, ports,
// name resolution). Except for the CRI sockets they describe the running machine and its network,
// so /proc is read from the real root, not from under --rootfs.
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import type { Host, HostFacts, MachineFacts } from './host.js';
import { criSocketPath } from './cri/endpoint.js';
import { parseIPv4DefaultRoutes, parseIPv6DefaultRoutes, pickDefaultRouteAddress } from './default-route.js';

/** A file of /proc, read at once: the kernel makes it up on the spot, nothing waits for a disk. */
function readIfPresent(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export async function detectDefaultRouteAddress(): Promise<string | undefined> {
  const v4 = readIfPresent('/proc/net/route');
  const v6 = readIfPresent('/proc/net/ipv6_route');
  const routes = [...parseIPv4DefaultRoutes(v4), ...parseIPv6DefaultRoutes(v6)];
  return routes.length === 0 ? undefined : pickDefaultRouteAddress(routes, os.networkInterfaces());
}

export async function readHostFacts(): Promise<HostFacts> {
  const defaultRouteAddress = await detectDefaultRouteAddress();
  return {
    hostname: os.hostname(),
    ...(defaultRouteAddress === undefined ? {} : { defaultRouteAddress }),
  };
}

/**
 * What dynamic defaulting needs to know about the machine: the host's facts, and which of the
 * given CRI endpoints answer under --rootfs. Like kubeadm, a socket counts only when something
 * accepts a connection on it (a stale socket file left by a stopped runtime does not).
 */
export async function gatherDefaultingFacts(
  host: Host,
  criSockets: readonly string[],
): Promise<HostFacts & { criSocketsPresent: string[] }> {
  const [facts, answers] = await Promise.all([
    host.facts(),
    Promise.all(criSockets.map((socket) => host.socketAnswers(host.paths.under(criSocketPath(socket))))),
  ]);
  const present = criSockets.filter((_, i) => answers[i]);
  const out: HostFacts & { criSocketsPresent: string[] } = {
    hostname: facts.hostname,
    criSocketsPresent: present,
  };
  if (facts.defaultRouteAddress !== undefined) out.defaultRouteAddress = facts.defaultRouteAddress;
  return out;
}

export function readMachineFacts(): MachineFacts {
  return {
    euid: process.geteuid?.() ?? -1,
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    os: os.type(),
    kernelRelease: os.release(),
    pid: process.pid,
  };
}

/** Listens on `port` (every address, no port sharing) and closes again; the error code when that fails. */
export function tryBindPort(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export async function lookupHost(name: string, options: { servers?: string[] } = {}): Promise<string[]> {
  // Loaded here: node:dns reads the resolver configuration when it loads, which most commands never use.
  const { promises: dns } = await import('node:dns');
  if (options.servers === undefined) {
    const found = await dns.lookup(name, { all: true });
    return found.map((a) => a.address);
  }
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers(options.servers);
  const answers = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  const addresses = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []));
  if (addresses.length > 0) return addresses;
  const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
  throw failed?.reason ?? new Error(`lookup ${name}: no such host`);
}
