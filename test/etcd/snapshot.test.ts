// A snapshot of a real etcd (started from a kbadm-written etcd.yaml and PKI) taken through the
// JSON gateway; etcdctl then reads it and restores it, which proves the bytes are a whole snapshot.
// Also the stream splitter on its own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gatewayTransport } from '../../src/etcd/gateway.js';
import type { EtcdClientTLS } from '../../src/etcd/https.js';
import { etcdSnapshot, JsonStreamSplitter, streamEtcdSnapshot } from '../../src/etcd/snapshot.js';
import {
  etcdArgsUnderRoot,
  prepareOneMemberEtcd,
  startEtcd,
  stopEtcd,
  waitHealthy,
  type EtcdProcess,
} from '../support/etcd.js';
import { requireTool } from '../support/tools.js';

describe('JsonStreamSplitter', () => {
  test('cuts concatenated objects at any chunk boundary, ignoring braces inside strings', () => {
    const text = '{"result":{"blob":"e30=","x":"}{\\""}}\n{"result":{"remainingBytes":"0"}}';
    for (let cut = 0; cut <= text.length; cut++) {
      const s = new JsonStreamSplitter();
      const got = [...s.push(text.slice(0, cut)), ...s.push(text.slice(cut))];
      assert.deepEqual(
        got.map((g) => JSON.parse(g) as unknown),
        [{ result: { blob: 'e30=', x: '}{"' } }, { result: { remainingBytes: '0' } }],
        `cut at ${cut}`,
      );
      assert.equal(s.rest().trim(), '');
    }
  });

  test('keeps an unfinished object as the rest', () => {
    const s = new JsonStreamSplitter();
    assert.deepEqual(s.push('{"a":1}{"b":'), ['{"a":1}']);
    assert.equal(s.rest(), '{"b":');
  });
});

describe('etcd snapshot through the gateway, on a real etcd', () => {
  let tmp: string;
  let root: string;
  let client: string;
  let tls: EtcdClientTLS;
  let etcd: EtcdProcess | undefined;

  before(async () => {
    requireTool('etcd');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-snap-'));
    root = path.join(tmp, 'root');
    await fs.mkdir(root, { recursive: true });
    ({ client, tls } = await prepareOneMemberEtcd(root, 'v1.34.0'));
    const manifest = await fs.readFile(path.join(root, 'etc/kubernetes/manifests/etcd.yaml'), 'utf8');
    etcd = startEtcd(etcdArgsUnderRoot(manifest, root));
    const h = await waitHealthy(client, tls);
    assert.equal(h.healthy, true, `${JSON.stringify(h)}\n${etcd.logs()}`);
  });

  after(async () => {
    await stopEtcd(etcd);
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('the snapshot holds the key put before it; etcdctl reads and restores it', async () => {
    const etcdctl = requireTool('etcdctl');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    await gatewayTransport(tls)(client, '/v3/kv/put', { key: b64('/kbadm/test'), value: b64('snap') }, 5000);

    const chunks: number[] = [];
    const parts: Buffer[] = [];
    const bytes = await streamEtcdSnapshot(client, tls, (c) => {
      chunks.push(c.length);
      parts.push(c);
    });
    const data = Buffer.concat(parts);
    assert.equal(bytes, data.length);
    assert.ok(chunks.length >= 1);
    assert.deepEqual(await etcdSnapshot(client, tls).then((b) => b.length > 0), true);

    const file = path.join(tmp, 'snapshot.db');
    await fs.writeFile(file, data);
    const status = spawnSync(etcdctl, ['snapshot', 'status', file, '-w', 'json'], {
      env: { ETCDCTL_API: '3', PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    assert.equal(status.status, 0, status.stderr);
    const st = JSON.parse(status.stdout) as { totalKey: number; totalSize: number };
    assert.ok(st.totalKey >= 1, status.stdout);
    assert.equal(st.totalSize, data.length - 32, 'the database plus its sha256 trailer');

    const restored = path.join(tmp, 'restored');
    const r = spawnSync(etcdctl, ['snapshot', 'restore', file, '--data-dir', restored], {
      env: { ETCDCTL_API: '3', PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const db = await fs.stat(path.join(restored, 'member/snap/db'));
    assert.ok(db.size > 0);
    // The key is in the restored database file.
    assert.ok((await fs.readFile(path.join(restored, 'member/snap/db'))).includes('/kbadm/test'));
  });

  test('a wrong client certificate is refused with an error, and nothing reaches the sink', async () => {
    let got = 0;
    await assert.rejects(
      streamEtcdSnapshot(client, { ca: tls.ca }, (c) => void (got += c.length), { timeoutMs: 10_000 }),
    );
    assert.equal(got, 0);
  });
});
