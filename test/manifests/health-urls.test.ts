import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { controlPlaneHealthTargets, kubeletHealthzURL } from '../../src/manifests/health-urls.js';

const pod = (command: string[], image = 'registry.k8s.io/x:v1') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  spec: { containers: [{ name: command[0], image, command }] },
});
const ENDPOINT = { advertiseAddress: '192.168.0.10', bindPort: 6443 };

describe('health URLs', () => {
  test("the kubelet's healthz from its configuration; port 0 turns the check off", () => {
    assert.equal(kubeletHealthzURL(undefined), 'http://127.0.0.1:10248/healthz');
    assert.equal(
      kubeletHealthzURL({ healthzBindAddress: '::1', healthzPort: 10300 }),
      'http://[::1]:10300/healthz',
    );
    assert.equal(kubeletHealthzURL({ healthzPort: 0 }), undefined);
  });

  test('the components from their manifests: flags win over the defaults', () => {
    const targets = controlPlaneHealthTargets(
      {
        'kube-apiserver': pod(['kube-apiserver', '--advertise-address=10.0.0.7', '--secure-port=8443']),
        'kube-controller-manager': pod(['kube-controller-manager', '--bind-address=0.0.0.0']),
        'kube-scheduler': pod(
          ['kube-scheduler', '--bind-address=127.0.0.1', '--secure-port=10300'],
          'sched:v1',
        ),
      },
      ENDPOINT,
    );
    assert.deepEqual(targets, [
      {
        component: 'kube-apiserver',
        url: 'https://10.0.0.7:8443/livez',
        port: 8443,
        image: 'registry.k8s.io/x:v1',
      },
      {
        component: 'kube-controller-manager',
        url: 'https://0.0.0.0:10257/healthz',
        port: 10257,
        image: 'registry.k8s.io/x:v1',
      },
      { component: 'kube-scheduler', url: 'https://127.0.0.1:10300/livez', port: 10300, image: 'sched:v1' },
    ]);
  });

  test('manifests that name nothing: localAPIEndpoint and the default ports', () => {
    const targets = controlPlaneHealthTargets(
      { 'kube-apiserver': pod(['kube-apiserver']), 'kube-controller-manager': {}, 'kube-scheduler': null },
      { advertiseAddress: 'fd00::10', bindPort: 7443 },
    );
    assert.deepEqual(
      targets.map((t) => [t.url, t.port, t.image]),
      [
        ['https://[fd00::10]:7443/livez', 7443, 'registry.k8s.io/x:v1'],
        ['https://127.0.0.1:10257/healthz', 10257, ''],
        ['https://127.0.0.1:10259/livez', 10259, ''],
      ],
    );
  });
});
