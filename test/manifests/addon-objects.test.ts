// The rendered addon objects checked by real tools: the Kubernetes JSON schemas (kubernetes-models)
// for field types, and kubectl, which reads the printed YAML (as Go's YAML 1.1 reader does) and
// maps every document to its resource through discovery. kubectl's client-side dry run still asks
// the server what the kinds are, so a loopback server answers discovery; with no OpenAPI document
// to offer, kubectl's schema validation is off and the schemas are checked by kubernetes-models.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import type { KubeObject } from '../../src/cluster/types.js';
import { printManifest, type Addon } from '../../src/manifests/addon.js';
import { renderCoreDNS } from '../../src/manifests/coredns.js';
import { renderKubeProxy } from '../../src/manifests/kube-proxy.js';
import { startDiscoveryServer, type DiscoveryServer } from '../support/kubectl-discovery.js';
import { CONFIGS_DIR, loadConfigFile } from '../support/manifests.js';
import { requireTool } from '../support/tools.js';

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  ConfigMap,
  Service,
  ServiceAccount,
  Deployment,
  DaemonSet,
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
};

function addons(): Addon[] {
  const out: Addon[] = [];
  for (const file of [
    '01-single-node-minimal.yaml',
    '05-ha-endpoint-vip.yaml',
    '09-dual-stack.yaml',
    '14-component-configs.yaml',
  ]) {
    const cfg = loadConfigFile(`${CONFIGS_DIR}${file}`);
    out.push(renderCoreDNS({ cluster: cfg.cluster, replicas: 2 }));
    out.push(
      renderKubeProxy({
        cluster: cfg.cluster,
        localEndpoint: cfg.init.localAPIEndpoint,
        ...(cfg.componentConfigs.kubeProxy ? { componentConfig: cfg.componentConfigs.kubeProxy } : {}),
        env: { HTTPS_PROXY: 'http://proxy.local:3128', NO_PROXY: 'localhost' },
      }),
    );
  }
  return out;
}

function validate(obj: KubeObject): void {
  const Model = MODELS[obj.kind];
  assert.ok(Model, `a schema for ${obj.kind}`);
  new Model(obj as never).validate();
}

describe('addon objects against the Kubernetes schemas', () => {
  for (const addon of addons()) {
    test(`${addon.name}: every applied and printed object is valid`, () => {
      for (const o of [...addon.objects, ...addon.manifestOrder]) {
        assert.doesNotThrow(() => validate(o), `${o.kind}/${o.metadata.name}`);
      }
    });
  }

  test('the validator rejects a broken object, so the checks above can fail', () => {
    const d = structuredClone(
      renderCoreDNS({
        cluster: loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`).cluster,
        replicas: 2,
      }).objects.find((o) => o.kind === 'Deployment')!,
    ) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    d.spec.replicas = 'two';
    assert.throws(() => validate(d as KubeObject));
  });
});

describe('addon manifests read by kubectl', () => {
  let dir: string;
  let server: DiscoveryServer;
  let kubectl: string;

  before(async () => {
    kubectl = requireTool('kubectl');
    dir = mkdtempSync(join(tmpdir(), 'kbadm-addons-'));
    server = await startDiscoveryServer(dir);
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `kubectl create --dry-run=client -o name -f -` on a YAML stream. */
  function dryRun(yaml: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        kubectl,
        [
          '--kubeconfig',
          server.kubeconfig,
          'create',
          '--dry-run=client',
          '--validate=false',
          '-o',
          'name',
          '-f',
          '-',
        ],
        { env: { PATH: process.env.PATH ?? '', HOME: dir } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(yaml);
    });
  }

  const cfg = () => loadConfigFile(`${CONFIGS_DIR}05-ha-endpoint-vip.yaml`);

  test('CoreDNS --print-manifest: six objects, each mapped to its resource', async () => {
    const addon = renderCoreDNS({ cluster: cfg().cluster, replicas: 2 });
    const r = await dryRun(printManifest(addon));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'deployment.apps/coredns',
      'configmap/coredns',
      'service/kube-dns',
      'clusterrole.rbac.authorization.k8s.io/system:coredns',
      'clusterrolebinding.rbac.authorization.k8s.io/system:coredns',
      'serviceaccount/coredns',
    ]);
  });

  test('kube-proxy, the objects as applied: six objects, each mapped to its resource', async () => {
    const c = cfg();
    const addon = renderKubeProxy({
      cluster: c.cluster,
      localEndpoint: c.init.localAPIEndpoint,
      env: { HTTP_PROXY: 'http://proxy.local:3128' },
    });
    const r = await dryRun(printManifest({ manifestOrder: addon.objects }));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'configmap/kube-proxy',
      'daemonset.apps/kube-proxy',
      'serviceaccount/kube-proxy',
      'clusterrolebinding.rbac.authorization.k8s.io/kubeadm:node-proxier',
      'role.rbac.authorization.k8s.io/kube-proxy',
      'rolebinding.rbac.authorization.k8s.io/kube-proxy',
    ]);
    assert.ok(
      server.requests.some((p) => p === 'GET /apis/apps/v1'),
      'kubectl asked discovery',
    );
  });

  test('kubectl refuses a wrong kind and a YAML 1.1 pitfall, so the checks above can fail', async () => {
    const wrongKind = await dryRun('apiVersion: apps/v1\nkind: Deploymnt\nmetadata:\n  name: x\n');
    assert.notEqual(wrongKind.code, 0);
    assert.match(wrongKind.stderr, /no matches for kind "Deploymnt"/);
    // An unquoted `y` is a boolean to Go's YAML reader: a name written that way is refused.
    const unquoted = await dryRun('apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: y\n');
    assert.notEqual(unquoted.code, 0);
  });
});
