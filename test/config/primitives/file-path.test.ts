import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath, joinPath } from '../../../src/config/file-path.js';
import { configYaml, newHost, run } from '../../support/phases.js';

describe('joinPath (Go filepath.Join)', () => {
  const cases: [string[], string][] = [
    [['/etc/kubernetes/pki/', 'ca.crt'], '/etc/kubernetes/pki/ca.crt'],
    [['/etc/kubernetes/pki//', 'etcd'], '/etc/kubernetes/pki/etcd'],
    [['/etc/kubernetes/pki', 'etcd/ca.crt'], '/etc/kubernetes/pki/etcd/ca.crt'],
    [['/etc/./kubernetes/../kubernetes/pki', 'sa.key'], '/etc/kubernetes/pki/sa.key'],
    [['', 'ca.crt'], 'ca.crt'],
    [['/', ''], '/'],
    [['', ''], ''],
  ];
  for (const [parts, want] of cases)
    it(`${JSON.stringify(parts)} → ${want}`, () => assert.equal(joinPath(...parts), want));
  it('cleans like filepath.Clean', () => {
    assert.equal(cleanPath('/a/b/'), '/a/b');
    assert.equal(cleanPath('/'), '/');
    assert.equal(cleanPath(''), '.');
  });
});

describe('a certificatesDir with a trailing slash', () => {
  it('renders clean paths in every flag and file init writes', async () => {
    const host = newHost(configYaml({ certificatesDir: '/etc/kubernetes/pki/' }));
    await run(host, 'init', ['--config', '/cfg.yaml']);
    // Files only: the seeded CRI socket is not one.
    const written = host
      .listFiles()
      .filter((f) => f !== '/cfg.yaml' && !f.includes('/pki/') && !f.endsWith('.sock'));
    assert.ok(written.includes('/etc/kubernetes/manifests/kube-apiserver.yaml'), written.join(' '));
    assert.ok(written.includes('/var/lib/kubelet/config.yaml'), written.join(' '));
    // A doubled slash anywhere but after a URL scheme (https://, unix:///).
    for (const f of written) assert.doesNotMatch(host.text(f), /(?<![:/])\/\//, f);
    assert.match(
      host.text('/etc/kubernetes/manifests/kube-apiserver.yaml'),
      /--client-ca-file=\/etc\/kubernetes\/pki\/ca\.crt$/m,
    );
    assert.match(host.text('/etc/kubernetes/manifests/etcd.yaml'), /path: \/etc\/kubernetes\/pki\/etcd$/m);
    assert.match(
      host.text('/var/lib/kubelet/config.yaml'),
      /clientCAFile: \/etc\/kubernetes\/pki\/ca\.crt$/m,
    );
  });
});
