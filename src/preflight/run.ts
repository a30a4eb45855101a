// Runs a preflight plan and reports the way kubeadm does: each warning as it comes (stderr, a tab
// then `[WARNING <name>]: <message>`), then all errors of the failing stage together, then the
// `preflight checks failed` error (exit code 2). Errors of ignored checks are shown as warnings.
import { PreflightError } from '../errors.js';
import type { Output } from '../output/output.js';
import { errorMessage, type Check, type NodeProbe } from './check.js';
import type { PreflightPlan } from './lists.js';

export interface Finding {
  check: string;
  message: string;
}

export interface PreflightReport {
  warnings: Finding[];
  errors: Finding[];
}

export const PREFLIGHT_FAILED = 'preflight checks failed';

/** The check names to downgrade, lower-cased (kubeadm compares them case-insensitively). */
export function ignoreSet(names: readonly string[]): ReadonlySet<string> {
  return new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n !== ''));
}

export function isIgnored(ignored: ReadonlySet<string>, check: string): boolean {
  return ignored.has('all') || ignored.has(check.toLowerCase());
}

/** Runs one stage: every check in order, warnings printed as they come, errors collected. */
export async function runChecks(
  checks: readonly Check[],
  probe: NodeProbe,
  ignored: ReadonlySet<string>,
  out: Output,
): Promise<PreflightReport> {
  const report: PreflightReport = { warnings: [], errors: [] };
  for (const check of checks) {
    let result;
    try {
      result = await check.run(probe);
    } catch (err) {
      // A check that cannot even gather its facts has failed.
      result = { warnings: [], errors: [errorMessage(err)] };
    }
    if (result.skipped)
      out.log.info('preflight check skipped', { check: check.name, reason: result.skipped });
    for (const line of result.errors.length > 0 ? (result.details ?? []) : []) out.progressLine(line);
    const downgrade = isIgnored(ignored, check.name);
    const warnings = downgrade ? [...result.warnings, ...result.errors] : result.warnings;
    for (const message of warnings) {
      out.stderrLine(`\t[WARNING ${check.name}]: ${message}`);
      report.warnings.push({ check: check.name, message });
    }
    if (!downgrade) for (const message of result.errors) report.errors.push({ check: check.name, message });
  }
  return report;
}

/** kubeadm's block for the errors of a failed stage. */
export function formatErrors(errors: readonly Finding[]): string[] {
  return [
    '[preflight] Some fatal errors occurred:',
    ...errors.map((e) => `\t[ERROR ${e.check}]: ${e.message}`),
    '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`',
  ];
}

/** Runs the stages in order; the first one with errors prints them and throws a PreflightError. */
export async function runPreflight(
  plan: PreflightPlan,
  probe: NodeProbe,
  ignored: ReadonlySet<string>,
  out: Output,
): Promise<PreflightReport> {
  const all: PreflightReport = { warnings: [], errors: [] };
  for (const stage of plan) {
    const report = await runChecks(stage, probe, ignored, out);
    all.warnings.push(...report.warnings);
    if (report.errors.length > 0) {
      for (const line of formatErrors(report.errors)) out.stderrLine(line);
      throw new PreflightError(PREFLIGHT_FAILED);
    }
  }
  return all;
}
