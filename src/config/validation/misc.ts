// Smaller rules: kubernetesVersion, feature gates, patches, timeouts, reset's unmount flags.
import type { FieldProblem } from '../../errors.js';
import { formatDuration } from '../duration.js';
import { validateFeatureGates as featureGateFindings } from '../feature-gates.js';
import { checkSupportedVersion, parseKubernetesVersion } from '../k8s-version.js';
import type { Patches, Timeouts } from '../model.js';
import { invalid, validateAbsolutePath, type Findings } from './common.js';

/** reset's umount2 flags. */
export const UNMOUNT_FLAGS = ['MNT_FORCE', 'MNT_DETACH', 'MNT_EXPIRE', 'UMOUNT_NOFOLLOW'] as const;

/**
 * kubeadm's version policy (NormalizeKubernetesVersion) for a concrete version: below the minimum
 * control-plane version is an error; above kbadm's own minor a warning. Labels (`stable-1`) are
 * resolved by defaulting and are not judged here.
 */
export function validateKubernetesVersion(version: string, field: string): Findings {
  const v = parseKubernetesVersion(version);
  if (!v) return { errors: [], warnings: [] };
  const r = checkSupportedVersion(v);
  return { errors: r.errors.map((d) => invalid(field, version, d)), warnings: r.warnings };
}

/** kubeadm's ValidateFeatureGates: unknown or locked gates are errors, deprecated ones warn. */
export function validateFeatureGates(gates: Record<string, unknown>, field: string): Findings {
  return featureGateFindings(gates, field);
}

/**
 * patches.directory must be absolute. kubeadm checks this for UpgradeConfiguration; kbadm applies
 * the same rule to Init/JoinConfiguration, where a relative path would depend on the working directory.
 */
export function validatePatches(patches: Patches | undefined, path: string): FieldProblem[] {
  return patches ? validateAbsolutePath(patches.directory, `${path}.directory`) : [];
}

/**
 * kbadm's own rule (kubeadm accepts any Go duration here): a negative wait limit would expire
 * before the first attempt.
 */
export function validateTimeouts(t: Timeouts, path: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const [k, v] of Object.entries(t) as [keyof Timeouts, number][]) {
    if (v < 0) out.push(invalid(`${path}.${k}`, formatDuration(v), 'the timeout must not be negative'));
  }
  return out;
}

/** kubeadm's ValidateUnmountFlags: the value shown is the item's index, as kubeadm reports it. */
export function validateUnmountFlags(flags: readonly string[], field: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  flags.forEach((f, i) => {
    if (!(UNMOUNT_FLAGS as readonly string[]).includes(f))
      out.push(invalid(field, `index ${i}`, `unknown unmount flag ${f}`));
  });
  return out;
}
