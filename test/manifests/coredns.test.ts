// The CoreDNS addon as rendered: every object field kubeadm sets (spec §4.1), the Corefile text,
// the DNS Service IP, images, replicas, the corednsdeployment patches and the two orders.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/cluster/types.js';
import { KbadmError } from '../../src/errors.js';
import { printManifest } from '../../src/manifests/addon.js';
import {
  coreDNSCorefile,
  defaultCorefiles,
  dnsServiceIP,
  isDefaultCorefile,
  renderCoreDNS,
  type CoreDNSInputs,
} from '../../src/manifests/coredns.js';
import { createPatchSet } from '../../src/patches/patches.js';
import { yamlLib } from '../../src/output/yaml.js';
import { loadConfigText } from '../support/manifests.js';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CLUSTER = (extra = '') =>
  loadConfigText(`apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n${extra}`).cluster;

function render(extra = '', more: Partial<CoreDNSInputs> = {}) {
  return renderCoreDNS({ cluster: CLUSTER(extra), replicas: 2, ...more });
}

const byKind = (objects: KubeObject[], kind: string): Any => {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0] as Any;
};

// Spec §4.1, the 1.32+ default for cluster.local, as it stands in the ConfigMap.
const COREFILE_CLUSTER_LOCAL = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;

describe('Corefile', () => {
  test('cluster.local: exactly the spec text', () => {
    assert.equal(coreDNSCorefile('cluster.local'), COREFILE_CLUSTER_LOCAL);
    assert.equal(byKind(render().objects, 'ConfigMap').data.Corefile, COREFILE_CLUSTER_LOCAL);
  });

  test('a custom domain appears in the kubernetes line and the cache block', () => {
    const text = byKind(render('networking:\n  dnsDomain: corp.example\n').objects, 'ConfigMap').data
      .Corefile;
    assert.equal(text, COREFILE_CLUSTER_LOCAL.replaceAll('cluster.local', 'corp.example'));
    assert.match(text, /^ {4}kubernetes corp\.example in-addr\.arpa ip6\.arpa \{$/m);
    assert.match(
      text,
      /^ {4}cache 30 \{\n {7}disable success corp\.example\n {7}disable denial corp\.example\n {4}\}$/m,
    );
  });

  test('no domain, or the pre-1.32 form: a bare cache 30', () => {
    for (const text of [coreDNSCorefile(''), coreDNSCorefile('cluster.local', { legacyCache: true })]) {
      assert.match(text, /^ {4}cache 30$/m);
      assert.doesNotMatch(text, /disable/);
    }
  });

  test('the ConfigMap holds only the Corefile, without labels', () => {
    const cm = byKind(render().objects, 'ConfigMap');
    assert.deepEqual(cm.metadata, { name: 'coredns', namespace: 'kube-system' });
    assert.deepEqual(Object.keys(cm.data), ['Corefile']);
  });

  test('defaults are recognised whatever the indentation; a changed Corefile is not', () => {
    const defaults = defaultCorefiles('corp.example');
    const reindented = COREFILE_CLUSTER_LOCAL.replaceAll('    ', '\t').replaceAll('\n', '\n\n');
    assert.ok(isDefaultCorefile(reindented, defaults), 'cluster.local default, re-indented');
    assert.ok(isDefaultCorefile(coreDNSCorefile('corp.example'), defaults));
    assert.ok(isDefaultCorefile(coreDNSCorefile('corp.example', { legacyCache: true }), defaults));
    const withHosts = COREFILE_CLUSTER_LOCAL.replace(
      '    ready\n',
      '    ready\n    hosts {\n       10.0.0.1 db\n    }\n',
    );
    assert.ok(!isDefaultCorefile(withHosts, defaults));
    assert.ok(!isDefaultCorefile(COREFILE_CLUSTER_LOCAL.replace('ttl 30', 'ttl 60'), defaults));
    assert.ok(!isDefaultCorefile(coreDNSCorefile('other.example'), defaults));
  });
});

describe('kube-dns Service', () => {
  test('10.96.0.0/12 -> 10.96.0.10, custom and IPv6 subnets -> their 10th address', () => {
    assert.equal(byKind(render().objects, 'Service').spec.clusterIP, '10.96.0.10');
    const custom = render('networking:\n  serviceSubnet: 172.20.0.0/16\n');
    assert.equal(byKind(custom.objects, 'Service').spec.clusterIP, '172.20.0.10');
    assert.equal(dnsServiceIP('fd00:10:96::/112'), 'fd00:10:96::a');
    assert.equal(dnsServiceIP('10.96.0.0/12,fd00:10:96::/112'), '10.96.0.10', 'dual-stack: the first');
  });

  test('a subnet without a 10th address is an error naming the field', () => {
    assert.throws(
      () => dnsServiceIP('10.0.0.0/29'),
      (e: unknown) =>
        e instanceof KbadmError &&
        /^ClusterConfiguration\.networking\.serviceSubnet: "10\.0\.0\.0\/29": /.test(e.message),
    );
  });

  test('labels, annotations, resourceVersion "0", ports in order, selector', () => {
    const svc = byKind(render().objects, 'Service');
    assert.equal(svc.apiVersion, 'v1');
    assert.deepEqual(svc.metadata, {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: {
        'k8s-app': 'kube-dns',
        'kubernetes.io/cluster-service': 'true',
        'kubernetes.io/name': 'CoreDNS',
      },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      resourceVersion: '0',
    });
    assert.deepEqual(svc.spec.ports, [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
    ]);
    assert.deepEqual(svc.spec.selector, { 'k8s-app': 'kube-dns' });
  });
});

describe('RBAC and ServiceAccount', () => {
  test('ClusterRole system:coredns: two rules, list/watch', () => {
    const role = byKind(render().objects, 'ClusterRole');
    assert.equal(role.apiVersion, 'rbac.authorization.k8s.io/v1');
    assert.deepEqual(role.metadata, { name: 'system:coredns' });
    assert.deepEqual(role.rules, [
      {
        apiGroups: [''],
        resources: ['endpoints', 'services', 'pods', 'namespaces'],
        verbs: ['list', 'watch'],
      },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
  });

  test('ClusterRoleBinding system:coredns -> ServiceAccount kube-system/coredns', () => {
    const b = byKind(render().objects, 'ClusterRoleBinding');
    assert.deepEqual(b.metadata, { name: 'system:coredns' });
    assert.deepEqual(b.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'system:coredns',
    });
    assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }]);
  });

  test('ServiceAccount coredns is empty', () => {
    assert.deepEqual(byKind(render().objects, 'ServiceAccount'), {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'coredns', namespace: 'kube-system' },
    });
  });
});

describe('Deployment', () => {
  const d = byKind(render().objects, 'Deployment');
  const pod = d.spec.template.spec;
  const c = pod.containers[0];

  test('metadata, replicas, strategy, selector and template labels', () => {
    assert.equal(d.apiVersion, 'apps/v1');
    assert.deepEqual(d.metadata, {
      name: 'coredns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns' },
    });
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    assert.deepEqual(d.spec.selector, { matchLabels: { 'k8s-app': 'kube-dns' } });
    assert.deepEqual(d.spec.template.metadata, { labels: { 'k8s-app': 'kube-dns' } });
  });

  test('Pod: priority class, service account, anti-affinity, tolerations, node selector, DNS policy', () => {
    assert.equal(pod.priorityClassName, 'system-cluster-critical');
    assert.equal(pod.serviceAccountName, 'coredns');
    assert.deepEqual(pod.affinity, {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    });
    assert.deepEqual(pod.tolerations, [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.equal(pod.dnsPolicy, 'Default');
    assert.equal(pod.containers.length, 1);
  });

  test('container: image, pull policy, resources, args, mount', () => {
    assert.equal(c.name, 'coredns');
    assert.equal(c.image, 'registry.k8s.io/coredns/coredns:v1.12.1');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(c.resources, { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } });
    assert.deepEqual(c.args, ['-conf', '/etc/coredns/Corefile']);
    assert.deepEqual(c.volumeMounts, [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }]);
  });

  test('ports in kubeadm order, probes by port name', () => {
    assert.deepEqual(
      c.ports.map((p: Any) => [p.name, p.containerPort, p.protocol]),
      [
        ['dns', 53, 'UDP'],
        ['dns-tcp', 53, 'TCP'],
        ['metrics', 9153, 'TCP'],
        ['liveness-probe', 8080, 'TCP'],
        ['readiness-probe', 8181, 'TCP'],
      ],
    );
    assert.deepEqual(c.livenessProbe, {
      httpGet: { path: '/health', port: 'liveness-probe', scheme: 'HTTP' },
      initialDelaySeconds: 60,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 5,
    });
    assert.deepEqual(c.readinessProbe, {
      httpGet: { path: '/ready', port: 'readiness-probe', scheme: 'HTTP' },
    });
  });

  test('securityContext', () => {
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    });
  });

  test('volume config-volume from the coredns ConfigMap', () => {
    assert.deepEqual(pod.volumes, [
      {
        name: 'config-volume',
        configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] },
      },
    ]);
  });

  test('replicas come from the input', () => {
    assert.equal(byKind(render('', { replicas: 5 }).objects, 'Deployment').spec.replicas, 5);
  });

  test('images: mirror without the coredns/ path, dns overrides', () => {
    const image = (extra: string) =>
      byKind(render(extra).objects, 'Deployment').spec.template.spec.containers[0].image as string;
    assert.equal(image('imageRepository: mirror.local:5000/k8s\n'), 'mirror.local:5000/k8s/coredns:v1.12.1');
    assert.equal(
      image('dns:\n  imageRepository: dns.local/x\n  imageTag: v1.11.3\n'),
      'dns.local/x/coredns:v1.11.3',
    );
  });
});

describe('corednsdeployment patches', () => {
  const patches = [
    createPatchSet(
      'corednsdeployment+strategic.yaml',
      'corednsdeployment',
      'strategic',
      'spec:\n  template:\n    spec:\n      containers:\n      - name: coredns\n        resources:\n          limits:\n            memory: 300Mi\n',
    ),
    createPatchSet(
      'corednsdeployment1+json.json',
      'corednsdeployment',
      'json',
      '[{"op": "add", "path": "/spec/template/spec/tolerations/-", "value": {"key": "dedicated", "operator": "Exists"}}]',
    ),
    createPatchSet('kube-apiserver.yaml', 'kube-apiserver', 'strategic', 'metadata:\n  labels:\n    x: y\n'),
  ];
  const addon = render('', { patches });

  test('are applied to the Deployment that is sent, merging containers by name', () => {
    const c = byKind(addon.objects, 'Deployment').spec.template.spec;
    assert.deepEqual(c.containers[0].resources, {
      limits: { memory: '300Mi' },
      requests: { cpu: '100m', memory: '70Mi' },
    });
    assert.equal(
      c.containers[0].image,
      'registry.k8s.io/coredns/coredns:v1.12.1',
      'the rest of the container stays',
    );
    assert.equal(c.containers.length, 1);
    assert.deepEqual(c.tolerations.at(-1), { key: 'dedicated', operator: 'Exists' });
    assert.deepEqual(addon.patchMessages, [
      'Applied patch of type "application/strategic-merge-patch+json" to target "corednsdeployment"',
      'Applied patch of type "application/json-patch+json" to target "corednsdeployment"',
    ]);
  });

  test('are in the printed manifest too: it shows exactly what a run applies', () => {
    const printed = byKind(addon.manifestOrder, 'Deployment');
    assert.deepEqual(printed, byKind(addon.objects, 'Deployment'));
    assert.deepEqual(printed.spec.template.spec.tolerations.at(-1), { key: 'dedicated', operator: 'Exists' });
  });
});

describe('orders', () => {
  const addon = render();

  test('apply: ConfigMap, ClusterRole, ClusterRoleBinding, ServiceAccount, Deployment, Service', () => {
    assert.equal(addon.name, 'coredns');
    assert.deepEqual(
      addon.objects.map((o) => o.kind),
      ['ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount', 'Deployment', 'Service'],
    );
    assert.equal(addon.appliedMessage, '[addons] Applied essential addon: CoreDNS');
  });

  test('--print-manifest: Deployment, ConfigMap, Service, ClusterRole, ClusterRoleBinding, ServiceAccount', () => {
    const text = printManifest(addon);
    assert.ok(text.startsWith('---\napiVersion: apps/v1\nkind: Deployment\n'));
    const docs = text.split(/^---\n/m);
    assert.equal(docs.shift(), '', 'every document is preceded by ---');
    const parsed = docs.map((d) => yamlLib().parse(d) as KubeObject);
    assert.deepEqual(
      parsed.map((o) => o.kind),
      ['Deployment', 'ConfigMap', 'Service', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount'],
    );
    assert.deepEqual(parsed, addon.manifestOrder, 'the YAML reads back as the objects');
    assert.match(text, /^ {2}Corefile: \|\n {4}\.:53 \{$/m, 'the Corefile is a literal block');
  });
});
