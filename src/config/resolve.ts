// The configuration a command runs with: from --config (plus the flags kubeadm lets through), or
// from flags alone, then dynamically defaulted and validated. This is what init / join / reset
// (and `config images`) call; problems from flag values name the flag.
import { ConfigValidationError, type ConfigProblem } from './errors.js';
import {
  initDocumentsFromFlags,
  INIT_FLAG_FIELDS,
  JOIN_FLAG_FIELDS,
  JOIN_FLAGS_ALLOWED_WITH_CONFIG,
  joinDocumentFromFlags,
  overrideInitFromFlags,
  overrideJoinFromFlags,
  overrideResetFromFlags,
  RESET_FLAG_FIELDS,
  resetDocumentFromFlags,
  validateMixedArguments,
  type SetFlags,
} from './flags.js';
import { initFromWire } from './convert.js';
import {
  decodeConfig,
  decodeTreeDocuments,
  initConfigFromDecoded,
  joinConfigFromDecoded,
  plainToTreeDocuments,
  resetConfigFromDecoded,
  type Loaded,
  type LoadOptions,
} from './load.js';
import { V1BETA4, type InitConfig, type JoinConfiguration, type ResetConfiguration } from './model.js';

export interface ResolveOptions extends Omit<LoadOptions, 'strict'> {
  /** The --config file's text, when --config was given. */
  configText?: string;
  /** Flags the user set, by name (see workflow/flags.ts `userSetFlags`); `config` need not be among them. */
  flags: SetFlags;
}

/**
 * Adds "(from --flag)" to problems with fields that a flag the user set fills. With `overFile`, the
 * flag replaced a --config value, so such a problem loses the file position it was given.
 */
function nameFlags<T>(
  fields: Readonly<Record<string, string>>,
  flags: SetFlags,
  fn: () => T,
  overFile = false,
): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ConfigValidationError)) throw e;
    const problems: ConfigProblem[] = e.problems.map((p) => {
      const flag = Object.keys(flags).find((f) =>
        (fields[f] ?? '').split(', ').some((field) => field !== '' && p.field.startsWith(field)),
      );
      if (!flag) return p;
      const named = { ...p, detail: `${p.detail} (from --${flag})` };
      if (overFile) {
        delete named.line;
        delete named.column;
      }
      return named;
    });
    throw new ConfigValidationError(problems, e.source);
  }
}

function checkMixing(o: ResolveOptions, alsoAllowed: readonly string[] = []): void {
  if (o.configText !== undefined) validateMixedArguments(['config', ...Object.keys(o.flags)], alsoAllowed);
}

export function resolveInitConfig(o: ResolveOptions): Loaded<InitConfig> {
  checkMixing(o);
  if (o.configText !== undefined) {
    const decoded = decodeConfig(o.configText, o);
    const docs = decoded.documents;
    if (docs.init || docs.cluster)
      docs.init = overrideInitFromFlags(docs.init ?? initFromWire({}, V1BETA4), o.flags);
    return initConfigFromDecoded(decoded, o);
  }
  return nameFlags(INIT_FLAG_FIELDS, o.flags, () => {
    const decoded = decodeTreeDocuments(plainToTreeDocuments(initDocumentsFromFlags(o.flags)), {});
    return initConfigFromDecoded(decoded, { ...o, source: undefined });
  });
}

export function resolveJoinConfig(
  o: ResolveOptions & { args?: readonly string[] },
): Loaded<JoinConfiguration> {
  checkMixing(o, JOIN_FLAGS_ALLOWED_WITH_CONFIG);
  if (o.configText !== undefined) {
    const decoded = decodeConfig(o.configText, o);
    if (decoded.documents.join)
      decoded.documents.join = overrideJoinFromFlags(decoded.documents.join, o.flags);
    // A value from kbadm's own flags is on no line of the file: its problems name the flag.
    const fields = Object.fromEntries(JOIN_FLAGS_ALLOWED_WITH_CONFIG.map((f) => [f, JOIN_FLAG_FIELDS[f]!]));
    return nameFlags(fields, o.flags, () => joinConfigFromDecoded(decoded, o), true);
  }
  return nameFlags(JOIN_FLAG_FIELDS, o.flags, () => {
    const { document, warnings } = joinDocumentFromFlags(o.flags, o.args ?? []);
    const decoded = decodeTreeDocuments(plainToTreeDocuments([document]), {});
    const r = joinConfigFromDecoded(decoded, { ...o, source: undefined });
    return { ...r, warnings: [...warnings, ...r.warnings] };
  });
}

export function resolveResetConfig(o: ResolveOptions): Loaded<ResetConfiguration> {
  checkMixing(o);
  if (o.configText !== undefined) {
    const decoded = decodeConfig(o.configText, o);
    if (decoded.documents.reset)
      decoded.documents.reset = overrideResetFromFlags(decoded.documents.reset, o.flags);
    return resetConfigFromDecoded(decoded, o);
  }
  return nameFlags(RESET_FLAG_FIELDS, o.flags, () => {
    const decoded = decodeTreeDocuments(plainToTreeDocuments([resetDocumentFromFlags(o.flags)]), {});
    return resetConfigFromDecoded(decoded, { ...o, source: undefined });
  });
}
