// Real TLS handshakes with the files `kbadm init` writes: the apiserver serving cert and key from
// pki/, clients from the kubeconfig files (read back by kubectl), and etcd's server and
// healthcheck-client pair. Also after `certs renew all`, which must keep the CAs.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { config, current, decode, kubectlView, read, tempRoot, type Root } from '../support/e2e.js';
import { IGNORE_IN_TEMP_ROOT, SKIP_WAIT } from '../support/temp-root-preflight.js';

interface Client {
  cert: string;
  key: string;
}

function kubeconfigClient(root: Root, file: string): Client {
  const { user } = current(kubectlView(join(root.kube, file)));
  return { cert: decode(user.user['client-certificate-data']), key: decode(user.user['client-key-data']) };
}

function pair(root: Root, base: string): Client {
  return { cert: read(join(root.pki, `${base}.crt`)), key: read(join(root.pki, `${base}.key`)) };
}

/** An mTLS server like kube-apiserver/etcd: serving pair from disk, clients must chain to `caFile`. */
async function serve(serving: Client, caPem: string) {
  const seen: string[] = [];
  const server = https.createServer(
    { cert: serving.cert, key: serving.key, ca: caPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as tls.TLSSocket).getPeerCertificate();
      seen.push(`${peer.subject.CN}/${[peer.subject.O ?? []].flat().join(',')}`);
      res.end('ok');
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, seen, port: (server.address() as AddressInfo).port };
}

function get(port: number, caPem: string, client: Client, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        ca: caPem,
        cert: client.cert,
        key: client.key,
        servername,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
  });
}

for (const algorithm of ['RSA-2048', 'ECDSA-P256']) {
  describe(`${algorithm}: TLS with files written by kbadm init`, () => {
    let root: Root;
    let stranger: Root;
    before(async () => {
      root = tempRoot(config(algorithm));
      stranger = tempRoot(config(algorithm));
      await root.kbadm(['init', '--config', '/cfg.yaml', ...IGNORE_IN_TEMP_ROOT, ...SKIP_WAIT]);
      await stranger.kbadm(['init', '--config', '/cfg.yaml', ...IGNORE_IN_TEMP_ROOT, ...SKIP_WAIT]);
    });
    after(() => {
      root.cleanup();
      stranger.cleanup();
    });

    test('apiserver: admin.conf and super-admin.conf are accepted with their groups; another cluster is not', async () => {
      const caPem = read(join(root.pki, 'ca.crt'));
      const { server, seen, port } = await serve(pair(root, 'apiserver'), caPem);
      try {
        // `localhost` is the control-plane endpoint, a SAN of the serving certificate.
        assert.equal(await get(port, caPem, kubeconfigClient(root, 'admin.conf'), 'localhost'), 'ok');
        assert.equal(
          await get(port, caPem, kubeconfigClient(root, 'super-admin.conf'), 'kubernetes.default.svc'),
          'ok',
        );
        assert.equal(await get(port, caPem, pair(root, 'apiserver-kubelet-client'), 'cp-1'), 'ok');
        assert.deepEqual(seen, [
          'kubernetes-admin/kubeadm:cluster-admins',
          'kubernetes-super-admin/system:masters',
          'kube-apiserver-kubelet-client/kubeadm:cluster-admins',
        ]);
        await assert.rejects(get(port, caPem, kubeconfigClient(stranger, 'admin.conf'), 'localhost'));
        // The client refuses a name the serving certificate does not carry.
        await assert.rejects(
          get(port, caPem, kubeconfigClient(root, 'admin.conf'), 'example.com'),
          /altnames/i,
        );
        // ...and a server from another cluster.
        await assert.rejects(
          get(port, read(join(stranger.pki, 'ca.crt')), kubeconfigClient(root, 'admin.conf'), 'localhost'),
        );
        assert.equal(seen.length, 3);
      } finally {
        server.close();
      }
    });

    test('etcd: server pair with the healthcheck client and the apiserver etcd client', async () => {
      const etcdCA = read(join(root.pki, 'etcd/ca.crt'));
      const { server, seen, port } = await serve(pair(root, 'etcd/server'), etcdCA);
      try {
        assert.equal(await get(port, etcdCA, pair(root, 'etcd/healthcheck-client'), 'localhost'), 'ok');
        assert.equal(await get(port, etcdCA, pair(root, 'apiserver-etcd-client'), 'cp-1'), 'ok');
        // A client of the Kubernetes CA is no etcd client.
        await assert.rejects(get(port, etcdCA, pair(root, 'apiserver-kubelet-client'), 'localhost'));
        assert.deepEqual(seen, ['kube-etcd-healthcheck-client/', 'kube-apiserver-etcd-client/']);
      } finally {
        server.close();
      }
    });

    test('after certs renew all, the renewed pairs still handshake under the same CA', async () => {
      const before = pair(root, 'apiserver');
      await root.kbadm(['certs', 'renew', 'all', '--config', '/cfg.yaml']);
      const after = pair(root, 'apiserver');
      assert.notEqual(after.key, before.key);
      const caPem = read(join(root.pki, 'ca.crt'));
      const { server, port } = await serve(after, caPem);
      try {
        assert.equal(await get(port, caPem, kubeconfigClient(root, 'admin.conf'), 'localhost'), 'ok');
      } finally {
        server.close();
      }
    });
  });
}
