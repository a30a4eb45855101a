// Health probes that answer for a node without a network: every URL healthy unless a test says
// otherwise, with a record of what was asked.
import type { HealthProbes, ProbeResult } from '../../src/cluster/probes.js';

export type ProbeKind = 'kubelet' | 'component' | 'apiserver';

export interface FakeProbes extends HealthProbes {
  readonly calls: { kind: ProbeKind; url: string; timeoutMs: number }[];
}

/** `answer` decides each check; by default everything is healthy at once. */
export function fakeProbes(
  answer: (kind: ProbeKind, url: string) => ProbeResult | Promise<ProbeResult> = () => ({ healthy: true }),
): FakeProbes {
  const calls: FakeProbes['calls'] = [];
  const probe = (kind: ProbeKind) => async (url: string, o: { timeoutMs: number }) => {
    calls.push({ kind, url, timeoutMs: o.timeoutMs });
    return answer(kind, url);
  };
  return { calls, kubelet: probe('kubelet'), component: probe('component'), apiserver: probe('apiserver') };
}

/** A check that fails the way a closed port does. */
export function refused(url: string): ProbeResult {
  const { hostname, port } = new URL(url);
  return {
    healthy: false,
    error: `Get "${url}": connect ECONNREFUSED ${hostname.replace(/^\[|\]$/g, '')}:${port}`,
  };
}
