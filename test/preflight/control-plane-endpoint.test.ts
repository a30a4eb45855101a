// Join's control-plane endpoint warnings with the certificate fetch injected: what is fetched,
// which failures become warnings, and how the check prints through the preflight runner. The
// real TLS fetch is exercised in test/cluster/serving-certificate.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AltNames } from '../../src/certs/sans.js';
import { ServingCertificateError } from '../../src/cluster/serving-certificate.js';
import { createBasic } from '../../src/kubeconfig/kubeconfig.js';
import { recordOutput } from '../../src/output/output.js';
import type { NodeProbe } from '../../src/preflight/check.js';
import {
  CONTROL_PLANE_ENDPOINT_CHECK,
  controlPlaneEndpointCheck,
  endpointPreflightWarnings,
} from '../../src/preflight/control-plane-endpoint.js';
import { ignoreSet, runChecks } from '../../src/preflight/run.js';
import type { DiscoveredCluster } from '../../src/tokens/discovery.js';

const CA = '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n';
const DISCOVERED: DiscoveredCluster = {
  server: 'https://10.0.0.10:6443',
  caPem: CA,
  clusterName: '',
  kubeconfig: createBasic('https://10.0.0.10:6443', '', 'u', ''),
};
const SANS: AltNames = {
  dnsNames: ['kubernetes', 'vip.example'],
  ips: ['10.96.0.1', '10.0.0.10', '10.0.0.100'],
};

function recording(result: () => Promise<AltNames>) {
  const calls: [string, string][] = [];
  const fetch = async (server: string, caPem: string) => {
    calls.push([server, caPem]);
    return result();
  };
  return { calls, fetch };
}

describe('endpointPreflightWarnings', () => {
  test('nothing to say, and nothing fetched, without a given endpoint', async () => {
    const r = recording(async () => SANS);
    assert.deepEqual(await endpointPreflightWarnings(DISCOVERED, undefined, r.fetch), []);
    assert.deepEqual(await endpointPreflightWarnings(DISCOVERED, '', r.fetch), []);
    assert.deepEqual(r.calls, []);
  });

  test('fetches the chosen server with the discovered CA', async () => {
    const r = recording(async () => SANS);
    await endpointPreflightWarnings(DISCOVERED, 'vip.example', r.fetch);
    assert.deepEqual(r.calls, [['https://vip.example:6443', CA]]);
  });

  test('the discovered server itself, covered: no warning', async () => {
    const r = recording(async () => SANS);
    assert.deepEqual(await endpointPreflightWarnings(DISCOVERED, '10.0.0.10:6443', r.fetch), []);
  });

  test('a covered VIP that differs from cluster-info: the mismatch only', async () => {
    const w = await endpointPreflightWarnings(DISCOVERED, '10.0.0.100', recording(async () => SANS).fetch);
    assert.equal(w.length, 1);
    assert.match(
      w[0]!,
      /"https:\/\/10\.0\.0\.100:6443" differs from the API server "https:\/\/10\.0\.0\.10:6443"/,
    );
  });

  test('an uncovered VIP: the mismatch and the SAN warning', async () => {
    const w = await endpointPreflightWarnings(
      DISCOVERED,
      '10.0.0.200:8443',
      recording(async () => SANS).fetch,
    );
    assert.equal(w.length, 2);
    assert.match(w[1]!, /does not cover "10\.0\.0\.200"/);
  });

  test('an IPv6 endpoint is checked without its brackets', async () => {
    const v6 = { dnsNames: [], ips: ['fd00::100'] };
    const w = await endpointPreflightWarnings(
      DISCOVERED,
      '[fd00::100]:6443',
      recording(async () => v6).fetch,
    );
    assert.equal(w.length, 1, 'the mismatch only');
  });

  for (const reason of ['unreachable', 'untrusted'] as const) {
    test(`an ${reason} endpoint is a warning`, async () => {
      const err = new ServingCertificateError(reason, 'https://vip.example:6443', 'why');
      const w = await endpointPreflightWarnings(DISCOVERED, 'vip.example', async () => {
        throw err;
      });
      assert.deepEqual(w.slice(1), [err.message]);
    });
  }

  test('any other failure is not hidden', async () => {
    await assert.rejects(
      endpointPreflightWarnings(DISCOVERED, 'vip.example', async () => {
        throw new TypeError('bug');
      }),
      TypeError,
    );
  });

  test('a bad given endpoint is an error, not a warning', async () => {
    await assert.rejects(
      endpointPreflightWarnings(DISCOVERED, 'vip:0', recording(async () => SANS).fetch),
      /invalid control-plane endpoint "vip:0"/,
    );
  });
});

describe('controlPlaneEndpointCheck', () => {
  const probe = {} as NodeProbe;

  test('prints its warnings as a preflight check does, and never fails', async () => {
    const out = recordOutput();
    const check = controlPlaneEndpointCheck(DISCOVERED, '10.0.0.200', async () => SANS);
    assert.equal(check.name, CONTROL_PLANE_ENDPOINT_CHECK);
    const report = await runChecks([check], probe, ignoreSet([]), out);
    assert.deepEqual(report.errors, []);
    assert.equal(report.warnings.length, 2);
    const lines = out.stderr.join('').split('\n').filter(Boolean);
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, /^\t\[WARNING ControlPlaneEndpoint\]: the /);
  });

  test('skipped without a given endpoint', async () => {
    const r = await controlPlaneEndpointCheck(DISCOVERED, undefined, async () => SANS).run(probe);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.errors, []);
    assert.ok(r.skipped);
  });
});
