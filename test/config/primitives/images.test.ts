import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  coreDNSImage,
  controlPlaneImage,
  etcdImage,
  imageList,
  pauseImage,
} from '../../../src/config/images.js';
import { parseKubernetesVersion } from '../../../src/config/k8s-version.js';

describe('single images', () => {
  it('control plane images use the v-tag with + as _', () => {
    assert.equal(
      controlPlaneImage('kube-apiserver', 'registry.k8s.io', 'v1.34.0'),
      'registry.k8s.io/kube-apiserver:v1.34.0',
    );
    assert.equal(
      controlPlaneImage('kube-proxy', 'mirror.local:5000/k8s', '1.33.2'),
      'mirror.local:5000/k8s/kube-proxy:v1.33.2',
    );
    assert.equal(
      controlPlaneImage('kube-scheduler', 'registry.k8s.io', parseKubernetesVersion('v1.34.1+build.1')!),
      'registry.k8s.io/kube-scheduler:v1.34.1_build.1',
    );
  });
  it('pause is the release constant', () => {
    assert.equal(pauseImage('registry.k8s.io'), 'registry.k8s.io/pause:3.10.1');
    assert.equal(pauseImage('harbor.example.com/proxy', 'v1.33.0'), 'harbor.example.com/proxy/pause:3.10.1');
  });
});

describe('etcdImage', () => {
  const cases: [string, string, string | undefined][] = [
    ['v1.34.0', 'registry.k8s.io/etcd:3.6.4-0', undefined],
    ['v1.34.3', 'registry.k8s.io/etcd:3.6.4-0', undefined],
    ['v1.33.4', 'registry.k8s.io/etcd:3.5.21-0', undefined],
    ['v1.31.0', 'registry.k8s.io/etcd:3.5.21-0', undefined],
    [
      'v1.35.0',
      'registry.k8s.io/etcd:3.6.4-0',
      'could not find officially supported version of etcd for Kubernetes v1.35.0, falling back to the nearest etcd version (3.6.4-0)',
    ],
    [
      'v1.29.1',
      'registry.k8s.io/etcd:3.5.21-0',
      'could not find officially supported version of etcd for Kubernetes v1.29.1, falling back to the nearest etcd version (3.5.21-0)',
    ],
  ];
  for (const [version, image, warning] of cases) {
    it(`${version} → ${image}`, () => {
      const r = etcdImage({ repository: 'registry.k8s.io' }, version);
      assert.equal(r.image, image);
      assert.equal(r.warning, warning);
    });
  }
  it('imageTag overrides the table and silences the warning', () => {
    assert.deepEqual(etcdImage({ repository: 'quay.io/coreos', imageTag: 'v3.5.9' }, 'v1.40.0'), {
      image: 'quay.io/coreos/etcd:v3.5.9',
    });
  });
  it('accepts a parsed version', () => {
    assert.equal(etcdImage({ repository: 'r' }, parseKubernetesVersion('v1.33.0')!).image, 'r/etcd:3.5.21-0');
  });
});

describe('coreDNSImage', () => {
  const cases: [{ globalRepository: string; dnsRepository?: string; dnsTag?: string }, string][] = [
    [{ globalRepository: 'registry.k8s.io' }, 'registry.k8s.io/coredns/coredns:v1.12.1'],
    [{ globalRepository: 'harbor.example.com/k8s' }, 'harbor.example.com/k8s/coredns:v1.12.1'],
    [
      { globalRepository: 'harbor.example.com/k8s', dnsRepository: 'registry.k8s.io' },
      'registry.k8s.io/coredns/coredns:v1.12.1',
    ],
    [
      { globalRepository: 'registry.k8s.io', dnsRepository: 'docker.io/coredns' },
      'docker.io/coredns/coredns:v1.12.1',
    ],
    [{ globalRepository: 'registry.k8s.io', dnsTag: 'v1.11.3' }, 'registry.k8s.io/coredns/coredns:v1.11.3'],
    [{ globalRepository: 'registry.k8s.io/', dnsTag: '' }, 'registry.k8s.io//coredns:v1.12.1'],
  ];
  for (const [opts, want] of cases) it(JSON.stringify(opts), () => assert.equal(coreDNSImage(opts), want));
});

describe('imageList (kubeadm config images list)', () => {
  it('matches kubeadm v1.34.0 default output', () => {
    assert.deepEqual(
      imageList({ imageRepository: 'registry.k8s.io', kubernetesVersion: 'v1.34.0', etcdLocal: {} }),
      [
        'registry.k8s.io/kube-apiserver:v1.34.0',
        'registry.k8s.io/kube-controller-manager:v1.34.0',
        'registry.k8s.io/kube-scheduler:v1.34.0',
        'registry.k8s.io/kube-proxy:v1.34.0',
        'registry.k8s.io/coredns/coredns:v1.12.1',
        'registry.k8s.io/pause:3.10.1',
        'registry.k8s.io/etcd:3.6.4-0',
      ],
    );
  });
  it('handles a mirror, overrides, disabled addons and external etcd', () => {
    assert.deepEqual(
      imageList({
        imageRepository: 'harbor.example.com/k8s',
        kubernetesVersion: 'v1.33.5',
        etcdLocal: { imageRepository: 'harbor.example.com/etcd', imageTag: '3.5.21-0' },
        dns: { imageTag: 'v1.12.0' },
      }),
      [
        'harbor.example.com/k8s/kube-apiserver:v1.33.5',
        'harbor.example.com/k8s/kube-controller-manager:v1.33.5',
        'harbor.example.com/k8s/kube-scheduler:v1.33.5',
        'harbor.example.com/k8s/kube-proxy:v1.33.5',
        'harbor.example.com/k8s/coredns:v1.12.0',
        'harbor.example.com/k8s/pause:3.10.1',
        'harbor.example.com/etcd/etcd:3.5.21-0',
      ],
    );
    assert.deepEqual(
      imageList({
        imageRepository: 'registry.k8s.io',
        kubernetesVersion: 'v1.34.0',
        dns: { disabled: true },
        proxy: { disabled: true },
      }),
      [
        'registry.k8s.io/kube-apiserver:v1.34.0',
        'registry.k8s.io/kube-controller-manager:v1.34.0',
        'registry.k8s.io/kube-scheduler:v1.34.0',
        'registry.k8s.io/pause:3.10.1',
      ],
    );
  });
});
