// Checks on the machine and the node's software: user, CPUs, memory, swap, ports, node name,
// versions and services. Judges are pure functions of the facts the checks read.
import { dns1123SubdomainErrors } from '../config/names.js';
import {
  compareVersions,
  formatSemantic,
  parseKubernetesVersion,
  type KubeVersion,
} from '../config/k8s-version.js';
import { enableCommand, type ServiceFacts } from '../host/service-facts.js';
import { KBADM_KUBE_VERSION } from '../config/k8s-version.js';
import { errorMessage, findings, NO_FINDINGS, type Check, type Findings } from './check.js';

/** kubeadm's minimums for a control-plane node. */
export const CONTROL_PLANE_MIN_CPUS = 2;
export const CONTROL_PLANE_MIN_MEMORY_MB = 1700;

export function judgePrivilegedUser(euid: number): Findings {
  return euid === 0 ? NO_FINDINGS : findings({ errors: ['user is not running as root'] });
}

export function isPrivilegedUser(): Check {
  return { name: 'IsPrivilegedUser', run: async (p) => judgePrivilegedUser((await p.machine()).euid) };
}

export function judgeNumCPU(cpus: number, min: number): Findings {
  if (cpus >= min) return NO_FINDINGS;
  return findings({ errors: [`the number of available CPUs ${cpus} is less than the required ${min}`] });
}

export function numCPU(min = CONTROL_PLANE_MIN_CPUS): Check {
  return { name: 'NumCPU', run: async (p) => judgeNumCPU((await p.machine()).cpus, min) };
}

export function judgeMem(memoryBytes: number, minMB: number): Findings {
  const mb = Math.floor(memoryBytes / 1024 / 1024);
  if (mb >= minMB) return NO_FINDINGS;
  return findings({ errors: [`the system RAM (${mb} MB) is less than the minimum ${minMB} MB`] });
}

export function mem(minMB = CONTROL_PLANE_MIN_MEMORY_MB): Check {
  return { name: 'Mem', run: async (p) => judgeMem((await p.machine()).memoryBytes, minMB) };
}

/** /proc/swaps lists one line per swap area below its header; no file means nothing to say. */
export function judgeSwap(procSwaps: string | undefined): Findings {
  if (procSwaps === undefined) return NO_FINDINGS;
  const lines = procSwaps.split('\n').filter((l) => l.trim() !== '');
  if (lines.length <= 1) return NO_FINDINGS;
  return findings({
    warnings: [
      'swap is supported for cgroup v2 only. The kubelet must be properly configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory, or disable swap on the node',
    ],
  });
}

export function swap(): Check {
  return { name: 'Swap', run: async (p) => judgeSwap(await p.readFile('/proc/swaps')) };
}

export function judgePortOpen(port: number, bindError: string | undefined): Findings {
  if (bindError === undefined) return NO_FINDINGS;
  // kubeadm says "in use" for any failure to listen; say more when the reason is another one.
  const reason = bindError === 'EADDRINUSE' ? '' : ` (${bindError})`;
  return findings({ errors: [`Port ${port} is in use${reason}`] });
}

export function portOpen(port: number): Check {
  return { name: `Port-${port}`, run: async (p) => judgePortOpen(port, await p.bindError(port)) };
}

export function judgeHostname(
  nodeName: string,
  lookup: { addresses: string[] } | { error: string },
): Findings {
  const warnings = dns1123SubdomainErrors(nodeName).map(
    (m) => `invalid node name format "${nodeName}": ${m}`,
  );
  if ('error' in lookup) {
    warnings.push(`hostname "${nodeName}" could not be reached`, `hostname "${nodeName}": ${lookup.error}`);
  } else if (lookup.addresses.length === 0) {
    warnings.push(`hostname "${nodeName}" could not be reached`);
  }
  return findings({ warnings });
}

export function hostname(nodeName: string): Check {
  return {
    name: 'Hostname',
    async run(p) {
      try {
        return judgeHostname(nodeName, { addresses: await p.lookupHost(nodeName) });
      } catch (err) {
        return judgeHostname(nodeName, { error: errorMessage(err) });
      }
    },
  };
}

/** A target version newer than kbadm's minor is only a warning (kubeadm's wording). */
export function judgeKubernetesVersion(target: string, kbadm: KubeVersion = KBADM_KUBE_VERSION): Findings {
  const v = parseKubernetesVersion(target);
  if (!v) return findings({ errors: [`couldn't parse Kubernetes version "${target}"`] });
  const firstUnsupported: KubeVersion = {
    major: kbadm.major,
    minor: kbadm.minor + 1n,
    patch: 0n,
    preRelease: ['0'],
    build: '',
  };
  if (compareVersions(v, firstUnsupported) < 0) return NO_FINDINGS;
  return findings({
    warnings: [
      `Kubernetes version is greater than kubeadm version. Please consider to upgrade kubeadm. Kubernetes version: ${formatSemantic(v)}. Kubeadm version: ${kbadm.major}.${kbadm.minor}.x`,
    ],
  });
}

export function kubernetesVersion(target: string): Check {
  return { name: 'KubernetesVersion', run: async () => judgeKubernetesVersion(target) };
}

/** The oldest kubelet kbadm supports: three minors below its own. */
export function minimumKubeletVersion(kbadm: KubeVersion = KBADM_KUBE_VERSION): KubeVersion {
  return { major: kbadm.major, minor: kbadm.minor - 3n, patch: 0n, preRelease: [], build: '' };
}

const KUBELET_VERSION_RE = /^\s*Kubernetes (v\d+\.\d+\.\d+[-0-9a-zA-Z_.+]*)\s*$/;

/**
 * `kubelet --version` must print a version kbadm supports and, when the control-plane version is
 * known (init), not a newer minor than it.
 */
export function judgeKubeletVersion(
  output: { text: string } | { error: string },
  controlPlaneVersion: string,
  min: KubeVersion = minimumKubeletVersion(),
): Findings {
  if ('error' in output) return findings({ errors: [`couldn't get kubelet version: ${output.error}`] });
  const m = KUBELET_VERSION_RE.exec(output.text);
  const kubelet = m ? parseKubernetesVersion(m[1]!) : undefined;
  if (!kubelet) {
    return findings({
      errors: [`couldn't get kubelet version: Couldn't parse kubelet version ${output.text.trim()}`],
    });
  }
  if (compareVersions(kubelet, min) < 0) {
    return findings({
      errors: [
        `Kubelet version "${formatSemantic(kubelet)}" is lower than kubeadm can support. Please upgrade kubelet`,
      ],
    });
  }
  if (controlPlaneVersion !== '') {
    const cp = parseKubernetesVersion(controlPlaneVersion);
    if (!cp) return findings({ errors: [`couldn't parse Kubernetes version "${controlPlaneVersion}"`] });
    if (kubelet.major > cp.major || kubelet.minor > cp.minor) {
      return findings({
        errors: [
          `the kubelet version is higher than the control plane version. This is not a supported version skew and may lead to a malfunctional cluster. Kubelet version: "${formatSemantic(kubelet)}" Control plane version: "${formatSemantic(cp)}"`,
        ],
      });
    }
  }
  return NO_FINDINGS;
}

/** `controlPlaneVersion` is '' when it is not known yet (join). */
export function kubeletVersion(controlPlaneVersion: string): Check {
  return {
    name: 'KubeletVersion',
    async run(p) {
      try {
        return judgeKubeletVersion({ text: await p.kubeletVersionOutput() }, controlPlaneVersion);
      } catch (err) {
        return judgeKubeletVersion({ error: errorMessage(err) }, controlPlaneVersion);
      }
    },
  };
}

const NOT_MANAGED = 'kbadm does not manage services under another --rootfs';
const NO_INIT_SYSTEM = 'no supported init system detected, skipping checking for services';

/** The kubelet service should exist and start at boot (warnings only, as in kubeadm). */
export function judgeService(service: string, facts: ServiceFacts | undefined): Findings {
  if (facts === undefined) return findings({ skipped: NOT_MANAGED });
  if (facts.initSystem === undefined) return findings({ warnings: [NO_INIT_SYSTEM] });
  if (!facts.exists) return findings({ warnings: [`${service} service does not exist`] });
  if (!facts.enabled) {
    return findings({
      warnings: [
        `${service} service is not enabled, please run '${enableCommand(facts.initSystem, service)}'`,
      ],
    });
  }
  return NO_FINDINGS;
}

export function serviceCheck(service: string): Check {
  const name = `Service-${service.charAt(0).toUpperCase()}${service.slice(1)}`;
  return { name, run: async (p) => judgeService(service, await p.service(service)) };
}

/** An active firewalld may block the API server and kubelet ports. */
export function judgeFirewalld(ports: readonly number[], facts: ServiceFacts | undefined): Findings {
  if (facts === undefined) return findings({ skipped: NOT_MANAGED });
  if (facts.initSystem === undefined) return findings({ warnings: [NO_INIT_SYSTEM] });
  if (!facts.exists || !facts.active) return NO_FINDINGS;
  return findings({
    warnings: [
      `firewalld is active, please ensure ports [${ports.join(' ')}] are open or your cluster may not function correctly`,
    ],
  });
}

export function firewalld(ports: readonly number[]): Check {
  return { name: 'Firewalld', run: async (p) => judgeFirewalld(ports, await p.service('firewalld')) };
}
