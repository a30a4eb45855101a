// Keeps the configuration corpus and its index consistent; the loader's own tests use the files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));
const isConfig = (f: string) => /\.(ya?ml|json)$/.test(f) && f !== 'expected.json';

describe('configuration corpus', () => {
  const valid = readdirSync(dir).filter(isConfig);
  const invalid = readdirSync(`${dir}invalid`).filter(isConfig);
  const expected = JSON.parse(readFileSync(`${dir}invalid/expected.json`, 'utf8')) as Record<
    string,
    string[]
  >;
  const readme = readFileSync(`${dir}README.md`, 'utf8');

  it('has enough files of each kind', () => {
    assert.ok(valid.length >= 18, `${valid.length} valid files`);
    assert.ok(invalid.length >= 15, `${invalid.length} invalid files`);
  });
  it('lists every valid file in the README table', () => {
    for (const f of valid) assert.ok(readme.includes(`| \`${f}\` |`), f);
  });
  it('has expected field paths for exactly the invalid files', () => {
    assert.deepEqual(Object.keys(expected).sort(), [...invalid].sort());
    for (const [f, paths] of Object.entries(expected))
      assert.ok(paths.length > 0 && paths.every((p) => p !== ''), f);
  });
  it('covers both API versions, all five kubeadm kinds and JSON', () => {
    const text = valid.map((f) => readFileSync(`${dir}${f}`, 'utf8')).join('\n');
    for (const s of ['kubeadm.k8s.io/v1beta3', 'kubeadm.k8s.io/v1beta4']) assert.ok(text.includes(s), s);
    for (const k of [
      'InitConfiguration',
      'ClusterConfiguration',
      'JoinConfiguration',
      'ResetConfiguration',
      'UpgradeConfiguration',
    ]) {
      assert.match(text, new RegExp(`kind"?: "?${k}`), k);
    }
    const json = valid.filter((f) => f.endsWith('.json'));
    assert.ok(json.length >= 1);
    for (const f of json)
      assert.equal(typeof JSON.parse(readFileSync(`${dir}${f}`, 'utf8')).apiVersion, 'string');
  });
});
