// The one interface to the machine. Real, dry-run and test implementations live beside it.
import type { UnmountFlag } from './mounts.js';
import type { Paths } from './paths.js';
import type { ContainerRuntime } from './runtime.js';

export interface FileInfo {
  isFile: boolean;
  isDirectory: boolean;
  /** A Unix socket, e.g. a CRI endpoint such as /var/run/containerd/containerd.sock. */
  isSocket: boolean;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  size: number;
}

export interface RunOptions {
  /** Kill the command after this many milliseconds (default 30 s). */
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string>;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  /** The command changes nothing (e.g. `systemctl is-active`), so a dry-run host runs it for real. */
  readOnly?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What the host is, as plain facts for config defaulting (no I/O happens on the caller's side). */
export interface HostFacts {
  hostname: string;
  /** The IPv4/IPv6 address of the interface holding the default route, when there is one. */
  defaultRouteAddress?: string;
}

export interface WriteOptions {
  /**
   * Never replace: when the file exists at the moment of the write, it is left alone and the write
   * fails with FileExistsError. For new private keys and kubeconfig files.
   */
  exclusive?: boolean;
}

/** How `writeFiles` writes its unit. */
export interface UnitOptions {
  /**
   * The files go in place only once this has resolved: what they depend on (the CA that signed a
   * certificate) is then on disk first. Until then they are written and synced beside their
   * targets; when it rejects, nothing is put in place and the write fails with its error.
   */
  after?: Promise<unknown>;
}

/** One file of a unit written by `writeFiles`. */
export interface FileWrite extends WriteOptions {
  path: string;
  data: string | Uint8Array;
  mode: number;
}

/**
 * Facts about the running machine and kbadm's own process. They come from system calls, which
 * --rootfs does not change (as in kubeadm's chroot), so they are never read from under it.
 */
export interface MachineFacts {
  /** Effective user id of kbadm's process; 0 is root. */
  euid: number;
  /** CPUs kbadm may run on. */
  cpus: number;
  /** Total usable memory in bytes. */
  memoryBytes: number;
  /** The operating system's name as uname reports it, e.g. "Linux". */
  os: string;
  /** The kernel release as uname reports it, e.g. "6.1.0-18-amd64". */
  kernelRelease: string;
  /** kbadm's process id. */
  pid: number;
}

/** One change the host made, or (dry-run) would have made. */
export type HostChange =
  | { kind: 'write'; path: string; mode: number; bytes: number }
  | { kind: 'mkdir'; path: string; mode: number }
  | { kind: 'remove'; path: string }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'unmount'; path: string }
  | { kind: 'run'; command: string; args: string[] }
  | {
      kind: 'cri';
      action: 'pull' | 'stop-sandbox' | 'remove-sandbox' | 'remove-container';
      /** The image, or the sandbox or container id. */
      target: string;
    };

/**
 * Every path given to a Host is already resolved under --rootfs (see Paths).
 * Writes are atomic: a reader sees the old file or the new one, never half of one.
 */
export interface Host {
  readonly paths: Paths;
  readonly dryRun: boolean;
  readFile(path: string): Promise<Buffer>;
  /** The file's bytes, or undefined when it does not exist. */
  readFileIfExists(path: string): Promise<Buffer | undefined>;
  stat(path: string): Promise<FileInfo | undefined>;
  exists(path: string): Promise<boolean>;
  /** Entry names in a directory, sorted; [] when it does not exist. */
  listDir(path: string): Promise<string[]>;
  /** Creates parent directories (0700) as needed, then writes atomically with the given mode. */
  writeFile(path: string, data: string | Uint8Array, mode: number, options?: WriteOptions): Promise<void>;
  /**
   * Writes files of one directory as a unit, such as a private key and its certificate: all of them
   * are written beside their targets first, then put in place in order. A run that stops before
   * that changed nothing; one that stops while they are put in place is finished by the next run
   * holding the node lock. An exclusive file found in place stops the unit there (FileExistsError).
   */
  writeFiles(files: readonly FileWrite[], options?: UnitOptions): Promise<void>;
  /** mkdir -p; the mode applies to directories it creates. */
  mkdir(path: string, mode: number): Promise<void>;
  /**
   * Removes a file or directory tree (nothing when it does not exist), refusing any path outside
   * the kubeadm-managed directories (see removal-guard.ts) and any path that escapes them.
   */
  remove(path: string): Promise<void>;
  /**
   * Moves a file or directory tree to `to` in one step (rename(2)): a reader sees it at one name or
   * the other, never half of it. `to` must not exist, and `from` disappears, so `from` must be one
   * `remove` would accept. Across file systems it fails with a FileOperationError whose code is EXDEV.
   */
  rename(from: string, to: string): Promise<void>;
  /**
   * Lets `remove` delete under one more directory, e.g. a configured etcd dataDir or certificatesDir
   * (already under --rootfs). Throws a KbadmError for dangerous directories such as /, /etc or /var/lib.
   */
  addManagedDir(path: string): void;
  /** The path with every symbolic link resolved; rejects with ENOENT when it does not exist. */
  realPath(path: string): Promise<string>;
  /**
   * The mount points of the machine kbadm runs on (/proc/self/mountinfo), in mount order. They are
   * machine paths: those under --rootfs start with it.
   */
  mountPoints(): Promise<string[]>;
  /**
   * Unmounts one mount point, which must lie under --rootfs; `flags` are ResetConfiguration's
   * unmountFlags. Throws a clear error when it stays mounted.
   */
  unmount(mountPoint: string, flags: readonly UnmountFlag[]): Promise<void>;
  /** Runs a command (no shell). Throws a clear error when the binary is missing or it fails. */
  run(command: string, args: string[], options?: RunOptions): Promise<ExecResult>;
  /** The absolute path of a command on PATH, or undefined. */
  which(command: string): Promise<string | undefined>;
  facts(): Promise<HostFacts>;
  machine(): Promise<MachineFacts>;
  /**
   * Tries to listen on TCP `port` on every address of this machine's network, then closes the
   * listener at once: undefined when that worked, else why not (e.g. "EADDRINUSE"). Ports belong to
   * the machine, not to --rootfs.
   */
  bindError(port: number): Promise<string | undefined>;
  /**
   * The addresses `name` resolves to through this machine's resolver, or by asking only `servers`
   * (DNS nameserver addresses) when given; rejects when it does not resolve.
   */
  lookupHost(name: string, options?: { servers?: string[] }): Promise<string[]>;
  /**
   * Whether something accepts connections on the Unix socket at `path` (under --rootfs): how
   * kubeadm tells which CRI runtime is installed. Never throws.
   */
  socketAnswers(path: string): Promise<boolean>;
  /**
   * A connection to the CRI runtime at `endpoint` (unix:// URL or socket path, already under
   * --rootfs: see criEndpointUnder in cri/endpoint.ts). Rejects with one error naming the endpoint
   * when the runtime does not answer CRI v1. The caller closes it. A dry-run host passes reads
   * through and records changes.
   */
  runtime(endpoint: string): Promise<ContainerRuntime>;
}
