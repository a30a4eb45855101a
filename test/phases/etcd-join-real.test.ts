// check-etcd and etcd-join against a real etcd: a one-member cluster started from kbadm's own
// certificates and etcd.yaml, which a second node (its own --rootfs) joins through runEtcdJoin.
// The second etcd is started from the manifest runEtcdJoin wrote, at the moment the join waits
// for etcd to accept the promotion, as a kubelet would start it. Each node has a loopback address
// of its own, so both use etcd's default ports as a real node would.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/cluster/types.js';
import type { InitConfig } from '../../src/config/model.js';
import { EtcdClient } from '../../src/etcd/client.js';
import type { EtcdClientTLS } from '../../src/etcd/https.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { recordOutput } from '../../src/output/output.js';
import { runCheckEtcd, runEtcdJoin, type EtcdJoinData } from '../../src/phases/etcd-join.js';
import { newInitCache } from '../../src/phases/init/data.js';
import { runEtcdLocal } from '../../src/phases/init/etcd.js';
import { runCli } from '../support/cli.js';
import {
  etcdArgsUnderRoot,
  etcdMissing,
  startEtcd,
  stopEtcd,
  waitHealthy,
  type EtcdProcess,
} from '../support/etcd.js';
import { lines, loadConfigText } from '../support/manifests.js';
import { TestCluster } from '../support/memory-cluster.js';

interface Node {
  name: string;
  root: string;
  /** The node's own loopback address (127.X.Y.n). */
  address: string;
  /** What its configuration file says instead (see configFor). */
  docAddress: string;
  process?: EtcdProcess;
}

const MANIFEST = 'etc/kubernetes/manifests/etcd.yaml';

/**
 * The node's configuration file. kubeadm refuses a loopback advertise address, so the file names a
 * documentation address and the node's loopback address is set on the loaded model (nodeConfig);
 * the certificates carry it as an extra SAN. Everything etcd listens on is on that address
 * (kubeadm also listens on 127.0.0.1, which the two nodes would share).
 */
function configFor(node: Node): string {
  return [
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: InitConfiguration',
    'localAPIEndpoint:',
    `  advertiseAddress: ${node.docAddress}`,
    'nodeRegistration:',
    `  name: ${node.name}`,
    '---',
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: ClusterConfiguration',
    'kubernetesVersion: v1.34.0',
    'encryptionAlgorithm: ECDSA-P256',
    'etcd:',
    '  local:',
    `    serverCertSANs: [${node.address}]`,
    `    peerCertSANs: [${node.address}]`,
    '    extraArgs:',
    '    - name: listen-client-urls',
    `      value: https://${node.address}:2379`,
    '    - name: listen-metrics-urls',
    `      value: http://${node.address}:2381`,
    '',
  ].join('\n');
}

function nodeConfig(node: Node): InitConfig {
  const config = loadConfigText(configFor(node));
  config.init.localAPIEndpoint.advertiseAddress = node.address;
  return config;
}

async function kbadm(root: string, ...args: string[]): Promise<void> {
  const r = await runCli(['--rootfs', root, ...args]);
  assert.equal(r.code, 0, `kbadm ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
}

async function tlsOf(node: Node): Promise<EtcdClientTLS> {
  const pki = path.join(node.root, 'etc/kubernetes/pki/etcd');
  return {
    ca: await fs.readFile(path.join(pki, 'ca.crt')),
    cert: await fs.readFile(path.join(pki, 'healthcheck-client.crt')),
    key: await fs.readFile(path.join(pki, 'healthcheck-client.key')),
  };
}

async function canListen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, address, () => srv.close(() => resolve(true)));
  });
}

/** Two loopback addresses 127.X.Y.1 and .2 where nothing listens on etcd's ports. */
async function loopbackPair(): Promise<[string, string]> {
  for (;;) {
    const prefix = `127.${randomInt(100, 255)}.${randomInt(0, 255)}`;
    const pair: [string, string] = [`${prefix}.1`, `${prefix}.2`];
    const free = await Promise.all(pair.flatMap((a) => [2379, 2380, 2381].map((p) => canListen(a, p))));
    if (free.every(Boolean)) return pair;
  }
}

/** The etcd Pod the kubelet would mirror into the API server, from the node's etcd.yaml. */
async function mirrorPod(node: Node): Promise<KubeObject> {
  const pod = parse(await fs.readFile(path.join(node.root, MANIFEST), 'utf8')) as KubeObject;
  pod.metadata.name = `etcd-${node.name}`;
  return pod;
}

describe('a second control-plane node joins a real stacked etcd', { skip: etcdMissing }, () => {
  let tmp: string;
  let first: Node;
  let second: Node;
  const api = new TestCluster();

  /** kbadm writes the node's certificates (the CAs copied from the first node). */
  async function certs(node: Node): Promise<void> {
    await fs.mkdir(node.root, { recursive: true });
    await fs.writeFile(path.join(node.root, 'cfg.yaml'), configFor(node));
    if (node !== first) {
      for (const f of ['ca.crt', 'ca.key', 'etcd/ca.crt', 'etcd/ca.key']) {
        const to = path.join(node.root, 'etc/kubernetes/pki', f);
        await fs.mkdir(path.dirname(to), { recursive: true });
        await fs.copyFile(path.join(first.root, 'etc/kubernetes/pki', f), to);
      }
    }
    await kbadm(node.root, 'init', 'phase', 'certs', 'all', '--config', '/cfg.yaml');
  }

  /** What a kubelet does with etcd.yaml: run etcd with its command line (paths under the root). */
  function start(node: Node): void {
    const manifest = readFileSync(path.join(node.root, MANIFEST), 'utf8');
    node.process = startEtcd(etcdArgsUnderRoot(manifest, node.root));
  }

  function joinData(node: Node): EtcdJoinData & { out: ReturnType<typeof recordOutput> } {
    const out = recordOutput();
    const host = createRealHost(createPaths(node.root), out);
    return {
      config: nodeConfig(node),
      paths: host.paths,
      host,
      out,
      dryRun: false,
      env: {},
      cache: newInitCache(),
      cluster: async () => api,
      etcdClient: (endpoints, tls) =>
        new EtcdClient({
          endpoints,
          tls,
          timeoutMs: 60_000,
          // etcd refuses to promote a learner that has not caught up: that is when the kubelet
          // would have started it from the manifest just written.
          onRetry: (r) => {
            if (r.what.startsWith('promote') && node.process === undefined) start(node);
          },
        }),
    };
  }

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-etcd-join-'));
    const [a, b] = await loopbackPair();
    first = { name: 'cp-1', root: path.join(tmp, 'cp-1'), address: a, docAddress: '192.0.2.11' };
    second = { name: 'cp-2', root: path.join(tmp, 'cp-2'), address: b, docAddress: '192.0.2.12' };
  });

  after(async () => {
    await Promise.all([first, second].map((n) => stopEtcd(n?.process)));
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('the first member runs from its kbadm-written manifest and its Pod is in the API server', async () => {
    await certs(first);
    await runEtcdLocal(joinData(first));
    start(first);
    const h = await waitHealthy(`https://${first.address}:2379`, await tlsOf(first));
    assert.equal(h.healthy, true, `${JSON.stringify(h)}\n${first.process!.logs()}`);
    api.seed(await mirrorPod(first));
  });

  test('check-etcd on the joining node finds it healthy', async () => {
    await certs(second);
    const d = joinData(second);
    await runCheckEtcd(d);
    assert.deepEqual(lines(d.out), ['[check-etcd] Checking that the etcd cluster is healthy']);
  });

  test('etcd-join adds, starts and promotes the member; both vote and are healthy', async () => {
    const d = joinData(second);
    await runEtcdJoin(d);
    assert.deepEqual(lines(d.out), [
      '[etcd] Announced new etcd member joining to the existing etcd cluster',
      '[etcd] Creating static Pod manifest for "etcd"',
      '[etcd] Waiting for the new etcd member to join the cluster. This can take up to 40s',
    ]);
    assert.ok(second.process, 'the second etcd was started while the join waited to promote it');

    const client = new EtcdClient({ endpoints: [`https://${first.address}:2379`], tls: await tlsOf(first) });
    const members = await client.listMembers();
    assert.deepEqual(members.map((m) => [m.name, m.peerURLs, m.isLearner]).sort(), [
      ['cp-1', [`https://${first.address}:2380`], false],
      ['cp-2', [`https://${second.address}:2380`], false],
    ]);
    for (const n of [first, second]) {
      const h = await waitHealthy(`https://${n.address}:2379`, await tlsOf(n));
      assert.equal(h.healthy, true, `${n.name}: ${JSON.stringify(h)}\n${n.process!.logs()}`);
    }
    const manifest = await fs.readFile(path.join(second.root, MANIFEST), 'utf8');
    // Members come in the order etcd lists them (by ID), as in kubeadm.
    const initialCluster = /- --initial-cluster=(.*)\n/.exec(manifest)?.[1]?.split(',').sort();
    assert.deepEqual(
      initialCluster,
      [`cp-1=https://${first.address}:2380`, `cp-2=https://${second.address}:2380`],
      manifest,
    );
    assert.ok(manifest.includes('- --initial-cluster-state=existing\n'));
  });

  test('running etcd-join again changes nothing: still two voting members', async () => {
    const before = await fs.readFile(path.join(second.root, MANIFEST), 'utf8');
    await runEtcdJoin(joinData(second));
    assert.equal(await fs.readFile(path.join(second.root, MANIFEST), 'utf8'), before);
    const client = new EtcdClient({
      endpoints: [`https://${second.address}:2379`],
      tls: await tlsOf(second),
    });
    const members = await client.listMembers();
    assert.deepEqual(members.map((m) => [m.name, m.isLearner]).sort(), [
      ['cp-1', false],
      ['cp-2', false],
    ]);
    // And check-etcd now sees both members healthy.
    await runCheckEtcd(joinData(second));
  });
});
