// JoinConfiguration.controlPlaneEndpoint and --control-plane-endpoint on join: kbadm's own field,
// accepted in JoinConfiguration only, carried through conversion and printing, validated like
// init's controlPlaneEndpoint, and set by a flag that may sit next to --config.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KbadmError } from '../../src/errors.js';
import { ConfigValidationError } from '../../src/config/errors.js';
import { joinToV1beta4 } from '../../src/config/convert.js';
import {
  isAllowedWithConfig,
  JOIN_FLAG_FIELDS,
  joinDocumentFromFlags,
  overrideJoinFromFlags,
  validateMixedArguments,
} from '../../src/config/flags.js';
import { decodeConfig, loadAllConfig, loadJoinConfig, type LoadOptions } from '../../src/config/load.js';
import { renderDocuments } from '../../src/config/print.js';
import { resolveInitConfig, resolveJoinConfig } from '../../src/config/resolve.js';
import { FACTS, fixedToken, readValid } from '../support/config.js';

const opts = (extra: Partial<LoadOptions> = {}): LoadOptions => ({
  facts: FACTS,
  defaulting: { skipCRIDetect: true, generateToken: fixedToken },
  ...extra,
});

const base = { facts: FACTS, defaulting: { skipCRIDetect: true, generateToken: fixedToken } };

const HASH = 'sha256:' + 'a'.repeat(64);

function joinDoc(version: 'v1beta3' | 'v1beta4', endpoint: string | undefined): string {
  return [
    `apiVersion: kubeadm.k8s.io/${version}`,
    'kind: JoinConfiguration',
    'discovery:',
    '  bootstrapToken:',
    '    apiServerEndpoint: 10.0.0.10:6443',
    '    token: abcdef.0123456789abcdef',
    `    caCertHashes: ["${HASH}"]`,
    ...(endpoint === undefined ? [] : [`controlPlaneEndpoint: ${JSON.stringify(endpoint)}`]),
    'nodeRegistration:',
    '  name: w1',
  ].join('\n');
}

function problemsOf(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigValidationError, `expected ConfigValidationError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('JoinConfiguration.controlPlaneEndpoint in files', () => {
  for (const version of ['v1beta3', 'v1beta4'] as const) {
    it(`${version}: read strictly, without an unknown-field problem`, () => {
      const r = loadAllConfig(
        joinDoc(version, 'vip.example:8443'),
        opts({ strict: true, command: 'validate' }),
      );
      assert.equal(r.join!.controlPlaneEndpoint, 'vip.example:8443');
      assert.deepEqual(
        r.warnings.filter((w) => !w.includes('deprecated')),
        [],
      );
    });
  }

  it('is absent when unset or empty', () => {
    assert.equal(
      loadJoinConfig(joinDoc('v1beta4', undefined), opts()).config.controlPlaneEndpoint,
      undefined,
    );
    const empty = loadJoinConfig(joinDoc('v1beta4', ''), opts()).config;
    assert.equal(Object.hasOwn(empty, 'controlPlaneEndpoint'), false);
  });

  it('stays unknown to the other kinds that lack it in kubeadm', () => {
    for (const kind of ['InitConfiguration', 'ResetConfiguration']) {
      const text = `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ${kind}\ncontrolPlaneEndpoint: vip:6443\n`;
      const e = problemsOf(() => loadAllConfig(text, opts({ strict: true, command: 'validate' })));
      assert.deepEqual(
        e.problems.map((p) => [p.field, p.detail]),
        [[`${kind}.controlPlaneEndpoint`, 'strict decoding error: unknown field "controlPlaneEndpoint"']],
      );
    }
  });

  it('survives v1beta3 → v1beta4 conversion and printing, and is left out when unset', () => {
    const first = decodeConfig(joinDoc('v1beta3', '[fd00::1]:6443'), { strict: true });
    const printed = renderDocuments([joinToV1beta4(first.documents.join!)]);
    assert.match(printed, /^controlPlaneEndpoint: "\[fd00::1\]:6443"$/m);
    const second = decodeConfig(printed, { strict: true });
    assert.deepEqual(second.warnings, []);
    assert.deepEqual(second.documents.join, first.documents.join);

    const unset = decodeConfig(readValid('17-join-control-plane.yaml'), { strict: true });
    assert.doesNotMatch(renderDocuments([joinToV1beta4(unset.documents.join!)]), /controlPlaneEndpoint/);
  });

  for (const good of ['vip', 'vip.example:8443', '10.0.0.5', '10.0.0.5:443', 'fd00::1', '[fd00::1]:6443']) {
    it(`accepts ${good}`, () => {
      assert.equal(loadJoinConfig(joinDoc('v1beta4', good), opts()).config.controlPlaneEndpoint, good);
    });
  }

  const bad: [string, RegExp][] = [
    ['vip:0', /port 0 must be a valid number between 1 and 65535/],
    ['vip:65536', /port 65536 must be a valid number/],
    ['https://vip:6443', /must be a valid IP address or a valid RFC-1123 DNS subdomain/],
    ['[fd00::1]', /must be a valid IP address or a valid RFC-1123 DNS subdomain/],
    ['VIP_1', /must be a valid IP address or a valid RFC-1123 DNS subdomain/],
  ];
  for (const [value, detail] of bad) {
    it(`rejects ${value} naming the field and its line`, () => {
      const text = joinDoc('v1beta4', value);
      const e = problemsOf(() => loadJoinConfig(text, opts({ source: 'j.yaml' })));
      assert.equal(e.problems.length, 1, e.message);
      const p = e.problems[0]!;
      assert.equal(p.field, 'JoinConfiguration.controlPlaneEndpoint');
      assert.equal(p.value, value);
      assert.match(p.detail, detail);
      assert.match(text.split('\n')[p.line! - 1]!, /^controlPlaneEndpoint:/);
      assert.equal(e.exitCode, 3);
    });
  }
});

describe('--control-plane-endpoint on join', () => {
  const discovery = {
    token: 'abcdef.0123456789abcdef',
    'discovery-token-ca-cert-hash': [HASH],
  };

  it('is in the flag → field table', () => {
    assert.equal(JOIN_FLAG_FIELDS['control-plane-endpoint'], 'JoinConfiguration.controlPlaneEndpoint');
  });

  it('sets the field without --config', () => {
    const { document } = joinDocumentFromFlags({ 'control-plane-endpoint': 'vip:6443' }, ['10.0.0.10:6443']);
    assert.equal(document.controlPlaneEndpoint, 'vip:6443');
    const j = resolveJoinConfig({
      ...base,
      args: ['10.0.0.10:6443'],
      flags: { ...discovery, 'control-plane-endpoint': '[fd00::1]:6443' },
    }).config;
    assert.equal(j.controlPlaneEndpoint, '[fd00::1]:6443');
    assert.equal(j.discovery.bootstrapToken!.apiServerEndpoint, '10.0.0.10:6443');
  });

  it('a bad value names the flag and the field', () => {
    const e = problemsOf(() =>
      resolveJoinConfig({
        ...base,
        args: ['10.0.0.10:6443'],
        flags: { ...discovery, 'control-plane-endpoint': 'vip:99999' },
      }),
    );
    assert.equal(e.problems.length, 1);
    assert.equal(e.problems[0]!.field, 'JoinConfiguration.controlPlaneEndpoint');
    assert.match(e.problems[0]!.detail, /port 99999 .*\(from --control-plane-endpoint\)$/);
  });

  it('may be given next to --config, and wins over the file', () => {
    const r = resolveJoinConfig({
      ...base,
      configText: joinDoc('v1beta4', 'old-vip:6443'),
      flags: { 'control-plane-endpoint': 'vip:7443' },
    });
    assert.equal(r.config.controlPlaneEndpoint, 'vip:7443');
    const fromFile = resolveJoinConfig({
      ...base,
      configText: joinDoc('v1beta4', 'old-vip:6443'),
      flags: {},
    });
    assert.equal(fromFile.config.controlPlaneEndpoint, 'old-vip:6443');
  });

  it('given empty next to --config, removes the file value', () => {
    const r = resolveJoinConfig({
      ...base,
      configText: joinDoc('v1beta4', 'old-vip:6443'),
      flags: { 'control-plane-endpoint': '' },
    });
    assert.equal(Object.hasOwn(r.config, 'controlPlaneEndpoint'), false);
  });

  it('a bad value next to --config names the flag, not a line of the file', () => {
    const e = problemsOf(() =>
      resolveJoinConfig({
        ...base,
        configText: joinDoc('v1beta4', 'old-vip:6443'),
        source: 'j.yaml',
        flags: { 'control-plane-endpoint': 'a b' },
      }),
    );
    const p = e.problems.find((x) => x.field === 'JoinConfiguration.controlPlaneEndpoint');
    assert.ok(p, e.message);
    assert.match(p.detail, /\(from --control-plane-endpoint\)$/);
    assert.equal(p.line, undefined, 'no line of the file holds the value');
    assert.doesNotMatch(e.message, /j\.yaml:/);
  });

  it('overrideJoinFromFlags leaves the input untouched', () => {
    const j = loadJoinConfig(joinDoc('v1beta4', 'old:6443'), opts()).config;
    const out = overrideJoinFromFlags(j, { 'control-plane-endpoint': 'new:6443' });
    assert.equal(out.controlPlaneEndpoint, 'new:6443');
    assert.equal(j.controlPlaneEndpoint, 'old:6443');
  });

  it("init keeps kubeadm's rule: the flag does not mix with --config there", () => {
    assert.equal(isAllowedWithConfig('control-plane-endpoint'), false);
    assert.throws(
      () => validateMixedArguments(['config', 'control-plane-endpoint']),
      (e: unknown) =>
        e instanceof KbadmError &&
        e.message === "can not mix '--config' with arguments [control-plane-endpoint]",
    );
    assert.throws(
      () =>
        resolveInitConfig({
          ...base,
          configText: readValid('01-single-node-minimal.yaml'),
          flags: { 'control-plane-endpoint': 'v:1' },
        }),
      /can not mix '--config' with arguments \[control-plane-endpoint\]/,
    );
  });

  it('other flags still do not mix with --config on join', () => {
    assert.throws(
      () =>
        resolveJoinConfig({
          ...base,
          configText: joinDoc('v1beta4', undefined),
          flags: { 'control-plane-endpoint': 'vip:6443', 'cri-socket': 'unix:///x.sock' },
        }),
      /can not mix '--config' with arguments \[cri-socket\]$/,
    );
  });
});
