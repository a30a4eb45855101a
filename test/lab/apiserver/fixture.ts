// A control plane on loopback for tests of the lab's stand-ins, without containers: kbadm writes
// the PKI, kubeconfigs and kube-apiserver.yaml under a temporary root; a real etcd runs with
// kbadm's etcd certificates; the API server stand-in runs in-process from the manifest's flags.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../support/cli.js';
import { EtcdStore } from './etcd-store.js';
import { loadConfig } from './flags.js';
import { startApiServer, type ApiRequestRecord, type RunningApiServer } from './server.js';

const run = promisify(execFile);
export const ETCD = '/usr/bin/etcd';
export const KUBECTL = '/usr/bin/kubectl';

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

export interface ControlPlaneFixture {
  root: string;
  /** <root>/etc/kubernetes */
  kube: string;
  /** The stand-in's URL on loopback. */
  url(): string;
  apiserverArgs: string[];
  kubectl(kubeconfig: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** kubectl's stderr; fails the test when kubectl succeeds. */
  kubectlFails(kubeconfig: string, args: string[]): Promise<string>;
  /** Writes `object` to a file and runs `kubectl create --validate=false -f` with super-admin.conf. */
  create(object: unknown): Promise<void>;
  /** Restarts the stand-in, with other flags when `args` is given (the manifest's otherwise). */
  restartApiServer(args?: string[]): Promise<void>;
  /** The requests the stand-in answered since the start or the last clearRequests(), in order. */
  requests(): readonly ApiRequestRecord[];
  clearRequests(): void;
  /** Compacts etcd at its current revision: older revisions can no longer be read. */
  compactEtcd(): Promise<void>;
  close(): Promise<void>;
}

export interface ControlPlaneFixtureOptions {
  /** ClusterConfiguration.kubernetesVersion (kbadm's own version when not given). */
  kubernetesVersion?: string;
}

export async function startControlPlaneFixture(
  name: string,
  options: ControlPlaneFixtureOptions = {},
): Promise<ControlPlaneFixture> {
  for (const p of [ETCD, KUBECTL])
    if (!existsSync(p)) throw new Error(`the lab's control-plane tests need ${p}`);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `kbadm-lab-${name}-`));
  const kube = path.join(root, 'etc/kubernetes');
  let etcd: ChildProcess | undefined;
  let server: RunningApiServer | undefined;
  let counter = 0;
  let requests: ApiRequestRecord[] = [];
  try {
    const apiPort = await freePort();
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const etcdURL = `https://127.0.0.1:${clientPort}`;
    await fs.writeFile(
      path.join(root, 'cfg.yaml'),
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
        `localAPIEndpoint:\n  advertiseAddress: 169.254.10.1\n  bindPort: ${apiPort}\nnodeRegistration:\n  name: lab-1\n---\n` +
        'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\n' +
        `controlPlaneEndpoint: 127.0.0.1:${apiPort}\n` +
        (options.kubernetesVersion ? `kubernetesVersion: ${options.kubernetesVersion}\n` : ''),
    );
    for (const phase of [
      ['certs', 'all'],
      ['kubeconfig', 'all'],
      ['control-plane', 'all'],
    ]) {
      const r = await runCli(['--rootfs', root, 'init', 'phase', ...phase, '--config', '/cfg.yaml']);
      assert.equal(r.code, 0, r.stderr);
    }
    const manifest = parseYaml(await fs.readFile(path.join(kube, 'manifests/kube-apiserver.yaml'), 'utf8'));
    const command: string[] = manifest.spec.containers[0].command;
    assert.equal(command[0], 'kube-apiserver');
    // Loopback only: the manifest names no bind address (all interfaces).
    const apiserverArgs = [
      ...command.slice(1).map((a) => (a.startsWith('--etcd-servers=') ? `--etcd-servers=${etcdURL}` : a)),
      '--bind-address=127.0.0.1',
    ];
    const pki = path.join(kube, 'pki');
    etcd = spawn(
      ETCD,
      [
        `--name=${name}`,
        `--data-dir=${path.join(root, 'var/lib/etcd')}`,
        `--listen-client-urls=${etcdURL}`,
        `--advertise-client-urls=${etcdURL}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=${name}=http://127.0.0.1:${peerPort}`,
        '--client-cert-auth=true',
        `--cert-file=${pki}/etcd/server.crt`,
        `--key-file=${pki}/etcd/server.key`,
        `--trusted-ca-file=${pki}/etcd/ca.crt`,
      ],
      { stdio: 'ignore' },
    );
    const start = async (args = apiserverArgs) => {
      server = await startApiServer(
        loadConfig(args, (p) => path.join(root, p)),
        {
          onRequest: (r) => requests.push(r),
        },
      );
    };
    let lastError: unknown;
    for (let i = 0; i < 80 && server === undefined; i++) {
      try {
        await start();
      } catch (err) {
        lastError = err;
        await sleep(250);
      }
    }
    if (server === undefined) throw lastError;

    const kubectl = (kubeconfig: string, args: string[]) =>
      run(KUBECTL, ['--kubeconfig', path.join(kube, kubeconfig), ...args], { timeout: 30_000 });
    return {
      root,
      kube,
      url: () => server!.url,
      apiserverArgs,
      kubectl,
      async kubectlFails(kubeconfig, args) {
        try {
          await kubectl(kubeconfig, args);
        } catch (err) {
          return String((err as { stderr?: string }).stderr);
        }
        assert.fail(`kubectl ${args.join(' ')} succeeded`);
      },
      async create(object) {
        const file = path.join(root, `object-${++counter}.json`);
        await fs.writeFile(file, JSON.stringify(object));
        await kubectl('super-admin.conf', ['create', '--validate=false', '-f', file]);
      },
      async restartApiServer(args) {
        await server?.close();
        server = undefined;
        await start(args);
      },
      requests: () => requests,
      clearRequests() {
        requests = [];
      },
      async compactEtcd() {
        const store = new EtcdStore([etcdURL], {
          ca: await fs.readFile(path.join(pki, 'etcd/ca.crt')),
          cert: await fs.readFile(path.join(pki, 'apiserver-etcd-client.crt')),
          key: await fs.readFile(path.join(pki, 'apiserver-etcd-client.key')),
        });
        try {
          await store.compact(await store.revision());
        } finally {
          store.close();
        }
      },
      close: () => cleanup(),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }

  async function cleanup(): Promise<void> {
    await server?.close();
    if (etcd && etcd.exitCode === null && etcd.signalCode === null) {
      const exited = new Promise((r) => etcd!.once('exit', r));
      etcd.kill('SIGKILL');
      await exited;
    }
    await fs.rm(root, { recursive: true, force: true });
  }
}
