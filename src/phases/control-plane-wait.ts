// Waiting for the node's control plane, kubeadm's way (spec §5.6): the kubelet's healthz first,
// then kube-apiserver, kube-controller-manager and kube-scheduler in parallel, each polled every
// 500 ms until it answers 200 or its time is up. What kbadm adds: when something stays unhealthy,
// the error carries a diagnosis of the node (src/diagnosis) instead of a bare timeout.
// Shared by init's wait-control-plane phase and, later, join's.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthProbes, ProbeResult } from '../cluster/probes.js';
import { formatDuration } from '../config/duration.js';
import { describeControlPlane, describeKubelet } from '../diagnosis/control-plane.js';
import { gatherControlPlaneFacts, gatherKubeletFacts, type GatherInput } from '../diagnosis/gather.js';
import { KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import { CONTROL_PLANE_COMPONENTS } from '../manifests/control-plane.js';
import { controlPlaneHealthTargets, kubeletHealthzURL, type HealthTarget } from '../manifests/health-urls.js';
import { readStaticPod } from '../manifests/manifest-files.js';
import type { Output } from '../output/output.js';

export const POLL_INTERVAL_MS = 500;
// One request may not hold the wait longer than this, so a server that accepted a connection and
// went silent is asked again.
const REQUEST_TIMEOUT_MS = 10_000;

export interface ControlPlaneWaitInput {
  host: Host;
  out: Output;
  /** The manifests directory (under --rootfs). */
  manifestsDir: string;
  /** nodeRegistration.criSocket, as configured. */
  criSocket: string;
  /** The KubeletConfiguration init wrote (healthz address and port, swap and cgroup settings). */
  kubeletConfig?: Readonly<Record<string, unknown>>;
  /** localAPIEndpoint: the API server's address and port when its manifest does not name them. */
  endpoint: { advertiseAddress: string; bindPort: number };
  timeouts: { kubeletHealthCheck: number; controlPlaneComponentHealthCheck: number };
  /** Called once, after the manifests are read and before the first check. */
  probes: () => Promise<HealthProbes>;
  /** Between two checks of one endpoint; kubeadm's 500 ms unless a test says otherwise. */
  intervalMs?: number;
}

interface Outcome {
  healthy: boolean;
  elapsedMs: number;
  last: ProbeResult;
}

/** Checks at once, then every `intervalMs`, until healthy or `timeoutMs` has passed. */
async function poll(
  check: (timeoutMs: number) => Promise<ProbeResult>,
  timeoutMs: number,
  intervalMs: number,
): Promise<Outcome> {
  const start = performance.now();
  const left = () => timeoutMs - (performance.now() - start);
  for (;;) {
    const last = await check(Math.max(1, Math.ceil(Math.min(left(), REQUEST_TIMEOUT_MS))));
    if (last.healthy) return { healthy: true, elapsedMs: performance.now() - start, last };
    if (left() <= 0) return { healthy: false, elapsedMs: performance.now() - start, last };
    await sleep(Math.min(intervalMs, left()));
    if (left() <= 0) return { healthy: false, elapsedMs: performance.now() - start, last };
  }
}

function gatherInput(w: KubeletWaitInput, kubelet: GatherInput['kubelet']): GatherInput {
  return {
    host: w.host,
    criSocket: w.criSocket,
    ...(w.kubeletConfig ? { kubeletConfig: w.kubeletConfig } : {}),
    kubelet,
  };
}

/** The three health targets, from the static Pods as written. */
export async function readHealthTargets(
  w: Pick<ControlPlaneWaitInput, 'host' | 'manifestsDir' | 'endpoint'>,
): Promise<HealthTarget[]> {
  const shown = w.host.paths.onHost(w.manifestsDir);
  const pods = Object.fromEntries(
    await Promise.all(
      CONTROL_PLANE_COMPONENTS.map(
        async (c) => [c, await readStaticPod(w.host, w.manifestsDir, c, shown)] as const,
      ),
    ),
  );
  return controlPlaneHealthTargets(pods as Parameters<typeof controlPlaneHealthTargets>[0], w.endpoint);
}

/** What the dry run prints instead of waiting. */
export function dryRunLines(w: Pick<ControlPlaneWaitInput, 'kubeletConfig' | 'timeouts'>): string[] {
  const url = kubeletHealthzURL(w.kubeletConfig);
  return [
    url === undefined
      ? '[dryrun] Would skip the kubelet health check: its healthz port is 0'
      : `[dryrun] Would wait up to ${formatDuration(w.timeouts.kubeletHealthCheck)} for the kubelet to answer at ${url}`,
    `[dryrun] Would wait up to ${formatDuration(w.timeouts.controlPlaneComponentHealthCheck)} for kube-apiserver, kube-controller-manager and kube-scheduler to answer their health checks`,
  ];
}

/** What waiting for the kubelet needs: its settings, the node for a diagnosis, the probe. */
export type KubeletWaitInput = Pick<
  ControlPlaneWaitInput,
  'host' | 'out' | 'criSocket' | 'kubeletConfig' | 'intervalMs'
> & { timeouts: { kubeletHealthCheck: number } };

/**
 * Waits for the kubelet's healthz (kubeadm's kubelet-check lines); on a timeout, throws with a
 * diagnosis of the kubelet. Returns what was seen, for a later diagnosis of the control plane.
 */
export async function waitForKubelet(
  w: KubeletWaitInput,
  probes: Pick<HealthProbes, 'kubelet'>,
): Promise<GatherInput['kubelet']> {
  const { out } = w;
  const interval = w.intervalMs ?? POLL_INTERVAL_MS;
  const kubeletUrl = kubeletHealthzURL(w.kubeletConfig);
  let kubelet: GatherInput['kubelet'] = {};
  if (kubeletUrl === undefined) {
    out.progress('kubelet-check', 'Skipping the kubelet health check because the healthz port is set to 0');
  } else {
    const limit = w.timeouts.kubeletHealthCheck;
    out.progress(
      'kubelet-check',
      `Waiting for a healthy kubelet at ${kubeletUrl}. This can take up to ${formatDuration(limit)}`,
    );
    const r = await poll((timeoutMs) => probes.kubelet(kubeletUrl, { timeoutMs }), limit, interval);
    kubelet = { url: kubeletUrl, healthy: r.healthy, ...(r.last.error ? { probeError: r.last.error } : {}) };
    if (!r.healthy) {
      out.progress('kubelet-check', `The kubelet is not healthy after ${formatDuration(r.elapsedMs)}`);
      const facts = await gatherKubeletFacts(gatherInput(w, kubelet));
      throw new KbadmError(
        [
          `the kubelet did not become healthy within ${formatDuration(limit)}`,
          ...describeKubelet(facts),
        ].join('\n'),
      );
    }
    out.progress('kubelet-check', `The kubelet is healthy after ${formatDuration(r.elapsedMs)}`);
  }

  return kubelet;
}

/**
 * Waits for the kubelet, then for the three components. On a timeout, throws one KbadmError: a
 * first line saying what did not become healthy in time, then the diagnosis.
 */
export async function waitForControlPlane(w: ControlPlaneWaitInput): Promise<void> {
  const { out } = w;
  const interval = w.intervalMs ?? POLL_INTERVAL_MS;
  // Read before waiting: a missing manifest is a mistake to report now, not after the timeout.
  const targets = await readHealthTargets(w);
  const probes = await w.probes();

  out.progress(
    'wait-control-plane',
    `Waiting for the kubelet to boot up the control plane as static Pods from directory "${w.host.paths.onHost(w.manifestsDir)}"`,
  );
  const kubelet = await waitForKubelet(w, probes);

  const limit = w.timeouts.controlPlaneComponentHealthCheck;
  out.progress(
    'control-plane-check',
    `Waiting for healthy control plane components. This can take up to ${formatDuration(limit)}`,
  );
  for (const t of targets) out.progress('control-plane-check', `Checking ${t.component} at ${t.url}`);
  const outcomes = await Promise.all(
    targets.map(async (t) => {
      const check =
        t.component === 'kube-apiserver'
          ? (timeoutMs: number) => probes.apiserver(t.url, { timeoutMs })
          : (timeoutMs: number) => probes.component(t.url, { timeoutMs });
      const r = await poll(check, limit, interval);
      // Printed as each finishes, so the lines come in completion order, as kubeadm's do.
      out.progress(
        'control-plane-check',
        `${t.component} is ${r.healthy ? '' : 'not '}healthy after ${formatDuration(r.elapsedMs)}`,
      );
      return { target: t, outcome: r };
    }),
  );
  const failed = outcomes.filter((o) => !o.outcome.healthy);
  if (failed.length === 0) return;
  const facts = await gatherControlPlaneFacts(
    gatherInput(w, kubelet),
    failed.map(({ target: t, outcome }) => ({
      component: t.component,
      url: t.url,
      port: t.port,
      image: t.image,
      probeError: outcome.last.error ?? 'no answer',
    })),
  );
  throw new KbadmError(
    [
      `the control plane did not become healthy within ${formatDuration(limit)}: ${failed.map((f) => f.target.component).join(', ')}`,
      ...describeControlPlane(facts),
    ].join('\n'),
  );
}
