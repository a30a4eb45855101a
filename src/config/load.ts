// Loading a kubeadm configuration file: split into documents, recognise each apiVersion/kind,
// decode against the version's schema, convert to the internal model with static defaults, then
// (per command) apply dynamic defaults from host facts and validate. All problems found in one
// step are reported together in one ConfigValidationError (exit 3) with field paths and lines.
import {
  clusterFromWire,
  initFromWire,
  joinFromWire,
  resetFromWire,
  upgradeFromWire,
  v1beta3ControlPlaneTimeout,
} from './convert.js';
import {
  applyInitDynamicDefaults,
  applyJoinDynamicDefaults,
  applyResetDynamicDefaults,
  type DefaultingFacts,
  type DynamicDefaultOptions,
} from './defaults.js';
import { ConfigValidationError, type ConfigProblem, type Position } from './errors.js';
import {
  KUBELET_CONFIG_API_VERSION,
  KUBEPROXY_CONFIG_API_VERSION,
  V1BETA3,
  V1BETA4,
  type ClusterConfiguration,
  type ComponentConfig,
  type ConfigDocuments,
  type InitConfig,
  type JoinConfiguration,
  type KubeadmApiVersion,
  type KubeadmKind,
  type ResetConfiguration,
  type UpgradeConfiguration,
} from './model.js';
import { KUBELET_CONFIGURATION_SCHEMA, KUBEPROXY_CONFIGURATION_SCHEMA } from './component-schema.js';
import {
  decodeWire,
  V1BETA3_SCHEMAS,
  V1BETA4_SCHEMAS,
  type DecodeResult,
  type FieldType,
  type Wire,
} from './schema.js';
import { validateConfig, type ValidationContext } from './validate.js';
import { parseYamlDocuments, type TreeDocument, type TreeNode } from './yaml-tree.js';

const KUBEADM_KINDS: readonly KubeadmKind[] = [
  'InitConfiguration',
  'ClusterConfiguration',
  'JoinConfiguration',
  'ResetConfiguration',
  'UpgradeConfiguration',
];

/** kubeadm API versions no longer read, and the kubeadm release that can still migrate them. */
const OLD_API_VERSIONS: Readonly<Record<string, string>> = {
  'kubeadm.k8s.io/v1alpha1': 'v1.11',
  'kubeadm.k8s.io/v1alpha2': 'v1.12',
  'kubeadm.k8s.io/v1alpha3': 'v1.14',
  'kubeadm.k8s.io/v1beta1': 'v1.15',
  'kubeadm.k8s.io/v1beta2': 'v1.22',
};

const COMPONENT_GROUPS: Readonly<
  Record<string, { kind: string; apiVersion: string; key: 'kubelet' | 'kubeProxy'; schema: FieldType }>
> = {
  'kubelet.config.k8s.io': {
    kind: 'KubeletConfiguration',
    apiVersion: KUBELET_CONFIG_API_VERSION,
    key: 'kubelet',
    schema: KUBELET_CONFIGURATION_SCHEMA,
  },
  'kubeproxy.config.k8s.io': {
    kind: 'KubeProxyConfiguration',
    apiVersion: KUBEPROXY_CONFIG_API_VERSION,
    key: 'kubeProxy',
    schema: KUBEPROXY_CONFIGURATION_SCHEMA,
  },
};

export interface DecodeOptions {
  /** File name, for messages. */
  source?: string;
  /**
   * Unknown/duplicate fields and unknown kinds are errors (kubeadm's `config validate` and
   * `config migrate`); otherwise they are warnings, as for init/join/reset/upgrade.
   */
  strict?: boolean;
}

/** A decoded file: every recognised kind, statically defaulted. */
export interface DecodedConfig {
  documents: ConfigDocuments;
  /** Where each field starts, keyed by internal field path (`InitConfiguration.nodeRegistration.name`). */
  positions: Map<string, Position>;
  warnings: string[];
  /** `<apiVersion>, Kind=<kind>` of every document, in file order. */
  gvks: string[];
  /** v1beta3's apiServer.timeoutForControlPlane, which belongs to the Init timeouts internally. */
  v1beta3ControlPlaneTimeout?: number;
}

function gvkText(apiVersion: string, kind: string): string {
  return `${apiVersion}, Kind=${kind}`;
}

function scalarField(root: TreeNode, key: string): string | undefined {
  if (root.kind !== 'map') return undefined;
  let out: string | undefined;
  for (const e of root.entries) {
    if (e.key === key && e.value.kind === 'scalar' && typeof e.value.value === 'string') out = e.value.value;
  }
  return out;
}

/** Paths whose v1beta3 form is a map and internal form a name-sorted list. */
const V1BETA3_ARG_MAPS: Readonly<Record<string, readonly string[]>> = {
  InitConfiguration: ['nodeRegistration.kubeletExtraArgs'],
  JoinConfiguration: ['nodeRegistration.kubeletExtraArgs'],
  ClusterConfiguration: [
    'apiServer.extraArgs',
    'controllerManager.extraArgs',
    'scheduler.extraArgs',
    'etcd.local.extraArgs',
  ],
};

function get(w: Wire, path: string): unknown {
  let cur: unknown = w;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Decodes already-parsed documents (a file, or objects built from flags). */
export function decodeTreeDocuments(docs: readonly TreeDocument[], opts: DecodeOptions = {}): DecodedConfig {
  const errors: ConfigProblem[] = [];
  const warnings: string[] = [];
  const positions = new Map<string, Position>();
  const documents: ConfigDocuments = { componentConfigs: {}, sourceVersions: {} };
  const seenKinds = new Set<string>();
  const gvks: string[] = [];
  const wires: Partial<Record<KubeadmKind, { wire: Wire; version: KubeadmApiVersion }>> = {};
  const at = (d: TreeDocument) => ({ line: d.pos.line, column: d.pos.column });

  for (const d of docs) {
    const apiVersion = scalarField(d.root, 'apiVersion') ?? '';
    const kind = scalarField(d.root, 'kind') ?? '';
    if (d.root.kind !== 'map' || apiVersion === '' || kind === '') {
      errors.push({
        field: apiVersion === '' ? 'apiVersion' : 'kind',
        detail: `invalid configuration for GroupVersionKind ${JSON.stringify({ apiVersion, kind })}: kind and apiVersion is mandatory information that must be specified`,
        ...at(d),
      });
      continue;
    }
    gvks.push(gvkText(apiVersion, kind));
    if (seenKinds.has(kind)) {
      errors.push({
        field: kind,
        detail: `invalid configuration: kind "${kind}" is specified twice in YAML file`,
        ...at(d),
      });
      continue;
    }
    seenKinds.add(kind);
    const slash = apiVersion.lastIndexOf('/');
    const group = slash === -1 ? '' : apiVersion.slice(0, slash);

    if (group === 'kubeadm.k8s.io') {
      const old = OLD_API_VERSIONS[apiVersion];
      if (old !== undefined) {
        errors.push({
          field: `${kind}.apiVersion`,
          value: apiVersion,
          detail: `your configuration file uses an old API spec: "${apiVersion}" (kind: "${kind}"). Please use kubeadm ${old} instead and run 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', which will write the new, similar spec using a newer API version.`,
          ...at(d),
        });
        continue;
      }
      const schemas =
        apiVersion === V1BETA4 ? V1BETA4_SCHEMAS : apiVersion === V1BETA3 ? V1BETA3_SCHEMAS : undefined;
      const schema = schemas && Object.hasOwn(schemas, kind) ? schemas[kind] : undefined;
      if (schema === undefined) {
        if ((KUBEADM_KINDS as readonly string[]).includes(kind)) {
          errors.push({
            field: `${kind}.apiVersion`,
            value: apiVersion,
            detail: `no kind "${kind}" is registered for version "${apiVersion}"`,
            ...at(d),
          });
        } else {
          unknownDocument(d, apiVersion, kind, opts, errors, warnings);
        }
        continue;
      }
      const version = apiVersion as KubeadmApiVersion;
      if (version === V1BETA3 && !opts.strict) {
        warnings.push(
          `your configuration file uses a deprecated API spec: "${apiVersion}" (kind: "${kind}"). Please use 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', which will write the new, similar spec using a newer API version.`,
        );
      }
      const r = decodeWire(d.root, schema, kind);
      collectDecodeProblems(r, gvkText(apiVersion, kind), opts, errors, warnings);
      for (const [p, pos] of r.positions) positions.set(`${kind}.${p}`, pos);
      positions.set(kind, d.pos);
      if (version === V1BETA3) mapV1beta3Positions(kind, r.value, positions);
      wires[kind as KubeadmKind] = { wire: r.value, version };
      documents.sourceVersions[kind as KubeadmKind] = version;
      continue;
    }

    const component = COMPONENT_GROUPS[group];
    if (component !== undefined) {
      if (kind !== component.kind) {
        unknownDocument(d, apiVersion, kind, { ...opts, quiet: true }, errors, warnings);
        continue;
      }
      if (apiVersion !== component.apiVersion) {
        errors.push({
          field: `${kind}.apiVersion`,
          value: apiVersion,
          detail: `unexpected apiVersion "${apiVersion}", you may have to do manual conversion to "${component.apiVersion}" and run kubeadm again`,
          ...at(d),
        });
        continue;
      }
      // Decoded like kubeadm's typed decode: fields the component does not know are dropped.
      const r = decodeWire(d.root, component.schema, kind, { keepText: true });
      collectDecodeProblems(r, gvkText(apiVersion, kind), opts, errors, warnings);
      for (const [p, pos] of r.positions) positions.set(`${kind}.${p}`, pos);
      positions.set(kind, d.pos);
      const cc: ComponentConfig = { config: r.value, userSupplied: true };
      documents.componentConfigs[component.key] = cc;
      continue;
    }
    unknownDocument(d, apiVersion, kind, opts, errors, warnings);
  }

  if (errors.length > 0) throw new ConfigValidationError(errors, opts.source);

  const result: DecodedConfig = { documents, positions, warnings, gvks };
  if (wires.InitConfiguration)
    documents.init = initFromWire(wires.InitConfiguration.wire, wires.InitConfiguration.version);
  if (wires.ClusterConfiguration) {
    const { wire, version } = wires.ClusterConfiguration;
    documents.cluster = clusterFromWire(wire, version);
    if (version === V1BETA3) {
      const t = v1beta3ControlPlaneTimeout(wire);
      if (t !== undefined) result.v1beta3ControlPlaneTimeout = t;
    }
  }
  if (wires.JoinConfiguration)
    documents.join = joinFromWire(wires.JoinConfiguration.wire, wires.JoinConfiguration.version);
  if (wires.ResetConfiguration) documents.reset = resetFromWire(wires.ResetConfiguration.wire);
  if (wires.UpgradeConfiguration) documents.upgrade = upgradeFromWire(wires.UpgradeConfiguration.wire);
  return result;
}

/** Type errors always fail; unknown and duplicate fields fail when strict, else they warn. */
function collectDecodeProblems(
  r: DecodeResult,
  gvk: string,
  opts: DecodeOptions,
  errors: ConfigProblem[],
  warnings: string[],
): void {
  errors.push(...r.errors);
  if (opts.strict) {
    errors.push(...r.strict.map((p) => ({ ...p, detail: `strict decoding error: ${p.detail}` })));
    return;
  }
  for (const p of r.strict) {
    warnings.push(
      `error unmarshaling configuration ${gvk}: strict decoding error: ${p.detail} (${
        opts.source ? `${opts.source}:` : 'line '
      }${p.line}${p.column !== undefined ? `:${p.column}` : ''})`,
    );
  }
}

function unknownDocument(
  d: TreeDocument,
  apiVersion: string,
  kind: string,
  opts: DecodeOptions & { quiet?: boolean },
  errors: ConfigProblem[],
  warnings: string[],
): void {
  if (opts.strict) {
    errors.push({
      field: 'kind',
      value: kind,
      detail: `unknown configuration APIs: ${gvkText(apiVersion, kind)}`,
      line: d.pos.line,
      column: d.pos.column,
    });
  } else if (!opts.quiet) {
    warnings.push(
      `[config] WARNING: Ignored configuration document with GroupVersionKind ${gvkText(apiVersion, kind)}`,
    );
  }
}

function mapV1beta3Positions(kind: string, wire: Wire, positions: Map<string, Position>): void {
  for (const path of V1BETA3_ARG_MAPS[kind] ?? []) {
    const m = get(wire, path);
    if (m === undefined || m === null || typeof m !== 'object') continue;
    Object.keys(m)
      .sort()
      .forEach((key, i) => {
        const pos = positions.get(`${kind}.${path}[${key}]`);
        if (!pos) return;
        for (const suffix of ['', '.name', '.value']) positions.set(`${kind}.${path}[${i}]${suffix}`, pos);
      });
  }
  const v3Timeouts: Record<string, string> = {
    'ClusterConfiguration.apiServer.timeoutForControlPlane':
      'InitConfiguration.timeouts.controlPlaneComponentHealthCheck',
    'JoinConfiguration.discovery.timeout': 'JoinConfiguration.timeouts.discovery',
  };
  for (const [from, to] of Object.entries(v3Timeouts)) {
    const pos = positions.get(from);
    if (pos && !positions.has(to)) positions.set(to, pos);
  }
}

/** Parses and decodes a file's text. */
export function decodeConfig(text: string, opts: DecodeOptions = {}): DecodedConfig {
  return decodeTreeDocuments(parseYamlDocuments(text, opts.source), opts);
}

/** Turns plain objects (e.g. built from flags) into tree documents, so they decode like a file. */
export function plainToTreeDocuments(objects: readonly Record<string, unknown>[]): TreeDocument[] {
  const pos = { line: 0, column: 0 };
  const toNode = (v: unknown): TreeNode => {
    if (Array.isArray(v)) return { kind: 'seq', items: v.map(toNode), pos };
    if (v !== null && typeof v === 'object') {
      return {
        kind: 'map',
        entries: Object.entries(v).map(([key, value]) => ({ key, keyPos: pos, value: toNode(value) })),
        pos,
      };
    }
    const s = v === undefined ? null : (v as string | number | boolean | null);
    return { kind: 'scalar', value: s, pos };
  };
  return objects.map((o, index) => ({ index, pos, root: toNode(o) }));
}

// ---- per-command loading ----

export interface LoadOptions extends DecodeOptions {
  facts: DefaultingFacts;
  defaulting?: DynamicDefaultOptions;
  /** Extra context for validation rules (the command is filled in by each loader). */
  validation?: Omit<ValidationContext, 'command'>;
  command?: ValidationContext['command'];
}

export interface Loaded<T> {
  config: T;
  warnings: string[];
  decoded: DecodedConfig;
}

/** Attaches lines to problems by the longest known prefix of their field path. */
export function locate(
  problems: readonly ConfigProblem[],
  positions: ReadonlyMap<string, Position>,
): ConfigProblem[] {
  return problems.map((p) => {
    if (p.line !== undefined || p.field === '') return p;
    let path = p.field;
    for (;;) {
      const pos = positions.get(path);
      if (pos && pos.line > 0) return { ...p, line: pos.line, column: pos.column };
      const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      if (cut <= 0) return p;
      path = path.slice(0, cut);
    }
  });
}

/** Runs dynamic defaulting; its validation-style failures get positions too. */
function withPositions<T>(decoded: DecodedConfig, source: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigValidationError)
      throw new ConfigValidationError(locate(e.problems, decoded.positions), source);
    throw e;
  }
}

function finish(
  decoded: DecodedConfig,
  opts: LoadOptions,
  command: ValidationContext['command'],
  parts: Parameters<typeof validateConfig>[0],
  warnings: string[],
): void {
  const r = validateConfig(parts, { ...opts.validation, command: opts.command ?? command });
  warnings.push(...r.warnings);
  if (r.errors.length > 0) throw new ConfigValidationError(locate(r.errors, decoded.positions), opts.source);
}

/** The init pair from decoded documents; a missing half is defaulted, both missing is an error. */
export function initConfigFromDecoded(decoded: DecodedConfig, opts: LoadOptions): Loaded<InitConfig> {
  const { documents } = decoded;
  if (!documents.init && !documents.cluster) {
    throw new ConfigValidationError(
      [
        {
          field: 'kind',
          detail: 'no InitConfiguration or ClusterConfiguration kind was found in the configuration file',
        },
      ],
      opts.source,
    );
  }
  const init = documents.init ?? initFromWire({}, V1BETA4);
  if (decoded.v1beta3ControlPlaneTimeout !== undefined) {
    init.timeouts.controlPlaneComponentHealthCheck = decoded.v1beta3ControlPlaneTimeout;
  }
  const cluster: ClusterConfiguration = documents.cluster ?? clusterFromWire({}, V1BETA4);
  const warnings = [...decoded.warnings];
  const d = withPositions(decoded, opts.source, () =>
    applyInitDynamicDefaults(
      { init, cluster, componentConfigs: documents.componentConfigs },
      opts.facts,
      opts.defaulting,
    ),
  );
  warnings.push(...d.warnings);
  finish(
    decoded,
    opts,
    'init',
    { init: d.value.init, cluster: d.value.cluster, componentConfigs: d.value.componentConfigs },
    warnings,
  );
  return { config: d.value, warnings, decoded };
}

export function loadInitConfig(text: string, opts: LoadOptions): Loaded<InitConfig> {
  return initConfigFromDecoded(decodeConfig(text, opts), opts);
}

export function joinConfigFromDecoded(decoded: DecodedConfig, opts: LoadOptions): Loaded<JoinConfiguration> {
  const join = decoded.documents.join;
  if (!join) {
    throw new ConfigValidationError(
      [{ field: 'kind', detail: 'no JoinConfiguration kind was found in the YAML file' }],
      opts.source,
    );
  }
  const warnings = [...decoded.warnings];
  const d = withPositions(decoded, opts.source, () =>
    applyJoinDynamicDefaults(join, opts.facts, opts.defaulting),
  );
  warnings.push(...d.warnings);
  finish(decoded, opts, 'join', { join: d.value }, warnings);
  return { config: d.value, warnings, decoded };
}

export function loadJoinConfig(text: string, opts: LoadOptions): Loaded<JoinConfiguration> {
  return joinConfigFromDecoded(decodeConfig(text, opts), opts);
}

export function resetConfigFromDecoded(
  decoded: DecodedConfig,
  opts: LoadOptions,
): Loaded<ResetConfiguration> {
  const reset = decoded.documents.reset;
  if (!reset) {
    throw new ConfigValidationError(
      [{ field: 'kind', detail: 'no ResetConfiguration kind was found in the YAML file' }],
      opts.source,
    );
  }
  const warnings = [...decoded.warnings];
  const d = withPositions(decoded, opts.source, () =>
    applyResetDynamicDefaults(reset, opts.facts, opts.defaulting),
  );
  warnings.push(...d.warnings);
  finish(decoded, opts, 'reset', { reset: d.value }, warnings);
  return { config: d.value, warnings, decoded };
}

export function loadResetConfig(text: string, opts: LoadOptions): Loaded<ResetConfiguration> {
  return resetConfigFromDecoded(decodeConfig(text, opts), opts);
}

/**
 * UpgradeConfiguration; absent means all defaults. Init/Cluster documents and component configs
 * in an upgrade file are ignored with kubeadm's deprecation warning.
 */
export function upgradeConfigFromDecoded(
  decoded: DecodedConfig,
  opts: LoadOptions,
): Loaded<UpgradeConfiguration> {
  const warnings = [...decoded.warnings];
  for (const g of decoded.gvks) {
    if (
      !g.endsWith('Kind=UpgradeConfiguration') &&
      !g.includes('Kind=ResetConfiguration') &&
      !g.includes('Kind=JoinConfiguration')
    ) {
      warnings.push(
        `[config] WARNING: YAML document with GroupVersionKind ${g} is deprecated for upgrade, please use config file with kind of UpgradeConfiguration instead`,
      );
    }
  }
  const upgrade = decoded.documents.upgrade ?? upgradeFromWire({});
  finish(decoded, opts, 'upgrade', { upgrade }, warnings);
  return { config: upgrade, warnings, decoded };
}

export function loadUpgradeConfig(text: string, opts: LoadOptions): Loaded<UpgradeConfiguration> {
  return upgradeConfigFromDecoded(decodeConfig(text, opts), opts);
}

/** Everything a file holds, each kind loaded as its command would (what `config validate` and `migrate` need). */
export interface LoadedAll {
  init?: InitConfig;
  join?: JoinConfiguration;
  reset?: ResetConfiguration;
  upgrade?: UpgradeConfiguration;
  warnings: string[];
  decoded: DecodedConfig;
}

export function loadAllConfig(text: string, opts: LoadOptions): LoadedAll {
  const decoded = decodeConfig(text, opts);
  const { documents } = decoded;
  const out: LoadedAll = { warnings: [...decoded.warnings], decoded };
  const problems: ConfigProblem[] = [];
  const step = <T>(fn: () => Loaded<T>): T | undefined => {
    try {
      const r = fn();
      out.warnings.push(...r.warnings.filter((w) => !decoded.warnings.includes(w)));
      return r.config;
    } catch (e) {
      if (e instanceof ConfigValidationError) {
        problems.push(...e.problems);
        return undefined;
      }
      throw e;
    }
  };
  if (documents.init || documents.cluster) out.init = step(() => initConfigFromDecoded(decoded, opts));
  if (documents.join) out.join = step(() => joinConfigFromDecoded(decoded, opts));
  if (documents.reset) out.reset = step(() => resetConfigFromDecoded(decoded, opts));
  if (documents.upgrade) out.upgrade = step(() => upgradeConfigFromDecoded({ ...decoded, gvks: [] }, opts));
  if (problems.length > 0) throw new ConfigValidationError(problems, opts.source);
  return out;
}
