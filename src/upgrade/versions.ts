// Which Kubernetes versions an upgrade may go to: kbadm's supported range, the releases kbadm knows
// of (its own list: kbadm never asks dl.k8s.io), kubeadm's version skew policy (policy.go) and the
// upgrades `upgrade plan` offers (compute.go). Pure: versions in, versions and messages out.
import {
  compareVersions,
  formatVersion,
  KBADM_KUBE_VERSION,
  MINIMUM_CONTROL_PLANE,
  parseKubernetesVersion,
  type KubeVersion,
} from '../config/k8s-version.js';
import { etcdImage } from '../config/images.js';

/**
 * The Kubernetes releases kbadm knows of: those published up to kbadm's own release (v1.34.0, 27
 * August 2025) inside its supported range (v1.33 and v1.34). A release published later is not
 * here, even when it exists; `upgrade plan <version>` and `upgrade apply <version>` take any
 * version from the command line instead.
 */
export const KNOWN_RELEASES: readonly string[] = [
  'v1.33.0',
  'v1.33.1',
  'v1.33.2',
  'v1.33.3',
  'v1.33.4',
  'v1.34.0',
];

/** Minors the control plane may move up in one upgrade (kubeadm's MaximumAllowedMinorVersionUpgradeSkew). */
export const MAX_MINOR_UPGRADE_SKEW = 1n;
/** Minors the control plane may move down in one go. */
export const MAX_MINOR_DOWNGRADE_SKEW = 1n;
/** How many minors kubelets may lag the control plane: 3 since Kubernetes 1.29 (1 before). */
export const MAX_KUBELET_MINOR_SKEW = 3n;

function mustParse(s: string): KubeVersion {
  const v = parseKubernetesVersion(s);
  if (!v) throw new Error(`internal: bad built-in version ${s}`);
  return v;
}

/** The known releases, oldest first. */
export function knownReleases(list: readonly string[] = KNOWN_RELEASES): KubeVersion[] {
  return list.map(mustParse).sort(compareVersions);
}

export const isPreRelease = (v: KubeVersion): boolean => v.preRelease.length > 0;
export const isReleaseCandidate = (v: KubeVersion): boolean => v.preRelease[0]?.startsWith('rc') ?? false;
const sameMinor = (a: KubeVersion, b: KubeVersion): boolean => a.major === b.major && a.minor === b.minor;

/** `v1.33`: a version's series. */
export function seriesOf(v: KubeVersion): string {
  return `v${v.major}.${v.minor}`;
}

/** The control-plane versions kbadm can deploy and manage: from the minimum to any patch of its own minor. */
export interface SupportedRange {
  minimum: KubeVersion;
  /** The newest minor, as `v1.34`. */
  newestSeries: string;
}

export function supportedRange(kbadm: KubeVersion = KBADM_KUBE_VERSION): SupportedRange {
  return { minimum: MINIMUM_CONTROL_PLANE, newestSeries: seriesOf(kbadm) };
}

export function isSupportedControlPlane(v: KubeVersion, kbadm: KubeVersion = KBADM_KUBE_VERSION): boolean {
  if (compareVersions(v, MINIMUM_CONTROL_PLANE) < 0) return false;
  return v.major < kbadm.major || (v.major === kbadm.major && v.minor <= kbadm.minor);
}

// ---------------------------------------------------------------------------------------------------
// Skew policy

export interface SkewInput {
  /** The version asked for, and its text as the user wrote it (kubeadm quotes it as given). */
  target: KubeVersion;
  targetText: string;
  /** The cluster's current control-plane version. */
  cluster: KubeVersion;
  /** kbadm's own version; its release by default. */
  kbadm?: KubeVersion;
  /** Distinct kubelet versions in the cluster; undefined when they could not be read (no check then). */
  kubeletVersions?: readonly string[];
  allowExperimentalUpgrades?: boolean;
  allowReleaseCandidateUpgrades?: boolean;
}

/** Mandatory problems stop the upgrade; skippable ones stop it unless --force is given. */
export interface SkewProblems {
  mandatory: string[];
  skippable: string[];
}

/**
 * kubeadm's EnforceVersionPolicies, with its texts. One deliberate difference: kubeadm names the
 * cluster's version where it means the minimum supported one; kbadm names the minimum.
 */
export function checkVersionSkew(input: SkewInput): SkewProblems {
  const { target, targetText, cluster } = input;
  const kbadm = input.kbadm ?? KBADM_KUBE_VERSION;
  const kbadmText = formatVersion(kbadm);
  const q = JSON.stringify(targetText);
  const mandatory: string[] = [];
  const skippable: string[] = [];
  // A pre-release may break the minor rules with --force; a release may not.
  const minorRule = isPreRelease(target) ? skippable : mandatory;

  if (compareVersions(target, MINIMUM_CONTROL_PLANE) <= 0) {
    mandatory.push(
      `Specified version to upgrade to ${q} is equal to or lower than the minimum supported version ${JSON.stringify(
        formatVersion(MINIMUM_CONTROL_PLANE),
      )}. Please specify a higher version to upgrade to`,
    );
  }
  if (target.minor > cluster.minor + MAX_MINOR_UPGRADE_SKEW) {
    minorRule.push(
      `Specified version to upgrade to ${q} is too high; kubeadm can upgrade only ${MAX_MINOR_UPGRADE_SKEW} minor version at a time`,
    );
  }
  if (target.minor < cluster.minor - MAX_MINOR_DOWNGRADE_SKEW) {
    minorRule.push(
      `Specified version to downgrade to ${q} is too low; kubeadm can downgrade only ${MAX_MINOR_DOWNGRADE_SKEW} minor version at a time`,
    );
  }
  if (compareVersions(kbadm, target) < 0) {
    if (target.minor > kbadm.minor) {
      minorRule.push(
        `Specified version to upgrade to ${q} is at least one minor release higher than the kubeadm minor release (${target.minor} > ${kbadm.minor}). Such an upgrade is not supported`,
      );
    } else {
      skippable.push(
        `Specified version to upgrade to ${q} is higher than the kubeadm version ${JSON.stringify(kbadmText)}. Upgrade kubeadm first using the tool you used to install kubeadm`,
      );
    }
  }
  if (kbadm.major > target.major || kbadm.minor > target.minor) {
    skippable.push(
      `Kubeadm version ${kbadmText} can only be used to upgrade to Kubernetes version ${kbadm.major}.${kbadm.minor}`,
    );
  }
  if (
    isPreRelease(target) &&
    !input.allowExperimentalUpgrades &&
    !(isReleaseCandidate(target) && input.allowReleaseCandidateUpgrades)
  ) {
    skippable.push(
      `Specified version to upgrade to ${q} is an unstable version and such upgrades weren't allowed via setting the --allow-*-upgrades flags`,
    );
  }
  if (input.kubeletVersions) {
    const tooOld: string[] = [];
    for (const text of [...input.kubeletVersions].sort()) {
      const v = parseKubernetesVersion(text);
      if (!v) {
        skippable.push(`couldn't parse kubelet version ${text}`);
        continue;
      }
      if (target.minor > v.minor + MAX_KUBELET_MINOR_SKEW) tooOld.push(text);
    }
    if (tooOld.length > 0) {
      skippable.push(
        `There are kubelets in this cluster that are too old that have these versions [${tooOld.join(' ')}]`,
      );
    }
  }
  return { mandatory, skippable };
}

const listed = (messages: readonly string[]): string => messages.map((m) => `\t- ${m}\n`).join('');

/**
 * What apply makes of the problems: an error text (kubeadm's, without the `[upgrade/version] FATAL: `
 * prefix the caller adds), or with --force a notice that skippable ones were passed over.
 */
export function skewVerdict(problems: SkewProblems, force: boolean): { error?: string; notice?: string } {
  if (problems.mandatory.length > 0) {
    return {
      error: `the --version argument is invalid due to these fatal errors:\n\n${listed(problems.mandatory)}\nPlease fix the misalignments highlighted above and try upgrading again`,
    };
  }
  if (problems.skippable.length === 0) return {};
  if (!force) {
    return {
      error: `the --version argument is invalid due to these errors:\n\n${listed(problems.skippable)}\nCan be bypassed if you pass the --force flag`,
    };
  }
  return {
    notice: `Found ${problems.skippable.length} potential version compatibility errors but skipping since the --force flag is set: \n\n${listed(problems.skippable)}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Available upgrades

export interface AvailableUpgrade {
  /** kubeadm's words after "Upgrade to the latest ": `version in the v1.33 series`, `stable version`... */
  description: string;
  target: KubeVersion;
  /** The flag `upgrade apply` needs for a pre-release target, or ''. */
  applyFlag: '' | '--allow-release-candidate-upgrades' | '--allow-experimental-upgrades';
  /** kbadm is older than the target: it must be replaced first. */
  needsNewerKbadm: boolean;
}

export interface UpgradeQuery {
  cluster: KubeVersion;
  kbadm?: KubeVersion;
  /** The releases to choose from; kbadm's own list by default. */
  releases?: readonly KubeVersion[];
  /** A version from the command line: the only candidate, as kubeadm's offline lookup. */
  target?: KubeVersion;
  allowExperimentalUpgrades?: boolean;
  allowReleaseCandidateUpgrades?: boolean;
}

function upgradeTo(description: string, target: KubeVersion, kbadm: KubeVersion): AvailableUpgrade {
  const applyFlag = !isPreRelease(target)
    ? ''
    : isReleaseCandidate(target)
      ? '--allow-release-candidate-upgrades'
      : '--allow-experimental-upgrades';
  return { description, target, applyFlag, needsNewerKbadm: compareVersions(kbadm, target) < 0 };
}

function describe(target: KubeVersion, cluster: KubeVersion): string {
  if (isPreRelease(target))
    return isReleaseCandidate(target) ? 'release candidate version' : 'experimental version';
  return sameMinor(target, cluster) ? `version in the ${seriesOf(cluster)} series` : 'stable version';
}

function newest(versions: readonly KubeVersion[]): KubeVersion | undefined {
  return [...versions].sort(compareVersions).at(-1);
}

/**
 * The upgrades `upgrade plan` lists, in kubeadm's order: the newest patch of the cluster's minor,
 * the newest release of the next minor, then (when allowed) the newest release candidate and the
 * newest pre-release of those two minors. Only versions above the cluster's appear; a target from
 * the command line is the one candidate.
 */
export function availableUpgrades(q: UpgradeQuery): AvailableUpgrade[] {
  const kbadm = q.kbadm ?? KBADM_KUBE_VERSION;
  const { cluster } = q;
  const above = (v: KubeVersion): boolean => compareVersions(v, cluster) > 0;
  if (q.target) return above(q.target) ? [upgradeTo(describe(q.target, cluster), q.target, kbadm)] : [];

  const releases = (q.releases ?? knownReleases()).filter(above);
  const next = { ...cluster, minor: cluster.minor + 1n };
  const inMinor = (m: KubeVersion) => releases.filter((v) => sameMinor(v, m));
  const upgrades: AvailableUpgrade[] = [];
  const patch = newest(inMinor(cluster).filter((v) => !isPreRelease(v)));
  if (patch) upgrades.push(upgradeTo(`version in the ${seriesOf(cluster)} series`, patch, kbadm));
  const stable = newest(inMinor(next).filter((v) => !isPreRelease(v)));
  if (stable) upgrades.push(upgradeTo('stable version', stable, kbadm));

  // Pre-releases matter only when newer than every stable choice.
  const best = stable ?? patch ?? cluster;
  const candidates = [...inMinor(cluster), ...inMinor(next)].filter(
    (v) => isPreRelease(v) && compareVersions(v, best) > 0,
  );
  const rc = newest(candidates.filter(isReleaseCandidate));
  if (q.allowReleaseCandidateUpgrades && rc) upgrades.push(upgradeTo('release candidate version', rc, kbadm));
  const experimental = newest(candidates);
  if (q.allowExperimentalUpgrades && experimental)
    upgrades.push(upgradeTo('experimental version', experimental, kbadm));
  return upgrades;
}

/** The newest known release of a version's minor (kubeadm's "Latest version in the v1.33 series"). */
export function latestInSeries(
  v: KubeVersion,
  releases: readonly KubeVersion[] = knownReleases(),
): KubeVersion | undefined {
  return newest(releases.filter((r) => sameMinor(r, v) && !isPreRelease(r)));
}

/**
 * The etcd tag kbadm would deploy for a target: ClusterConfiguration's etcd.local.imageTag when
 * set, else its supported-etcd table entry for the target's minor (the nearest one outside it).
 */
export function etcdTargetTag(target: KubeVersion, configuredTag?: string): string {
  if (configuredTag) return configuredTag;
  const image = etcdImage({ repository: 'r' }, target).image;
  return image.slice(image.lastIndexOf(':') + 1);
}
