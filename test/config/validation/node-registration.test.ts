import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeRegistrationOptions } from '../../../src/config/model.js';
import {
  validateIgnorePreflightErrors,
  validateIgnorePreflightErrorsField,
  validateImagePullPolicy,
  validateNodeRegistrationOptions,
  validateSocketPath,
  validateTaints,
} from '../../../src/config/validation/node-registration.js';

const P = 'InitConfiguration.nodeRegistration';

function nro(n: Partial<NodeRegistrationOptions> = {}): NodeRegistrationOptions {
  return {
    name: 'cp-1',
    criSocket: 'unix:///var/run/containerd/containerd.sock',
    taints: null,
    kubeletExtraArgs: [],
    ignorePreflightErrors: [],
    imagePullPolicy: 'IfNotPresent',
    imagePullSerial: true,
    ...n,
  };
}

describe('validateSocketPath', () => {
  const F = `${P}.criSocket`;
  for (const s of [
    'unix:///var/run/containerd/containerd.sock',
    'unix:///var/run/crio/crio.sock',
    'UNIX:///run/x.sock',
  ]) {
    it(`accepts ${s}`, () => assert.deepEqual(validateSocketPath(s, F), []));
  }
  const bad: [string, string][] = [
    ['', 'empty CRI socket'],
    ['npipe:////./pipe/containerd-containerd', 'only URL scheme "unix" is supported, got "npipe"'],
    ['/var/run/containerd/containerd.sock', 'only URL scheme "unix" is supported, got ""'],
    ['tcp://10.0.0.1:1234', 'only URL scheme "unix" is supported, got "tcp"'],
    [
      'unix:///var/run/%zz.sock',
      'URL parsing error: parse "unix:///var/run/%zz.sock": invalid URL escape "%zz"',
    ],
    [':///x.sock', 'URL parsing error: parse ":///x.sock": missing protocol scheme'],
  ];
  for (const [s, detail] of bad) {
    it(`rejects ${JSON.stringify(s)}: ${detail}`, () =>
      assert.deepEqual(validateSocketPath(s, F), [{ field: F, value: s, detail }]));
  }
});

describe('validateImagePullPolicy', () => {
  const F = `${P}.imagePullPolicy`;
  for (const p of ['', 'Always', 'IfNotPresent', 'Never'])
    it(`accepts ${JSON.stringify(p)}`, () => assert.deepEqual(validateImagePullPolicy(p, F), []));
  for (const p of ['Sometimes', 'always', 'ifnotpresent']) {
    it(`rejects ${p}`, () =>
      assert.deepEqual(validateImagePullPolicy(p, F), [
        { field: F, value: p, detail: 'invalid pull policy' },
      ]));
  }
});

describe('validateTaints', () => {
  const F = `${P}.taints`;
  it('accepts null, [] and well-formed taints', () => {
    assert.deepEqual(validateTaints(null, F), []);
    assert.deepEqual(validateTaints([], F), []);
    assert.deepEqual(
      validateTaints([{ key: 'node-role.kubernetes.io/control-plane', value: '', effect: 'NoSchedule' }], F),
      [],
    );
  });
  it('rejects a missing key and an unknown effect', () => {
    assert.deepEqual(validateTaints([{ key: '', value: '', effect: 'Sometimes' }], F), [
      { field: `${F}[0].key`, detail: 'a taint key is required' },
      {
        field: `${F}[0].effect`,
        value: 'Sometimes',
        detail: 'Unsupported value; supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
      },
    ]);
  });
});

describe('ignorePreflightErrors', () => {
  it('merges flag and file values lower-cased', () => {
    const r = validateIgnorePreflightErrors(['NumCPU'], ['Swap', 'numcpu']);
    assert.deepEqual([...r.ignored].sort(), ['numcpu', 'swap']);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(validateIgnorePreflightErrors(['all'], ['ALL']).errors, []);
  });
  it("rejects 'all' next to individual checks", () => {
    assert.deepEqual(validateIgnorePreflightErrors(['all'], ['Swap']).errors, [
      {
        field: 'ignore-preflight-errors',
        value: 'all,swap',
        detail: "don't specify individual checks if 'all' is used",
      },
    ]);
  });
  it('applies the same rule to one configuration list', () => {
    const F = `${P}.ignorePreflightErrors`;
    assert.deepEqual(validateIgnorePreflightErrorsField(['All'], F), []);
    assert.deepEqual(validateIgnorePreflightErrorsField(['All', 'Swap'], F), [
      { field: F, value: ['All', 'Swap'], detail: "don't specify individual checks if 'all' is used" },
    ]);
  });
});

describe('validateNodeRegistrationOptions', () => {
  it('accepts a defaulted node registration', () =>
    assert.deepEqual(validateNodeRegistrationOptions(nro(), P), []));
  it('requires a name, with kubeadm’s explanation', () => {
    const r = validateNodeRegistrationOptions(nro({ name: '' }), P);
    assert.equal(r.length, 1);
    assert.equal(r[0]!.field, P);
    assert.equal(r[0]!.value, undefined);
    assert.match(
      r[0]!.detail,
      /^--node-name or \.nodeRegistration\.name in the config file is a required value\./,
    );
  });
  it('rejects a name that is not a DNS-1123 subdomain', () => {
    for (const name of ['worker_01', 'Node-1', '-node', 'a'.repeat(254)]) {
      const r = validateNodeRegistrationOptions(nro({ name }), P);
      assert.ok(r.length >= 1, name);
      assert.ok(r.every((p) => p.field === `${P}.name` && p.value === name));
    }
  });
  it('collects every field’s problem', () => {
    const r = validateNodeRegistrationOptions(
      nro({
        name: 'Bad_Name',
        criSocket: '',
        kubeletExtraArgs: [{ name: '', value: '' }],
        imagePullPolicy: 'Sometimes',
        taints: [{ key: 'k', value: '', effect: 'X' }],
        ignorePreflightErrors: ['all', 'swap'],
      }),
      P,
    );
    assert.deepEqual(
      r.map((p) => p.field),
      [
        `${P}.name`,
        `${P}.criSocket`,
        `${P}.kubeletExtraArgs`,
        `${P}.imagePullPolicy`,
        `${P}.taints[0].effect`,
        `${P}.ignorePreflightErrors`,
      ],
    );
  });
});
