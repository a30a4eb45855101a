import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOutput, recordOutput } from '../../src/output/output.js';
import { levelFor } from '../../src/output/logger.js';
import { parseOutputFormat, renderResult } from '../../src/output/printer.js';
import { dumpYaml, yamlLib } from '../../src/output/yaml.js';
import { ValidationError } from '../../src/errors.js';

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  };
}

test('progress lines look like kubeadm: [phase] message on stdout', () => {
  const s = sinks();
  const o = createOutput(s);
  o.progress('certs', 'Generating "ca" certificate and key');
  o.print('done');
  assert.deepEqual(s.out, ['[certs] Generating "ca" certificate and key\n', 'done\n']);
  assert.deepEqual(s.err, []);
});

test('quiet output drops progress lines but keeps results and warnings', () => {
  const s = sinks();
  const o = createOutput({ ...s, quiet: true });
  o.progress('certs', 'x');
  o.print('{"token":"..."}');
  o.warn('careful');
  assert.deepEqual(s.out, ['{"token":"..."}\n']);
  assert.deepEqual(s.err, ['[WARNING] careful\n']);
});

test('warnOnce shows a warning once per output; another output shows it again', () => {
  const a = sinks();
  const out = createOutput({ stdout: a.stdout, stderr: a.stderr });
  out.warnOnce('the certificate is valid for 730 days');
  out.warnOnce('the certificate is valid for 730 days');
  out.warnOnce('another warning');
  out.warn('the certificate is valid for 730 days');
  assert.deepEqual(a.err, [
    '[WARNING] the certificate is valid for 730 days\n',
    '[WARNING] another warning\n',
    '[WARNING] the certificate is valid for 730 days\n',
  ]);
  const b = sinks();
  createOutput({ stdout: b.stdout, stderr: b.stderr }).warnOnce('the certificate is valid for 730 days');
  assert.equal(b.err.length, 1);
});

test('--v maps to log levels: 0 warnings only, 5 everything', () => {
  assert.equal(levelFor(0), 'warn');
  assert.equal(levelFor(1), 'info');
  assert.equal(levelFor(2), 'info');
  assert.equal(levelFor(3), 'debug');
  assert.equal(levelFor(4), 'debug');
  assert.equal(levelFor(5), 'trace');
  assert.equal(levelFor(10), 'trace');
});

test('logs are JSON lines on stderr, filtered by verbosity', () => {
  for (const [v, expected] of [
    [0, ['warn']],
    [1, ['warn', 'info']],
    [3, ['warn', 'info', 'debug']],
    [5, ['warn', 'info', 'debug', 'trace']],
  ] as const) {
    const s = sinks();
    const o = createOutput({ ...s, verbosity: v });
    o.log.warn('w');
    o.log.info('i', { phase: 'certs' });
    o.log.debug('d');
    o.log.trace('t');
    const lines = s.err
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.msg),
      expected.map((e) => e[0]),
      `verbosity ${v}`,
    );
    assert.deepEqual(s.out, [], 'logs never go to stdout');
    if (v >= 1) assert.equal(lines.find((l) => l.msg === 'i').phase, 'certs');
    assert.equal(lines[0].level, 'warn');
  }
});

test('a recorded output keeps what was printed', () => {
  const o = recordOutput();
  o.progress('kubeconfig', 'Writing "admin.conf" kubeconfig file');
  assert.equal(o.text(), '[kubeconfig] Writing "admin.conf" kubeconfig file\n');
});

test('results render as json, yaml or text', () => {
  const value = {
    token: 'abcdef.0123456789abcdef',
    groups: ['system:bootstrappers:kubeadm:default-node-token'],
  };
  assert.deepEqual(JSON.parse(renderResult('json', value, () => 'x')), value);
  assert.match(
    renderResult('json', value, () => 'x'),
    /^\{\n {4}"token"/,
  );
  assert.deepEqual(yamlLib().parse(renderResult('yaml', value, () => 'x')), value);
  assert.equal(
    renderResult('text', value, () => 'human'),
    'human',
  );
});

test('an unknown output format names the flag', () => {
  assert.equal(parseOutputFormat('yaml'), 'yaml');
  assert.throws(
    () => parseOutputFormat('xml'),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.match(e.message, /^--output: "xml": unsupported output format; allowed: text, json, yaml$/);
      return true;
    },
  );
});

test('YAML is written the way Kubernetes reads it', () => {
  const y = dumpYaml({ args: ['--a=1'], mode: '0600', yes: 'yes', on: 'on', n: 1, multi: 'a\nb\n' });
  assert.match(y, /^args:\n- --a=1\n/, 'sequences are not indented under their key');
  assert.match(y, /mode: "0600"/);
  assert.match(y, /"yes": "yes"/, 'YAML 1.1 booleans stay strings');
  assert.match(y, /"on": "on"/);
  assert.match(y, /multi: \|\n {2}a\n {2}b\n/);
});

test('-o yaml sorts keys at every level, as Kubernetes printers do; -o json keeps the object order', () => {
  const value = { kind: 'X', apiVersion: 'v1', items: [{ name: 'a', age: 1 }] };
  assert.equal(
    renderResult('yaml', value, () => ''),
    'apiVersion: v1\nitems:\n- age: 1\n  name: a\nkind: X',
  );
  assert.match(
    renderResult('json', value, () => ''),
    /^\{\n {4}"kind": "X",\n {4}"apiVersion"/,
  );
});
