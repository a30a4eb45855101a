// kubeadm's SystemVerification, as far as kbadm checks it: the operating system, the kernel
// release and the cgroup controllers (Kubernetes' system-validators spec). The kernel's build
// configuration (/proc/config.gz and friends) is not read. The report lines are printed only when
// the check fails, as kubeadm does.
import { findings, type Check, type Findings } from './check.js';

/** Supported kernels: the 5.4, 5.10 and 5.15 LTS series and anything from 6.0 on. */
const KERNEL_VERSIONS = [/^5\.4.*$/, /^5\.10.*$/, /^5\.15.*$/, /^([6-9]|[1-9][0-9]+)\.([0-9]+)\.([0-9]+).*$/];
const CGROUPS_V1 = ['cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids'];
const CGROUPS_V1_OPTIONAL = ['hugetlb', 'blkio'];
const CGROUPS_V2 = ['cpu', 'cpuset', 'devices', 'freezer', 'memory', 'pids'];
const CGROUPS_V2_OPTIONAL = ['hugetlb', 'io'];
// cgroup v2 enables these implicitly; they never appear in cgroup.controllers.
const CGROUPS_V2_IMPLICIT = ['devices', 'freezer'];

export const CGROUP_V2_CONTROLLERS = '/sys/fs/cgroup/cgroup.controllers';
export const PROC_CGROUPS = '/proc/cgroups';

const REPORT_HEADER =
  '[preflight] The system verification failed. Printing the output from the verification:';

export interface SystemFacts {
  os: string;
  kernelRelease: string;
  /** v2: the controllers listed; v1: the enabled subsystems of /proc/cgroups; none: neither could be read. */
  cgroups: { version: 2 | 1; controllers: string[] } | { version: 'none'; error: string };
}

/** The enabled subsystems in /proc/cgroups (name, hierarchy, num_cgroups, enabled). */
export function parseProcCgroups(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4 && f[3] !== '0')
    .map((f) => f[0]!);
}

export function judgeSystem(facts: SystemFacts): Findings {
  const report: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];

  const kernelOk = KERNEL_VERSIONS.some((r) => r.test(facts.kernelRelease));
  report.push(`KERNEL_VERSION: ${facts.kernelRelease}`);
  if (!kernelOk) errors.push(`unsupported kernel release: ${facts.kernelRelease}`);

  report.push(`OS: ${facts.os}`);
  if (facts.os !== 'Linux') errors.push(`unsupported operating system: ${facts.os}`);

  const cg = facts.cgroups;
  if (cg.version === 'none') {
    errors.push(`cannot read the cgroup controllers: ${cg.error}`);
  } else {
    if (cg.version === 1)
      warnings.push('cgroups v1 support is in maintenance mode, please migrate to cgroups v2');
    const available = new Set(
      cg.version === 2 ? [...CGROUPS_V2_IMPLICIT, ...cg.controllers] : cg.controllers,
    );
    const required = cg.version === 2 ? CGROUPS_V2 : CGROUPS_V1;
    const optional = cg.version === 2 ? CGROUPS_V2_OPTIONAL : CGROUPS_V1_OPTIONAL;
    const missing = (names: string[]) => names.filter((n) => !available.has(n));
    for (const n of [...required, ...optional])
      report.push(`CGROUPS_${n.toUpperCase()}: ${available.has(n) ? 'enabled' : 'missing'}`);
    if (missing(required).length > 0) errors.push(`missing required cgroups: ${missing(required).join(' ')}`);
    if (missing(optional).length > 0)
      warnings.push(`missing optional cgroups: ${missing(optional).join(' ')}`);
  }
  if (errors.length === 0) return findings({ warnings });
  return findings({ errors, warnings, details: [REPORT_HEADER, ...report] });
}

export function systemVerification(): Check {
  return {
    name: 'SystemVerification',
    async run(p) {
      const machine = await p.machine();
      let cgroups: SystemFacts['cgroups'];
      const v2 = await p.readFile(CGROUP_V2_CONTROLLERS);
      if (v2 !== undefined) {
        cgroups = { version: 2, controllers: v2.trim().split(/\s+/).filter(Boolean) };
      } else {
        const v1 = await p.readFile(PROC_CGROUPS);
        cgroups =
          v1 === undefined
            ? { version: 'none', error: `neither ${CGROUP_V2_CONTROLLERS} nor ${PROC_CGROUPS} can be read` }
            : { version: 1, controllers: parseProcCgroups(v1) };
      }
      return judgeSystem({ os: machine.os, kernelRelease: machine.kernelRelease, cgroups });
    },
  };
}
