import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FEATURE_GATES,
  featureEnabled,
  featureGatesHelp,
  parseFeatureGates,
  validateFeatureGates,
} from '../../../src/config/feature-gates.js';
import { ValidationError } from '../../../src/errors.js';

describe('feature gate table (kubeadm v1.34)', () => {
  it('lists the v1.34 gates with their stages and defaults', () => {
    assert.deepEqual(
      FEATURE_GATES.map((g) => [g.name, g.stage, g.default]),
      [
        ['ControlPlaneKubeletLocalMode', 'BETA', true],
        ['NodeLocalCRISocket', 'BETA', true],
        ['PublicKeysECDSA', 'DEPRECATED', false],
        ['RootlessControlPlane', 'ALPHA', false],
        ['WaitForAllControlPlaneComponents', 'GA', true],
      ],
    );
  });
  it('prints the help lines as kubeadm does', () => {
    assert.equal(
      featureGatesHelp(),
      [
        'ControlPlaneKubeletLocalMode=true|false (BETA - default=true)',
        'NodeLocalCRISocket=true|false (BETA - default=true)',
        'PublicKeysECDSA=true|false (DEPRECATED - default=false)',
        'RootlessControlPlane=true|false (ALPHA - default=false)',
        'WaitForAllControlPlaneComponents=true|false (default=true)',
      ].join('\n'),
    );
  });
  it('falls back to defaults for unset gates', () => {
    assert.equal(featureEnabled(undefined, 'NodeLocalCRISocket'), true);
    assert.equal(featureEnabled({ NodeLocalCRISocket: false }, 'NodeLocalCRISocket'), false);
    assert.equal(featureEnabled({}, 'RootlessControlPlane'), false);
    assert.equal(featureEnabled({}, 'NoSuchGate'), false);
    assert.equal(featureEnabled({}, 'toString'), false);
  });
});

describe('parseFeatureGates (--feature-gates)', () => {
  const ok: [string, Record<string, boolean>][] = [
    ['', {}],
    ['RootlessControlPlane=true', { RootlessControlPlane: true }],
    [
      'RootlessControlPlane=true,NodeLocalCRISocket=false',
      { RootlessControlPlane: true, NodeLocalCRISocket: false },
    ],
    [' RootlessControlPlane = 1 ,', { RootlessControlPlane: true }],
    ['NodeLocalCRISocket=F', { NodeLocalCRISocket: false }],
    ['WaitForAllControlPlaneComponents=true', { WaitForAllControlPlaneComponents: true }],
  ];
  for (const [s, want] of ok)
    it(`parses ${JSON.stringify(s)}`, () => assert.deepEqual(parseFeatureGates(s), want));
  const bad: [string, string][] = [
    ['Foo=true', 'unrecognized feature-gate key: Foo'],
    ['RootlessControlPlane', 'missing bool value for feature-gate key:RootlessControlPlane'],
    [
      'RootlessControlPlane=yes',
      'invalid value yes for feature-gate key: RootlessControlPlane, use true|false instead',
    ],
    ['PublicKeysECDSA=true', 'feature-gate key is deprecated: PublicKeysECDSA'],
    [
      'WaitForAllControlPlaneComponents=false',
      'cannot set feature gate WaitForAllControlPlaneComponents to false, feature is locked to true',
    ],
    ['EtcdLearnerMode=true', 'unrecognized feature-gate key: EtcdLearnerMode'],
  ];
  for (const [s, detail] of bad) {
    it(`rejects ${s}`, () => {
      assert.throws(
        () => parseFeatureGates(s),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.exitCode === 3 &&
          e.problems[0]?.field === 'feature-gates' &&
          e.problems[0]?.detail === detail,
      );
    });
  }
  it('names the given field', () => {
    assert.throws(
      () => parseFeatureGates('X=1', 'ClusterConfiguration.featureGates'),
      /ClusterConfiguration\.featureGates/,
    );
  });
});

describe('validateFeatureGates (config file)', () => {
  const F = 'ClusterConfiguration.featureGates';
  it('accepts known gates', () => {
    assert.deepEqual(validateFeatureGates({ RootlessControlPlane: true, NodeLocalCRISocket: false }, F), {
      errors: [],
      warnings: [],
    });
  });
  it('rejects unknown gates with kubeadm text and the whole map as value', () => {
    const gates = { Foo: true, RootlessControlPlane: false };
    assert.deepEqual(validateFeatureGates(gates, F), {
      errors: [{ field: F, value: gates, detail: 'Foo is not a valid feature name.' }],
      warnings: [],
    });
  });
  it('rejects non-bool values and locked gates', () => {
    const r = validateFeatureGates({ NodeLocalCRISocket: 'yes', WaitForAllControlPlaneComponents: false }, F);
    assert.deepEqual(
      r.errors.map((e) => e.detail),
      [
        'invalid value "yes" for feature-gate key: NodeLocalCRISocket, use true|false instead',
        'cannot set feature gate WaitForAllControlPlaneComponents to false, feature is locked to true',
      ],
    );
  });
  it('warns on deprecated gates', () => {
    const r = validateFeatureGates({ PublicKeysECDSA: true }, F);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, [
      "The PublicKeysECDSA feature gate is deprecated and will be removed when v1beta3 is removed. v1beta4 supports a new option 'ClusterConfiguration.EncryptionAlgorithm'.",
    ]);
  });
  it('reports gates in sorted order', () => {
    const r = validateFeatureGates({ Zed: true, Alpha: true }, F);
    assert.deepEqual(
      r.errors.map((e) => e.detail),
      ['Alpha is not a valid feature name.', 'Zed is not a valid feature name.'],
    );
  });
});
