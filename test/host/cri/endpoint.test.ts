import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { criEndpointUnder, criSocketPath, probeSocket } from '../../../src/host/cri/endpoint.js';
import { dialErrorText, rpcErrorText } from '../../../src/host/cri/errors.js';
import { createPaths } from '../../../src/host/paths.js';
import { createRealHost } from '../../../src/host/real-host.js';
import { createTestHost } from '../../../src/host/test-host.js';
import { recordOutput } from '../../../src/output/output.js';

describe('CRI endpoints', () => {
  test('unix:// URLs and bare absolute paths name a socket path', () => {
    assert.equal(
      criSocketPath('unix:///var/run/containerd/containerd.sock'),
      '/var/run/containerd/containerd.sock',
    );
    assert.equal(criSocketPath('unix:/run/crio/crio.sock'), '/run/crio/crio.sock');
    assert.equal(criSocketPath('/var/run/cri-dockerd.sock'), '/var/run/cri-dockerd.sock');
    assert.equal(criSocketPath('UNIX:///run/a%20b.sock'), '/run/a b.sock');
  });

  test('as in Go, unix://host/path names /path', () => {
    assert.equal(criSocketPath('unix://var/run/containerd.sock'), '/run/containerd.sock');
  });

  test('other schemes and relative paths are refused, naming the endpoint', () => {
    assert.throws(() => criSocketPath('tcp://127.0.0.1:1234'), {
      message: 'CRI endpoint "tcp://127.0.0.1:1234": protocol "tcp" not supported',
    });
    assert.throws(() => criSocketPath('run/x.sock'), /CRI endpoint "run\/x.sock" is neither a unix:\/\/ URL/);
    assert.throws(() => criSocketPath('unix:run/x.sock'), /does not name an absolute socket path/);
  });

  test('under --rootfs the endpoint moves below the root', () => {
    const paths = createPaths('/srv/node1');
    assert.equal(
      criEndpointUnder(paths, 'unix:///var/run/containerd/containerd.sock'),
      'unix:///srv/node1/var/run/containerd/containerd.sock',
    );
    assert.equal(criEndpointUnder(createPaths('/'), '/run/crio/crio.sock'), 'unix:///run/crio/crio.sock');
  });

  test("errors read like Go's", () => {
    assert.equal(rpcErrorText(5, 'not found'), 'rpc error: code = NotFound desc = not found');
    assert.equal(rpcErrorText(99, 'x'), 'rpc error: code = Code(99) desc = x');
    assert.equal(
      dialErrorText('/run/x.sock', 'ECONNREFUSED'),
      'dial unix /run/x.sock: connect: connection refused',
    );
  });
});

describe('whether a socket answers', () => {
  let dir: string;
  let server: net.Server;
  let live: string;
  let stale: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-socket-'));
    live = path.join(dir, 'live.sock');
    stale = path.join(dir, 'stale.sock');
    server = net.createServer((c) => c.destroy());
    await new Promise<void>((resolve) => server.listen(live, resolve));
    // A process that exits without closing its listener leaves the socket file behind.
    const r = spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`,
    ]);
    assert.equal(r.status, 0);
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('probeSocket: a listener answers; a stale file is refused; a missing path is ENOENT', async () => {
    assert.equal(await probeSocket(live), undefined);
    assert.equal((await fs.stat(stale)).isSocket(), true);
    assert.equal(await probeSocket(stale), 'ECONNREFUSED');
    assert.equal(await probeSocket(path.join(dir, 'none.sock')), 'ENOENT');
  });

  test('the real host dials the socket', async () => {
    const host = createRealHost(createPaths('/'), recordOutput());
    assert.equal(await host.socketAnswers(live), true);
    assert.equal(await host.socketAnswers(stale), false);
    assert.equal(await host.socketAnswers(path.join(dir, 'none.sock')), false);
  });

  test('the test host answers for seeded sockets unless told otherwise', async () => {
    const host = createTestHost()
      .seedSocket('/run/a.sock')
      .seedSocket('/run/b.sock', { answers: false })
      .seedFile('/run/c.sock', 'not a socket');
    assert.equal(await host.socketAnswers('/run/a.sock'), true);
    assert.equal(await host.socketAnswers('/run/b.sock'), false);
    assert.equal(await host.socketAnswers('/run/c.sock'), false);
    assert.equal(await host.socketAnswers('/run/c.sock/x'), false);
    assert.equal(await host.socketAnswers('/run/none.sock'), false);
  });
});
