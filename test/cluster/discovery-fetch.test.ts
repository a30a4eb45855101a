// Join discovery over the network, against the lab's kube-apiserver stand-in (HTTPS with kbadm's
// serving certificate, RBAC, anonymous access only where granted): cluster-info read anonymously
// without and with the pinned CA, token discovery end to end with the right and a wrong pin, a
// tampered kubeconfig or signature, file discovery with a kubeconfig, and an https discovery URL.
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  fetchClusterInfoInsecure,
  fetchClusterInfoWithCA,
  fetchDiscoveryURL,
} from '../../src/cluster/discovery-fetch.js';
import { createKubeClient } from '../../src/cluster/kube-client.js';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { caCertHash } from '../../src/certs/ca-hash.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { clusterCAPem, currentCluster, parseKubeconfig } from '../../src/kubeconfig/kubeconfig.js';
import { recordOutput } from '../../src/output/output.js';
import { realDiscoveryIO } from '../../src/phases/join-discovery.js';
import { clusterInfoConfigMap, clusterInfoKubeconfig } from '../../src/tokens/cluster-info.js';
import { discoverByFile, discoverByToken, type DiscoveryIO } from '../../src/tokens/discovery-run.js';
import { computeDetachedSignature } from '../../src/tokens/jws.js';
import { startControlPlaneFixture, freePort, type ControlPlaneFixture } from '../lab/apiserver/fixture.js';
import { PIN_B, PIN_CERT_B } from '../support/pin-certs.js';

const ID = 'abcdef';
const SECRET = '0123456789abcdef';
const TOKEN = `${ID}.${SECRET}`;
const CM_REF = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-public', name: 'cluster-info' };

describe('join discovery against the kube-apiserver stand-in', () => {
  let f: ControlPlaneFixture;
  let admin: ClusterClient;
  let endpoint: string;
  let caPem: string;
  let pin: string;
  let info: string;
  let io: DiscoveryIO;

  /** Replaces cluster-info's data (the admin client, as the bootstrap signer would write it). */
  async function putClusterInfo(data: Record<string, string>): Promise<void> {
    const live = (await admin.get(CM_REF))!;
    await admin.update({ ...live, data });
  }
  const signed = (text: string, secret = SECRET) => ({
    kubeconfig: text,
    [`jws-kubeconfig-${ID}`]: computeDetachedSignature(text, ID, secret),
  });
  const tokenInput = (o: Partial<Parameters<typeof discoverByToken>[0]> = {}) => ({
    endpoint,
    token: TOKEN,
    caCertHashes: [pin],
    unsafeSkipCAVerification: false,
    timeoutMs: 1,
    intervalMs: 1,
    ...o,
  });

  before(async () => {
    f = await startControlPlaneFixture('discovery');
    admin = await createKubeClient(await fs.readFile(path.join(f.kube, 'super-admin.conf'), 'utf8'), {
      source: 'super-admin.conf',
    });
    const adminConf = parseKubeconfig(await fs.readFile(path.join(f.kube, 'admin.conf'), 'utf8'));
    caPem = clusterCAPem(currentCluster(adminConf)!);
    pin = caCertHash(caPem);
    endpoint = new URL(f.url()).host;
    info = clusterInfoKubeconfig(adminConf);
    await admin.create(clusterInfoConfigMap(info));
    io = realDiscoveryIO(createRealHost(createPaths(f.root), recordOutput()), recordOutput());
  });
  after(async () => {
    admin?.close();
    await f?.close();
  });

  test('cluster-info is read without credentials: refused before the anonymous Role exists, read after', async () => {
    await assert.rejects(fetchClusterInfoInsecure(endpoint), (err: Error & { status?: number }) => {
      assert.equal(err.status, 403);
      assert.match(err.message, /system:anonymous/);
      return true;
    });
    const rule = {
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['cluster-info'],
      verbs: ['get'],
    };
    const name = 'kubeadm:bootstrap-signer-clusterinfo';
    const meta = { name, namespace: 'kube-public' };
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta,
      rules: [rule],
    } as KubeObject);
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'User', name: 'system:anonymous' }],
    } as KubeObject);
    assert.deepEqual(await fetchClusterInfoInsecure(endpoint), { kubeconfig: info });
    assert.deepEqual(await fetchClusterInfoWithCA(endpoint, caPem), { kubeconfig: info });
  });

  test('the pinned read refuses a server whose certificate the given CA did not sign', async () => {
    await assert.rejects(fetchClusterInfoWithCA(endpoint, PIN_CERT_B), {
      message: new RegExp(
        `^Get "https://${endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info\\?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority$`,
      ),
    });
  });

  test('without the signature for the token, discovery ends naming the token ID', async () => {
    await putClusterInfo({ kubeconfig: info });
    await assert.rejects(discoverByToken(tokenInput(), io), {
      message: `couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${ID}"`,
    });
  });

  test('with the right pin discovery gives the server and CA of cluster-info', async () => {
    await putClusterInfo(signed(info));
    const d = await discoverByToken(tokenInput(), io);
    assert.equal(d.server, f.url());
    assert.equal(d.caPem, caPem);
    assert.equal(d.clusterName, '');
  });

  test('any of several pins may match', async () => {
    const d = await discoverByToken(tokenInput({ caCertHashes: [PIN_B, pin] }), io);
    assert.equal(d.server, f.url());
  });

  test('a wrong pin fails naming the CA key found and the pin expected', async () => {
    await assert.rejects(discoverByToken(tokenInput({ caCertHashes: [PIN_B] }), io), {
      message: `couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${pin}" are pinned (expected "${PIN_B}")`,
    });
  });

  test('a tampered kubeconfig or a signature made with another secret is not trusted', async () => {
    const jws =
      /^couldn't validate the identity of the API Server: failed to verify JWS signature of received cluster info object, can't trust this API Server$/;
    await putClusterInfo({ ...signed(info), kubeconfig: info.replace('127.0.0.1', '127.0.0.2') });
    await assert.rejects(discoverByToken(tokenInput(), io), { message: jws });
    await putClusterInfo(signed(info, 'ffffffffffffffff'));
    await assert.rejects(discoverByToken(tokenInput(), io), { message: jws });
    await putClusterInfo(signed(info));
  });

  test('an endpoint nobody listens on is named with the URL that was tried', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    await assert.rejects(discoverByToken(tokenInput({ endpoint: dead }), io), {
      message: `couldn't validate the identity of the API Server: failed to request the cluster-info ConfigMap: Get "https://${dead}/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp ${dead}: connect: connection refused`,
    });
  });

  test('file discovery uses the kubeconfig as it is, read through the Host under --rootfs', async () => {
    const d = await discoverByFile(
      { kubeConfigPath: '/etc/kubernetes/admin.conf', timeoutMs: 1, intervalMs: 1 },
      io,
    );
    assert.equal(d.server, f.url());
    assert.equal(d.caPem, caPem);
    assert.ok(d.kubeconfig.users?.[0]?.user['client-key-data']);
  });

  test('an https discovery URL is downloaded; an error answer names the URL and status', async () => {
    const url = `${f.url()}/api/v1/namespaces/kube-public/configmaps/cluster-info`;
    const body = JSON.parse(await fetchDiscoveryURL(url, { caPem })) as { data: Record<string, string> };
    assert.equal(body.data['kubeconfig'], info);
    const missing = `${f.url()}/api/v1/namespaces/kube-public/configmaps/nope`;
    await assert.rejects(fetchDiscoveryURL(missing, { caPem }), {
      message: `Get "${missing}": the server answered with status 403`,
    });
  });
});
