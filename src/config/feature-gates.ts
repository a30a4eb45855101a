// kubeadm's own feature gates (ClusterConfiguration.featureGates, --feature-gates) for the
// Kubernetes release kbadm tracks (v1.34), with kubeadm's parsing rules and messages.

import { ValidationError, type FieldProblem } from '../errors.js';

export type FeatureStage = 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED';

export interface FeatureGate {
  name: string;
  stage: FeatureStage;
  default: boolean;
  /** GA gates cannot be set to anything but their default. */
  lockToDefault?: boolean;
  hiddenInHelp?: boolean;
  /** Printed as a warning when a deprecated gate is used in a config file. */
  deprecationMessage?: string;
}

// v1.34: NodeLocalCRISocket beta (on); ControlPlaneKubeletLocalMode beta (on, GA in v1.35);
// WaitForAllControlPlaneComponents GA and locked (removed in v1.35); PublicKeysECDSA deprecated in
// favour of ClusterConfiguration.encryptionAlgorithm. EtcdLearnerMode and
// UpgradeAddonsBeforeControlPlane no longer exist.
export const FEATURE_GATES: readonly FeatureGate[] = [
  { name: 'ControlPlaneKubeletLocalMode', stage: 'BETA', default: true },
  { name: 'NodeLocalCRISocket', stage: 'BETA', default: true },
  {
    name: 'PublicKeysECDSA',
    stage: 'DEPRECATED',
    default: false,
    deprecationMessage:
      "The PublicKeysECDSA feature gate is deprecated and will be removed when v1beta3 is removed. v1beta4 supports a new option 'ClusterConfiguration.EncryptionAlgorithm'.",
  },
  { name: 'RootlessControlPlane', stage: 'ALPHA', default: false },
  { name: 'WaitForAllControlPlaneComponents', stage: 'GA', default: true, lockToDefault: true },
];

const BY_NAME = new Map(FEATURE_GATES.map((g) => [g.name, g]));

/** Whether a gate is on, given the user's settings (unset gates take their default). */
export function featureEnabled(gates: Record<string, boolean> | undefined, name: string): boolean {
  const set = gates && Object.hasOwn(gates, name) ? gates[name] : undefined;
  return set ?? BY_NAME.get(name)?.default ?? false;
}

/** Go's strconv.ParseBool, which kubeadm uses for `Name=value`. */
function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function lockedMessage(g: FeatureGate, value: boolean): string {
  return `cannot set feature gate ${g.name} to ${value}, feature is locked to ${g.default}`;
}

/**
 * The `--feature-gates` flag value (`A=true,B=false`), parsed as kubeadm's NewFeatureGate does:
 * unknown and deprecated gates and non-bool values are errors (deprecated gates are accepted only
 * in config files). Throws a ValidationError naming the flag and the gate.
 */
export function parseFeatureGates(s: string, field = 'feature-gates'): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const item of s.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq === -1) {
      throw new ValidationError([
        { field, value: s, detail: `missing bool value for feature-gate key:${item}` },
      ]);
    }
    const k = item.slice(0, eq).trim();
    const v = item.slice(eq + 1).trim();
    const g = BY_NAME.get(k);
    if (!g) throw new ValidationError([{ field, value: s, detail: `unrecognized feature-gate key: ${k}` }]);
    if (g.stage === 'DEPRECATED') {
      throw new ValidationError([{ field, value: s, detail: `feature-gate key is deprecated: ${k}` }]);
    }
    const b = parseGoBool(v);
    if (b === undefined) {
      throw new ValidationError([
        { field, value: s, detail: `invalid value ${v} for feature-gate key: ${k}, use true|false instead` },
      ]);
    }
    if (g.lockToDefault && b !== g.default) {
      throw new ValidationError([{ field, value: s, detail: lockedMessage(g, b) }]);
    }
    out[k] = b;
  }
  return out;
}

/**
 * `ClusterConfiguration.featureGates` from a config file. Like kubeadm's ValidateFeatureGates the
 * problem's value is the whole map; deprecated gates only warn (with the gate's deprecation text).
 */
export function validateFeatureGates(
  gates: Record<string, unknown>,
  field: string,
): { errors: FieldProblem[]; warnings: string[] } {
  const errors: FieldProblem[] = [];
  const warnings: string[] = [];
  for (const name of Object.keys(gates).sort()) {
    const value = gates[name];
    const g = BY_NAME.get(name);
    if (!g) {
      errors.push({ field, value: gates, detail: `${name} is not a valid feature name.` });
      continue;
    }
    if (typeof value !== 'boolean') {
      errors.push({
        field,
        value: gates,
        detail: `invalid value ${JSON.stringify(value)} for feature-gate key: ${name}, use true|false instead`,
      });
      continue;
    }
    if (g.lockToDefault && value !== g.default) {
      errors.push({ field, value: gates, detail: lockedMessage(g, value) });
      continue;
    }
    if (g.stage === 'DEPRECATED') warnings.push(g.deprecationMessage ?? `feature gate ${name} is deprecated`);
  }
  return { errors, warnings };
}

/** kubeadm's KnownFeatures: sorted `Name=true|false (STAGE - default=<bool>)`, GA without a stage. */
export function featureGatesHelpLines(): string[] {
  return FEATURE_GATES.filter((g) => !g.hiddenInHelp)
    .map((g) => `${g.name}=true|false (${g.stage === 'GA' ? '' : `${g.stage} - `}default=${g.default})`)
    .sort();
}

/** The text after "Options are:" in the `--feature-gates` help, one gate a line. */
export function featureGatesHelp(): string {
  return featureGatesHelpLines().join('\n');
}
