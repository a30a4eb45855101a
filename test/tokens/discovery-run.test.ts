// The discovery flows with scripted fetchers and a fake clock: polling until the signature shows
// up, the messages while waiting, timeouts reporting the last error, the pinned second read, and
// file discovery. No real waiting: `sleep` only advances the fake clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBasic, createWithToken, serializeKubeconfig } from '../../src/kubeconfig/kubeconfig.js';
import { clusterInfoKubeconfig } from '../../src/tokens/cluster-info.js';
import { discoverByFile, discoverByToken, type DiscoveryIO } from '../../src/tokens/discovery-run.js';
import { computeDetachedSignature } from '../../src/tokens/jws.js';
import { PIN_A, PIN_B, PIN_CERT_A } from '../support/pin-certs.js';

const TOKEN = 'abcdef.0123456789abcdef';
const SERVER = 'https://10.0.0.1:6443';
const INFO = clusterInfoKubeconfig(createBasic(SERVER, 'kubernetes', 'admin', PIN_CERT_A));
const SIGNED = {
  kubeconfig: INFO,
  'jws-kubeconfig-abcdef': computeDetachedSignature(INFO, 'abcdef', '0123456789abcdef'),
};
const UNSIGNED = { kubeconfig: INFO };

type Step = Record<string, string> | Error;

/** Fetchers answering from scripts (the last step repeats), a clock that moves only in sleep. */
function fakeIO(script: {
  insecure?: Step[];
  pinned?: Step[];
  withKubeconfig?: Step[];
  files?: Record<string, string>;
}) {
  let clock = 0;
  const calls: string[] = [];
  const logs: string[] = [];
  const warnings: string[] = [];
  const sleeps: number[] = [];
  const next = (steps: Step[] | undefined, name: string) => {
    calls.push(`${name}@${clock}`);
    const step = (steps ?? []).length > 1 ? steps!.shift()! : steps?.[0];
    if (step === undefined) throw new Error(`no script for ${name}`);
    if (step instanceof Error) return Promise.reject(step);
    return Promise.resolve(step);
  };
  const io: DiscoveryIO = {
    fetchInsecure: () => next(script.insecure, 'insecure'),
    fetchWithCA: (_ep, ca) => {
      assert.equal(ca, PIN_CERT_A);
      return next(script.pinned, 'pinned');
    },
    fetchWithKubeconfig: () => next(script.withKubeconfig, 'kubeconfig'),
    fetchURL: async (url) => {
      const body = script.files?.[url];
      if (body === undefined) throw new Error(`Get "${url}": dial tcp: lookup nowhere: no such host`);
      return body;
    },
    readFile: async (p) => {
      const body = script.files?.[p];
      if (body === undefined) throw new Error(`open ${p}: no such file or directory`);
      return body;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    log: (l) => logs.push(l),
    warn: (w) => warnings.push(w),
  };
  return { io, calls, logs, warnings, sleeps };
}

const input = (o: Partial<Parameters<typeof discoverByToken>[0]> = {}) => ({
  endpoint: '10.0.0.1:6443',
  token: TOKEN,
  caCertHashes: [PIN_A],
  unsafeSkipCAVerification: false,
  timeoutMs: 300_000,
  ...o,
});

describe('token discovery', () => {
  test('waits every 5 s for the signature, checks the pin, reads again over pinned TLS', async () => {
    const f = fakeIO({
      insecure: [new Error('Get "https://10.0.0.1:6443/...": connection refused'), UNSIGNED, SIGNED],
      pinned: [SIGNED],
    });
    const d = await discoverByToken(input(), f.io);
    assert.deepEqual(
      { server: d.server, caPem: d.caPem, clusterName: d.clusterName },
      { server: SERVER, caPem: PIN_CERT_A, clusterName: '' },
    );
    assert.deepEqual(f.calls, ['insecure@0', 'insecure@5000', 'insecure@10000', 'pinned@10000']);
    assert.deepEqual(f.sleeps, [5000, 5000]);
    assert.deepEqual(f.logs, [
      '[discovery] Created cluster-info discovery client, requesting info from "10.0.0.1:6443"',
      '[discovery] Failed to request cluster-info, will try again: Get "https://10.0.0.1:6443/...": connection refused',
      '[discovery] The cluster-info ConfigMap does not yet contain a JWS signature for token ID "abcdef", will try again',
      '[discovery] Requesting info from "10.0.0.1:6443" again to validate TLS against the pinned public key',
      '[discovery] Cluster info signature and contents are valid and TLS certificate validates against pinned roots, will use API Server "10.0.0.1:6443"',
    ]);
  });

  test('a token ID that is never signed ends at the timeout with the last error', async () => {
    const f = fakeIO({ insecure: [UNSIGNED] });
    await assert.rejects(discoverByToken(input({ timeoutMs: 12_000 }), f.io), {
      message: `couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"`,
    });
    // Tries at 0, 5 and 10 s; the wait after the last try is cut at the deadline.
    assert.deepEqual(f.calls, ['insecure@0', 'insecure@5000', 'insecure@10000']);
    assert.deepEqual(f.sleeps, [5000, 5000, 2000]);
  });

  test('an unreachable endpoint is reported with the URL the client tried', async () => {
    const url = 'https://10.0.0.1:6443/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s';
    const f = fakeIO({
      insecure: [new Error(`Get "${url}": dial tcp 10.0.0.1:6443: connect: connection refused`)],
    });
    await assert.rejects(discoverByToken(input({ timeoutMs: 1_000 }), f.io), {
      message: `couldn't validate the identity of the API Server: failed to request the cluster-info ConfigMap: Get "${url}": dial tcp 10.0.0.1:6443: connect: connection refused`,
    });
    assert.deepEqual(f.sleeps, [1000]);
  });

  test('a wrong pin stops before the second read and names both pins', async () => {
    const f = fakeIO({ insecure: [SIGNED] });
    await assert.rejects(discoverByToken(input({ caCertHashes: [PIN_B] }), f.io), {
      message: `couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${PIN_A}" are pinned (expected "${PIN_B}")`,
    });
    assert.deepEqual(f.calls, ['insecure@0']);
  });

  test('a different answer over pinned TLS is refused', async () => {
    const other = `${INFO}# changed\n`;
    const f = fakeIO({ insecure: [SIGNED], pinned: [{ ...SIGNED, kubeconfig: other }] });
    await assert.rejects(discoverByToken(input(), f.io), {
      message: /different from the first$/,
    });
  });

  test('a tampered kubeconfig fails the signature check', async () => {
    const f = fakeIO({ insecure: [{ ...SIGNED, kubeconfig: INFO.replace('10.0.0.1', '10.6.6.6') }] });
    await assert.rejects(discoverByToken(input(), f.io), { message: /failed to verify JWS signature/ });
  });

  test('unsafe skip without pins trusts the signed config and makes no second read', async () => {
    const f = fakeIO({ insecure: [SIGNED] });
    const d = await discoverByToken(input({ caCertHashes: [], unsafeSkipCAVerification: true }), f.io);
    assert.equal(d.server, SERVER);
    assert.deepEqual(f.calls, ['insecure@0']);
  });

  test('no pins and no skip, or a malformed token, fail before any request', async () => {
    const f = fakeIO({});
    await assert.rejects(discoverByToken(input({ caCertHashes: [] }), f.io), { message: /can be unsafe/ });
    await assert.rejects(discoverByToken(input({ token: 'nope' }), f.io), {
      message: 'the bootstrap token is invalid',
    });
    assert.deepEqual(f.calls, []);
  });
});

describe('file discovery', () => {
  const userFile = serializeKubeconfig(
    createWithToken('https://lb:6443', 'kubernetes', 'me', '', 'abcdef.0123456789abcdef'),
  );

  test('a file read through IO, its CA file inlined, CA synced from cluster-info; credentials kept', async () => {
    const cfg = createWithToken('https://lb:6443', 'kubernetes', 'me', '', 't');
    cfg.clusters[0]!.cluster['certificate-authority'] = 'ca.crt';
    const f = fakeIO({
      files: { '/etc/disc.conf': serializeKubeconfig(cfg), '/etc/ca.crt': PIN_CERT_A },
      withKubeconfig: [new Error('connection refused'), SIGNED],
    });
    const d = await discoverByFile({ kubeConfigPath: 'file:///etc/disc.conf', timeoutMs: 60_000 }, f.io);
    assert.equal(d.server, 'https://lb:6443');
    assert.equal(d.caPem, PIN_CERT_A);
    assert.deepEqual(d.kubeconfig.users, [{ name: 'me', user: { token: 't' } }]);
    assert.deepEqual(f.calls, ['kubeconfig@0', 'kubeconfig@5000']);
    assert.equal(f.warnings.length, 1);
    assert.match(f.warnings[0]!, /in use is different from the endpoint/);
  });

  test('a 403 means TLS is fine: the file is used as it is', async () => {
    const forbidden = Object.assign(new Error('configmaps "cluster-info" is forbidden'), { status: 403 });
    const f = fakeIO({ files: { 'https://x/disc': userFile }, withKubeconfig: [forbidden] });
    const d = await discoverByFile({ kubeConfigPath: 'https://x/disc', timeoutMs: 60_000 }, f.io);
    assert.equal(d.server, 'https://lb:6443');
    assert.deepEqual(f.warnings, [
      '[discovery] Could not access the cluster-info ConfigMap for refreshing the cluster-info information, but the TLS cert is valid so proceeding...',
    ]);
  });

  test('an unreadable cluster-info ends at the timeout; a missing file is named', async () => {
    const f = fakeIO({
      files: { '/d.conf': userFile },
      withKubeconfig: [new Error('Get "https://lb:6443/...": EOF')],
    });
    await assert.rejects(discoverByFile({ kubeConfigPath: '/d.conf', timeoutMs: 10_000 }, f.io), {
      message: `couldn't validate the identity of the API Server: Abort reading the cluster-info ConfigMap after timeout of 10s: Get "https://lb:6443/...": EOF`,
    });
    await assert.rejects(discoverByFile({ kubeConfigPath: '/missing.conf', timeoutMs: 10_000 }, f.io), {
      message:
        "couldn't validate the identity of the API Server: open /missing.conf: no such file or directory",
    });
  });
});
