// Host facts for config defaulting. They describe the machine kbadm runs on, so /proc is read
// from the real root, not from under --rootfs.
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import type { HostFacts } from './host.js';
import { parseIPv4DefaultRoutes, parseIPv6DefaultRoutes, pickDefaultRouteAddress } from './default-route.js';

async function readIfPresent(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}

export async function detectDefaultRouteAddress(): Promise<string | undefined> {
  const [v4, v6] = await Promise.all([
    readIfPresent('/proc/net/route'),
    readIfPresent('/proc/net/ipv6_route'),
  ]);
  const routes = [...parseIPv4DefaultRoutes(v4), ...parseIPv6DefaultRoutes(v6)];
  return routes.length === 0 ? undefined : pickDefaultRouteAddress(routes, os.networkInterfaces());
}

export async function readHostFacts(): Promise<HostFacts> {
  const defaultRouteAddress = await detectDefaultRouteAddress();
  return { hostname: os.hostname(), ...(defaultRouteAddress === undefined ? {} : { defaultRouteAddress }) };
}
