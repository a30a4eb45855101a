// Why the control plane did not come up, from facts gathered on the node (gather.ts): for each
// component that stayed unhealthy its container's state and last log lines, the kubelet's state,
// and one "likely cause" line when the facts point to a cause kbadm knows: a port held by another
// process, a cgroup-driver mismatch between the kubelet and the runtime, swap while the kubelet
// refuses it, an image that cannot be pulled, a kubelet service that is not running.
// Values in, lines out: no I/O here.
import type { ContainerState, SandboxState } from '../host/runtime.js';

export interface ContainerFacts {
  id: string;
  state: ContainerState;
  exitCode: number;
  /** The runtime's reason, e.g. Error, Completed, OOMKilled. */
  reason: string;
  message: string;
  /** How often the kubelet has restarted it (its CRI attempt). */
  restarts: number;
}

export interface ComponentFacts {
  component: string;
  url: string;
  /** The port of `url`: the one the component must be able to listen on. */
  port: number;
  /** The image its static Pod names ('' when none). */
  image: string;
  /** Why the last health check failed. */
  probeError: string;
  /** Its Pod sandbox; undefined when the kubelet has made none. */
  sandbox?: SandboxState;
  /** Its newest container; undefined when there is none. */
  container?: ContainerFacts;
  /** The last lines the component logged, oldest first. */
  logTail: string[];
  /** The log file they came from, as the user finds it on the node. */
  logFile?: string;
  /** Whether the runtime holds the image; asked only when there is no container. */
  imagePresent?: boolean;
  /** Why this machine could not listen on `port`; asked only while the component is not running. */
  portError?: string;
}

export type CgroupDriver = 'systemd' | 'cgroupfs';

export interface KubeletFacts {
  /** The healthz URL; undefined when the check is off (healthzPort 0). */
  url?: string;
  /** The health check's outcome; undefined when it did not run. */
  healthy?: boolean;
  probeError?: string;
  /** Whether the kubelet service runs; undefined when kbadm cannot tell (see serviceNote). */
  serviceActive?: boolean;
  /** Why the service state is unknown, e.g. another --rootfs. */
  serviceNote?: string;
  /** swap is on on the node. */
  swapOn: boolean;
  /** KubeletConfiguration failSwapOn (the kubelet's default is true). */
  failSwapOn: boolean;
  /** KubeletConfiguration cgroupDriver. */
  cgroupDriver?: string;
  /** The container runtime's cgroup driver, when it says. */
  runtimeCgroupDriver?: CgroupDriver;
  /** The kubelet's own last log lines (its journal), when they could be read. */
  journal: string[];
}

export interface ControlPlaneFacts {
  kubelet: KubeletFacts;
  /** The components that did not become healthy, in kubeadm's order. */
  components: ComponentFacts[];
  /** The CRI endpoint as configured. */
  criSocket: string;
  /** Why the runtime could not be asked, when it could not. */
  runtimeError?: string;
}

export const LOG_LINES = 10;

/**
 * The messages of a container log in the kubelet's CRI format (`<time> <stream> <P|F> <text>`),
 * partial lines joined; lines in another format are kept as they are.
 */
export function parseCriLog(text: string): string[] {
  const out: string[] = [];
  let partial = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^\S+ (?:stdout|stderr) (?:([PF])(?:\S*) )?(.*)$/.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    if (m[1] === 'P') {
      partial += m[2];
      continue;
    }
    out.push(partial + (m[2] ?? ''));
    partial = '';
  }
  if (partial !== '') out.push(partial);
  return out;
}

const ADDRESS_IN_USE = /address already in use|EADDRINUSE/i;
const IMAGE_PULL_REASON = /ErrImagePull|ImagePullBackOff|ErrImageNeverPull|InvalidImageName/;
const SWAP_REFUSED = /running with swap on is not supported/i;
const CGROUP_MISMATCH = /cgroup driver.*(?:is different|mismatch)|misconfiguration: kubelet cgroup driver/i;
// Exit codes of a process ended by SIGKILL or SIGTERM: killed, not failed on its own.
const KILLED = new Set([137, 143]);

// host:port as listeners name it: 127.0.0.1:10259, [::1]:6443, localhost:2379, "tcp :10250".
const HOST_PORT = /(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Za-z:.%]*\]|localhost|\s):(\d{1,5})\b/g;

/** The port an "address already in use" line names (the last host:port in it), else undefined. */
function portInLine(line: string): number | undefined {
  const ports = [...line.matchAll(HOST_PORT)].map((m) => Number(m[1])).filter((p) => p > 0 && p <= 65535);
  return ports[ports.length - 1];
}

function cgroupMismatch(k: KubeletFacts): string | undefined {
  const kubelet = k.cgroupDriver ?? 'cgroupfs';
  if (k.runtimeCgroupDriver === undefined || kubelet === k.runtimeCgroupDriver) return undefined;
  return `the kubelet uses the "${kubelet}" cgroup driver but the container runtime uses "${k.runtimeCgroupDriver}": set cgroupDriver in the KubeletConfiguration to the runtime's driver (or change the runtime's, e.g. SystemdCgroup in containerd's runc options)`;
}

function swapCause(): string {
  return 'swap is on and the kubelet refuses to run with it (failSwapOn is true): turn swap off ("swapoff -a", and remove it from /etc/fstab) or set failSwapOn: false in the KubeletConfiguration';
}

function portCause(port: number, component: string): string {
  return `port ${port} is already in use by another process, so ${component} cannot listen on it: find the holder with "ss -ltnp 'sport = :${port}'" and stop it, or give ${component} another port`;
}

function imageCause(image: string, detail: string): string {
  return `the image ${image || '(none named)'} ${detail}: check that this node can reach its registry, or pull it beforehand with "kbadm config images pull"`;
}

/** One line naming the most likely reason a component stayed unhealthy, when the facts show one. */
export function componentCause(c: ComponentFacts, kubelet: KubeletFacts): string | undefined {
  const ct = c.container;
  if (ct && IMAGE_PULL_REASON.test(ct.reason)) return imageCause(c.image, `cannot be pulled (${ct.reason})`);
  if (!ct && c.imagePresent === false) return imageCause(c.image, 'is not on the node and was not pulled');
  const pullLine = kubelet.journal.find((l) => c.image !== '' && l.includes(c.image) && /pull/i.test(l));
  if (!ct && pullLine !== undefined) return imageCause(c.image, 'cannot be pulled');

  const inUse = c.logTail.find((l) => ADDRESS_IN_USE.test(l));
  if (inUse !== undefined) return portCause(portInLine(inUse) ?? c.port, c.component);
  if (ct?.state !== 'running' && c.portError === 'EADDRINUSE') return portCause(c.port, c.component);

  // A driver mismatch shows as Pods the runtime cannot keep: no sandbox, a sandbox that is not
  // ready, or containers killed rather than failing on their own.
  const mismatch = cgroupMismatch(kubelet);
  if (mismatch && (c.sandbox !== 'ready' || !ct || (ct.state === 'exited' && KILLED.has(ct.exitCode)))) {
    return mismatch;
  }
  return undefined;
}

/** The most likely reason the kubelet is not healthy, when the facts show one. */
export function kubeletCause(k: KubeletFacts): string | undefined {
  if ((k.swapOn && k.failSwapOn) || k.journal.some((l) => SWAP_REFUSED.test(l))) return swapCause();
  const mismatch = cgroupMismatch(k);
  if (mismatch) return mismatch;
  if (k.journal.some((l) => CGROUP_MISMATCH.test(l)))
    return 'the kubelet and the container runtime use different cgroup drivers: make cgroupDriver in the KubeletConfiguration match the runtime';
  const inUse = k.journal.find((l) => ADDRESS_IN_USE.test(l));
  if (inUse !== undefined) return portCause(portInLine(inUse) ?? 10250, 'the kubelet');
  if (k.serviceActive === false)
    return 'the kubelet service is not running: start it ("systemctl start kubelet") and read its log ("journalctl -u kubelet")';
  return undefined;
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

function containerState(c: ComponentFacts): string {
  if (c.sandbox === undefined && !c.container)
    return 'no Pod sandbox: the kubelet has not started this static Pod';
  const ct = c.container;
  if (!ct) return `Pod sandbox ${c.sandbox === 'ready' ? 'ready' : 'not ready'}, no container`;
  const id = ct.id.slice(0, 13);
  let state: string;
  if (ct.state === 'exited') state = `exited with code ${ct.exitCode}${ct.reason ? ` (${ct.reason})` : ''}`;
  else state = ct.state;
  const message = ct.message.trim() ? `: ${ct.message.trim().split('\n')[0]}` : '';
  return `container ${id} ${state}, restarted ${times(ct.restarts)}${message}`;
}

function logLines(tail: readonly string[], file: string | undefined): string[] {
  if (tail.length === 0) return [`  no log lines${file ? ` in ${file}` : ''}`];
  return [
    `  last ${tail.length === 1 ? 'log line' : `${tail.length} log lines`}${file ? ` (${file})` : ''}:`,
    ...tail.map((l) => `    | ${l}`),
  ];
}

function serviceState(k: KubeletFacts): string {
  if (k.serviceActive !== undefined) return `service ${k.serviceActive ? 'active' : 'not active'}`;
  return `service state unknown${k.serviceNote ? ` (${k.serviceNote})` : ''}`;
}

function kubeletHealth(k: KubeletFacts): string {
  if (k.url === undefined) return 'health check off (healthzPort 0)';
  if (k.healthy === true) return `healthy at ${k.url}`;
  if (k.healthy === false) return `not healthy: ${k.probeError ?? `no answer at ${k.url}`}`;
  return `not checked at ${k.url}`;
}

/** The kubelet's section: health, service, journal lines and its likely cause. */
export function kubeletLines(k: KubeletFacts): string[] {
  const lines = [`kubelet: ${kubeletHealth(k)}; ${serviceState(k)}`];
  if (k.healthy === false && k.journal.length > 0) {
    lines.push('  last journal lines:', ...k.journal.slice(-LOG_LINES).map((l) => `    | ${l}`));
  }
  const cause = k.healthy === false ? kubeletCause(k) : undefined;
  if (cause) lines.push(`  likely cause: ${cause}`);
  else if (cgroupMismatch(k)) lines.push(`  note: ${cgroupMismatch(k)}`);
  return lines;
}

/** Where to look further, with tools every node has. */
export function lookFurtherLines(): string[] {
  return [
    'To look further: each container writes its log to a file under /var/log/pods/<namespace>_<pod>_<uid>/<container>/;',
    'the kubelet logs to its service journal ("journalctl -u kubelet" on systemd hosts).',
  ];
}

/** Lines for a control plane that stayed unhealthy while the kubelet was healthy. */
export function describeControlPlane(f: ControlPlaneFacts): string[] {
  const lines: string[] = [];
  for (const c of f.components) {
    lines.push(`${c.component} is not healthy: ${c.probeError}`);
    if (f.runtimeError !== undefined) {
      lines.push(`  its container could not be looked at: ${f.runtimeError}`);
    } else {
      lines.push(`  ${containerState(c)}`);
      if (c.container) lines.push(...logLines(c.logTail.slice(-LOG_LINES), c.logFile));
    }
    const cause = componentCause(c, f.kubelet);
    if (cause) lines.push(`  likely cause: ${cause}`);
  }
  lines.push(...kubeletLines(f.kubelet), ...lookFurtherLines());
  return lines;
}

/** Lines for a kubelet that did not become healthy. */
export function describeKubelet(k: KubeletFacts): string[] {
  return [...kubeletLines(k), ...lookFurtherLines()];
}
