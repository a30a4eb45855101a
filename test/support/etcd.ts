// Running the machine's etcd (Debian's 3.4) in tests from kbadm-generated manifests: free loopback
// ports, the manifest's command line moved under a test root, and a stop that always ends it, even
// when the test process dies before its after() hooks.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { etcdHealth, type EtcdClientTLS } from '../../src/etcd/health.js';
import { parseFlags } from '../../src/manifests/args.js';
import { runCli } from './cli.js';
import { alive, onExitCleanup } from './processes.js';

export const ETCD = '/usr/bin/etcd';
export const etcdMissing = existsSync(ETCD) ? false : `${ETCD} is not installed`;

/** A port nobody listens on right now (the kernel picks it, so parallel test runs do not collide). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** etcd 3.6 spellings the 3.4 binary knows under their experimental names. */
const ETCD34_NAMES: Record<string, string> = {
  'watch-progress-notify-interval': 'experimental-watch-progress-notify-interval',
};

/** The command of an etcd.yaml, with host paths moved under `root` and 3.6 flags spelled for 3.4. */
export function etcdArgsUnderRoot(manifestText: string, root: string): string[] {
  const pod = parse(manifestText) as { spec: { containers: { command: string[] }[] } };
  const out: string[] = [];
  for (const { name, value } of parseFlags(pod.spec.containers[0]!.command)) {
    if (name === 'feature-gates' && value === 'InitialCorruptCheck=true') {
      out.push('--experimental-initial-corrupt-check=true');
      continue;
    }
    const v = value.startsWith('/') ? path.join(root, value) : value;
    out.push(`--${ETCD34_NAMES[name] ?? name}=${v}`);
  }
  return out;
}

export interface EtcdProcess {
  child: ChildProcess;
  /** Everything it printed, for failure messages. */
  logs(): string;
}

export function startEtcd(args: readonly string[]): EtcdProcess {
  const lines: string[] = [];
  const child = spawn(ETCD, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => lines.push(b.toString()));
  child.stderr!.on('data', (b: Buffer) => lines.push(b.toString()));
  // A crashed or timed-out test never reaches stopEtcd: kill it when this process exits.
  const unregister = onExitCleanup(() => killNow(child));
  child.once('exit', unregister);
  return { child, logs: () => lines.join('').slice(-4000) };
}

/** SIGKILL and a short synchronous wait for the process to be gone (exit handlers cannot await). */
function killNow(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // gone already
  }
  const wait = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 100 && alive(pid); i++) Atomics.wait(wait, 0, 0, 50);
}

/** SIGTERM, then SIGKILL if it lingers; a process already gone is fine. */
export async function stopEtcd(p: EtcdProcess | undefined): Promise<void> {
  const child = p?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5000)]);
  }
}

/** Polls /health until it says healthy (or `ms` pass); returns the last answer. */
export async function waitHealthy(endpoint: string, tls: EtcdClientTLS, ms = 20_000) {
  const deadline = Date.now() + ms;
  let h = await etcdHealth(endpoint, tls);
  while (!h.healthy && Date.now() < deadline) {
    await sleep(200);
    h = await etcdHealth(endpoint, tls);
  }
  return h;
}

/** kbadm's configuration for a node with a stacked etcd on the given loopback URLs (extraArgs). */
export function stackedEtcdConfig(o: {
  name: string;
  advertiseAddress: string;
  kubernetesVersion: string;
  etcdArgs: Record<string, string>;
}): string {
  return [
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: InitConfiguration',
    'localAPIEndpoint:',
    `  advertiseAddress: ${o.advertiseAddress}`,
    'nodeRegistration:',
    `  name: ${o.name}`,
    '---',
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: ClusterConfiguration',
    `kubernetesVersion: ${o.kubernetesVersion}`,
    'encryptionAlgorithm: ECDSA-P256',
    'etcd:',
    '  local:',
    '    extraArgs:',
    ...Object.entries(o.etcdArgs).flatMap(([name, value]) => [
      `    - name: ${name}`,
      `      value: ${value}`,
    ]),
    '',
  ].join('\n');
}

/**
 * A one-member etcd's PKI and etcd.yaml written by kbadm under `root` (cp-1, free loopback ports),
 * not started; its client URL and the healthcheck client's credentials.
 */
export async function prepareOneMemberEtcd(
  root: string,
  kubernetesVersion: string,
): Promise<{ client: string; tls: EtcdClientTLS }> {
  const client = `https://127.0.0.1:${await freePort()}`;
  const peer = `https://127.0.0.1:${await freePort()}`;
  const cfg = stackedEtcdConfig({
    name: 'cp-1',
    advertiseAddress: '192.0.2.10',
    kubernetesVersion,
    etcdArgs: {
      'listen-client-urls': client,
      'advertise-client-urls': client,
      'listen-peer-urls': peer,
      'initial-advertise-peer-urls': peer,
      'listen-metrics-urls': `http://127.0.0.1:${await freePort()}`,
      'initial-cluster': `cp-1=${peer}`,
    },
  });
  await writeFile(path.join(root, 'cfg.yaml'), cfg);
  for (const phase of [
    ['certs', 'all'],
    ['etcd', 'local'],
  ]) {
    const r = await runCli(['--rootfs', root, 'init', 'phase', ...phase, '--config', '/cfg.yaml']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  }
  const pki = path.join(root, 'etc/kubernetes/pki/etcd');
  const tls = {
    ca: await readFile(path.join(pki, 'ca.crt')),
    cert: await readFile(path.join(pki, 'healthcheck-client.crt')),
    key: await readFile(path.join(pki, 'healthcheck-client.key')),
  };
  return { client, tls };
}
