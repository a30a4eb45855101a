import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateAPIServer,
  validateControlPlaneComponent,
  validateDNS,
  validateExtraArgs,
  validateImageRepository,
} from '../../../src/config/validation/components.js';
import { matchesImageReference } from '../../../src/config/validation/image-reference.js';

describe('validateExtraArgs', () => {
  const F = 'ClusterConfiguration.apiServer.extraArgs';
  it('accepts named args, repeated names and a leading dash (kubeadm does not check names further)', () => {
    assert.deepEqual(
      validateExtraArgs(
        [
          { name: 'service-account-issuer', value: 'a' },
          { name: 'service-account-issuer', value: 'b' },
          { name: '--v', value: '2' },
          { name: 'flag', value: '' },
        ],
        F,
      ),
      [],
    );
  });
  it('reports each nameless argument by index', () => {
    assert.deepEqual(
      validateExtraArgs(
        [
          { name: '', value: 'a' },
          { name: 'ok', value: 'b' },
          { name: '', value: '' },
        ],
        F,
      ),
      [
        { field: F, value: 'index 0', detail: 'argument has no name' },
        { field: F, value: 'index 2', detail: 'argument has no name' },
      ],
    );
  });
});

describe('image references', () => {
  for (const r of [
    'registry.k8s.io/name:tag',
    'localhost:5000/name:tag',
    'my.registry.io/team/sub/name:tag',
    '[fd00::1]:5000/name:tag',
    'name:tag',
    'a__b/name:tag',
    'a---b/name:tag',
    'Registry.IO/name:tag',
  ]) {
    it(`matches ${r}`, () => assert.equal(matchesImageReference(r), true));
  }
  for (const r of [
    '/name:tag',
    'registry.io/UPPER/name:tag',
    'registry.k8s.io//name:tag',
    'registry.k8s.io/name:-tag',
    'reg istry/name:tag',
    'a_-b/name:tag',
    'https://registry.k8s.io/name:tag',
  ]) {
    it(`does not match ${r}`, () => assert.equal(matchesImageReference(r), false));
  }
});

describe('validateImageRepository', () => {
  const F = 'ClusterConfiguration.imageRepository';
  it('accepts registries with paths and ports', () => {
    for (const r of ['registry.k8s.io', 'registry.example.com:5000/k8s', 'gcr.io/k8s-staging-ci-images'])
      assert.deepEqual(validateImageRepository(r, F), []);
  });
  it('rejects a malformed repository', () => {
    for (const r of [
      '',
      'https://registry.example.com',
      'Registry.example.com/K8S',
      'registry.example.com/',
    ]) {
      assert.deepEqual(validateImageRepository(r, F), [
        { field: F, value: r, detail: 'invalid image repository format' },
      ]);
    }
  });
});

describe('component rules', () => {
  const base = { extraArgs: [], extraVolumes: [], extraEnvs: [] };
  it('validateAPIServer checks certSANs and extraArgs', () => {
    assert.deepEqual(
      validateAPIServer({ ...base, certSANs: ['api.example.com'] }, 'ClusterConfiguration.apiServer'),
      [],
    );
    const r = validateAPIServer(
      { ...base, certSANs: ['bad_san'], extraArgs: [{ name: '', value: '' }] },
      'ClusterConfiguration.apiServer',
    );
    assert.deepEqual(
      r.map((p) => p.field),
      ['ClusterConfiguration.apiServer.certSANs', 'ClusterConfiguration.apiServer.extraArgs'],
    );
  });
  it('validateControlPlaneComponent checks extraArgs', () => {
    assert.deepEqual(validateControlPlaneComponent(base, 'ClusterConfiguration.scheduler'), []);
    assert.deepEqual(
      validateControlPlaneComponent(
        { ...base, extraArgs: [{ name: '', value: '' }] },
        'ClusterConfiguration.scheduler',
      ),
      [
        {
          field: 'ClusterConfiguration.scheduler.extraArgs',
          value: 'index 0',
          detail: 'argument has no name',
        },
      ],
    );
  });
  it('validateDNS checks an explicit image repository only', () => {
    assert.deepEqual(
      validateDNS({ imageRepository: '', imageTag: '', disabled: false }, 'ClusterConfiguration.dns'),
      [],
    );
    assert.deepEqual(
      validateDNS({ imageRepository: 'bad repo', imageTag: '', disabled: false }, 'ClusterConfiguration.dns'),
      [
        {
          field: 'ClusterConfiguration.dns.imageRepository',
          value: 'bad repo',
          detail: 'invalid image repository format',
        },
      ],
    );
  });
});
