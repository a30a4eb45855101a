// The etcd membership client against an in-memory etcd speaking the gateway's JSON: retries,
// endpoint failover, learners and promotion, idempotent add and remove. The real etcd is in
// membership.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EtcdClient, EtcdMemberNotFoundError } from '../../src/etcd/client.js';
import { EtcdAPIError, EtcdUnreachableError, type EtcdTransport } from '../../src/etcd/gateway.js';
import { hexMemberId, parseMemberId } from '../../src/etcd/members.js';
import { FakeEtcd } from '../support/fake-etcd.js';

/** A client on a fake clock: sleeping advances time instantly and is recorded. */
function clientFor(
  etcd: FakeEtcd,
  endpoints = ['https://10.0.0.1:2379'],
  timeoutMs = 120_000,
  giveUpWhenNothingListens = false,
) {
  let now = 0;
  const sleeps: number[] = [];
  const client = new EtcdClient({
    endpoints,
    transport: etcd.transport,
    timeoutMs,
    giveUpWhenNothingListens,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  return { client, sleeps };
}

describe('etcd member IDs', () => {
  test('a uint64 above 2^53 survives as a decimal string and prints in hex like etcdctl', () => {
    assert.equal(hexMemberId('11360731757148275951'), '9da96d57655284ef');
    assert.equal(parseMemberId('0x9da96d57655284ef'), '11360731757148275951');
    assert.equal(parseMemberId('18446744073709551616'), undefined, 'one above the uint64 range');
    assert.equal(parseMemberId('-1'), undefined);
  });
});

describe('EtcdClient', () => {
  test('lists members through the first endpoint that answers', async () => {
    const etcd = new FakeEtcd();
    etcd.down.add('https://10.0.0.9:2379');
    const { client } = clientFor(etcd, ['https://10.0.0.9:2379', 'https://10.0.0.1:2379']);
    const members = await client.listMembers();
    assert.deepEqual(
      members.map((m) => m.name),
      ['cp-1'],
    );
    assert.deepEqual(
      etcd.calls.map((c) => c.endpoint),
      ['https://10.0.0.9:2379', 'https://10.0.0.1:2379'],
    );
  });

  test('sync replaces the endpoints with the client URLs the members advertise', async () => {
    const etcd = new FakeEtcd();
    etcd.members.push({
      ID: '2',
      name: 'cp-2',
      peerURLs: ['https://10.0.0.2:2380'],
      clientURLs: ['https://10.0.0.2:2379'],
      isLearner: false,
    });
    const { client } = clientFor(etcd, ['https://127.0.0.1:2379']);
    assert.deepEqual(await client.sync(), ['https://10.0.0.1:2379', 'https://10.0.0.2:2379']);
  });

  test('retries every 500 ms while no endpoint answers, then gives up with the reasons', async () => {
    const etcd = new FakeEtcd();
    etcd.down.add('https://10.0.0.1:2379');
    const { client, sleeps } = clientFor(etcd, undefined, 2000);
    await assert.rejects(client.listMembers(), (err: Error) => {
      assert.ok(err instanceof EtcdUnreachableError);
      assert.match(err.message, /https:\/\/10\.0\.0\.1:2379: connect ECONNREFUSED/);
      return true;
    });
    assert.deepEqual(sleeps, [500, 500, 500, 500], 'attempts at 0, 500, 1000, 1500 and 2000 ms');
  });

  test('giveUpWhenNothingListens: every endpoint refusing the connection ends it at once', async () => {
    const etcd = new FakeEtcd();
    etcd.down.add('https://10.0.0.1:2379').add('https://127.0.0.1:2379');
    const { client, sleeps } = clientFor(
      etcd,
      ['https://10.0.0.1:2379', 'https://127.0.0.1:2379'],
      120_000,
      true,
    );
    await assert.rejects(
      client.sync(),
      (err: Error) => err instanceof EtcdUnreachableError && err.nothingListens,
    );
    assert.deepEqual(sleeps, []);
  });

  test('giveUpWhenNothingListens: an endpoint that accepts but does not answer is still waited for', async () => {
    const etcd = new FakeEtcd();
    etcd.down.add('https://127.0.0.1:2379');
    etcd.silent.add('https://10.0.0.1:2379');
    const { client, sleeps } = clientFor(
      etcd,
      ['https://10.0.0.1:2379', 'https://127.0.0.1:2379'],
      1000,
      true,
    );
    await assert.rejects(
      client.sync(),
      (err: Error) => err instanceof EtcdUnreachableError && !err.nothingListens,
    );
    assert.deepEqual(sleeps, [500, 500]);
  });

  test('a transient failure is retried and the call then succeeds', async () => {
    const etcd = new FakeEtcd();
    etcd.failNext.push(
      new Error('socket hang up'),
      new EtcdAPIError('etcdserver: request timed out', 14, 'x'),
    );
    const { client, sleeps } = clientFor(etcd);
    assert.equal((await client.listMembers()).length, 1);
    assert.deepEqual(sleeps, [500, 500]);
  });

  test('adds a learner, then promotes it once etcd lets it (after refusals while it catches up)', async () => {
    const etcd = new FakeEtcd();
    etcd.promoteRefusals = 3;
    const { client, sleeps } = clientFor(etcd);
    const members = await client.addMember('cp-2', 'https://10.0.0.2:2380', { learner: true });
    const added = members.find((m) => m.peerURLs[0] === 'https://10.0.0.2:2380')!;
    assert.equal(added.isLearner, true);
    assert.deepEqual(etcd.calls.find((c) => c.path.endsWith('/add'))!.body, {
      peerURLs: ['https://10.0.0.2:2380'],
      isLearner: true,
    });
    assert.equal(await client.memberId('https://10.0.0.2:2380'), added.id);

    await client.promoteMember(added.id);
    assert.equal(etcd.members.find((m) => m.ID === added.id)!.isLearner, false);
    assert.deepEqual(sleeps, [500, 500, 500], 'one retry per refusal');
    // Promoting a voting member again is a no-op, not an error.
    const before = etcd.calls.length;
    await client.promoteMember(added.id);
    assert.deepEqual(
      etcd.calls.slice(before).map((c) => c.path),
      ['/v3/cluster/member/list'],
    );
  });

  test('adding a member whose peer URL is already there returns the list and adds nothing', async () => {
    const etcd = new FakeEtcd();
    const { client } = clientFor(etcd);
    const members = await client.addMember('cp-1', 'https://10.0.0.1:2380', { learner: true });
    assert.equal(members.length, 1);
    assert.ok(!etcd.calls.some((c) => c.path.endsWith('/add')));
  });

  test('an add that lost the race with an earlier one (Peer URLs already exists) counts as done', async () => {
    const etcd = new FakeEtcd();
    // Another client adds the same peer URL between our list and our add.
    const serve = etcd.transport;
    const racing: EtcdTransport = async (endpoint, path, body, t) => {
      if (path.endsWith('/add')) await serve(endpoint, path, body, t);
      return serve(endpoint, path, body, t);
    };
    const client = new EtcdClient({ endpoints: ['https://10.0.0.1:2379'], transport: racing });
    const members = await client.addMember('cp-2', 'https://10.0.0.2:2380', { learner: false });
    assert.equal(members.filter((m) => m.peerURLs[0] === 'https://10.0.0.2:2380').length, 1);
    assert.deepEqual(
      etcd.calls.map((c) => c.path),
      [
        '/v3/cluster/member/list',
        '/v3/cluster/member/add',
        '/v3/cluster/member/add',
        '/v3/cluster/member/list',
      ],
      'our add was refused, and the list that follows is the answer',
    );
  });

  test('a malformed peer URL is refused before anything is sent', async () => {
    const etcd = new FakeEtcd();
    const { client } = clientFor(etcd);
    await assert.rejects(
      client.addMember('cp-2', '10.0.0.2:2380', { learner: true }),
      /invalid etcd peer URL/,
    );
    assert.equal(etcd.calls.length, 0);
  });

  test('removing a member returns the rest; removing it again counts as done', async () => {
    const etcd = new FakeEtcd();
    etcd.members.push({
      ID: '2',
      name: 'cp-2',
      peerURLs: ['https://10.0.0.2:2380'],
      clientURLs: [],
      isLearner: false,
    });
    const { client, sleeps } = clientFor(etcd);
    assert.deepEqual(
      (await client.removeMember('2')).map((m) => m.name),
      ['cp-1'],
    );
    assert.deepEqual(
      (await client.removeMember('2')).map((m) => m.name),
      ['cp-1'],
    );
    assert.deepEqual(sleeps, [], 'member not found is an answer, not a failure to retry');
  });

  test('promoting a member that is not in the cluster fails at once', async () => {
    const etcd = new FakeEtcd();
    const { client, sleeps } = clientFor(etcd);
    await assert.rejects(client.promoteMember('77'), EtcdMemberNotFoundError);
    assert.deepEqual(sleeps, []);
  });
});
