// A private OCI registry for tests: Debian's docker-registry (distribution 2.8) on a free port,
// plain HTTP, storage in a temporary directory. It binds port 0 and reports the port it got, so
// concurrent test runs never race for a port.
//
//   const registry = await startRegistry();
//   after(() => registry.stop());
//   await pushTestImages(registry, ['registry.k8s.io/pause:3.10.1']);   // see images.ts
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { onExitCleanup, startProcess, stopProcess, waitForLog } from './processes.js';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface Registry {
  /** host:port as image references use it, e.g. 127.0.0.1:41234. */
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** Ends the process and removes its storage. */
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** The address to bind (default 127.0.0.1), e.g. the host end of a lab's veth pair. */
  address?: string;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const address = options.address ?? '127.0.0.1';
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kbadm-registry-'));
  const config = path.join(dir, 'config.yml');
  await fsp.writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      'http:',
      `  addr: ${address.includes(':') ? `[${address}]` : address}:0`,
      // A fixed secret keeps the registry from warning about a generated one.
      `  secret: kbadm-test-${process.pid}`,
      '',
    ].join('\n'),
  );
  const p = startProcess(REGISTRY_BINARY, ['serve', config]);
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  const unregister = onExitCleanup(() => {
    p.child.kill('SIGKILL');
    removeDir();
  });
  let port: number;
  try {
    const m = await waitForLog(p, /listening on \[?[^\s\]]*\]?:(\d+)/, 15_000, 'docker-registry');
    port = Number(m[1]);
  } catch (err) {
    await stopProcess(p.child);
    removeDir();
    unregister();
    throw err;
  }
  const host = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    host,
    port,
    dir,
    async stop() {
      await stopProcess(p.child);
      removeDir();
      unregister();
    },
  };
}
