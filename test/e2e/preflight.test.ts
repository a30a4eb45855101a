// Preflight through the real CLI and the real host under temporary roots: a second init on an
// initialised root is refused and changes nothing; the checks read the node's files under
// --rootfs, run its kubelet, and bind ports for real.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { IGNORE_IN_TEMP_ROOT, SKIP_WAIT, TEMP_ROOT_IGNORES } from '../support/temp-root-preflight.js';
import { config, tempRoot, type Root } from '../support/e2e.js';

/**
 * One hash of every path, mode and content under `dir`, but for the node lock (run/lock), which a
 * changing command takes even when it ends up writing nothing; the tests check it is left empty.
 */
function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = join(rel, name);
      if (p === 'run/lock') continue;
      const st = lstatSync(join(dir, p));
      hash.update(`${p}\0${st.mode}\0`);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) hash.update(readFileSync(join(dir, p)));
    }
  };
  walk('');
  return hash.digest('hex');
}

/** What a prepared node has under its root: sysctls, cgroup controllers, executables, a kubelet, /run/lock. */
function prepareRootfs(dir: string): void {
  const file = (p: string, text: string, mode = 0o644) => {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
    chmodSync(join(dir, p), mode);
  };
  file('proc/sys/net/ipv4/ip_forward', '1\n');
  file('proc/swaps', 'Filename\tType\tSize\tUsed\tPriority\n');
  file('sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory hugetlb pids\n');
  for (const exe of ['ip', 'iptables', 'mount', 'nsenter', 'ebtables', 'ethtool', 'socat', 'tc', 'touch'])
    file(`usr/bin/${exe}`, '#!/bin/sh\nexit 0\n', 0o755);
  file('usr/bin/kubelet', '#!/bin/sh\necho "Kubernetes v1.34.0"\n', 0o755);
  mkdirSync(join(dir, 'run/lock'), { recursive: true });
}

const roots: Root[] = [];
after(() => roots.forEach((r) => r.cleanup()));

describe('kbadm init on an initialised root', () => {
  test('exits 2 naming FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml and changes nothing', async () => {
    const root = tempRoot(config('ECDSA-P256'));
    roots.push(root);
    await root.kbadm(['init', '--config', '/cfg.yaml', ...IGNORE_IN_TEMP_ROOT, ...SKIP_WAIT]);
    const before = treeHash(root.dir);

    const again = await root.kbadm(['init', '--config', '/cfg.yaml', ...IGNORE_IN_TEMP_ROOT], {
      allowFailure: true,
    });
    assert.equal(again.code, 2, again.stderr);
    assert.match(
      again.stderr,
      /^\t\[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver\.yaml\]: \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml already exists$/m,
    );
    assert.match(again.stderr, /^error execution phase preflight: preflight checks failed$/m);
    assert.equal(treeHash(root.dir), before);
    assert.doesNotMatch(again.stdout, /\[certs\]|\[kubelet-start\]/, 'no phase after preflight ran');
  });
});

describe('init phase preflight under a prepared --rootfs', () => {
  const ENV = { PATH: '/usr/bin' };
  // Only what the machine decides (user, size, ports) and the missing runtime stay ignored.
  const MACHINE = TEMP_ROOT_IGNORES.filter((n) =>
    /^(IsPrivilegedUser|NumCPU|Mem|Port-|CRI$|ImagePull$)/.test(n),
  );

  test('reads the sysctls, cgroups and executables there and runs its kubelet', async () => {
    const root = tempRoot(config('ECDSA-P256'));
    roots.push(root);
    prepareRootfs(root.dir);
    const before = treeHash(root.dir);
    const { runCli } = await import('../support/cli.js');
    const r = await runCli(
      [
        '--rootfs',
        root.dir,
        'init',
        'phase',
        'preflight',
        '--config',
        '/cfg.yaml',
        '--ignore-preflight-errors',
        MACHINE.join(','),
      ],
      { env: ENV },
    );
    assert.equal(r.code, 0, r.stderr);
    const named = [...r.stderr.matchAll(/^\t\[WARNING ([^\]]+)\]/gm)].map((m) => m[1]);
    for (const check of [
      'FileExisting-ip',
      'FileExisting-socat',
      'KubeletVersion',
      'SystemVerification',
      'Swap',
      'Service-Kubelet',
    ])
      assert.ok(!named.includes(check), `${check} passes under the prepared root:\n${r.stderr}`);
    assert.match(
      r.stderr,
      /^\t\[WARNING CRI\]: container runtime is not running: cannot connect to "unix:\/\/\/var\/run\/containerd\/containerd\.sock": no such socket$/m,
    );
    assert.equal(treeHash(root.dir), before, 'preflight writes nothing');
    assert.equal(readFileSync(join(root.dir, 'run/lock/kbadm.lock'), 'utf8'), '', 'the lock is released');

    // The same root with IP forwarding off and no kubelet: both are errors.
    writeFileSync(join(root.dir, 'proc/sys/net/ipv4/ip_forward'), '0\n');
    chmodSync(join(root.dir, 'usr/bin/kubelet'), 0o644);
    const broken = await runCli(
      [
        '--rootfs',
        root.dir,
        'init',
        'phase',
        'preflight',
        '--config',
        '/cfg.yaml',
        '--ignore-preflight-errors',
        MACHINE.join(','),
      ],
      { env: ENV },
    );
    assert.equal(broken.code, 2);
    assert.match(
      broken.stderr,
      /^\t\[ERROR FileContent--proc-sys-net-ipv4-ip_forward\]: \/proc\/sys\/net\/ipv4\/ip_forward contents are not set to 1$/m,
    );
    assert.match(
      broken.stderr,
      /^\t\[ERROR KubeletVersion\]: couldn't get kubelet version: cannot execute 'kubelet --version'/m,
    );
  });

  test('a port something listens on is reported in use', async () => {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen({ port: 0 }, () => resolve((server.address() as net.AddressInfo).port)),
    );
    try {
      const root = tempRoot(
        config('ECDSA-P256').replace(
          'advertiseAddress: 10.0.0.5\n',
          `advertiseAddress: 10.0.0.5\n  bindPort: ${port}\n`,
        ),
      );
      roots.push(root);
      const r = await root.kbadm(
        ['init', 'phase', 'preflight', '--config', '/cfg.yaml', ...IGNORE_IN_TEMP_ROOT],
        {
          allowFailure: true,
        },
      );
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^\\t\\[ERROR Port-${port}\\]: Port ${port} is in use$`, 'm'));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
