// Kubernetes release versions (semver with an optional `v`) and kubeadm's rule for which
// control-plane versions this build may deploy.

import { KBADM_VERSION, MINIMUM_CONTROL_PLANE_VERSION } from '../version.js';
import { goQuote } from './validation/go-compat.js';

export interface KubeVersion {
  /** Unsigned 64-bit integers, as Go's version package keeps them. */
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Dot-separated pre-release identifiers (`rc.1` → ['rc', '1']); empty for a release. */
  preRelease: string[];
  /** Build metadata after `+`, ignored for ordering. */
  build: string;
}

// Same shape kubeadm's KubernetesReleaseVersion accepts before handing it to version.ParseSemantic.
const VERSION_RE =
  /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

const MAX_UINT64 = 2n ** 64n - 1n;

/**
 * `v1.34.0`, `1.34.0`, `v1.34.0-rc.1`, `v1.34.1+build`. Labels such as `stable`, `stable-1`,
 * `latest-1.34` or `ci/latest` are rejected: kubeadm resolves them over the network
 * (dl.k8s.io), which kbadm never does by itself; callers map them to a concrete version first.
 */
export function parseKubernetesVersion(s: string): KubeVersion | undefined {
  const r = parseKubernetesVersionOrError(s);
  return 'error' in r ? undefined : r;
}

/**
 * The same, saying why not: `shape` when the text is no version at all (it may be a label), or Go's
 * error when it has a version's shape but a component does not fit a uint64 (ParseSemantic's rule).
 */
export function parseKubernetesVersionOrError(s: string): KubeVersion | { error: string; shape?: true } {
  const m = VERSION_RE.exec(s);
  const preRelease = m?.[4] === undefined ? [] : m[4].split('.');
  // semver: numeric pre-release identifiers have no leading zeros.
  if (!m || preRelease.some((id) => /^[0-9]+$/.test(id) && id.length > 1 && id.startsWith('0'))) {
    return { error: `illegal version string ${goQuote(s)}`, shape: true };
  }
  const parts = [m[1]!, m[2]!, m[3]!];
  for (const part of parts) {
    if (BigInt(part) > MAX_UINT64) {
      return {
        error: `illegal non-numeric version component ${goQuote(part)} in ${goQuote(s)}: strconv.ParseUint: parsing ${goQuote(part)}: value out of range`,
      };
    }
  }
  const [major, minor, patch] = parts.map((p) => BigInt(p)) as [bigint, bigint, bigint];
  return { major, minor, patch, preRelease, build: m[5] ?? '' };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^[0-9]+$/.test(a);
  const bn = /^[0-9]+$/.test(b);
  if (an && bn) return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: -1, 0 or 1. A pre-release sorts before its release; build metadata is ignored. */
export function compareVersions(a: KubeVersion, b: KubeVersion): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  if (a.preRelease.length === 0 || b.preRelease.length === 0) {
    return Math.sign(b.preRelease.length - a.preRelease.length);
  }
  const n = Math.min(a.preRelease.length, b.preRelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.preRelease[i]!, b.preRelease[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.preRelease.length - b.preRelease.length);
}

/** `v1.34.0-rc.1+abc`: always with the `v`, as kubeadm normalizes kubernetesVersion. */
export function formatVersion(v: KubeVersion): string {
  const pre = v.preRelease.length ? `-${v.preRelease.join('.')}` : '';
  const build = v.build ? `+${v.build}` : '';
  return `v${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}

/** Without the `v`, as Go's version.Version String() prints it (kubeadm's error texts use this). */
export function formatSemantic(v: KubeVersion): string {
  return formatVersion(v).slice(1);
}

/** The image tag for a version: `v` prefix and `+` replaced by `_` (registries forbid `+`). */
export function imageTag(v: KubeVersion | string): string {
  const text = typeof v === 'string' ? v : formatVersion(v);
  const withV = text.startsWith('v') ? text : `v${text}`;
  return withV.replaceAll('+', '_');
}

function mustParse(s: string): KubeVersion {
  const v = parseKubernetesVersion(s);
  if (!v) throw new Error(`internal: bad built-in version ${s}`);
  return v;
}

export const KBADM_KUBE_VERSION: KubeVersion = mustParse(KBADM_VERSION);
export const MINIMUM_CONTROL_PLANE: KubeVersion = mustParse(MINIMUM_CONTROL_PLANE_VERSION);

/**
 * kubeadm's NormalizeKubernetesVersion rule: a version below the minimum control-plane version
 * (kbadm's minor − 1, .0) is an error with kubeadm's exact text. kubeadm itself has no check for a
 * newer minor at init time (upgrade has its own policy); kbadm warns, because the manifests it
 * renders follow its own release and may not fit a newer control plane.
 */
export function checkSupportedVersion(v: KubeVersion): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (compareVersions(v, MINIMUM_CONTROL_PLANE) < 0) {
    errors.push(
      `this version of kubeadm only supports deploying clusters with the control plane version >= ${formatSemantic(
        MINIMUM_CONTROL_PLANE,
      )}. Current version: ${formatVersion(v)}`,
    );
  }
  const k = KBADM_KUBE_VERSION;
  if (v.major > k.major || (v.major === k.major && v.minor > k.minor)) {
    warnings.push(
      `the requested Kubernetes version ${formatVersion(v)} is newer than the kbadm version ${formatVersion(
        k,
      )}; kbadm supports control plane versions v${MINIMUM_CONTROL_PLANE.major}.${MINIMUM_CONTROL_PLANE.minor} and v${k.major}.${k.minor}`,
    );
  }
  return { errors, warnings };
}
