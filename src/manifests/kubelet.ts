// The files kubelet-start writes into /var/lib/kubelet: config.yaml (the cluster's
// KubeletConfiguration with this node's changes), kubeadm-flags.env and instance-config.yaml
// (phases/kubelet/flags.go, config.go; componentconfigs/kubelet*.go).
import * as path from 'node:path';
import type {
  Arg,
  ClusterConfiguration,
  InitConfig,
  NodeRegistrationOptions,
  Taint,
} from '../config/model.js';
import { featureEnabled } from '../config/feature-gates.js';
import { pauseImage } from '../config/images.js';
import type { Json } from '../patches/json-patch.js';
import { applyPatches, createPatchSet, type PatchSet } from '../patches/patches.js';
import { argsToFlags, getArg, mergeArgs } from './args.js';
import { toYaml } from './serialize.js';

export const KUBELET_CONFIG_FILE = 'config.yaml';
export const KUBELET_FLAGS_ENV_FILE = 'kubeadm-flags.env';
export const KUBELET_INSTANCE_CONFIG_FILE = 'instance-config.yaml';
export const KUBELET_ENV_VARIABLE = 'KUBELET_KUBEADM_ARGS';
/** kubeadm writes config.yaml and instance-config.yaml 0644, as the kubelet package expects. */
export const KUBELET_FILE_MODE = 0o644;
export const KUBELET_DIR_MODE = 0o700;
/** Where systemd-resolved keeps the real upstream servers (its stub in /etc/resolv.conf loops). */
export const SYSTEMD_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';
export const NODE_LOCAL_CRI_SOCKET = 'NodeLocalCRISocket';

export interface KubeletFlagsInputs {
  cluster: ClusterConfiguration;
  nodeRegistration: NodeRegistrationOptions;
  /** The host's own name (kubeadm lower-cases it); a different node name adds --hostname-override. */
  hostname: string;
  /** Only a worker join registers its taints through the flag; init and control-plane join do not. */
  registerTaintsUsingFlags: boolean;
}

/** With NodeLocalCRISocket (beta, on in 1.34) the CRI socket moves into instance-config.yaml. */
export function nodeLocalCRISocket(cluster: ClusterConfiguration): boolean {
  return featureEnabled(cluster.featureGates, NODE_LOCAL_CRI_SOCKET);
}

function taintString(t: Taint): string {
  return t.value === '' ? `${t.key}:${t.effect}` : `${t.key}=${t.value}:${t.effect}`;
}

/** kubeadm's kubelet flags before the user's kubeletExtraArgs are merged in. */
export function kubeletDefaultFlags(inputs: KubeletFlagsInputs): Arg[] {
  const { cluster, nodeRegistration: nr } = inputs;
  const args: Arg[] = [];
  if (!nodeLocalCRISocket(cluster)) args.push({ name: 'container-runtime-endpoint', value: nr.criSocket });
  // Keeps the sandbox image from being garbage collected; kubeadm stops writing it in 1.35.
  args.push({ name: 'pod-infra-container-image', value: pauseImage(cluster.imageRepository) });
  if (inputs.registerTaintsUsingFlags && nr.taints && nr.taints.length > 0) {
    args.push({ name: 'register-with-taints', value: nr.taints.map(taintString).join(',') });
  }
  const nodeName = getArg(nr.kubeletExtraArgs, 'hostname-override') ?? nr.name;
  const hostname = inputs.hostname.trim().toLowerCase();
  if (nodeName !== hostname) args.push({ name: 'hostname-override', value: nodeName });
  return args;
}

export function kubeletFlags(inputs: KubeletFlagsInputs): Arg[] {
  return mergeArgs(kubeletDefaultFlags(inputs), inputs.nodeRegistration.kubeletExtraArgs);
}

/** `KUBELET_KUBEADM_ARGS="..."` plus a newline; the value quoted as Go's %q does. */
export function kubeletFlagsEnvFile(args: readonly Arg[]): string {
  return `${KUBELET_ENV_VARIABLE}=${goQuote(argsToFlags(args).join(' '))}\n`;
}

/** Go's strconv.Quote for the characters a command line can hold. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * instance-config.yaml: the node-specific kubelet settings (only the CRI endpoint today). kubeadm
 * writes the bare field, no apiVersion/kind: the file is a patch, not a KubeletConfiguration.
 */
export function kubeletInstanceConfigFile(criSocket: string): string {
  return `containerRuntimeEndpoint: ${goQuote(criSocket)}\n`;
}

export interface NodeKubeletConfigInputs {
  /** The cluster-wide KubeletConfiguration, kubeadm-defaulted (spec.componentConfigs.kubelet.config). */
  config: Record<string, unknown>;
  /** `systemctl is-active systemd-resolved` said active or activating. */
  systemdResolvedActive: boolean;
}

/**
 * The node's view of the cluster KubeletConfiguration before patches: kubeadm's Linux mutation
 * points resolvConf at systemd-resolved's real file when that service runs and the user set none.
 */
export function nodeKubeletConfig(inputs: NodeKubeletConfigInputs): {
  value: Record<string, unknown>;
  warnings: string[];
} {
  const c = structuredClone(inputs.config);
  const warnings: string[] = [];
  if (inputs.systemdResolvedActive) {
    if (c.resolvConf === undefined || c.resolvConf === null) c.resolvConf = SYSTEMD_RESOLV_CONF;
    else if (c.resolvConf !== SYSTEMD_RESOLV_CONF) {
      warnings.push(
        `The specified resolvConf value "${String(c.resolvConf)}" is different from what kubeadm expects ("${SYSTEMD_RESOLV_CONF}"). Kubelet will use the user specified value`,
      );
    }
  }
  return { value: c, warnings };
}

export function kubeletConfigYaml(config: Record<string, unknown>): string {
  return toYaml(config);
}

/** A file a phase will write, rendered ahead: path, bytes, mode and the lines printed before it. */
export interface PlannedFile {
  /** Relative to the directory the writer is given (for the kubelet: /var/lib/kubelet). */
  path: string;
  data: string;
  mode: number;
  /** Progress lines, each with its own `[tag] `, printed just before the file is written. */
  lines: string[];
}

export interface KubeletFilesInputs {
  config: Pick<InitConfig, 'cluster' | 'init' | 'componentConfigs'>;
  /** The host's own name (host facts). */
  hostname: string;
  /** `systemctl is-active systemd-resolved` said active or activating (false under another --rootfs). */
  systemdResolvedActive: boolean;
  /** The configured patches (only the kubeletconfiguration ones apply). */
  patchSets: readonly PatchSet[];
  /** The kubelet directory as the user knows it (a host path), for messages. */
  shownDir: string;
  /**
   * Which command writes the files: join writes the env file last (init first), and only a worker
   * join registers the node's taints through the kubelet flag. Default 'init'.
   */
  writer?: 'init' | 'join-worker' | 'join-control-plane';
}

const TAG = 'kubelet-start';

/**
 * The three kubelet files, in kubeadm's order. config.yaml is the cluster KubeletConfiguration
 * with this node's changes, then the user's patches, then the instance config applied last as a
 * strategic-merge patch (so it wins over a user patch). Nothing here touches the host.
 */
export function kubeletFiles(inputs: KubeletFilesInputs): { files: PlannedFile[]; warnings: string[] } {
  const { config: cfg } = inputs;
  const writer = inputs.writer ?? 'init';
  const shown = (f: string) => path.join(inputs.shownDir, f);
  const files: PlannedFile[] = [];

  const flags = kubeletFlags({
    cluster: cfg.cluster,
    nodeRegistration: cfg.init.nodeRegistration,
    hostname: inputs.hostname,
    // A control plane gets its taint from mark-control-plane, not from the kubelet flag.
    registerTaintsUsingFlags: writer === 'join-worker',
  });
  const envFile: PlannedFile = {
    path: KUBELET_FLAGS_ENV_FILE,
    data: kubeletFlagsEnvFile(flags),
    mode: KUBELET_FILE_MODE,
    lines: [
      `[${TAG}] Writing kubelet environment file with flags to file "${shown(KUBELET_FLAGS_ENV_FILE)}"`,
    ],
  };
  if (writer === 'init') files.push(envFile);

  const gate = nodeLocalCRISocket(cfg.cluster);
  const instance = kubeletInstanceConfigFile(cfg.init.nodeRegistration.criSocket);
  if (gate) {
    files.push({
      path: KUBELET_INSTANCE_CONFIG_FILE,
      data: instance,
      mode: KUBELET_FILE_MODE,
      lines: [`[${TAG}] Writing kubelet configuration to file "${shown(KUBELET_INSTANCE_CONFIG_FILE)}"`],
    });
  }

  const node = nodeKubeletConfig({
    config: cfg.componentConfigs.kubelet?.config ?? {},
    systemdResolvedActive: inputs.systemdResolvedActive,
  });
  const sets = [...inputs.patchSets];
  if (gate) {
    sets.push(
      createPatchSet(shown(KUBELET_INSTANCE_CONFIG_FILE), 'kubeletconfiguration', 'strategic', instance),
    );
  }
  const patched = sets.some((s) => s.target === 'kubeletconfiguration')
    ? applyPatches('kubeletconfiguration', node.value as Json, sets)
    : { value: node.value as Json, messages: [] };
  files.push({
    path: KUBELET_CONFIG_FILE,
    data: kubeletConfigYaml(patched.value as Record<string, unknown>),
    mode: KUBELET_FILE_MODE,
    lines: [
      ...patched.messages.map((m) => `[patches] ${m}`),
      `[${TAG}] Writing kubelet configuration to file "${shown(KUBELET_CONFIG_FILE)}"`,
    ],
  });
  if (writer !== 'init') files.push(envFile);
  return { files, warnings: node.warnings };
}

/**
 * kubeadm-flags.env without the flags named (upgrade's post-upgrade clean-up), or undefined when
 * none of them is there or the file is not in kubeadm's one-variable form.
 */
export function withoutKubeletFlags(envFile: string, names: readonly string[]): string | undefined {
  const m = new RegExp(`^${KUBELET_ENV_VARIABLE}="((?:[^"\\\\]|\\\\.)*)"\\s*$`).exec(envFile.trim());
  if (!m) return undefined;
  const value = m[1]!.replace(/\\(.)/g, '$1');
  const flags = value.split(/\s+/).filter((f) => f !== '');
  const kept = flags.filter((f) => !names.some((n) => f === `--${n}` || f.startsWith(`--${n}=`)));
  if (kept.length === flags.length) return undefined;
  return `${KUBELET_ENV_VARIABLE}=${goQuote(kept.join(' '))}\n`;
}
