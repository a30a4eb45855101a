import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatVersion, parseKubernetesVersion, type KubeVersion } from '../../src/config/k8s-version.js';
import { SUPPORTED_ETCD_VERSIONS } from '../../src/config/images.js';
import { KBADM_VERSION, MINIMUM_CONTROL_PLANE_VERSION } from '../../src/version.js';
import {
  availableUpgrades,
  checkVersionSkew,
  etcdTargetTag,
  isSupportedControlPlane,
  KNOWN_RELEASES,
  knownReleases,
  latestInSeries,
  skewVerdict,
  supportedRange,
  type SkewInput,
} from '../../src/upgrade/versions.js';

const v = (s: string): KubeVersion => {
  const p = parseKubernetesVersion(s);
  assert.ok(p, s);
  return p;
};

describe('known releases and the supported range', () => {
  test('the list is sorted, within the range, and ends with kbadm’s own release', () => {
    const list = knownReleases();
    assert.deepEqual(list.map(formatVersion), [...KNOWN_RELEASES]);
    assert.equal(formatVersion(list.at(-1)!), KBADM_VERSION);
    assert.equal(formatVersion(list[0]!), MINIMUM_CONTROL_PLANE_VERSION);
    for (const r of list) assert.ok(isSupportedControlPlane(r), formatVersion(r));
    // Every known minor has an etcd version in kbadm's table.
    for (const r of list) assert.ok(SUPPORTED_ETCD_VERSIONS.has(Number(r.minor)), formatVersion(r));
  });

  test('range: v1.33.0 up to any v1.34 patch', () => {
    assert.equal(supportedRange().newestSeries, 'v1.34');
    assert.equal(formatVersion(supportedRange().minimum), 'v1.33.0');
    assert.equal(isSupportedControlPlane(v('v1.32.9')), false);
    assert.equal(isSupportedControlPlane(v('v1.33.0')), true);
    assert.equal(isSupportedControlPlane(v('v1.34.7')), true);
    assert.equal(isSupportedControlPlane(v('v1.35.0')), false);
    assert.equal(isSupportedControlPlane(v('v1.33.0-rc.1')), false);
  });

  test('latest in a series', () => {
    assert.equal(formatVersion(latestInSeries(v('v1.33.1'))!), 'v1.33.4');
    assert.equal(formatVersion(latestInSeries(v('v1.34.0'))!), 'v1.34.0');
    assert.equal(latestInSeries(v('v1.35.0')), undefined);
  });

  test('etcd targets follow kbadm’s table unless the configuration pins a tag', () => {
    assert.equal(etcdTargetTag(v('v1.34.0')), '3.6.4-0');
    assert.equal(etcdTargetTag(v('v1.33.4')), '3.5.21-0');
    assert.equal(etcdTargetTag(v('v1.36.0')), '3.6.4-0');
    assert.equal(etcdTargetTag(v('v1.34.0'), '3.5.99-0'), '3.5.99-0');
  });
});

const skew = (target: string, cluster: string, extra: Partial<SkewInput> = {}) =>
  checkVersionSkew({ target: v(target), targetText: target, cluster: v(cluster), ...extra });

describe('version skew policy', () => {
  test('a patch or the next minor within kbadm’s own release is clean', () => {
    assert.deepEqual(skew('v1.34.0', 'v1.33.2'), { mandatory: [], skippable: [] });
    assert.deepEqual(skew('v1.34.0', 'v1.34.0', { kubeletVersions: ['v1.34.0', 'v1.31.5'] }), {
      mandatory: [],
      skippable: [],
    });
  });

  test('two minors at once is mandatory for a release, skippable for a pre-release', () => {
    const release = skew('v1.34.0', 'v1.32.0');
    assert.deepEqual(release.mandatory, [
      'Specified version to upgrade to "v1.34.0" is too high; kubeadm can upgrade only 1 minor version at a time',
    ]);
    const pre = skew('v1.34.0-rc.1', 'v1.32.0', { allowReleaseCandidateUpgrades: true });
    assert.deepEqual(pre.mandatory, []);
    assert.ok(pre.skippable.includes(release.mandatory[0]!.replace('"v1.34.0"', '"v1.34.0-rc.1"')));
  });

  test('at or below the minimum supported version is mandatory', () => {
    const r = skew('v1.33.0', 'v1.33.0');
    assert.deepEqual(r.mandatory, [
      'Specified version to upgrade to "v1.33.0" is equal to or lower than the minimum supported version "v1.33.0". Please specify a higher version to upgrade to',
    ]);
    assert.equal(skew('v1.33.1', 'v1.33.0').mandatory.length, 0);
  });

  test('a downgrade of two minors is refused; one minor is allowed', () => {
    assert.deepEqual(skew('v1.33.4', 'v1.35.0', { kbadm: v('v1.35.0') }).mandatory, [
      'Specified version to downgrade to "v1.33.4" is too low; kubeadm can downgrade only 1 minor version at a time',
    ]);
    assert.deepEqual(skew('v1.33.4', 'v1.34.0').mandatory, []);
  });

  test('a target above kbadm: a newer minor is mandatory, a newer patch skippable', () => {
    assert.deepEqual(skew('v1.35.0', 'v1.34.0').mandatory, [
      'Specified version to upgrade to "v1.35.0" is at least one minor release higher than the kubeadm minor release (35 > 34). Such an upgrade is not supported',
    ]);
    assert.deepEqual(skew('v1.34.3', 'v1.34.0'), {
      mandatory: [],
      skippable: [
        'Specified version to upgrade to "v1.34.3" is higher than the kubeadm version "v1.34.0". Upgrade kubeadm first using the tool you used to install kubeadm',
      ],
    });
    // The text is quoted as given, without a `v` when the user left it out.
    assert.match(skew('1.34.3', 'v1.34.0').skippable[0]!, /upgrade to "1\.34\.3"/);
  });

  test('kbadm newer than the target minor is skippable', () => {
    assert.deepEqual(skew('v1.33.4', 'v1.33.1'), {
      mandatory: [],
      skippable: ['Kubeadm version v1.34.0 can only be used to upgrade to Kubernetes version 1.34'],
    });
  });

  test('pre-releases need the allow flags; an rc is allowed by either flag', () => {
    const unstable =
      'Specified version to upgrade to "v1.34.1-rc.0" is an unstable version and such upgrades weren\'t allowed via setting the --allow-*-upgrades flags';
    const kbadm = v('v1.34.1');
    assert.deepEqual(skew('v1.34.1-rc.0', 'v1.34.0', { kbadm }).skippable, [unstable]);
    assert.deepEqual(
      skew('v1.34.1-rc.0', 'v1.34.0', { kbadm, allowReleaseCandidateUpgrades: true }).skippable,
      [],
    );
    assert.deepEqual(
      skew('v1.34.1-rc.0', 'v1.34.0', { kbadm, allowExperimentalUpgrades: true }).skippable,
      [],
    );
    assert.equal(
      skew('v1.34.1-beta.0', 'v1.34.0', { kbadm, allowReleaseCandidateUpgrades: true }).skippable.length,
      1,
    );
  });

  test('kubelets more than three minors behind the target are too old', () => {
    const r = skew('v1.34.0', 'v1.33.0', { kubeletVersions: ['v1.33.0', 'v1.30.9', 'v1.31.0', 'v1.29.1'] });
    assert.deepEqual(r.skippable, [
      'There are kubelets in this cluster that are too old that have these versions [v1.29.1 v1.30.9]',
    ]);
    assert.deepEqual(skew('v1.34.0', 'v1.33.0', { kubeletVersions: ['v1.31.0'] }).skippable, []);
    assert.deepEqual(skew('v1.34.0', 'v1.33.0', { kubeletVersions: ['garbage'] }).skippable, [
      "couldn't parse kubelet version garbage",
    ]);
  });

  test('the verdict: fatal errors, skippable errors, --force', () => {
    const fatal = skewVerdict({ mandatory: ['a'], skippable: ['b'] }, true);
    assert.equal(
      fatal.error,
      'the --version argument is invalid due to these fatal errors:\n\n\t- a\n\nPlease fix the misalignments highlighted above and try upgrading again',
    );
    assert.equal(
      skewVerdict({ mandatory: [], skippable: ['b', 'c'] }, false).error,
      'the --version argument is invalid due to these errors:\n\n\t- b\n\t- c\n\nCan be bypassed if you pass the --force flag',
    );
    assert.deepEqual(skewVerdict({ mandatory: [], skippable: ['b'] }, true), {
      notice:
        'Found 1 potential version compatibility errors but skipping since the --force flag is set: \n\n\t- b\n',
    });
    assert.deepEqual(skewVerdict({ mandatory: [], skippable: [] }, false), {});
  });
});

const targets = (ups: ReturnType<typeof availableUpgrades>) =>
  ups.map((u) => [u.description, formatVersion(u.target), u.applyFlag, u.needsNewerKbadm]);

describe('available upgrades', () => {
  test('from v1.33.1: the newest v1.33 patch, then v1.34', () => {
    assert.deepEqual(targets(availableUpgrades({ cluster: v('v1.33.1') })), [
      ['version in the v1.33 series', 'v1.33.4', '', false],
      ['stable version', 'v1.34.0', '', false],
    ]);
  });

  test('from the newest v1.33 patch: only the next minor', () => {
    assert.deepEqual(targets(availableUpgrades({ cluster: v('v1.33.4') })), [
      ['stable version', 'v1.34.0', '', false],
    ]);
  });

  test('at kbadm’s own release, or above it: nothing', () => {
    assert.deepEqual(availableUpgrades({ cluster: v('v1.34.0') }), []);
    assert.deepEqual(availableUpgrades({ cluster: v('v1.34.5') }), []);
  });

  test('never two minors ahead', () => {
    const releases = ['v1.32.0', 'v1.33.0', 'v1.34.0', 'v1.34.1'].map(v);
    assert.deepEqual(targets(availableUpgrades({ cluster: v('v1.32.0'), releases })), [
      ['stable version', 'v1.33.0', '', false],
    ]);
  });

  test('a newer patch than kbadm is flagged', () => {
    const releases = ['v1.34.0', 'v1.34.2'].map(v);
    assert.deepEqual(targets(availableUpgrades({ cluster: v('v1.34.0'), releases })), [
      ['version in the v1.34 series', 'v1.34.2', '', true],
    ]);
  });

  test('pre-releases only when allowed, and only when newer than the stable choices', () => {
    const releases = ['v1.33.4', 'v1.34.0-alpha.2', 'v1.34.0-rc.1', 'v1.34.0-beta.0'].map(v);
    const cluster = v('v1.33.1');
    assert.deepEqual(targets(availableUpgrades({ cluster, releases })), [
      ['version in the v1.33 series', 'v1.33.4', '', false],
    ]);
    assert.deepEqual(targets(availableUpgrades({ cluster, releases, allowReleaseCandidateUpgrades: true })), [
      ['version in the v1.33 series', 'v1.33.4', '', false],
      ['release candidate version', 'v1.34.0-rc.1', '--allow-release-candidate-upgrades', false],
    ]);
    assert.deepEqual(targets(availableUpgrades({ cluster, releases, allowExperimentalUpgrades: true })), [
      ['version in the v1.33 series', 'v1.33.4', '', false],
      ['experimental version', 'v1.34.0-rc.1', '--allow-release-candidate-upgrades', false],
    ]);
    const withStable = [...releases, v('v1.34.0')];
    assert.deepEqual(
      targets(availableUpgrades({ cluster, releases: withStable, allowExperimentalUpgrades: true })),
      [
        ['version in the v1.33 series', 'v1.33.4', '', false],
        ['stable version', 'v1.34.0', '', false],
      ],
    );
  });

  test('a version from the command line is the one candidate', () => {
    const cluster = v('v1.33.1');
    assert.deepEqual(targets(availableUpgrades({ cluster, target: v('v1.33.9') })), [
      ['version in the v1.33 series', 'v1.33.9', '', false],
    ]);
    assert.deepEqual(targets(availableUpgrades({ cluster, target: v('v1.34.0') })), [
      ['stable version', 'v1.34.0', '', false],
    ]);
    assert.deepEqual(targets(availableUpgrades({ cluster, target: v('v1.35.0-beta.1') })), [
      ['experimental version', 'v1.35.0-beta.1', '--allow-experimental-upgrades', true],
    ]);
    assert.deepEqual(availableUpgrades({ cluster, target: v('v1.33.1') }), []);
    assert.deepEqual(availableUpgrades({ cluster, target: v('v1.33.0') }), []);
  });
});
