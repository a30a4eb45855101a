// The NodeProbe over a Host: which facts come from under --rootfs and which from the machine.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestHost } from '../../src/host/test-host.js';
import { recordOutput } from '../../src/output/output.js';
import { createNodeProbe } from '../../src/preflight/preflight-files.js';
import { createTestRuntime } from '../../src/host/test-runtime.js';
import { CONTAINERD_SOCKET, prepareNode } from '../support/prepared-node.js';

const CONTAINERD = `unix://${CONTAINERD_SOCKET}`;

function probeOn(rootfs: string, env: Record<string, string> = {}) {
  const host = createTestHost({ rootfs });
  const probe = createNodeProbe(host, { env, criSocket: CONTAINERD, out: recordOutput() });
  return { host, probe };
}

describe('NodeProbe on /', () => {
  test('paths, executables, services and the runtime of a prepared node', async () => {
    const { host, runtime, endpoints } = prepareNode(createTestHost());
    host.seedDir('/var/lib/etcd').seedFile('/var/lib/etcd/member/snap', 'x');
    const probe = createNodeProbe(host, { env: {}, criSocket: CONTAINERD, out: recordOutput() });
    assert.equal(await probe.readFile('/proc/sys/net/ipv4/ip_forward', 1), '1');
    assert.equal(await probe.pathState('/var/lib/etcd'), 'dir');
    assert.equal(await probe.pathState('/var/lib/etcd/member/snap'), 'file');
    assert.equal(await probe.pathState('/etc/kubernetes/manifests/etcd.yaml'), 'missing');
    assert.equal(await probe.findExecutable('nsenter'), '/usr/bin/nsenter');
    assert.equal(await probe.kubeletVersionOutput(), 'Kubernetes v1.34.0\n');
    assert.deepEqual(await probe.service('kubelet'), {
      initSystem: 'systemd',
      exists: true,
      enabled: true,
      active: false,
    });
    assert.equal(await probe.runtime(), runtime);
    assert.equal(await probe.runtime(), runtime, 'one connection, reused');
    assert.deepEqual(endpoints, [CONTAINERD]);
    probe.close();
    await new Promise((r) => setImmediate(r));
    assert.equal(runtime.closed, true);
  });

  test('no socket file: a clear reason naming the endpoint, and no connection attempt', async () => {
    const { host, probe } = probeOn('/');
    const asked: string[] = [];
    host.setRuntime((endpoint) => {
      asked.push(endpoint);
      return createTestRuntime();
    });
    await assert.rejects(probe.runtime(), {
      message: 'cannot connect to "unix:///var/run/containerd/containerd.sock": no such socket',
    });
    assert.deepEqual(asked, []);
  });

  test('an empty directory is empty-dir; no kubelet on the PATH is a clear error', async () => {
    const { host, probe } = probeOn('/');
    host.seedDir('/var/lib/etcd');
    assert.equal(await probe.pathState('/var/lib/etcd'), 'empty-dir');
    await assert.rejects(
      probe.kubeletVersionOutput(),
      /cannot execute 'kubelet --version': executable file not found/,
    );
  });
});

describe('NodeProbe under another --rootfs', () => {
  test('/proc files, executables and the CRI socket are looked up under the root', async () => {
    const env = { PATH: '/usr/sbin:/usr/bin' };
    const { host, probe } = probeOn('/srv/node', env);
    host
      .seedFile('/srv/node/proc/sys/net/ipv4/ip_forward', '1\n')
      .seedFile('/srv/node/usr/sbin/ip', 'ELF', 0o755)
      .seedFile('/srv/node/usr/bin/socat', 'not executable', 0o644)
      .seedFile('/srv/node/usr/bin/kubelet', 'ELF', 0o755)
      .seedSocket(`/srv/node${CONTAINERD_SOCKET}`)
      .onRun('kubelet', { stdout: 'Kubernetes v1.33.1\n' })
      .onRun('ip', {});
    const asked: string[] = [];
    host.setRuntime((endpoint) => {
      asked.push(endpoint);
      return createTestRuntime();
    });
    assert.equal(await probe.readFile('/proc/sys/net/ipv4/ip_forward', 1), '1');
    assert.equal(await probe.findExecutable('ip'), '/srv/node/usr/sbin/ip');
    assert.equal(await probe.findExecutable('socat'), undefined, 'not executable');
    assert.equal(await probe.findExecutable('nsenter'), undefined, "this machine's PATH does not count");
    assert.equal(await probe.kubeletVersionOutput(), 'Kubernetes v1.33.1\n');
    assert.equal(host.runs.at(-1)?.command, '/srv/node/usr/bin/kubelet');
    await probe.runtime();
    assert.deepEqual(asked, [`unix:///srv/node${CONTAINERD_SOCKET}`]);
  });

  test('services are not asked about; machine facts are still the machine’s', async () => {
    const { host, probe } = probeOn('/srv/node');
    host.onRun('systemctl', {}).setMachine({ cpus: 8 }).setPortsInUse(6443);
    assert.equal(await probe.service('kubelet'), undefined);
    assert.deepEqual(host.runs, []);
    assert.equal((await probe.machine()).cpus, 8);
    assert.equal(await probe.bindError(6443), 'EADDRINUSE');
    assert.equal(await probe.bindError(6444), undefined);
  });
});

describe('name resolution under another --rootfs', () => {
  test('the root’s /etc/hosts answers first; then only its nameservers are asked', async () => {
    const { host, probe } = probeOn('/srv/node');
    host
      .seedFile('/srv/node/etc/hosts', '10.0.0.5 cp-1\n')
      .seedFile('/srv/node/etc/resolv.conf', 'nameserver 10.0.0.2\n');
    host.setHost('cp-2', ['10.0.0.6']);
    assert.deepEqual(await probe.lookupHost('cp-1'), ['10.0.0.5']);
    assert.deepEqual(await probe.lookupHost('cp-2'), ['10.0.0.6']);
    assert.deepEqual(host.lookups, [{ name: 'cp-2', servers: ['10.0.0.2'] }]);
  });

  test('neither file: the name does not resolve and nothing is asked', async () => {
    const { host, probe } = probeOn('/srv/node');
    await assert.rejects(probe.lookupHost('cp-1'), {
      message: 'lookup cp-1: not in /etc/hosts, and /etc/resolv.conf names no nameserver',
    });
    assert.deepEqual(host.lookups, []);
  });

  test('on / the machine’s resolver answers', async () => {
    const { host, probe } = probeOn('/');
    assert.deepEqual(await probe.lookupHost('cp-1'), ['192.168.0.10']);
    assert.deepEqual(host.lookups, [{ name: 'cp-1' }]);
  });
});

describe('the CRI endpoint, parsed as every CRI connection parses it', () => {
  for (const endpoint of [
    `unix://${CONTAINERD_SOCKET}`,
    `unix:${CONTAINERD_SOCKET}`,
    `unix://localhost${CONTAINERD_SOCKET}`,
    CONTAINERD_SOCKET,
  ]) {
    test(`${endpoint} names ${CONTAINERD_SOCKET}, under the root too`, async () => {
      const host = createTestHost({ rootfs: '/srv/node' }).seedSocket(`/srv/node${CONTAINERD_SOCKET}`);
      const asked: string[] = [];
      host.setRuntime((e) => {
        asked.push(e);
        return createTestRuntime();
      });
      const probe = createNodeProbe(host, { env: {}, criSocket: endpoint, out: recordOutput() });
      await probe.runtime();
      assert.deepEqual(asked, [`unix:///srv/node${CONTAINERD_SOCKET}`]);
    });
  }

  test('another scheme is refused, naming the endpoint; nothing is asked', async () => {
    const host = createTestHost();
    const asked: string[] = [];
    host.setRuntime((e) => {
      asked.push(e);
      return createTestRuntime();
    });
    const endpoint = 'npipe:////./pipe/containerd-containerd';
    const probe = createNodeProbe(host, { env: {}, criSocket: endpoint, out: recordOutput() });
    await assert.rejects(probe.runtime(), {
      message: `CRI endpoint "${endpoint}": protocol "npipe" not supported`,
    });
    assert.deepEqual(asked, []);
  });
});
