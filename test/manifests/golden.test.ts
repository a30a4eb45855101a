// Golden files: for each fixture configuration, the phases render exactly the checked-in files
// in test/fixtures/manifests/<case>/expected/. Regenerate with UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Pod } from 'kubernetes-models/v1/Pod';
import { yamlLib } from '../../src/output/yaml.js';
import { GOLDEN_CASES, renderCase } from '../support/golden-cases.js';
import { MANIFEST_FIXTURES_DIR } from '../support/manifests.js';

const update = process.env.UPDATE_GOLDEN === '1';

describe('golden manifests', () => {
  for (const c of GOLDEN_CASES) {
    test(`${c.name}: every file equals test/fixtures/manifests/${c.name}/`, async () => {
      const { files } = await renderCase(c);
      const dir = path.join(MANIFEST_FIXTURES_DIR, c.name, 'expected');
      if (update) {
        mkdirSync(dir, { recursive: true });
        for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
      }
      const expected = readdirSync(dir).sort();
      assert.deepEqual([...files.keys()].sort(), expected, 'the same set of files');
      for (const name of expected) {
        assert.equal(files.get(name), readFileSync(path.join(dir, name), 'utf8'), `${c.name}/${name}`);
      }
    });
  }

  test('external etcd writes no etcd.yaml; local etcd does', async () => {
    const external = await renderCase(GOLDEN_CASES.find((c) => c.name === 'external-etcd')!);
    assert.equal(external.files.has('etcd.yaml'), false);
    const local = await renderCase(GOLDEN_CASES[0]!);
    assert.equal(local.files.has('etcd.yaml'), true);
  });
});

describe('schema validation with kubernetes-models', () => {
  for (const c of GOLDEN_CASES) {
    test(`${c.name}: every static Pod is a valid core/v1 Pod`, async () => {
      const { files } = await renderCase(c);
      let pods = 0;
      for (const [name, text] of files) {
        const obj = yamlLib().parse(text) as { kind?: string };
        if (obj.kind !== 'Pod') continue;
        pods++;
        assert.doesNotThrow(() => new Pod(obj as ConstructorParameters<typeof Pod>[0]).validate(), name);
      }
      assert.ok(pods >= 3, `${pods} Pods`);
    });
  }

  test('the validator rejects a broken Pod, so the checks above can fail', async () => {
    const { files } = await renderCase(GOLDEN_CASES[0]!);
    const obj = yamlLib().parse(files.get('kube-apiserver.yaml')!) as Record<string, any>;
    obj.spec.containers[0].ports[0].containerPort = 'not-a-port';
    assert.throws(() => new Pod(obj as ConstructorParameters<typeof Pod>[0]).validate());
  });
});
