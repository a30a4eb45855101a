// The one validation entry the loader calls: every kind present, every problem collected.
import type { FieldProblem } from '../errors.js';
import type { ConfigDocuments } from './model.js';
import {
  validateCluster,
  validateInit,
  validateJoin,
  validateReset,
  validateUpgrade,
  type ValidationContext,
  type ValidationResult,
} from './validation/index.js';

export type { ValidationContext, ValidationResult };

/** A configuration whose kinds are already dynamically defaulted (the init pair as one). */
export type ValidatableConfig = Pick<ConfigDocuments, 'init' | 'cluster' | 'join' | 'reset' | 'upgrade'> & {
  componentConfigs?: ConfigDocuments['componentConfigs'];
};

export function validateConfig(
  cfg: ValidatableConfig,
  ctx: ValidationContext,
): { errors: FieldProblem[]; warnings: string[] } {
  const errors: FieldProblem[] = [];
  const warnings: string[] = [];
  const add = (r: ValidationResult): void => {
    errors.push(...r.errors);
    warnings.push(...r.warnings);
  };
  if (cfg.init && cfg.cluster) {
    add(
      validateInit(
        { init: cfg.init, cluster: cfg.cluster, componentConfigs: cfg.componentConfigs ?? {} },
        ctx,
      ),
    );
  } else if (cfg.cluster) {
    add(validateCluster(cfg.cluster, ctx));
  }
  if (cfg.join) add(validateJoin(cfg.join, ctx));
  if (cfg.reset) add(validateReset(cfg.reset, ctx));
  if (cfg.upgrade) add(validateUpgrade(cfg.upgrade, ctx));
  return { errors, warnings };
}
