// The host-facing side of configuration loading: reads the --config file and gathers the facts
// dynamic defaulting needs, through a Host. Everything else in src/config is pure.
import * as path from 'node:path';
import { errorMessage, KbadmError } from '../errors.js';
import { criSocketPath } from '../host/cri/endpoint.js';
import type { Host } from '../host/host.js';
import { KNOWN_CRI_SOCKETS, type DefaultingFacts } from './defaults.js';

/**
 * Hostname, default-route address and which known CRI sockets answer: like kubeadm, a socket counts
 * only when something accepts a connection on it (a stale socket file left by a stopped runtime does not).
 */
export async function gatherDefaultingFacts(host: Host): Promise<DefaultingFacts> {
  const facts = await host.facts();
  const present: string[] = [];
  for (const socket of KNOWN_CRI_SOCKETS) {
    if (await host.socketAnswers(host.paths.under(criSocketPath(socket)))) present.push(socket);
  }
  const out: DefaultingFacts = { hostname: facts.hostname, criSocketsPresent: present };
  if (facts.defaultRouteAddress !== undefined) out.defaultRouteAddress = facts.defaultRouteAddress;
  return out;
}

/**
 * A user-given file path as a path under --rootfs. Without --rootfs a relative path is relative to
 * the working directory; with it, kubeadm has chrooted and changed to `/`, so it is relative to the root.
 */
export function userPath(host: Host, file: string): string {
  if (host.paths.rootfs === '/') return path.resolve(file);
  return host.paths.under(path.resolve('/', file));
}

/** The text of a configuration file named on the command line. */
export async function readConfigFile(host: Host, file: string): Promise<string> {
  try {
    return (await host.readFile(userPath(host, file))).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code ? (READ_ERRORS[code] ?? code) : errorMessage(err);
    throw new KbadmError(`unable to read config from "${file}": ${reason}`, { cause: err });
  }
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
};
