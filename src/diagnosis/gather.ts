// The facts the control-plane diagnosis reads, gathered through the Host: the components' Pod
// sandboxes, containers and log files over CRI, the kubelet service and journal, swap, the
// runtime's cgroup driver and who holds a port. Every question is read-only, and one that cannot
// be answered leaves its fact unknown rather than failing the diagnosis.
import * as path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Host } from '../host/host.js';
import { criEndpointUnder } from '../host/cri/endpoint.js';
import type { ContainerRuntime } from '../host/runtime.js';
import { readServiceFacts } from '../host/service-facts.js';
import {
  LOG_LINES,
  parseCriLog,
  type ComponentFacts,
  type ControlPlaneFacts,
  type KubeletFacts,
} from './control-plane.js';

/** What the wait knew about the kubelet when it gave up (or went on). */
export interface KubeletOutcome {
  url?: string;
  healthy?: boolean;
  probeError?: string;
}

/** A component that stayed unhealthy, with what its static Pod says. */
export interface UnhealthyComponent {
  component: string;
  url: string;
  port: number;
  image: string;
  probeError: string;
}

export interface GatherInput {
  host: Host;
  /** nodeRegistration.criSocket, as configured (a host path). */
  criSocket: string;
  kubeletConfig?: Readonly<Record<string, unknown>>;
  kubelet: KubeletOutcome;
}

const STATIC_POD_NAMESPACE = 'kube-system';
// Enough of a log file's end for its last lines, however long it has grown.
const LOG_TAIL_BYTES = 64 * 1024;

async function connect(input: GatherInput): Promise<ContainerRuntime | string> {
  try {
    return await input.host.runtime(criEndpointUnder(input.host.paths, input.criSocket));
  } catch (err) {
    return errorMessage(err);
  }
}

/** swap is on when /proc/swaps lists an area below its header (read under --rootfs, as preflight). */
async function swapOn(host: Host): Promise<boolean> {
  const text = (
    await host.readFileIfExists(host.paths.under('/proc/swaps')).catch(() => undefined)
  )?.toString();
  return (text ?? '').split('\n').filter((l) => l.trim() !== '').length > 1;
}

async function journal(host: Host): Promise<string[]> {
  if (host.paths.rootfs !== '/' || !(await host.which('journalctl'))) return [];
  try {
    const r = await host.run(
      'journalctl',
      ['-u', 'kubelet', '-n', String(LOG_LINES), '--no-pager', '-o', 'cat'],
      {
        allowFailure: true,
        readOnly: true,
        timeoutMs: 10_000,
      },
    );
    return r.exitCode === 0 ? r.stdout.split('\n').filter((l) => l.trim() !== '') : [];
  } catch {
    return [];
  }
}

async function kubeletFacts(
  input: GatherInput,
  runtime: ContainerRuntime | undefined,
): Promise<KubeletFacts> {
  const { host, kubeletConfig: cfg } = input;
  const service = await readServiceFacts(host, 'kubelet').catch(() => undefined);
  const facts: KubeletFacts = {
    ...input.kubelet,
    swapOn: await swapOn(host),
    failSwapOn: cfg?.['failSwapOn'] !== false,
    journal: input.kubelet.healthy === false ? await journal(host) : [],
  };
  if (host.paths.rootfs !== '/')
    facts.serviceNote = `kbadm does not look at services under --rootfs ${host.paths.rootfs}`;
  else if (service?.initSystem === undefined) facts.serviceNote = 'no supported init system';
  else if (!service.exists) facts.serviceNote = 'no kubelet service';
  else facts.serviceActive = service.active;
  if (typeof cfg?.['cgroupDriver'] === 'string') facts.cgroupDriver = cfg['cgroupDriver'];
  const driver = await runtime?.cgroupDriver().catch(() => undefined);
  if (driver !== undefined) facts.runtimeCgroupDriver = driver;
  return facts;
}

/**
 * A log path as the runtime names it, on this machine: a runtime that runs outside --rootfs
 * names machine paths (already under the root), one inside it names paths of the root.
 */
function logOnMachine(host: Host, logPath: string): string {
  const root = host.paths.rootfs;
  if (root === '/' || logPath.startsWith(`${root.replace(/\/$/, '')}/`)) return logPath;
  return host.paths.under(logPath);
}

async function logLines(host: Host, file: string): Promise<string[]> {
  const data = await host.readFileIfExists(file).catch(() => undefined);
  if (data === undefined) return [];
  const tail = data.subarray(Math.max(0, data.length - LOG_TAIL_BYTES)).toString('utf8');
  // A cut through the first line leaves a fragment: drop it.
  const whole = data.length > LOG_TAIL_BYTES ? tail.slice(tail.indexOf('\n') + 1) : tail;
  return parseCriLog(whole).slice(-LOG_LINES);
}

/**
 * The newest container's log lines; when it has logged nothing yet (just restarted), those of the
 * attempt before it, which the kubelet keeps beside it as <attempt>.log.
 */
async function containerLog(host: Host, logPath: string): Promise<{ lines: string[]; file?: string }> {
  if (logPath === '') return { lines: [] };
  const file = logOnMachine(host, logPath);
  const own = await logLines(host, file);
  if (own.length > 0) return { lines: own, file: host.paths.onHost(file) };
  const dir = path.dirname(file);
  const attempts = (await host.listDir(dir).catch(() => [] as string[]))
    .filter((n) => /^\d+\.log$/.test(n) && path.join(dir, n) !== file)
    .sort((a, b) => parseInt(b, 10) - parseInt(a, 10));
  for (const name of attempts) {
    const lines = await logLines(host, path.join(dir, name));
    if (lines.length > 0) return { lines, file: host.paths.onHost(path.join(dir, name)) };
  }
  return { lines: [], file: host.paths.onHost(file) };
}

async function componentFacts(
  host: Host,
  runtime: ContainerRuntime,
  c: UnhealthyComponent,
): Promise<ComponentFacts> {
  const facts: ComponentFacts = { ...c, logTail: [] };
  const sandboxes = (await runtime.listPodSandboxes()).filter(
    (s) =>
      s.namespace === STATIC_POD_NAMESPACE &&
      (s.labels['component'] === c.component || s.name.startsWith(`${c.component}-`)),
  );
  const sandbox = sandboxes.find((s) => s.state === 'ready') ?? sandboxes[sandboxes.length - 1];
  if (sandbox) {
    facts.sandbox = sandbox.state;
    const newest = (await runtime.listContainers({ podSandboxId: sandbox.id }))
      .filter((x) => x.name === c.component)
      .sort((a, b) => b.attempt - a.attempt)[0];
    if (newest) {
      const status = await runtime.containerStatus(newest.id);
      facts.container = {
        id: status.id,
        state: status.state,
        exitCode: status.exitCode,
        reason: status.reason,
        message: status.message,
        restarts: status.attempt,
      };
      const log = await containerLog(host, status.logPath);
      facts.logTail = log.lines;
      if (log.file !== undefined) facts.logFile = log.file;
    }
  }
  if (!facts.container && c.image !== '') {
    const present = await runtime.imageExists(c.image).catch(() => undefined);
    if (present !== undefined) facts.imagePresent = present;
  }
  if (facts.container?.state !== 'running') {
    const held = await host.bindError(c.port).catch(() => undefined);
    if (held !== undefined) facts.portError = held;
  }
  return facts;
}

/** The kubelet's facts alone, for a kubelet that did not become healthy. */
export async function gatherKubeletFacts(input: GatherInput): Promise<KubeletFacts> {
  const runtime = await connect(input);
  try {
    return await kubeletFacts(input, typeof runtime === 'string' ? undefined : runtime);
  } finally {
    if (typeof runtime !== 'string') runtime.close();
  }
}

/** Everything the diagnosis of unhealthy control-plane components reads. */
export async function gatherControlPlaneFacts(
  input: GatherInput,
  unhealthy: readonly UnhealthyComponent[],
): Promise<ControlPlaneFacts> {
  const runtime = await connect(input);
  const base = { criSocket: input.criSocket };
  if (typeof runtime === 'string') {
    return {
      ...base,
      kubelet: await kubeletFacts(input, undefined),
      components: unhealthy.map((c) => ({ ...c, logTail: [] })),
      runtimeError: runtime,
    };
  }
  try {
    const kubelet = await kubeletFacts(input, runtime);
    const components: ComponentFacts[] = [];
    for (const c of unhealthy) components.push(await componentFacts(input.host, runtime, c));
    return { ...base, kubelet, components };
  } catch (err) {
    return {
      ...base,
      kubelet: await kubeletFacts(input, undefined),
      components: unhealthy.map((c) => ({ ...c, logTail: [] })),
      runtimeError: errorMessage(err),
    };
  } finally {
    runtime.close();
  }
}
