import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFlags } from '../../src/manifests/args.js';
import { etcdPod, parseSemantic, usesEtcd36Flags } from '../../src/manifests/etcd.js';
import { etcdInputs } from '../../src/phases/init/static-pods.js';
import { CONFIGS_DIR, loadConfigFile } from '../support/manifests.js';

/** The etcd command's flag names for a given etcd image tag. */
function flagNames(imageTag: string): string[] {
  const config = loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);
  config.cluster.etcd.local!.imageTag = imageTag;
  const pod = etcdPod(etcdInputs({ config })).value;
  return parseFlags(pod.spec.containers[0]!.command).map((a) => a.name);
}

const NEW = ['feature-gates', 'watch-progress-notify-interval'];
const OLD = ['experimental-initial-corrupt-check', 'experimental-watch-progress-notify-interval'];

describe('etcd flags by image tag (kubeadm compares the tag as a semantic version with 3.6.0)', () => {
  for (const [tag, expected] of [
    ['3.6.4-0', NEW],
    ['v3.6.5-0', NEW],
    ['3.6.0', NEW],
    ['3.7.0-alpha.1', NEW],
    ['3.5.21-0', OLD],
    // A pre-release of 3.6.0 sorts before 3.6.0.
    ['3.6.0-0', OLD],
    // Not a semantic version: kubeadm keeps the experimental spelling etcd 3.6 still accepts.
    ['3.6', OLD],
    ['latest', OLD],
  ] as const) {
    test(`${tag}: ${expected.join(', ')}`, () => {
      const names = flagNames(tag);
      for (const n of expected) assert.ok(names.includes(n), `${tag} has --${n}`);
      for (const n of expected === NEW ? OLD : NEW) assert.ok(!names.includes(n), `${tag} lacks --${n}`);
    });
  }

  test('parseSemantic is strict: three components, no leading zeros', () => {
    assert.deepEqual(parseSemantic('3.6.4-0'), { major: 3, minor: 6, patch: 4, preRelease: '0' });
    assert.deepEqual(parseSemantic('v1.2.3+build.5'), { major: 1, minor: 2, patch: 3, preRelease: '' });
    for (const bad of ['3.6', '3.06.1', '3.6.1.2', '3.6.1-', 'x3.6.1', '3.18446744073709551616.0'])
      assert.equal(parseSemantic(bad), undefined, bad);
    assert.equal(usesEtcd36Flags(undefined), false);
  });
});
