// The wire shape of each kubeadm kind in v1beta3 and v1beta4, and a decoder that checks a parsed
// document against it the way kubeadm's decoding does: wrong types are errors; unknown and
// duplicate fields are "strict decoding" problems that the caller turns into warnings (init,
// join, ...) or errors (config validate / migrate).
import { parseDuration } from './duration.js';
import type { ConfigProblem, Position } from './errors.js';
import type { TreeNode } from './yaml-tree.js';
import { treeToPlain } from './yaml-tree.js';

export type FieldType =
  | { t: 'string' }
  | { t: 'bool' }
  | { t: 'int32' }
  | { t: 'int' }
  | { t: 'int64' }
  | { t: 'float' }
  | { t: 'duration' }
  | { t: 'time' }
  | { t: 'list'; of: FieldType }
  | { t: 'map'; of: FieldType }
  | { t: 'object'; name: string; fields: Readonly<Record<string, FieldType>> }
  | { t: 'any' };

export const str: FieldType = { t: 'string' };
export const bool: FieldType = { t: 'bool' };
export const int32: FieldType = { t: 'int32' };
export const int: FieldType = { t: 'int' };
export const int64: FieldType = { t: 'int64' };
export const float: FieldType = { t: 'float' };
export const duration: FieldType = { t: 'duration' };
export const time: FieldType = { t: 'time' };
export const any: FieldType = { t: 'any' };
export const list = (of: FieldType): FieldType => ({ t: 'list', of });
export const map = (of: FieldType): FieldType => ({ t: 'map', of });
export const obj = (name: string, fields: Record<string, FieldType>): FieldType => ({
  t: 'object',
  name,
  fields,
});
export const strings = list(str);

export const typeMeta = { apiVersion: str, kind: str };

const Arg = obj('Arg', { name: str, value: str });
const EnvVar = obj('EnvVar', { name: str, value: str, valueFrom: any });
const HostPathMount = obj('HostPathMount', {
  name: str,
  hostPath: str,
  mountPath: str,
  readOnly: bool,
  pathType: str,
});
export const Taint = obj('Taint', { key: str, value: str, effect: str, timeAdded: time });
const BootstrapToken = obj('BootstrapToken', {
  token: str,
  description: str,
  ttl: duration,
  expires: time,
  usages: strings,
  groups: strings,
});
const Patches = obj('Patches', { directory: str });
const APIEndpoint = obj('APIEndpoint', { advertiseAddress: str, bindPort: int32 });
const Timeouts = obj('Timeouts', {
  controlPlaneComponentHealthCheck: duration,
  kubeletHealthCheck: duration,
  kubernetesAPICall: duration,
  etcdAPICall: duration,
  tlsBootstrap: duration,
  discovery: duration,
  upgradeManifests: duration,
});
const FileDiscovery = obj('FileDiscovery', { kubeConfigPath: str });
const BootstrapTokenDiscovery = obj('BootstrapTokenDiscovery', {
  token: str,
  apiServerEndpoint: str,
  caCertHashes: strings,
  unsafeSkipCAVerification: bool,
});
const JoinControlPlane = obj('JoinControlPlane', { localAPIEndpoint: APIEndpoint, certificateKey: str });
const Networking = obj('Networking', { serviceSubnet: str, podSubnet: str, dnsDomain: str });

// ---- v1beta4 ----

const NodeRegistration4 = obj('NodeRegistrationOptions', {
  name: str,
  criSocket: str,
  taints: list(Taint),
  kubeletExtraArgs: list(Arg),
  ignorePreflightErrors: strings,
  imagePullPolicy: str,
  imagePullSerial: bool,
});
const ControlPlaneComponent4 = {
  extraArgs: list(Arg),
  extraVolumes: list(HostPathMount),
  extraEnvs: list(EnvVar),
};

export const V1BETA4_SCHEMAS: Readonly<Record<string, FieldType>> = {
  InitConfiguration: obj('InitConfiguration', {
    ...typeMeta,
    bootstrapTokens: list(BootstrapToken),
    dryRun: bool,
    nodeRegistration: NodeRegistration4,
    localAPIEndpoint: APIEndpoint,
    certificateKey: str,
    skipPhases: strings,
    patches: Patches,
    timeouts: Timeouts,
  }),
  ClusterConfiguration: obj('ClusterConfiguration', {
    ...typeMeta,
    etcd: obj('Etcd', {
      local: obj('LocalEtcd', {
        imageRepository: str,
        imageTag: str,
        dataDir: str,
        extraArgs: list(Arg),
        extraEnvs: list(EnvVar),
        serverCertSANs: strings,
        peerCertSANs: strings,
      }),
      external: obj('ExternalEtcd', {
        endpoints: strings,
        caFile: str,
        certFile: str,
        keyFile: str,
        httpEndpoints: strings,
      }),
    }),
    networking: Networking,
    kubernetesVersion: str,
    controlPlaneEndpoint: str,
    apiServer: obj('APIServer', { ...ControlPlaneComponent4, certSANs: strings }),
    controllerManager: obj('ControlPlaneComponent', ControlPlaneComponent4),
    scheduler: obj('ControlPlaneComponent', ControlPlaneComponent4),
    dns: obj('DNS', { imageRepository: str, imageTag: str, disabled: bool }),
    proxy: obj('Proxy', { disabled: bool }),
    certificatesDir: str,
    imageRepository: str,
    featureGates: map(bool),
    clusterName: str,
    encryptionAlgorithm: str,
    certificateValidityPeriod: duration,
    caCertificateValidityPeriod: duration,
  }),
  JoinConfiguration: obj('JoinConfiguration', {
    ...typeMeta,
    dryRun: bool,
    nodeRegistration: NodeRegistration4,
    caCertPath: str,
    discovery: obj('Discovery', {
      bootstrapToken: BootstrapTokenDiscovery,
      file: FileDiscovery,
      tlsBootstrapToken: str,
    }),
    controlPlane: JoinControlPlane,
    controlPlaneEndpoint: str, // kbadm's extension: kubeadm rejects this field
    skipPhases: strings,
    patches: Patches,
    timeouts: Timeouts,
  }),
  ResetConfiguration: obj('ResetConfiguration', {
    ...typeMeta,
    cleanupTmpDir: bool,
    certificatesDir: str,
    criSocket: str,
    dryRun: bool,
    force: bool,
    ignorePreflightErrors: strings,
    skipPhases: strings,
    unmountFlags: strings,
    timeouts: Timeouts,
  }),
  UpgradeConfiguration: obj('UpgradeConfiguration', {
    ...typeMeta,
    apply: obj('UpgradeApplyConfiguration', {
      kubernetesVersion: str,
      allowExperimentalUpgrades: bool,
      allowRCUpgrades: bool,
      certificateRenewal: bool,
      dryRun: bool,
      etcdUpgrade: bool,
      forceUpgrade: bool,
      ignorePreflightErrors: strings,
      patches: Patches,
      printConfig: bool,
      skipPhases: strings,
      imagePullPolicy: str,
      imagePullSerial: bool,
    }),
    diff: obj('UpgradeDiffConfiguration', { kubernetesVersion: str, contextLines: int }),
    node: obj('UpgradeNodeConfiguration', {
      certificateRenewal: bool,
      dryRun: bool,
      etcdUpgrade: bool,
      ignorePreflightErrors: strings,
      skipPhases: strings,
      patches: Patches,
      imagePullPolicy: str,
      imagePullSerial: bool,
    }),
    plan: obj('UpgradePlanConfiguration', {
      kubernetesVersion: str,
      allowExperimentalUpgrades: bool,
      allowRCUpgrades: bool,
      dryRun: bool,
      ignorePreflightErrors: strings,
      printConfig: bool,
      etcdUpgrade: bool,
    }),
    timeouts: Timeouts,
  }),
};

// ---- v1beta3: map-style extraArgs, two timeouts elsewhere, none of the v1beta4 additions ----

const NodeRegistration3 = obj('NodeRegistrationOptions', {
  name: str,
  criSocket: str,
  taints: list(Taint),
  kubeletExtraArgs: map(str),
  ignorePreflightErrors: strings,
  imagePullPolicy: str,
});
const ControlPlaneComponent3 = { extraArgs: map(str), extraVolumes: list(HostPathMount) };

export const V1BETA3_SCHEMAS: Readonly<Record<string, FieldType>> = {
  InitConfiguration: obj('InitConfiguration', {
    ...typeMeta,
    bootstrapTokens: list(BootstrapToken),
    nodeRegistration: NodeRegistration3,
    localAPIEndpoint: APIEndpoint,
    certificateKey: str,
    skipPhases: strings,
    patches: Patches,
  }),
  ClusterConfiguration: obj('ClusterConfiguration', {
    ...typeMeta,
    etcd: obj('Etcd', {
      local: obj('LocalEtcd', {
        imageRepository: str,
        imageTag: str,
        dataDir: str,
        extraArgs: map(str),
        serverCertSANs: strings,
        peerCertSANs: strings,
      }),
      external: obj('ExternalEtcd', { endpoints: strings, caFile: str, certFile: str, keyFile: str }),
    }),
    networking: Networking,
    kubernetesVersion: str,
    controlPlaneEndpoint: str,
    apiServer: obj('APIServer', {
      ...ControlPlaneComponent3,
      certSANs: strings,
      timeoutForControlPlane: duration,
    }),
    controllerManager: obj('ControlPlaneComponent', ControlPlaneComponent3),
    scheduler: obj('ControlPlaneComponent', ControlPlaneComponent3),
    dns: obj('DNS', { imageRepository: str, imageTag: str }),
    certificatesDir: str,
    imageRepository: str,
    featureGates: map(bool),
    clusterName: str,
  }),
  JoinConfiguration: obj('JoinConfiguration', {
    ...typeMeta,
    nodeRegistration: NodeRegistration3,
    caCertPath: str,
    discovery: obj('Discovery', {
      bootstrapToken: BootstrapTokenDiscovery,
      file: FileDiscovery,
      tlsBootstrapToken: str,
      timeout: duration,
    }),
    controlPlane: JoinControlPlane,
    controlPlaneEndpoint: str, // kbadm's extension, as in v1beta4
    skipPhases: strings,
    patches: Patches,
  }),
};

/** A decoded wire object: plain data with scalars already of the schema's types (durations in ms). */
export type Wire = Record<string, unknown>;

export interface DecodeResult {
  value: Wire;
  /** Type errors: kubeadm fails to decode the document. */
  errors: ConfigProblem[];
  /** Unknown and duplicate fields. */
  strict: ConfigProblem[];
  /** Where each decoded path starts, e.g. `nodeRegistration.taints[0].key`. */
  positions: Map<string, Position>;
}

export interface DecodeWireOptions {
  /**
   * Keep durations as written instead of converting them to ms: for documents that are carried
   * through as data (component configs) rather than converted into the internal model.
   */
  keepText?: boolean;
}

interface Ctx extends DecodeWireOptions {
  prefix: string;
  errors: ConfigProblem[];
  strict: ConfigProblem[];
  positions: Map<string, Position>;
}

/** Decodes a document's root against a kind's schema. `prefix` (e.g. `InitConfiguration`) starts every field path. */
export function decodeWire(
  root: TreeNode,
  schema: FieldType,
  prefix: string,
  opts: DecodeWireOptions = {},
): DecodeResult {
  const ctx: Ctx = { ...opts, prefix, errors: [], strict: [], positions: new Map() };
  const value = decodeNode(root, schema, '', ctx);
  return {
    value: value !== undefined && typeof value === 'object' && !Array.isArray(value) ? (value as Wire) : {},
    errors: ctx.errors,
    strict: ctx.strict,
    positions: ctx.positions,
  };
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function full(ctx: Ctx, path: string): string {
  return path === '' ? ctx.prefix : `${ctx.prefix}.${path}`;
}

function goType(t: FieldType): string {
  switch (t.t) {
    case 'string':
    case 'bool':
    case 'int32':
    case 'int':
    case 'int64':
      return t.t;
    case 'float':
      return 'float64';
    case 'duration':
      return 'v1.Duration';
    case 'time':
      return 'v1.Time';
    case 'list':
      return `[]${goType(t.of)}`;
    case 'map':
      return `map[string]${goType(t.of)}`;
    case 'object':
      return t.name;
    case 'any':
      return 'interface {}';
  }
}

function jsonKind(n: TreeNode): string {
  if (n.kind === 'map') return 'object';
  if (n.kind === 'seq') return 'array';
  const v = n.value;
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'null';
}

function typeError(n: TreeNode, t: FieldType, path: string, ctx: Ctx): undefined {
  const value = n.kind === 'scalar' ? n.value : undefined;
  const p: ConfigProblem = {
    field: full(ctx, path),
    detail: `cannot unmarshal ${jsonKind(n)} into Go value of type ${goType(t)}`,
    line: n.pos.line,
    column: n.pos.column,
  };
  if (value !== undefined && value !== null) p.value = value;
  ctx.errors.push(p);
  return undefined;
}

// RFC 3339 as Go's time.Time JSON decoding accepts it.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function decodeNode(n: TreeNode, t: FieldType, path: string, ctx: Ctx): unknown {
  if (n.kind === 'scalar' && n.value === null) return undefined;
  switch (t.t) {
    case 'any':
      return treeToPlain(n);
    case 'string':
      return n.kind === 'scalar' && typeof n.value === 'string' ? n.value : typeError(n, t, path, ctx);
    case 'bool':
      return n.kind === 'scalar' && typeof n.value === 'boolean' ? n.value : typeError(n, t, path, ctx);
    case 'float':
      return n.kind === 'scalar' && typeof n.value === 'number' ? n.value : typeError(n, t, path, ctx);
    case 'int32':
    case 'int':
    case 'int64': {
      if (n.kind !== 'scalar' || typeof n.value !== 'number') return typeError(n, t, path, ctx);
      // int and int64 are 64-bit in Go; beyond 2^53 a JS number is no longer exact, so stop there.
      const lim = t.t === 'int32' ? 2 ** 31 : 2 ** 53;
      if (!Number.isInteger(n.value) || n.value < -lim || n.value >= lim) {
        ctx.errors.push({
          field: full(ctx, path),
          value: n.value,
          detail: `cannot unmarshal number ${n.value} into Go value of type ${t.t}`,
          line: n.pos.line,
          column: n.pos.column,
        });
        return undefined;
      }
      return n.value;
    }
    case 'duration': {
      if (n.kind !== 'scalar' || typeof n.value !== 'string') return typeError(n, t, path, ctx);
      const ms = parseDuration(n.value);
      if (ms === undefined) {
        ctx.errors.push({
          field: full(ctx, path),
          value: n.value,
          detail: `time: invalid duration ${JSON.stringify(n.value)}`,
          line: n.pos.line,
          column: n.pos.column,
        });
      }
      return ctx.keepText && ms !== undefined ? n.value : ms;
    }
    case 'time': {
      if (n.kind !== 'scalar' || typeof n.value !== 'string') return typeError(n, t, path, ctx);
      if (!RFC3339.test(n.value) || Number.isNaN(Date.parse(n.value))) {
        ctx.errors.push({
          field: full(ctx, path),
          value: n.value,
          detail: `parsing time ${JSON.stringify(n.value)} as "2006-01-02T15:04:05Z07:00": cannot parse`,
          line: n.pos.line,
          column: n.pos.column,
        });
        return undefined;
      }
      return n.value;
    }
    case 'list': {
      if (n.kind !== 'seq') return typeError(n, t, path, ctx);
      return n.items.map((item, i) => {
        const p = `${path}[${i}]`;
        ctx.positions.set(p, item.pos);
        const v = decodeNode(item, t.of, p, ctx);
        // Go decodes a null item to the element's zero value.
        return v === undefined ? zeroOf(t.of) : v;
      });
    }
    case 'map': {
      if (n.kind !== 'map') return typeError(n, t, path, ctx);
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const e of n.entries) {
        const p = `${path}[${e.key}]`;
        if (seen.has(e.key))
          strictProblem(ctx, p, `duplicate field ${JSON.stringify(join(path, e.key))}`, e.keyPos);
        seen.add(e.key);
        ctx.positions.set(p, e.keyPos);
        const v = decodeNode(e.value, t.of, p, ctx);
        define(out, e.key, v === undefined ? zeroOf(t.of) : v);
      }
      return out;
    }
    case 'object': {
      if (n.kind !== 'map') return typeError(n, t, path, ctx);
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const e of n.entries) {
        const ft = Object.hasOwn(t.fields, e.key) ? t.fields[e.key] : undefined;
        const p = join(path, e.key);
        if (ft === undefined) {
          strictProblem(ctx, p, `unknown field ${JSON.stringify(p)}`, e.keyPos);
          continue;
        }
        if (seen.has(e.key)) strictProblem(ctx, p, `duplicate field ${JSON.stringify(p)}`, e.keyPos);
        seen.add(e.key);
        ctx.positions.set(p, e.keyPos);
        const v = decodeNode(e.value, ft, p, ctx);
        // A later null leaves the earlier value, as Go's decoder does.
        if (v !== undefined) define(out, e.key, v);
      }
      return out;
    }
  }
}

function strictProblem(ctx: Ctx, path: string, detail: string, pos: Position): void {
  ctx.strict.push({ field: full(ctx, path), detail, line: pos.line, column: pos.column });
}

function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function zeroOf(t: FieldType): unknown {
  switch (t.t) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
    case 'int32':
    case 'int64':
    case 'float':
      return 0;
    case 'object':
    case 'map':
      return {};
    default:
      return undefined;
  }
}
