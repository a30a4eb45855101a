// CRI endpoints: `unix:///var/run/containerd/containerd.sock` as configured, the socket path it
// names, the same endpoint under --rootfs, and whether anything accepts connections on it.
import * as net from 'node:net';
import * as path from 'node:path';
import { KbadmError } from '../../errors.js';
import type { Paths } from '../paths.js';

/**
 * The socket path of a CRI endpoint: `unix:///run/x.sock` (as kubeadm writes them) or a bare
 * absolute path. Other schemes are refused: kbadm, like kubeadm on Linux, speaks CRI over Unix sockets.
 */
export function criSocketPath(endpoint: string): string {
  if (path.isAbsolute(endpoint)) return path.resolve(endpoint);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(endpoint)?.[1];
  if (scheme === undefined) {
    throw new KbadmError(
      `CRI endpoint ${JSON.stringify(endpoint)} is neither a unix:// URL nor an absolute path`,
    );
  }
  if (scheme.toLowerCase() !== 'unix') {
    throw new KbadmError(`CRI endpoint ${JSON.stringify(endpoint)}: protocol "${scheme}" not supported`);
  }
  // Go's URL parsing, which kubeadm relies on: `unix://host/path` names /path, `unix:/path` too.
  const rest = endpoint.slice(scheme.length + 1);
  const p = rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/, '') : rest;
  if (!path.isAbsolute(p)) {
    throw new KbadmError(`CRI endpoint ${JSON.stringify(endpoint)} does not name an absolute socket path`);
  }
  return path.resolve(decodeURIComponent(p));
}

/** A configured endpoint (a host path) as the endpoint under --rootfs, ready for Host.runtime. */
export function criEndpointUnder(paths: Paths, endpoint: string): string {
  return `unix://${paths.under(criSocketPath(endpoint))}`;
}

/**
 * Connects to the Unix socket and hangs up: undefined when something accepts the connection,
 * else the errno code (ENOENT, ECONNREFUSED, ...; ETIMEDOUT after `timeoutMs`).
 */
export function probeSocket(socketPath: string, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ path: socketPath });
    const done = (code: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => done('ETIMEDOUT'), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'EIO'));
  });
}
