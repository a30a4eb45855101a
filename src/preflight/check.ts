// A preflight check is data: a name (what --ignore-preflight-errors matches) and a run that reads
// the facts it needs from a NodeProbe and judges them with a pure function. The probe is the only
// way a check learns about the machine, so every check runs unchanged on a test probe.
import type { ContainerRuntime } from '../host/runtime.js';
import type { Logger } from '../output/logger.js';
import type { ServiceFacts } from '../host/service-facts.js';

/** What one check found. Errors stop the command unless the check is ignored; warnings never do. */
export interface Findings {
  warnings: string[];
  errors: string[];
  /** Printed before the errors when the check fails (SystemVerification's report). */
  details?: string[];
  /** Why the check did not apply here (logged, never printed as a result). */
  skipped?: string;
}

export interface Check {
  /** kubeadm's check name, e.g. `Port-6443` or `FileAvailable--etc-kubernetes-manifests-etcd.yaml`. */
  readonly name: string;
  run(probe: NodeProbe): Promise<Findings>;
}

/** What the running machine reports through system calls (the Host's MachineFacts fit this). */
export interface MachineFacts {
  /** 0 is root. */
  euid: number;
  cpus: number;
  memoryBytes: number;
  /** e.g. "Linux" */
  os: string;
  kernelRelease: string;
}

/** The state of a path, as the Dir/FileAvailable checks need it. */
export type PathState = 'missing' | 'file' | 'empty-dir' | 'dir' | 'other';

/**
 * The facts checks read. Paths are host paths as kubeadm names them (`/var/lib/etcd`); the
 * probe finds them under --rootfs. Machine facts (user, CPUs, memory, kernel, ports, name
 * resolution) are the running machine's.
 */
export interface NodeProbe {
  machine(): Promise<MachineFacts>;
  /** undefined when TCP `port` can be bound, else the reason (e.g. EADDRINUSE). */
  bindError(port: number): Promise<string | undefined>;
  pathState(hostPath: string): Promise<PathState>;
  /** At most `limit` bytes of a file as text, or undefined when it cannot be read. */
  readFile(hostPath: string, limit?: number): Promise<string | undefined>;
  /** Where an executable is on the node's PATH, or undefined. */
  findExecutable(name: string): Promise<string | undefined>;
  /** The output of `kubelet --version`; rejects when it cannot be run. */
  kubeletVersionOutput(): Promise<string>;
  /** The init system's view of a service; undefined when kbadm does not manage services here. */
  service(name: string): Promise<ServiceFacts | undefined>;
  /** Addresses a name resolves to; rejects when it does not resolve. */
  lookupHost(name: string): Promise<string[]>;
  /** Proxy settings and PATH come from here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The container runtime of the node (one connection, shared); rejects when it cannot be reached. */
  runtime(): Promise<ContainerRuntime>;
  /** Progress of slow checks (image pulls) and why a fact could not be had, at higher --v levels. */
  readonly log: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

export const NO_FINDINGS: Readonly<Findings> = Object.freeze({ warnings: [], errors: [] });

export function findings(part: Partial<Findings>): Findings {
  return { warnings: [], errors: [], ...part };
}

/** kubeadm's name for a path in a check name: every `/` becomes `-`. */
export function pathLabel(hostPath: string): string {
  return hostPath.replaceAll('/', '-');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
