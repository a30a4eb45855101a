// Conversion between the wire forms (decoded v1beta3 / v1beta4 documents, see schema.ts) and the
// internal model, applying kubeadm's static defaults on the way in. The way out is v1beta4 only,
// with Go's omitempty rules so the output reads like kubeadm's.
import {
  DEFAULT_TIMEOUTS,
  DEFAULTS,
  defaultAPIEndpoint,
  defaultBootstrapToken,
  defaultNodeRegistration,
} from './defaults.js';
import { formatDuration } from './duration.js';
import type {
  APIEndpoint,
  Arg,
  BootstrapToken,
  ClusterConfiguration,
  ControlPlaneComponent,
  Discovery,
  EnvVar,
  HostPathMount,
  InitConfiguration,
  JoinConfiguration,
  KubeadmApiVersion,
  NodeRegistrationOptions,
  Patches,
  ResetConfiguration,
  Taint,
  Timeouts,
  UpgradeConfiguration,
} from './model.js';
import { V1BETA4 } from './model.js';
import type { Wire } from './schema.js';

type W = Wire | undefined;

const o = (w: W, k: string): W => (w?.[k] as W) ?? undefined;
const s = (w: W, k: string): string => (w?.[k] as string | undefined) ?? '';
const b = (w: W, k: string): boolean => (w?.[k] as boolean | undefined) ?? false;
const ob = (w: W, k: string): boolean | undefined => w?.[k] as boolean | undefined;
const n = (w: W, k: string): number | undefined => w?.[k] as number | undefined;
const strs = (w: W, k: string): string[] => [...((w?.[k] as string[] | undefined) ?? [])];
const objs = (w: W, k: string): Wire[] => (w?.[k] as Wire[] | undefined) ?? [];

/** v1beta3's map-style extraArgs become a name-sorted list, as kubeadm's conversion does. */
function args(w: W, k: string, version: KubeadmApiVersion): Arg[] {
  const v = w?.[k];
  if (v === undefined) return [];
  if (version === V1BETA4) return (v as Wire[]).map((a) => ({ name: s(a, 'name'), value: s(a, 'value') }));
  return Object.entries(v as Record<string, string>)
    .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
}

function envs(w: W, k: string): EnvVar[] {
  return objs(w, k).map((e) => {
    const out: EnvVar = { name: s(e, 'name') };
    if (e.value !== undefined) out.value = e.value as string;
    if (e.valueFrom !== undefined && e.valueFrom !== null) {
      const vf = structuredClone(e.valueFrom) as Record<string, unknown>;
      const fr = vf.fieldRef as Record<string, unknown> | undefined;
      if (fr && typeof fr === 'object' && (fr.apiVersion === undefined || fr.apiVersion === ''))
        fr.apiVersion = 'v1';
      out.valueFrom = vf;
    }
    return out;
  });
}

function volumes(w: W, k: string): HostPathMount[] {
  return objs(w, k).map((v) => ({
    name: s(v, 'name'),
    hostPath: s(v, 'hostPath'),
    mountPath: s(v, 'mountPath'),
    readOnly: b(v, 'readOnly'),
    pathType: s(v, 'pathType'),
  }));
}

function taints(w: W): Taint[] | null {
  const v = w?.taints as Wire[] | undefined;
  if (v === undefined) return null;
  return v.map((t) => {
    const out: Taint = { key: s(t, 'key'), value: s(t, 'value'), effect: s(t, 'effect') };
    if (t.timeAdded !== undefined) out.timeAdded = t.timeAdded as string;
    return out;
  });
}

function timeouts(w: W): Timeouts {
  const out = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(out) as (keyof Timeouts)[]) {
    const v = n(w, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function patches(w: W): Patches | undefined {
  const p = o(w, 'patches');
  return p === undefined ? undefined : { directory: s(p, 'directory') };
}

function endpoint(w: W): APIEndpoint {
  const d = defaultAPIEndpoint();
  return { advertiseAddress: s(w, 'advertiseAddress'), bindPort: n(w, 'bindPort') || d.bindPort };
}

function nodeRegistration(w: W, version: KubeadmApiVersion): NodeRegistrationOptions {
  const d = defaultNodeRegistration();
  return {
    name: s(w, 'name'),
    criSocket: s(w, 'criSocket'),
    taints: taints(w),
    kubeletExtraArgs: args(w, 'kubeletExtraArgs', version),
    ignorePreflightErrors: strs(w, 'ignorePreflightErrors'),
    imagePullPolicy: s(w, 'imagePullPolicy') || d.imagePullPolicy,
    imagePullSerial: ob(w, 'imagePullSerial') ?? d.imagePullSerial,
  };
}

function bootstrapTokens(w: W): BootstrapToken[] {
  const list = objs(w, 'bootstrapTokens');
  if (list.length === 0) return [defaultBootstrapToken()];
  return list.map((t) => {
    const d = defaultBootstrapToken();
    const out: BootstrapToken = {
      token: s(t, 'token'),
      description: s(t, 'description'),
      usages: strs(t, 'usages').length > 0 ? strs(t, 'usages') : d.usages,
      groups: strs(t, 'groups').length > 0 ? strs(t, 'groups') : d.groups,
    };
    // The default lifetime applies only when neither a lifetime nor an expiry is given.
    const ttl = n(t, 'ttl');
    if (ttl !== undefined) out.ttl = ttl;
    else if (t.expires === undefined) out.ttl = d.ttl!;
    if (t.expires !== undefined) out.expires = t.expires as string;
    return out;
  });
}

export function initFromWire(w: Wire, version: KubeadmApiVersion): InitConfiguration {
  const out: InitConfiguration = {
    bootstrapTokens: bootstrapTokens(w),
    dryRun: b(w, 'dryRun'),
    nodeRegistration: nodeRegistration(o(w, 'nodeRegistration'), version),
    localAPIEndpoint: endpoint(o(w, 'localAPIEndpoint')),
    certificateKey: s(w, 'certificateKey'),
    skipPhases: strs(w, 'skipPhases'),
    timeouts: timeouts(o(w, 'timeouts')),
  };
  const p = patches(w);
  if (p) out.patches = p;
  return out;
}

function component(w: W, version: KubeadmApiVersion): ControlPlaneComponent {
  return {
    extraArgs: args(w, 'extraArgs', version),
    extraVolumes: volumes(w, 'extraVolumes'),
    extraEnvs: envs(w, 'extraEnvs'),
  };
}

export function clusterFromWire(w: Wire, version: KubeadmApiVersion): ClusterConfiguration {
  const etcd = o(w, 'etcd');
  const local = o(etcd, 'local');
  const external = o(etcd, 'external');
  const net = o(w, 'networking');
  const api = o(w, 'apiServer');
  const dns = o(w, 'dns');
  const out: ClusterConfiguration = {
    etcd: {},
    networking: {
      serviceSubnet: s(net, 'serviceSubnet') || DEFAULTS.serviceSubnet,
      podSubnet: s(net, 'podSubnet'),
      dnsDomain: s(net, 'dnsDomain') || DEFAULTS.dnsDomain,
    },
    kubernetesVersion: s(w, 'kubernetesVersion') || DEFAULTS.kubernetesVersion,
    controlPlaneEndpoint: s(w, 'controlPlaneEndpoint'),
    apiServer: { ...component(api, version), certSANs: strs(api, 'certSANs') },
    controllerManager: component(o(w, 'controllerManager'), version),
    scheduler: component(o(w, 'scheduler'), version),
    dns: {
      imageRepository: s(dns, 'imageRepository'),
      imageTag: s(dns, 'imageTag'),
      disabled: b(dns, 'disabled'),
    },
    proxy: { disabled: b(o(w, 'proxy'), 'disabled') },
    certificatesDir: s(w, 'certificatesDir') || DEFAULTS.certificatesDir,
    imageRepository: s(w, 'imageRepository') || DEFAULTS.imageRepository,
    featureGates: { ...((w.featureGates as Record<string, boolean> | undefined) ?? {}) },
    clusterName: s(w, 'clusterName') || DEFAULTS.clusterName,
    encryptionAlgorithm: s(w, 'encryptionAlgorithm') || DEFAULTS.encryptionAlgorithm,
    certificateValidityPeriod: n(w, 'certificateValidityPeriod') ?? DEFAULTS.certificateValidityPeriod,
    caCertificateValidityPeriod: n(w, 'caCertificateValidityPeriod') ?? DEFAULTS.caCertificateValidityPeriod,
  };
  if (local !== undefined || external === undefined) {
    out.etcd.local = {
      imageRepository: s(local, 'imageRepository'),
      imageTag: s(local, 'imageTag'),
      dataDir: s(local, 'dataDir') || DEFAULTS.etcdDataDir,
      extraArgs: args(local, 'extraArgs', version),
      extraEnvs: envs(local, 'extraEnvs'),
      serverCertSANs: strs(local, 'serverCertSANs'),
      peerCertSANs: strs(local, 'peerCertSANs'),
    };
  }
  if (external !== undefined) {
    out.etcd.external = {
      endpoints: strs(external, 'endpoints'),
      caFile: s(external, 'caFile'),
      certFile: s(external, 'certFile'),
      keyFile: s(external, 'keyFile'),
    };
    if (external.httpEndpoints !== undefined)
      out.etcd.external.httpEndpoints = strs(external, 'httpEndpoints');
  }
  return out;
}

/** v1beta3's `apiServer.timeoutForControlPlane`, which v1beta4 moved to the timeouts of Init/Join. */
export function v1beta3ControlPlaneTimeout(cluster: Wire): number | undefined {
  return n(o(cluster, 'apiServer'), 'timeoutForControlPlane');
}

/** kubeadm turns a `file://` URL into its path (url.Parse(...).Path). */
export function fileURLToPathLike(p: string): string {
  if (!p.startsWith('file:')) return p;
  try {
    return decodeURIComponent(new URL(p).pathname);
  } catch {
    return p;
  }
}

export function joinFromWire(w: Wire, version: KubeadmApiVersion): JoinConfiguration {
  const disc = o(w, 'discovery');
  const bt = o(disc, 'bootstrapToken');
  const file = o(disc, 'file');
  const discovery: Discovery = { tlsBootstrapToken: s(disc, 'tlsBootstrapToken') };
  if (bt !== undefined) {
    discovery.bootstrapToken = {
      token: s(bt, 'token'),
      apiServerEndpoint: s(bt, 'apiServerEndpoint'),
      caCertHashes: strs(bt, 'caCertHashes'),
      unsafeSkipCAVerification: b(bt, 'unsafeSkipCAVerification'),
    };
    if (discovery.tlsBootstrapToken === '') discovery.tlsBootstrapToken = discovery.bootstrapToken.token;
  }
  if (file !== undefined) discovery.file = { kubeConfigPath: fileURLToPathLike(s(file, 'kubeConfigPath')) };
  const t = timeouts(o(w, 'timeouts'));
  const v3Discovery = version === V1BETA4 ? undefined : n(disc, 'timeout');
  if (v3Discovery !== undefined) t.discovery = v3Discovery;
  const out: JoinConfiguration = {
    dryRun: b(w, 'dryRun'),
    nodeRegistration: nodeRegistration(o(w, 'nodeRegistration'), version),
    caCertPath: s(w, 'caCertPath') || DEFAULTS.caCertPath,
    discovery,
    skipPhases: strs(w, 'skipPhases'),
    timeouts: t,
  };
  const cp = o(w, 'controlPlane');
  if (cp !== undefined) {
    out.controlPlane = {
      localAPIEndpoint: endpoint(o(cp, 'localAPIEndpoint')),
      certificateKey: s(cp, 'certificateKey'),
    };
  }
  const cpe = s(w, 'controlPlaneEndpoint');
  if (cpe !== '') out.controlPlaneEndpoint = cpe;
  const p = patches(w);
  if (p) out.patches = p;
  return out;
}

export function resetFromWire(w: Wire): ResetConfiguration {
  return {
    cleanupTmpDir: b(w, 'cleanupTmpDir'),
    certificatesDir: s(w, 'certificatesDir') || DEFAULTS.certificatesDir,
    criSocket: s(w, 'criSocket'),
    dryRun: b(w, 'dryRun'),
    force: b(w, 'force'),
    ignorePreflightErrors: strs(w, 'ignorePreflightErrors'),
    skipPhases: strs(w, 'skipPhases'),
    unmountFlags: strs(w, 'unmountFlags'),
    timeouts: timeouts(o(w, 'timeouts')),
  };
}

function optBools<T extends object>(target: T, w: W, keys: readonly (keyof T & string)[]): void {
  for (const k of keys) {
    const v = ob(w, k);
    if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  }
}

export function upgradeFromWire(w: Wire): UpgradeConfiguration {
  const apply = o(w, 'apply');
  const diff = o(w, 'diff');
  const node = o(w, 'node');
  const plan = o(w, 'plan');
  const out: UpgradeConfiguration = {
    apply: {
      kubernetesVersion: s(apply, 'kubernetesVersion'),
      certificateRenewal: ob(apply, 'certificateRenewal') ?? true,
      etcdUpgrade: ob(apply, 'etcdUpgrade') ?? true,
      ignorePreflightErrors: strs(apply, 'ignorePreflightErrors'),
      skipPhases: strs(apply, 'skipPhases'),
      imagePullPolicy: s(apply, 'imagePullPolicy') || DEFAULTS.imagePullPolicy,
      imagePullSerial: ob(apply, 'imagePullSerial') ?? true,
    },
    diff: { kubernetesVersion: s(diff, 'kubernetesVersion'), contextLines: n(diff, 'contextLines') ?? 0 },
    node: {
      certificateRenewal: ob(node, 'certificateRenewal') ?? true,
      etcdUpgrade: ob(node, 'etcdUpgrade') ?? true,
      ignorePreflightErrors: strs(node, 'ignorePreflightErrors'),
      skipPhases: strs(node, 'skipPhases'),
      imagePullPolicy: s(node, 'imagePullPolicy') || DEFAULTS.imagePullPolicy,
      imagePullSerial: ob(node, 'imagePullSerial') ?? true,
    },
    plan: {
      kubernetesVersion: s(plan, 'kubernetesVersion'),
      ignorePreflightErrors: strs(plan, 'ignorePreflightErrors'),
      etcdUpgrade: ob(plan, 'etcdUpgrade') ?? true,
    },
    timeouts: timeouts(o(w, 'timeouts')),
  };
  optBools(out.apply, apply, [
    'allowExperimentalUpgrades',
    'allowRCUpgrades',
    'dryRun',
    'forceUpgrade',
    'printConfig',
  ]);
  optBools(out.node, node, ['dryRun']);
  optBools(out.plan, plan, ['allowExperimentalUpgrades', 'allowRCUpgrades', 'dryRun', 'printConfig']);
  const ap = patches(apply);
  if (ap) out.apply.patches = ap;
  const np = patches(node);
  if (np) out.node.patches = np;
  return out;
}

// ---- internal → v1beta4 wire (Go omitempty semantics; keys are sorted when printed) ----

type Out = Record<string, unknown>;

/** Sets a key unless the value is Go's "empty" for an omitempty field. */
function put(out: Out, k: string, v: unknown): void {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return;
  if (Array.isArray(v) && v.length === 0) return;
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0 && k === 'featureGates')
    return;
  out[k] = v;
}

function argsOut(a: readonly Arg[]): Out[] {
  return a.map((x) => ({ name: x.name, value: x.value }));
}

function envsOut(e: readonly EnvVar[]): Out[] {
  return e.map((x) => {
    const out: Out = { name: x.name };
    put(out, 'value', x.value);
    if (x.valueFrom !== undefined) out.valueFrom = structuredClone(x.valueFrom);
    return out;
  });
}

function volumesOut(v: readonly HostPathMount[]): Out[] {
  return v.map((x) => {
    const out: Out = { name: x.name, hostPath: x.hostPath, mountPath: x.mountPath };
    put(out, 'readOnly', x.readOnly);
    put(out, 'pathType', x.pathType);
    return out;
  });
}

function componentOut(c: ControlPlaneComponent): Out {
  const out: Out = {};
  put(out, 'extraArgs', argsOut(c.extraArgs));
  put(out, 'extraVolumes', volumesOut(c.extraVolumes));
  put(out, 'extraEnvs', envsOut(c.extraEnvs));
  return out;
}

function timeoutsOut(t: Timeouts): Out {
  const out: Out = {};
  for (const [k, v] of Object.entries(t)) out[k] = formatDuration(v);
  return out;
}

function endpointOut(e: APIEndpoint): Out {
  const out: Out = {};
  put(out, 'advertiseAddress', e.advertiseAddress);
  put(out, 'bindPort', e.bindPort);
  return out;
}

function nodeRegistrationOut(nr: NodeRegistrationOptions): Out {
  const out: Out = {};
  put(out, 'name', nr.name);
  put(out, 'criSocket', nr.criSocket);
  // `taints` has no omitempty: nil prints as null, an empty list as [].
  out.taints =
    nr.taints === null
      ? null
      : nr.taints.map((t) => {
          const x: Out = { key: t.key };
          put(x, 'value', t.value);
          x.effect = t.effect;
          put(x, 'timeAdded', t.timeAdded);
          return x;
        });
  put(out, 'kubeletExtraArgs', argsOut(nr.kubeletExtraArgs));
  put(out, 'ignorePreflightErrors', nr.ignorePreflightErrors);
  put(out, 'imagePullPolicy', nr.imagePullPolicy);
  out.imagePullSerial = nr.imagePullSerial;
  return out;
}

function patchesOut(out: Out, p: Patches | undefined): void {
  if (p === undefined) return;
  const x: Out = {};
  put(x, 'directory', p.directory);
  out.patches = x;
}

export function initToV1beta4(c: InitConfiguration): Out {
  const out: Out = { apiVersion: V1BETA4, kind: 'InitConfiguration' };
  put(
    out,
    'bootstrapTokens',
    c.bootstrapTokens.map((t) => {
      // `token` has no omitempty (a nil token prints as null).
      const x: Out = { token: t.token === '' ? null : t.token };
      put(x, 'description', t.description);
      if (t.ttl !== undefined) x.ttl = formatDuration(t.ttl);
      put(x, 'expires', t.expires);
      put(x, 'usages', t.usages);
      put(x, 'groups', t.groups);
      return x;
    }),
  );
  put(out, 'dryRun', c.dryRun);
  out.nodeRegistration = nodeRegistrationOut(c.nodeRegistration);
  out.localAPIEndpoint = endpointOut(c.localAPIEndpoint);
  put(out, 'certificateKey', c.certificateKey);
  put(out, 'skipPhases', c.skipPhases);
  patchesOut(out, c.patches);
  out.timeouts = timeoutsOut(c.timeouts);
  return out;
}

export function clusterToV1beta4(c: ClusterConfiguration): Out {
  const out: Out = { apiVersion: V1BETA4, kind: 'ClusterConfiguration' };
  const etcd: Out = {};
  if (c.etcd.local) {
    const l = c.etcd.local;
    const x: Out = {};
    put(x, 'imageRepository', l.imageRepository);
    put(x, 'imageTag', l.imageTag);
    x.dataDir = l.dataDir;
    put(x, 'extraArgs', argsOut(l.extraArgs));
    put(x, 'extraEnvs', envsOut(l.extraEnvs));
    put(x, 'serverCertSANs', l.serverCertSANs);
    put(x, 'peerCertSANs', l.peerCertSANs);
    etcd.local = x;
  }
  if (c.etcd.external) {
    const e = c.etcd.external;
    const x: Out = {
      endpoints: e.endpoints.length === 0 ? null : [...e.endpoints],
      caFile: e.caFile,
      certFile: e.certFile,
      keyFile: e.keyFile,
    };
    put(x, 'httpEndpoints', e.httpEndpoints);
    etcd.external = x;
  }
  out.etcd = etcd;
  const net: Out = {};
  put(net, 'serviceSubnet', c.networking.serviceSubnet);
  put(net, 'podSubnet', c.networking.podSubnet);
  put(net, 'dnsDomain', c.networking.dnsDomain);
  out.networking = net;
  put(out, 'kubernetesVersion', c.kubernetesVersion);
  put(out, 'controlPlaneEndpoint', c.controlPlaneEndpoint);
  const api = componentOut(c.apiServer);
  put(api, 'certSANs', c.apiServer.certSANs);
  out.apiServer = api;
  out.controllerManager = componentOut(c.controllerManager);
  out.scheduler = componentOut(c.scheduler);
  const dns: Out = {};
  put(dns, 'imageRepository', c.dns.imageRepository);
  put(dns, 'imageTag', c.dns.imageTag);
  put(dns, 'disabled', c.dns.disabled);
  out.dns = dns;
  const proxy: Out = {};
  put(proxy, 'disabled', c.proxy.disabled);
  out.proxy = proxy;
  put(out, 'certificatesDir', c.certificatesDir);
  put(out, 'imageRepository', c.imageRepository);
  put(out, 'featureGates', Object.keys(c.featureGates).length ? { ...c.featureGates } : undefined);
  put(out, 'clusterName', c.clusterName);
  put(out, 'encryptionAlgorithm', c.encryptionAlgorithm);
  out.certificateValidityPeriod = formatDuration(c.certificateValidityPeriod);
  out.caCertificateValidityPeriod = formatDuration(c.caCertificateValidityPeriod);
  return out;
}

export function joinToV1beta4(c: JoinConfiguration): Out {
  const out: Out = { apiVersion: V1BETA4, kind: 'JoinConfiguration' };
  put(out, 'dryRun', c.dryRun);
  out.nodeRegistration = nodeRegistrationOut(c.nodeRegistration);
  put(out, 'caCertPath', c.caCertPath);
  const d: Out = {};
  if (c.discovery.bootstrapToken) {
    const t = c.discovery.bootstrapToken;
    const x: Out = { token: t.token };
    put(x, 'apiServerEndpoint', t.apiServerEndpoint);
    put(x, 'caCertHashes', t.caCertHashes);
    put(x, 'unsafeSkipCAVerification', t.unsafeSkipCAVerification);
    d.bootstrapToken = x;
  }
  if (c.discovery.file) d.file = { kubeConfigPath: c.discovery.file.kubeConfigPath };
  put(d, 'tlsBootstrapToken', c.discovery.tlsBootstrapToken);
  out.discovery = d;
  if (c.controlPlane) {
    const cp: Out = { localAPIEndpoint: endpointOut(c.controlPlane.localAPIEndpoint) };
    put(cp, 'certificateKey', c.controlPlane.certificateKey);
    out.controlPlane = cp;
  }
  put(out, 'controlPlaneEndpoint', c.controlPlaneEndpoint);
  put(out, 'skipPhases', c.skipPhases);
  patchesOut(out, c.patches);
  out.timeouts = timeoutsOut(c.timeouts);
  return out;
}

export function resetToV1beta4(c: ResetConfiguration): Out {
  const out: Out = { apiVersion: V1BETA4, kind: 'ResetConfiguration' };
  put(out, 'cleanupTmpDir', c.cleanupTmpDir);
  put(out, 'certificatesDir', c.certificatesDir);
  put(out, 'criSocket', c.criSocket);
  put(out, 'dryRun', c.dryRun);
  put(out, 'force', c.force);
  put(out, 'ignorePreflightErrors', c.ignorePreflightErrors);
  put(out, 'skipPhases', c.skipPhases);
  put(out, 'unmountFlags', c.unmountFlags);
  out.timeouts = timeoutsOut(c.timeouts);
  return out;
}

/** *bool fields print whenever set, false included. */
function putBool(out: Out, k: string, v: boolean | undefined): void {
  if (v !== undefined) out[k] = v;
}

export function upgradeToV1beta4(c: UpgradeConfiguration): Out {
  const out: Out = { apiVersion: V1BETA4, kind: 'UpgradeConfiguration' };
  const a: Out = {};
  put(a, 'kubernetesVersion', c.apply.kubernetesVersion);
  putBool(a, 'allowExperimentalUpgrades', c.apply.allowExperimentalUpgrades);
  putBool(a, 'allowRCUpgrades', c.apply.allowRCUpgrades);
  putBool(a, 'certificateRenewal', c.apply.certificateRenewal);
  putBool(a, 'dryRun', c.apply.dryRun);
  putBool(a, 'etcdUpgrade', c.apply.etcdUpgrade);
  putBool(a, 'forceUpgrade', c.apply.forceUpgrade);
  put(a, 'ignorePreflightErrors', c.apply.ignorePreflightErrors);
  patchesOut(a, c.apply.patches);
  putBool(a, 'printConfig', c.apply.printConfig);
  put(a, 'skipPhases', c.apply.skipPhases);
  put(a, 'imagePullPolicy', c.apply.imagePullPolicy);
  putBool(a, 'imagePullSerial', c.apply.imagePullSerial);
  out.apply = a;
  const d: Out = {};
  put(d, 'kubernetesVersion', c.diff.kubernetesVersion);
  put(d, 'contextLines', c.diff.contextLines);
  out.diff = d;
  const nd: Out = {};
  putBool(nd, 'certificateRenewal', c.node.certificateRenewal);
  putBool(nd, 'dryRun', c.node.dryRun);
  putBool(nd, 'etcdUpgrade', c.node.etcdUpgrade);
  put(nd, 'ignorePreflightErrors', c.node.ignorePreflightErrors);
  put(nd, 'skipPhases', c.node.skipPhases);
  patchesOut(nd, c.node.patches);
  put(nd, 'imagePullPolicy', c.node.imagePullPolicy);
  putBool(nd, 'imagePullSerial', c.node.imagePullSerial);
  out.node = nd;
  const p: Out = {};
  put(p, 'kubernetesVersion', c.plan.kubernetesVersion);
  putBool(p, 'allowExperimentalUpgrades', c.plan.allowExperimentalUpgrades);
  putBool(p, 'allowRCUpgrades', c.plan.allowRCUpgrades);
  putBool(p, 'dryRun', c.plan.dryRun);
  put(p, 'ignorePreflightErrors', c.plan.ignorePreflightErrors);
  putBool(p, 'printConfig', c.plan.printConfig);
  putBool(p, 'etcdUpgrade', c.plan.etcdUpgrade);
  out.plan = p;
  out.timeouts = timeoutsOut(c.timeouts);
  return out;
}
