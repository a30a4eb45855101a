import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gatherDefaultingFacts } from '../../src/host/facts.js';
import { createPaths, userPath } from '../../src/host/paths.js';
import { createTestHost } from '../../src/host/test-host.js';

const SOCKETS = ['unix:///var/run/containerd/containerd.sock', 'unix:///var/run/crio/crio.sock'];

describe('gatherDefaultingFacts', () => {
  test('lists the CRI endpoints that answer under --rootfs, in the order given', async () => {
    const host = createTestHost({
      rootfs: '/r',
      facts: { hostname: 'node-a', defaultRouteAddress: '10.0.0.7' },
    })
      .seedSocket('/r/var/run/crio/crio.sock')
      .seedSocket('/var/run/containerd/containerd.sock')
      .seedSocket('/r/var/run/containerd/containerd.sock', { answers: false });
    assert.deepEqual(await gatherDefaultingFacts(host, SOCKETS), {
      hostname: 'node-a',
      defaultRouteAddress: '10.0.0.7',
      criSocketsPresent: ['unix:///var/run/crio/crio.sock'],
    });
  });

  test('a host without a default route has no address field at all', async () => {
    const host = createTestHost().setFacts({ defaultRouteAddress: undefined });
    const facts = await gatherDefaultingFacts(host, SOCKETS);
    assert.equal(Object.hasOwn(facts, 'defaultRouteAddress'), false);
    assert.deepEqual(facts.criSocketsPresent, []);
  });
});

describe('userPath', () => {
  test('without --rootfs a relative path is relative to the working directory', () => {
    const paths = createPaths('/');
    assert.equal(userPath(paths, 'cfg.yaml'), `${process.cwd()}/cfg.yaml`);
    assert.equal(userPath(paths, '/etc/kubernetes/pki'), '/etc/kubernetes/pki');
  });

  test('with --rootfs every path, relative or not, lives under the root', () => {
    const paths = createPaths('/srv/node1');
    assert.equal(userPath(paths, 'cfg.yaml'), '/srv/node1/cfg.yaml');
    assert.equal(userPath(paths, '/etc/kubernetes/pki/'), '/srv/node1/etc/kubernetes/pki');
    assert.equal(userPath(paths, '../../etc/passwd'), '/srv/node1/etc/passwd');
  });
});
