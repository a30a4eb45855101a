// A real three-member etcd cluster on loopback, every member with its own --rootfs, certificates
// and etcd.yaml written by kbadm. kbadm's client grows it one learner at a time (add, start,
// promote), then `kbadm reset` of the third node takes exactly that member out while the other
// two stay healthy.
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EtcdClient } from '../../src/etcd/client.js';
import type { EtcdClientTLS } from '../../src/etcd/https.js';
import { runCli } from '../support/cli.js';
import {
  etcdArgsUnderRoot,
  etcdMissing,
  freePort,
  startEtcd,
  stopEtcd,
  waitHealthy,
  stackedEtcdConfig,
  type EtcdProcess,
} from '../support/etcd.js';

interface Node {
  name: string;
  root: string;
  client: string;
  peer: string;
  process?: EtcdProcess;
}

function configFor(node: Node, metrics: number, cluster: Node[]): string {
  const i = node.name.slice(3);
  const args: Record<string, string> = {
    'listen-client-urls': node.client,
    'advertise-client-urls': node.client,
    'listen-peer-urls': node.peer,
    'initial-advertise-peer-urls': node.peer,
    'listen-metrics-urls': `http://127.0.0.1:${metrics}`,
    'initial-cluster': cluster.map((n) => `${n.name}=${n.peer}`).join(','),
    ...(cluster.length > 1 ? { 'initial-cluster-state': 'existing' } : {}),
  };
  // A documentation address: the manifest's annotation names it, but nothing dials it.
  return stackedEtcdConfig({
    name: node.name,
    advertiseAddress: `192.0.2.1${i}`,
    kubernetesVersion: 'v1.34.0',
    etcdArgs: args,
  });
}

async function kbadm(root: string, ...args: string[]): Promise<string> {
  const r = await runCli(['--rootfs', root, ...args]);
  assert.equal(r.code, 0, `kbadm ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const CA_FILES = [
  'ca.crt',
  'ca.key',
  'front-proxy-ca.crt',
  'front-proxy-ca.key',
  'etcd/ca.crt',
  'etcd/ca.key',
  'sa.key',
  'sa.pub',
];

async function tlsOf(node: Node): Promise<EtcdClientTLS> {
  const pki = path.join(node.root, 'etc/kubernetes/pki/etcd');
  return {
    ca: await fs.readFile(path.join(pki, 'ca.crt')),
    cert: await fs.readFile(path.join(pki, 'healthcheck-client.crt')),
    key: await fs.readFile(path.join(pki, 'healthcheck-client.key')),
  };
}

describe('etcd membership on a real three-member cluster', { skip: etcdMissing }, () => {
  let tmp: string;
  const nodes: Node[] = [];
  let client: EtcdClient;

  /** kbadm writes the node's certificates (CAs copied from the first node) and its etcd.yaml. */
  async function prepare(node: Node, cluster: Node[]): Promise<void> {
    await fs.mkdir(node.root, { recursive: true });
    await fs.writeFile(path.join(node.root, 'cfg.yaml'), configFor(node, await freePort(), cluster));
    if (node !== nodes[0]) {
      for (const f of CA_FILES) {
        const to = path.join(node.root, 'etc/kubernetes/pki', f);
        await fs.mkdir(path.dirname(to), { recursive: true });
        await fs.copyFile(path.join(nodes[0]!.root, 'etc/kubernetes/pki', f), to);
      }
    }
    await kbadm(node.root, 'init', 'phase', 'certs', 'all', '--config', '/cfg.yaml');
    await kbadm(node.root, 'init', 'phase', 'etcd', 'local', '--config', '/cfg.yaml');
  }

  async function start(node: Node): Promise<void> {
    const manifest = await fs.readFile(path.join(node.root, 'etc/kubernetes/manifests/etcd.yaml'), 'utf8');
    node.process = startEtcd(etcdArgsUnderRoot(manifest, node.root));
  }

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-etcd3-'));
    for (const name of ['cp-1', 'cp-2', 'cp-3']) {
      nodes.push({
        name,
        root: path.join(tmp, name),
        client: `https://127.0.0.1:${await freePort()}`,
        peer: `https://127.0.0.1:${await freePort()}`,
      });
    }
  });

  after(async () => {
    await Promise.all(nodes.map((n) => stopEtcd(n.process)));
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('the first member starts from its kbadm-written manifest and the client lists it', async () => {
    const [first] = nodes as [Node];
    await prepare(first, [first]);
    await start(first);
    const h = await waitHealthy(first.client, await tlsOf(first));
    assert.equal(h.healthy, true, `${JSON.stringify(h)}\n${first.process!.logs()}`);
    client = new EtcdClient({ endpoints: [first.client], tls: await tlsOf(first), timeoutMs: 60_000 });
    const members = await client.listMembers();
    assert.deepEqual(
      members.map((m) => [m.name, m.peerURLs, m.clientURLs, m.isLearner]),
      [['cp-1', [first.peer], [first.client], false]],
    );
  });

  for (const i of [1, 2]) {
    test(`member ${i + 1} joins as a learner and is promoted once it has caught up`, async () => {
      const node = nodes[i]!;
      await prepare(node, nodes.slice(0, i + 1));
      const members = await client.addMember(node.name, node.peer, { learner: true });
      const added = members.find((m) => m.peerURLs[0] === node.peer);
      assert.equal(added?.isLearner, true, JSON.stringify(members));
      // Adding again (a retried join) changes nothing.
      assert.equal((await client.addMember(node.name, node.peer, { learner: true })).length, i + 1);

      await start(node);
      const id = await client.memberId(node.peer);
      assert.equal(id, added!.id);
      await client.promoteMember(id!);
      const after = (await client.listMembers()).find((m) => m.id === id)!;
      assert.equal(after.isLearner, false, 'a voting member now');
      const h = await waitHealthy(node.client, await tlsOf(node));
      assert.equal(h.healthy, true, `${JSON.stringify(h)}\n${node.process!.logs()}`);
    });
  }

  test('all three vote, and sync finds every client URL', async () => {
    const members = await client.listMembers();
    assert.deepEqual(members.map((m) => [m.name, m.isLearner]).sort(), [
      ['cp-1', false],
      ['cp-2', false],
      ['cp-3', false],
    ]);
    assert.deepEqual((await client.sync()).sort(), nodes.map((n) => n.client).sort());
  });

  test('kbadm reset of cp-3 (its own --rootfs) removes exactly its member; cp-1 and cp-2 stay healthy', async () => {
    const [one, two, three] = nodes as [Node, Node, Node];
    const id3 = await client.memberId(three.peer);
    const out = await kbadm(three.root, 'reset', '--force', '--ignore-preflight-errors', 'IsPrivilegedUser');
    assert.match(
      out,
      /\[reset\] Removed the etcd member cp-3 \([0-9a-f]+, https:\/\/127\.0\.0\.1:\d+\) from the etcd cluster/,
    );
    assert.match(out, /\[reset\] Deleted contents of the etcd data directory: \/var\/lib\/etcd/);

    client.endpoints = [one.client, two.client];
    const left = await client.listMembers();
    assert.deepEqual(left.map((m) => m.name).sort(), ['cp-1', 'cp-2']);
    for (const n of [one, two]) {
      const h = await waitHealthy(n.client, await tlsOf(n));
      assert.equal(h.healthy, true, `${n.name}: ${JSON.stringify(h)}\n${n.process!.logs()}`);
    }
    // The removed member's node is clean.
    assert.deepEqual(await fs.readdir(path.join(three.root, 'var/lib/etcd')), []);
    assert.deepEqual(await fs.readdir(path.join(three.root, 'etc/kubernetes/pki')), []);
    assert.deepEqual(await fs.readdir(path.join(three.root, 'etc/kubernetes/manifests')), []);
    // Removing it again is not an error: the member is already gone.
    assert.deepEqual((await client.removeMember(id3!)).map((m) => m.name).sort(), ['cp-1', 'cp-2']);
  });
});
