// Starts the system's etcd binary with the command line of a generated etcd.yaml and the
// generated etcd PKI, then checks health over mTLS with the healthcheck-client certificate.
//
// Mapping onto the Debian etcd 3.4 binary:
// - paths under certificatesDir and the data dir move under a temporary root;
// - every URL moves to 127.0.0.1 on free ports (the client URLs collapse to one listener);
// - etcd 3.6 spellings go back to the 3.4 ones: `--feature-gates=InitialCorruptCheck=true` is
//   `--experimental-initial-corrupt-check=true`, and `--watch-progress-notify-interval` is
//   `--experimental-watch-progress-notify-interval` (the 1.33 manifest already uses these).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { pkiInputsFromConfig } from '../../src/certs/inputs.js';
import { generatePki, pkiFiles } from '../../src/certs/tree.js';
import { etcdHealth } from '../../src/etcd/health.js';
import { parseFlags } from '../../src/manifests/args.js';
import { etcdPod } from '../../src/manifests/etcd.js';
import type { InitConfig } from '../../src/config/model.js';
import { CONFIGS_DIR, loadConfigFile, loadConfigText } from '../support/manifests.js';
import { readFileSync } from 'node:fs';
import { requireTool } from '../support/tools.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const ETCD34_NAMES: Record<string, string> = {
  'watch-progress-notify-interval': 'experimental-watch-progress-notify-interval',
};

/** The manifest's flags, rewritten for a test root, loopback ports and etcd 3.4. */
export function etcd34Args(
  command: readonly string[],
  cfg: InitConfig,
  root: string,
  ports: { client: number; peer: number; metrics: number },
): string[] {
  const pki = cfg.cluster.certificatesDir;
  const dataDir = cfg.cluster.etcd.local!.dataDir;
  const portMap: Record<string, number> = { '2379': ports.client, '2380': ports.peer, '2381': ports.metrics };
  const url = (u: string) =>
    u.replace(
      /^(https?):\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/,
      (_m, s, _h, p) => `${s}://127.0.0.1:${portMap[p] ?? p}`,
    );
  const out: string[] = [];
  for (const { name, value } of parseFlags(command)) {
    if (name === 'feature-gates' && value === 'InitialCorruptCheck=true') {
      out.push('--experimental-initial-corrupt-check=true');
      continue;
    }
    let v = value;
    if (v.startsWith(`${pki}/`) || v === dataDir) v = path.join(root, v);
    else if (/^https?:\/\//.test(v)) v = [...new Set(v.split(',').map(url))].join(',');
    else if (name === 'initial-cluster') v = v.replace(/=(.*)$/, (_m, u: string) => `=${url(u)}`);
    out.push(`--${ETCD34_NAMES[name] ?? name}=${v}`);
  }
  return out;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5000)]);
  }
}

const CASES: { name: string; config: () => InitConfig }[] = [
  {
    name: 'Kubernetes v1.34 (etcd 3.6 flags)',
    config: () => loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`),
  },
  {
    name: 'Kubernetes v1.33 (etcd 3.5 flags)',
    config: () =>
      loadConfigText(
        readFileSync(`${CONFIGS_DIR}01-single-node-minimal.yaml`, 'utf8').replace('v1.34.0', 'v1.33.2'),
      ),
  },
];

describe('a real etcd started from the generated manifest', () => {
  const ETCD = requireTool('etcd');
  test('the binary is etcd 3.4, the version the flag mapping is written for', () => {
    const r = spawnSync(ETCD, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    assert.match(r.stdout, /etcd Version: 3\.4\./);
  });

  for (const c of CASES) {
    test(`${c.name}: healthy over mTLS with the healthcheck-client cert, refused without a cert`, async () => {
      const cfg = c.config();
      const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-etcd-'));
      let child: ChildProcess | undefined;
      const logs: string[] = [];
      try {
        const pki = await generatePki(pkiInputsFromConfig(cfg.init, cfg.cluster), new Date());
        const pkiDir = path.join(root, cfg.cluster.certificatesDir);
        for (const f of pkiFiles(pki)) {
          await fs.mkdir(path.dirname(path.join(pkiDir, f.path)), { recursive: true, mode: 0o755 });
          await fs.writeFile(path.join(pkiDir, f.path), f.data, { mode: f.mode });
        }
        const pod = etcdPod({
          cluster: cfg.cluster,
          endpoint: cfg.init.localAPIEndpoint,
          nodeName: cfg.init.nodeRegistration.name,
          controlPlaneHealthCheckMs: cfg.init.timeouts.controlPlaneComponentHealthCheck,
        }).value;
        const command = pod.spec.containers[0]!.command;
        assert.equal(command[0], 'etcd');
        const ports = { client: await freePort(), peer: await freePort(), metrics: await freePort() };
        const args = etcd34Args(command, cfg, root, ports);
        assert.ok(args.includes('--client-cert-auth=true') && args.includes('--peer-client-cert-auth=true'));

        child = spawn(ETCD, args, {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout!.on('data', (b: Buffer) => logs.push(b.toString()));
        child.stderr!.on('data', (b: Buffer) => logs.push(b.toString()));

        const ca = await fs.readFile(path.join(pkiDir, 'etcd/ca.crt'));
        const client = {
          ca,
          cert: await fs.readFile(path.join(pkiDir, 'etcd/healthcheck-client.crt')),
          key: await fs.readFile(path.join(pkiDir, 'etcd/healthcheck-client.key')),
        };
        const endpoint = `https://127.0.0.1:${ports.client}`;
        let health = await etcdHealth(endpoint, client);
        for (let i = 0; i < 60 && !health.healthy && child.exitCode === null; i++) {
          await sleep(250);
          health = await etcdHealth(endpoint, client);
        }
        assert.equal(
          health.healthy,
          true,
          `etcd healthy: ${JSON.stringify(health)}\n${logs.join('').slice(-3000)}`,
        );

        const anonymous = await etcdHealth(endpoint, { ca });
        assert.equal(anonymous.healthy, false, 'a client without a certificate is refused');
        assert.equal(anonymous.status, undefined, `refused at the TLS layer: ${JSON.stringify(anonymous)}`);

        // A certificate from another CA is refused too.
        const other = await generatePki(pkiInputsFromConfig(cfg.init, cfg.cluster), new Date());
        const foreign = pkiFiles(other);
        const foreignCert = foreign.find((f) => f.path === 'etcd/healthcheck-client.crt')!.data;
        const foreignKey = foreign.find((f) => f.path === 'etcd/healthcheck-client.key')!.data;
        const wrongCA = await etcdHealth(endpoint, { ca, cert: foreignCert, key: foreignKey });
        assert.equal(wrongCA.healthy, false, 'a client certificate from another CA is refused');
      } finally {
        if (child) await stop(child);
        await fs.rm(root, { recursive: true, force: true });
      }
    });
  }
});
