// Running the built kbadm and kubectl inside a lab node, and waiting for the cluster to settle:
// what every lab scenario does.
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { labExec, type LabNode } from './lab.js';

export const KBADM = path.resolve('dist/bundle/kbadm.js');

export function requireBuild(): void {
  if (!existsSync(KBADM)) throw new Error(`${KBADM} is missing: build first (npm run build)`);
}

/** kbadm with --rootfs set to the node's root, in the node's network namespace. */
export function kbadm(node: LabNode, args: string[]) {
  return labExec(node, process.execPath, [KBADM, '--rootfs', node.rootfs, ...args]);
}

/** kubectl with a kubeconfig from the node's /etc/kubernetes (or an absolute path). */
export function kubectl(node: LabNode, kubeconfig: string, args: string[]) {
  const file = path.isAbsolute(kubeconfig)
    ? kubeconfig
    : path.join(node.rootfs, 'etc/kubernetes', kubeconfig);
  return labExec(node, 'kubectl', ['--kubeconfig', file, ...args]);
}

/** The value `check` returns once it is truthy; polls every half second up to `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Writes an object as JSON under the node's /tmp for `kubectl create -f`; returns the file. */
export async function writeObject(node: LabNode, name: string, object: unknown): Promise<string> {
  const file = path.join(node.rootfs, 'tmp', `${name}.json`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(object));
  return file;
}

/** The init phases that need no API server, in order, as a node's first steps to a control plane. */
export const OFFLINE_INIT_PHASES = [
  ['certs', 'all'],
  ['kubeconfig', 'all'],
  ['etcd', 'local'],
  ['control-plane', 'all'],
  ['kubelet-start'],
];

/** Runs the offline init phases on `node` with `config` (a path inside the node's root). */
export function runOfflineInitPhases(node: LabNode, config: string): void {
  for (const phase of OFFLINE_INIT_PHASES) {
    const r = kbadm(node, ['init', 'phase', ...phase, '--config', config]);
    if (r.code !== 0) throw new Error(`init phase ${phase.join(' ')}: exit ${r.code}: ${r.stderr}`);
  }
}

/**
 * A lab node's root is a directory, not a machine: it has no executables, /proc, /sys or kubelet
 * binary of its own (the simulated kubelet runs outside it), so these checks cannot pass there.
 */
export const LAB_ROOT_IGNORES = [
  '--ignore-preflight-errors',
  'FileExisting-ip,FileExisting-iptables,FileExisting-mount,FileExisting-nsenter,SystemVerification,KubeletVersion,FileContent--proc-sys-net-ipv4-ip_forward',
];

/**
 * Writes /cfg.yaml on `node` for `kbadm init --config /cfg.yaml`: the bootstrap token, the node's
 * address, name and CRI socket, a controlPlaneEndpoint on its address, ECDSA keys; `extra` lines
 * are appended to the ClusterConfiguration.
 */
export async function writeInitConfig(
  node: LabNode,
  o: { token: string; kubernetesVersion: string; extra?: string[] },
): Promise<void> {
  await fs.writeFile(
    path.join(node.rootfs, 'cfg.yaml'),
    [
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: InitConfiguration',
      'bootstrapTokens:',
      `- token: ${o.token}`,
      `localAPIEndpoint:\n  advertiseAddress: ${node.address}`,
      `nodeRegistration:\n  name: ${node.name}\n  criSocket: ${node.criSocket}`,
      '---',
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: ClusterConfiguration',
      `kubernetesVersion: ${o.kubernetesVersion}`,
      `controlPlaneEndpoint: ${node.address}:6443`,
      'encryptionAlgorithm: ECDSA-P256',
      ...(o.extra ?? []),
      '',
    ].join('\n'),
  );
}

/** The arguments of each `kbadm join` command init printed (continuation lines joined). */
export function printedJoinCommands(initOut: string): string[][] {
  return [...initOut.matchAll(/^\s*kbadm join ([^\n\\]*(?:\\\n[^\n\\]*)*)/gm)].map((m) =>
    m[1]!.replaceAll('\\\n', ' ').trim().split(/\s+/),
  );
}
