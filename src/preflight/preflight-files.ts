// The NodeProbe over a Host: how preflight's checks see the node. The rule for --rootfs:
// - paths kubeadm reads (manifests, the etcd directory, /proc/sys/..., /proc/swaps, the cgroup
//   files, the CRI socket, executables on the PATH) are looked up under --rootfs, like every host
//   path kbadm touches; a root without /proc mounted simply has none of those files;
// - facts the kernel gives through system calls (user, CPUs, memory, kernel release, ports) are the
//   running machine's: a chroot does not change them either;
// - names resolve as the root's /etc/hosts and /etc/resolv.conf say (this machine's resolver on `/`);
// - services are asked about only on `/`, where kbadm manages them.
import * as path from 'node:path';
import { criSocketPath } from '../host/cri/endpoint.js';
import type { Host } from '../host/host.js';
import type { ContainerRuntime } from '../host/runtime.js';
import { readServiceFacts } from '../host/service-facts.js';
import type { Output } from '../output/output.js';
import type { NodeProbe, PathState } from './check.js';
import { hostsFileAddresses, resolvConfNameservers } from './resolver-files.js';

/** Where a shell looks for commands when PATH is unset. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface NodeProbeOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** nodeRegistration.criSocket, e.g. unix:///var/run/containerd/containerd.sock. */
  criSocket: string;
  out: Output;
}

export interface ClosableProbe extends NodeProbe {
  /** Closes the runtime connection, if one was made. */
  close(): void;
}

export function createNodeProbe(host: Host, options: NodeProbeOptions): ClosableProbe {
  const { paths } = host;
  const under = (hostPath: string) => paths.under(hostPath);
  let connection: Promise<ContainerRuntime> | undefined;

  const findExecutable = async (name: string): Promise<string | undefined> => {
    if (paths.rootfs === '/') return host.which(name);
    const dirs = (options.env['PATH'] || DEFAULT_PATH).split(':').filter((d) => path.isAbsolute(d));
    for (const dir of dirs) {
      const candidate = under(path.join(dir, name));
      const info = await host.stat(candidate);
      if (info?.isFile && (info.mode & 0o111) !== 0) return candidate;
    }
    return undefined;
  };

  const connect = async (): Promise<ContainerRuntime> => {
    // The same parsing as every other CRI connection, so `unix:/x` and `unix://host/x` name /x here too.
    const socket = under(criSocketPath(options.criSocket));
    const info = await host.stat(socket);
    if (!info) throw new Error(`cannot connect to "${options.criSocket}": no such socket`);
    return host.runtime(`unix://${socket}`);
  };

  return {
    env: options.env,
    machine: () => host.machine(),
    bindError: (port) => host.bindError(port),
    async pathState(hostPath): Promise<PathState> {
      const info = await host.stat(under(hostPath));
      if (!info) return 'missing';
      if (info.isFile) return 'file';
      if (!info.isDirectory) return 'other';
      return (await host.listDir(under(hostPath))).length === 0 ? 'empty-dir' : 'dir';
    },
    async readFile(hostPath, limit) {
      try {
        const data = await host.readFileIfExists(under(hostPath));
        if (data === undefined) return undefined;
        return (limit === undefined ? data : data.subarray(0, limit)).toString('utf8');
      } catch {
        return undefined; // unreadable counts as absent, as for kubeadm's open()
      }
    },
    findExecutable,
    async kubeletVersionOutput() {
      const kubelet = await findExecutable('kubelet');
      if (kubelet === undefined) {
        throw new Error(`cannot execute 'kubelet --version': executable file not found in $PATH`);
      }
      const r = await host.run(kubelet, ['--version'], { readOnly: true, timeoutMs: 10_000 });
      return r.stdout;
    },
    service: (name) => readServiceFacts(host, name),
    async lookupHost(name) {
      if (paths.rootfs === '/') return host.lookupHost(name);
      const read = async (f: string) => (await host.readFileIfExists(under(f)))?.toString('utf8') ?? '';
      const fromFile = hostsFileAddresses(await read('/etc/hosts'), name);
      if (fromFile.length > 0) return fromFile;
      const servers = resolvConfNameservers(await read('/etc/resolv.conf'));
      if (servers.length === 0) {
        throw new Error(`lookup ${name}: not in /etc/hosts, and /etc/resolv.conf names no nameserver`);
      }
      return host.lookupHost(name, { servers });
    },
    runtime() {
      connection ??= connect();
      return connection;
    },
    log: options.out.log,
    close() {
      connection?.then(
        (r) => r.close(),
        () => undefined,
      );
    },
  };
}
