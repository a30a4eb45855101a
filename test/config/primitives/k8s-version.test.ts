import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSupportedVersion,
  compareVersions,
  formatVersion,
  imageTag,
  KBADM_KUBE_VERSION,
  parseKubernetesVersion,
  parseKubernetesVersionOrError,
} from '../../../src/config/k8s-version.js';
import { KBADM_VERSION, MINIMUM_CONTROL_PLANE_VERSION } from '../../../src/version.js';

const v = (s: string) => {
  const r = parseKubernetesVersion(s);
  assert.ok(r, s);
  return r;
};

describe('parseKubernetesVersion', () => {
  const ok: [string, string][] = [
    ['v1.34.0', 'v1.34.0'],
    ['1.34.0', 'v1.34.0'],
    ['v1.34.0-rc.1', 'v1.34.0-rc.1'],
    ['v1.34.1+build', 'v1.34.1+build'],
    ['v1.35.0-alpha.0.123+abcdef', 'v1.35.0-alpha.0.123+abcdef'],
    ['v0.0.0', 'v0.0.0'],
  ];
  for (const [s, text] of ok) it(`accepts ${s}`, () => assert.equal(formatVersion(v(s)), text));
  it('splits the parts', () => {
    assert.deepEqual(v('v1.34.2-rc.1+x.y'), {
      major: 1n,
      minor: 34n,
      patch: 2n,
      preRelease: ['rc', '1'],
      build: 'x.y',
    });
  });
  // Labels need network resolution (dl.k8s.io), which kbadm does not do here.
  const bad = [
    'stable',
    'stable-1',
    'stable-1.34',
    'latest',
    'latest-1.34',
    'ci/latest',
    'v1.34',
    '1.34',
    'v01.34.0',
    'v1.034.0',
    'V1.34.0',
    'v1.34.0-',
    'v1.34.0-rc.01',
    'v1.34.0+',
    'vv1.34.0',
    ' v1.34.0',
    '',
  ];
  for (const s of bad)
    it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseKubernetesVersion(s), undefined));

  it('keeps components as exact integers up to Go’s uint64, and refuses larger ones', () => {
    const max = '18446744073709551615';
    assert.equal(formatVersion(v(`v1.34.${max}`)), `v1.34.${max}`);
    assert.equal(imageTag(v(`v${max}.0.0`)), `v${max}.0.0`);
    assert.equal(compareVersions(v('v1.34.9007199254740993'), v('v1.34.9007199254740992')), 1);
    for (const s of [
      'v1.34.18446744073709551616',
      'v1.34.99999999999999999999999',
      'v99999999999999999999.0.0',
    ]) {
      assert.equal(parseKubernetesVersion(s), undefined, s);
      const r = parseKubernetesVersionOrError(s);
      assert.ok('error' in r && !r.shape && /value out of range$/.test(r.error), s);
    }
    assert.deepEqual(parseKubernetesVersionOrError('stable-1'), {
      error: 'illegal version string "stable-1"',
      shape: true,
    });
  });
});

describe('compareVersions', () => {
  const ordered = [
    'v1.33.0-alpha.1',
    'v1.33.0-alpha.2',
    'v1.33.0-alpha.10',
    'v1.33.0-beta.0',
    'v1.33.0-rc.0',
    'v1.33.0-rc.0.1',
    'v1.33.0',
    'v1.33.1',
    'v1.33.10',
    'v1.34.0',
    'v2.0.0',
  ];
  for (let i = 0; i + 1 < ordered.length; i++) {
    const a = ordered[i]!;
    const b = ordered[i + 1]!;
    it(`${a} < ${b}`, () => {
      assert.equal(compareVersions(v(a), v(b)), -1);
      assert.equal(compareVersions(v(b), v(a)), 1);
    });
  }
  it('ignores build metadata and the v prefix', () => {
    assert.equal(compareVersions(v('v1.34.1+a'), v('1.34.1+b')), 0);
    assert.equal(compareVersions(v('v1.34.1'), v('1.34.1')), 0);
  });
  it('orders numeric before alphanumeric identifiers', () => {
    assert.equal(compareVersions(v('v1.0.0-1'), v('v1.0.0-a')), -1);
  });
});

describe('imageTag', () => {
  const cases: [string, string][] = [
    ['v1.34.0', 'v1.34.0'],
    ['1.34.0', 'v1.34.0'],
    ['v1.34.1+build', 'v1.34.1_build'],
    ['v1.35.0-alpha.0.1+a+b', 'v1.35.0-alpha.0.1_a_b'],
  ];
  for (const [s, tag] of cases) {
    it(`${s} → ${tag}`, () => {
      assert.equal(imageTag(s), tag);
      const parsed = parseKubernetesVersion(s);
      if (parsed) assert.equal(imageTag(parsed), tag);
    });
  }
});

describe('checkSupportedVersion', () => {
  it('knows its own version', () => {
    assert.equal(formatVersion(KBADM_KUBE_VERSION), KBADM_VERSION);
    assert.equal(MINIMUM_CONTROL_PLANE_VERSION, 'v1.33.0');
  });
  const fine = ['v1.33.0', 'v1.33.9', 'v1.34.0', 'v1.34.5', 'v1.34.0-rc.1'];
  for (const s of fine) {
    it(`${s} is supported`, () =>
      assert.deepEqual(checkSupportedVersion(v(s)), { errors: [], warnings: [] }));
  }
  const tooOld = ['v1.32.9', 'v1.33.0-rc.1', 'v1.20.0', 'v0.34.0'];
  for (const s of tooOld) {
    it(`${s} is too old (kubeadm's text)`, () => {
      assert.deepEqual(checkSupportedVersion(v(s)), {
        errors: [
          `this version of kubeadm only supports deploying clusters with the control plane version >= 1.33.0. Current version: ${formatVersion(v(s))}`,
        ],
        warnings: [],
      });
    });
  }
  for (const s of ['v1.35.0', 'v1.35.0-alpha.1', 'v2.0.0']) {
    it(`${s} is newer than kbadm: warning only`, () => {
      const r = checkSupportedVersion(v(s));
      assert.deepEqual(r.errors, []);
      assert.equal(r.warnings.length, 1);
      assert.match(
        r.warnings[0]!,
        new RegExp(`${s.replace(/\./g, '\\.')} is newer than the kbadm version v1\\.34\\.0`),
      );
    });
  }
});
