// Validation entry points, one per kind. Each returns every problem it finds (field paths start
// with the kind, e.g. `ClusterConfiguration.networking.podSubnet`) plus warnings; nothing throws.
// The rules themselves live beside this file, one module per area of kubeadm's validation.go;
// rules.ts assembles them per kind.
import type { FieldProblem } from '../../errors.js';
import type {
  ClusterConfiguration,
  InitConfig,
  JoinConfiguration,
  ResetConfiguration,
  UpgradeConfiguration,
} from '../model.js';
import { clusterRules, initConfigRules, joinRules, resetRules, upgradeRules } from './rules.js';

export interface ValidationContext {
  /** The command the configuration is for. */
  command: 'init' | 'join' | 'reset' | 'upgrade' | 'validate';
  /** Whether a host path exists (for discovery.file.kubeConfigPath); the rule is skipped without it. */
  fileExists?: (path: string) => boolean;
}

export interface ValidationResult {
  errors: FieldProblem[];
  warnings: string[];
}

export function validateCluster(cfg: ClusterConfiguration, _ctx: ValidationContext): ValidationResult {
  return clusterRules(cfg);
}

export function validateInit(cfg: InitConfig, _ctx: ValidationContext): ValidationResult {
  return initConfigRules(cfg);
}

export function validateJoin(cfg: JoinConfiguration, ctx: ValidationContext): ValidationResult {
  return joinRules(cfg, ctx.fileExists ? { fileExists: ctx.fileExists } : {});
}

export function validateReset(cfg: ResetConfiguration, _ctx: ValidationContext): ValidationResult {
  return resetRules(cfg);
}

export function validateUpgrade(cfg: UpgradeConfiguration, _ctx: ValidationContext): ValidationResult {
  return upgradeRules(cfg);
}
