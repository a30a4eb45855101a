import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readFileSync as read, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { formatVersion, versionInfo } from '../../src/commands/version.js';
import { KBADM_VERSION } from '../../src/version.js';
import { yamlLib } from '../../src/output/yaml.js';
import { tempDir } from '../support/temp.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

test('the version constant follows package.json', () => {
  assert.equal(KBADM_VERSION, `v${pkg.version}`);
});

test('version -o short prints the git version only', async () => {
  const r = await runCli(['version', '-o', 'short']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${KBADM_VERSION}\n`);
});

test('version -o json prints clientVersion with kubeadm field names', async () => {
  const r = await runCli(['version', '-o', 'json']);
  assert.equal(r.code, 0);
  const v = JSON.parse(r.stdout).clientVersion;
  assert.deepEqual(Object.keys(v), [
    'major',
    'minor',
    'gitVersion',
    'gitCommit',
    'gitTreeState',
    'buildDate',
    'nodeVersion',
    'compiler',
    'platform',
  ]);
  assert.equal(v.gitVersion, KBADM_VERSION);
  assert.equal(`v${v.major}.${v.minor}.0`, KBADM_VERSION.replace(/\.\d+$/, '.0'));
  assert.equal(v.nodeVersion, process.version);
  assert.equal(v.compiler, 'tsc');
  assert.match(v.platform, /^[a-z0-9]+\/[a-z0-9]+$/);
  assert.notEqual(v.platform.split('/')[1], 'x64', 'architectures use Go names (amd64)');
});

test('version -o yaml parses to the same object as json', async () => {
  const json = JSON.parse((await runCli(['version', '-o', 'json'])).stdout);
  const yaml = yamlLib().parse((await runCli(['version', '-o', 'yaml'])).stdout);
  assert.deepEqual(yaml, json);
});

test('version without -o prints the version.Info line', async () => {
  const r = await runCli(['version']);
  assert.match(r.stdout, /^kbadm version: &version\.Info\{Major:"1", Minor:"\d+", GitVersion:"v[^"]+", /);
  assert.match(r.stdout, /Compiler:"tsc", Platform:"[^"]+"\}\n$/);
});

test('version rejects an unknown output format, naming the flag', async () => {
  const r = await runCli(['version', '-o', 'xml']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^--output: "xml": unsupported output format; allowed: yaml, json, short\n/);
});

test('build info fills the commit fields when the build knows them', () => {
  const info = versionInfo({ gitCommit: 'abc123', gitTreeState: 'clean', buildDate: '2026-01-02T03:04:05Z' });
  assert.equal(info.gitCommit, 'abc123');
  assert.match(
    formatVersion(info, ''),
    /GitCommit:"abc123", GitTreeState:"clean", BuildDate:"2026-01-02T03:04:05Z"/,
  );
});

// The installed entry point (package.json bin), as `kbadm` on PATH runs it.
const dist = new URL(`../../${pkg.bin.kbadm}`, import.meta.url);

test('kbadm version from dist/ loads no bundled package but commander', (t) => {
  assert.ok(existsSync(dist), `${dist.pathname} is built by npm test before the tests run`);
  const trace = join(tempDir(t, 'kbadm-trace-'), 'modules.txt');
  const preload = new URL('../support/module-trace.cjs', import.meta.url).pathname;
  const out = execFileSync(
    process.execPath,
    ['--require', preload, dist.pathname, 'version', '-o', 'short'],
    {
      env: { ...process.env, MODULE_TRACE_FILE: trace },
      encoding: 'utf8',
    },
  );
  assert.equal(out.trim(), KBADM_VERSION);
  const loaded = read(trace, 'utf8');
  assert.match(loaded, /dist\/bundle\/kbadm\.js/, 'the trace must see the modules that are loaded');
  // Every dependency is one file under dist/bundle/packages/ (named after the package, e.g.
  // grpc+grpc-js.cjs), so the set of those files is exactly the set of packages the command loaded.
  const packages = new Set(
    loaded
      .split('\n')
      .map((line) => /\/dist\/bundle\/packages\/([^/]+)$/.exec(line)?.[1])
      .filter((name) => name !== undefined),
  );
  assert.deepEqual([...packages].sort(), ['commander.cjs'], 'kbadm version loads no package but commander');
  assert.ok(!loaded.includes('node_modules/'), 'kbadm version loads nothing from node_modules');
});

test('kbadm version from dist/ reports the commit the build recorded', () => {
  assert.ok(existsSync(dist), `${dist.pathname} is built by npm test before the tests run`);
  const recorded = JSON.parse(read(new URL('../../dist/build-info.json', import.meta.url), 'utf8'));
  const out = execFileSync(process.execPath, [dist.pathname, 'version', '-o', 'json'], {
    encoding: 'utf8',
  });
  const v = JSON.parse(out).clientVersion;
  assert.equal(v.gitCommit, recorded.gitCommit ?? '');
  assert.equal(v.buildDate, recorded.buildDate ?? '');
});
