// kubectl maps every object it reads to a resource through API discovery, even for a client-side
// dry run. This serves discovery alone (the lab stand-in's resource table) on loopback over plain
// HTTP, with a kubeconfig that points kubectl at it; every other path is a 404, so nothing can be
// created.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { apiVersionOf, groupVersionPath, RESOURCES } from '../lab/apiserver/resources.js';

export interface DiscoveryServer {
  /** A kubeconfig file for kubectl. */
  kubeconfig: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

function body(path: string): unknown {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = [...new Set(RESOURCES.filter((r) => r.group !== '').map((r) => r.group))].map((g) => ({
      name: g,
      versions: [{ groupVersion: `${g}/v1`, version: 'v1' }],
      preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
    }));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const gv = RESOURCES.find((r) => groupVersionPath(r) === path);
  if (!gv) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(gv),
    resources: RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version).map((r) => ({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

/** Starts the server on 127.0.0.1 and writes its kubeconfig into `dir`. */
export async function startDiscoveryServer(dir: string): Promise<DiscoveryServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const answer = req.method === 'GET' ? body(path) : undefined;
    const [code, json] =
      answer === undefined
        ? [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }]
        : [200, answer];
    const text = JSON.stringify(json);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeconfig = join(dir, 'discovery.conf');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- cluster: {server: "http://127.0.0.1:${port}"}`,
      '  name: discovery',
      'contexts:',
      '- context: {cluster: discovery, user: nobody}',
      '  name: discovery',
      'current-context: discovery',
      'users:',
      '- name: nobody',
      '  user: {}',
      '',
    ].join('\n'),
  );
  return {
    kubeconfig,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
