import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { searchKubeconfig } from '../../src/commands/kubeconfig-search.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { recordOutput } from '../../src/output/output.js';

describe('searchKubeconfig', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbadm-kubeconfig-search-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const host = createRealHost(createPaths(root), recordOutput());
  const put = (p: string) => {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), 'apiVersion: v1\nkind: Config\n');
  };

  test('a given flag is taken under --rootfs, whether or not the file exists', async () => {
    assert.equal(await searchKubeconfig({}, host, '/srv/missing.conf'), path.join(root, 'srv/missing.conf'));
  });

  test('with nothing on disk, admin.conf is named', async () => {
    assert.equal(
      await searchKubeconfig({ KUBECONFIG: '/a:/b', HOME: '/root' }, host, ''),
      path.join(root, 'etc/kubernetes/admin.conf'),
    );
  });

  test('~/.kube/config wins over admin.conf, and the first existing $KUBECONFIG entry over both', async () => {
    put('etc/kubernetes/admin.conf');
    put('root/.kube/config');
    assert.equal(await searchKubeconfig({ HOME: '/root' }, host, ''), path.join(root, 'root/.kube/config'));
    put('b.conf');
    put('c.conf');
    assert.equal(
      await searchKubeconfig({ KUBECONFIG: '/a.conf::/b.conf:/c.conf', HOME: '/root' }, host, ''),
      path.join(root, 'b.conf'),
    );
  });
});
