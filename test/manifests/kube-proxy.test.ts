// The kube-proxy addon as rendered (spec §4.2): the kubeconfig.conf text for each endpoint form,
// config.conf (the full v1alpha1 field set, the user's settings, kubeadm's), the hash annotation,
// warnings, the DaemonSet and RBAC objects, and the two orders.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/cluster/types.js';
import type { InitConfig } from '../../src/config/model.js';
import { KbadmError } from '../../src/errors.js';
import { printManifest } from '../../src/manifests/addon.js';
import {
  kubeProxyConfigDocument,
  kubeProxyKubeconfig,
  kubeProxyServerURL,
  renderKubeProxy,
} from '../../src/manifests/kube-proxy.js';
import { yamlLib } from '../../src/output/yaml.js';
import { CONFIGS_DIR, loadConfigFile, loadConfigText } from '../support/manifests.js';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HASH = 'kubeadm.kubernetes.io/component-config.hash';

function config(extra = '', init = ''): InitConfig {
  return loadConfigText(
    `apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n${init}---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n${extra}`,
  );
}

function render(cfg: InitConfig, env: Record<string, string> = {}) {
  return renderKubeProxy({
    cluster: cfg.cluster,
    localEndpoint: cfg.init.localAPIEndpoint,
    ...(cfg.componentConfigs.kubeProxy ? { componentConfig: cfg.componentConfigs.kubeProxy } : {}),
    env,
  });
}

const byKind = (objects: KubeObject[], kind: string): Any => {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0] as Any;
};

const kubeconfigOf = (objects: KubeObject[]): string => byKind(objects, 'ConfigMap').data['kubeconfig.conf'];
const configOf = (objects: KubeObject[]): Any =>
  yamlLib().parse(byKind(objects, 'ConfigMap').data['config.conf']);

/** Spec §4.2 kubeconfig.conf, for a server URL. */
const KUBECONFIG = (server: string) => `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: ${server}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token`;

describe('kubeconfig.conf', () => {
  test('without controlPlaneEndpoint: the advertise address and bind port', () => {
    const addon = render(
      config('', 'localAPIEndpoint:\n  advertiseAddress: 192.168.0.10\n  bindPort: 6444\n'),
    );
    assert.equal(kubeconfigOf(addon.objects), KUBECONFIG('https://192.168.0.10:6444'));
    assert.ok(!kubeconfigOf(addon.objects).endsWith('\n'), 'a |- block: no final newline');
  });

  test('an IPv6 advertise address is bracketed', () => {
    const addon = render(config('', 'localAPIEndpoint:\n  advertiseAddress: fd00::10\n'));
    assert.equal(kubeconfigOf(addon.objects), KUBECONFIG('https://[fd00::10]:6443'));
  });

  test('an HA VIP with a port is used as it is (fixture 05)', () => {
    const addon = render(loadConfigFile(`${CONFIGS_DIR}05-ha-endpoint-vip.yaml`));
    assert.equal(kubeconfigOf(addon.objects), KUBECONFIG('https://192.168.10.100:8443'));
  });

  test('a VIP or DNS name without a port gets the bind port', () => {
    const cfg = config('controlPlaneEndpoint: 10.0.0.100\n', 'localAPIEndpoint:\n  bindPort: 6444\n');
    assert.equal(kubeconfigOf(render(cfg).objects), KUBECONFIG('https://10.0.0.100:6444'));
    const local = { advertiseAddress: '192.168.0.10', bindPort: 6443 };
    // Loading already adds the port; the renderer does it too for a configuration built otherwise.
    assert.equal(kubeProxyServerURL('10.0.0.100', local), 'https://10.0.0.100:6443');
    assert.equal(kubeProxyServerURL('api.example.com', local), 'https://api.example.com:6443');
    assert.equal(kubeProxyServerURL('api.example.com:443', local), 'https://api.example.com:443');
    assert.equal(kubeProxyServerURL('fd00::100', local), 'https://[fd00::100]:6443');
    assert.equal(kubeProxyKubeconfig('https://x:1'), KUBECONFIG('https://x:1'));
  });

  test('a bad controlPlaneEndpoint is an error naming the field', () => {
    assert.throws(
      () => kubeProxyServerURL('bad_host:99999', { advertiseAddress: '192.168.0.10', bindPort: 6443 }),
      (e: unknown) =>
        e instanceof KbadmError &&
        /^ClusterConfiguration\.controlPlaneEndpoint: "bad_host:99999": /.test(e.message),
    );
  });
});

// What kubeadm stores for a generated KubeProxyConfiguration with podSubnet 10.244.0.0/16:
// kubeadm's three settings, every other field at its zero value, keys sorted.
const DEFAULT_CONFIG_CONF = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: ""
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""`;

describe('config.conf', () => {
  test('generated: the whole v1alpha1 field set with zero values, kubeadm settings applied', () => {
    const addon = render(config('networking:\n  podSubnet: 10.244.0.0/16\n'));
    assert.equal(byKind(addon.objects, 'ConfigMap').data['config.conf'], DEFAULT_CONFIG_CONF);
    assert.deepEqual(addon.warnings, []);
  });

  test('without a pod subnet clusterCIDR stays empty; an IPv6 advertise address binds ::', () => {
    const c = configOf(render(config('', 'localAPIEndpoint:\n  advertiseAddress: fd00::10\n')).objects);
    assert.equal(c.clusterCIDR, '');
    assert.equal(c.bindAddress, '::');
  });

  test("the user's settings are kept beside kubeadm's (fixture 14)", () => {
    const addon = render(loadConfigFile(`${CONFIGS_DIR}14-component-configs.yaml`));
    const c = configOf(addon.objects);
    assert.equal(c.mode, 'ipvs');
    assert.equal(c.ipvs.scheduler, 'rr');
    assert.equal(c.ipvs.strictARP, true);
    assert.equal(c.ipvs.tcpTimeout, '0s', 'unset fields of a given block are filled');
    assert.equal(c.metricsBindAddress, '0.0.0.0:10249');
    assert.equal(c.bindAddress, '0.0.0.0');
    assert.equal(c.clusterCIDR, '10.244.0.0/16');
    assert.equal(c.clientConnection.kubeconfig, '/var/lib/kube-proxy/kubeconfig.conf');
    assert.deepEqual(addon.warnings, []);
  });

  test('a differing user value is kept, with kubeadm warning', () => {
    const cfg = config(
      'networking:\n  podSubnet: 10.244.0.0/16\n---\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: 10.32.0.0/12\nbindAddress: 10.1.1.1\nclientConnection:\n  kubeconfig: /etc/kp.conf\n  qps: 7.5\n',
    );
    const addon = render(cfg);
    const c = configOf(addon.objects);
    assert.equal(c.clusterCIDR, '10.32.0.0/12');
    assert.equal(c.bindAddress, '10.1.1.1');
    assert.deepEqual(c.clientConnection, {
      acceptContentTypes: '',
      burst: 0,
      contentType: '',
      kubeconfig: '/etc/kp.conf',
      qps: 7.5,
    });
    assert.deepEqual(addon.warnings, [
      'The recommended value for "bindAddress" in "KubeProxyConfiguration" is: 0.0.0.0; the provided value is: 10.1.1.1',
      'The recommended value for "clusterCIDR" in "KubeProxyConfiguration" is: 10.244.0.0/16; the provided value is: 10.32.0.0/12',
      'The recommended value for "clientConnection.kubeconfig" in "KubeProxyConfiguration" is: /var/lib/kube-proxy/kubeconfig.conf; the provided value is: /etc/kp.conf',
    ]);
  });

  test('durations are written as Go prints them; pointers and omitempty fields as Go marshals them', () => {
    const doc = kubeProxyConfigDocument({
      iptables: { syncPeriod: '1m', minSyncPeriod: '1500ms', masqueradeBit: 14 },
      conntrack: { tcpEstablishedTimeout: '24h', maxPerCore: 0 },
      configSyncPeriod: '15m',
      featureGates: {},
      windowsRunAsService: false,
      logging: { format: 'json', verbosity: 2 },
      nodePortAddresses: ['primary'],
    });
    const iptables = doc.iptables as Any;
    const conntrack = doc.conntrack as Any;
    assert.equal(iptables.syncPeriod, '1m0s');
    assert.equal(iptables.minSyncPeriod, '1.5s');
    assert.equal(iptables.masqueradeBit, 14);
    assert.equal(conntrack.tcpEstablishedTimeout, '24h0m0s');
    assert.equal(conntrack.tcpCloseWaitTimeout, null);
    assert.equal(conntrack.maxPerCore, 0, 'a pointer set to 0 stays 0');
    assert.equal(doc.configSyncPeriod, '15m0s');
    assert.ok(!('featureGates' in doc) && !('windowsRunAsService' in doc));
    assert.deepEqual(doc.logging, {
      flushFrequency: 0,
      verbosity: 2,
      options: { text: { infoBufferSize: '0' }, json: { infoBufferSize: '0' } },
      format: 'json',
    });
    assert.deepEqual(doc.nodePortAddresses, ['primary']);
    const gates = kubeProxyConfigDocument({ featureGates: { A: true }, windowsRunAsService: true });
    assert.deepEqual([gates.featureGates, gates.windowsRunAsService], [{ A: true }, true]);
  });
});

describe('kube-proxy ConfigMap', () => {
  const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

  test('label, data keys, and the hash over the data values in key order', () => {
    const cm = byKind(render(config('networking:\n  podSubnet: 10.244.0.0/16\n')).objects, 'ConfigMap');
    assert.deepEqual(cm.metadata.labels, { app: 'kube-proxy' });
    assert.equal(cm.metadata.name, 'kube-proxy');
    assert.equal(cm.metadata.namespace, 'kube-system');
    assert.deepEqual(Object.keys(cm.data).sort(), ['config.conf', 'kubeconfig.conf']);
    assert.deepEqual(cm.metadata.annotations, {
      [HASH]: sha(cm.data['config.conf'] + cm.data['kubeconfig.conf']),
    });
  });

  test('the hash follows the content', () => {
    const a = byKind(render(config('networking:\n  podSubnet: 10.244.0.0/16\n')).objects, 'ConfigMap');
    const b = byKind(render(config('networking:\n  podSubnet: 10.245.0.0/16\n')).objects, 'ConfigMap');
    assert.notEqual(a.metadata.annotations[HASH], b.metadata.annotations[HASH]);
  });

  test('no hash when the user supplied the KubeProxyConfiguration', () => {
    const cm = byKind(render(loadConfigFile(`${CONFIGS_DIR}14-component-configs.yaml`)).objects, 'ConfigMap');
    assert.equal(cm.metadata.annotations, undefined);
  });
});

describe('DaemonSet', () => {
  const addon = render(config(), { https_proxy: 'http://proxy:3128', NO_PROXY: '10.0.0.0/8', HOME: '/root' });
  const ds = byKind(addon.objects, 'DaemonSet');
  const pod = ds.spec.template.spec;
  const c = pod.containers[0];

  test('labels, selector, update strategy', () => {
    assert.equal(ds.apiVersion, 'apps/v1');
    assert.deepEqual(ds.metadata, {
      name: 'kube-proxy',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-proxy' },
    });
    assert.deepEqual(ds.spec.selector, { matchLabels: { 'k8s-app': 'kube-proxy' } });
    assert.deepEqual(ds.spec.template.metadata, { labels: { 'k8s-app': 'kube-proxy' } });
    assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate' });
  });

  test('Pod: priority class, host network, service account, tolerations, node selector', () => {
    assert.equal(pod.priorityClassName, 'system-node-critical');
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.serviceAccountName, 'kube-proxy');
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux' });
  });

  test('container: image, command, privileged, mounts', () => {
    assert.equal(c.name, 'kube-proxy');
    assert.equal(c.image, 'registry.k8s.io/kube-proxy:v1.34.0');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(c.command, [
      '/usr/local/bin/kube-proxy',
      '--config=/var/lib/kube-proxy/config.conf',
      '--hostname-override=$(NODE_NAME)',
    ]);
    assert.deepEqual(c.securityContext, { privileged: true });
    assert.deepEqual(c.volumeMounts, [
      { mountPath: '/var/lib/kube-proxy', name: 'kube-proxy' },
      { mountPath: '/run/xtables.lock', name: 'xtables-lock', readOnly: false },
      { mountPath: '/lib/modules', name: 'lib-modules', readOnly: true },
    ]);
  });

  test('env: NODE_NAME, then the proxy variables of the environment sorted by name', () => {
    assert.deepEqual(c.env, [
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'NO_PROXY', value: '10.0.0.0/8' },
      { name: 'https_proxy', value: 'http://proxy:3128' },
    ]);
  });

  test('volumes', () => {
    assert.deepEqual(pod.volumes, [
      { name: 'kube-proxy', configMap: { name: 'kube-proxy' } },
      { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
      { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
    ]);
  });

  test('a custom repository and version name the image', () => {
    const other = render(config('imageRepository: mirror.local/k8s\nkubernetesVersion: v1.33.4+abc\n'));
    const image = byKind(other.objects, 'DaemonSet').spec.template.spec.containers[0].image;
    assert.equal(image, 'mirror.local/k8s/kube-proxy:v1.33.4_abc');
  });
});

describe('RBAC and ServiceAccount', () => {
  const objects = render(config()).objects;

  test('ServiceAccount kube-proxy', () => {
    assert.deepEqual(byKind(objects, 'ServiceAccount'), {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'kube-proxy', namespace: 'kube-system' },
    });
  });

  test('ClusterRoleBinding kubeadm:node-proxier -> system:node-proxier for the ServiceAccount', () => {
    const b = byKind(objects, 'ClusterRoleBinding');
    assert.deepEqual(b.metadata, { name: 'kubeadm:node-proxier' });
    assert.deepEqual(b.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'system:node-proxier',
    });
    assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: 'kube-proxy', namespace: 'kube-system' }]);
  });

  test('Role and RoleBinding let bootstrap tokens get the ConfigMap', () => {
    const r = byKind(objects, 'Role');
    assert.deepEqual(r.metadata, { name: 'kube-proxy', namespace: 'kube-system' });
    assert.deepEqual(r.rules, [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['kube-proxy'], verbs: ['get'] },
    ]);
    const rb = byKind(objects, 'RoleBinding');
    assert.deepEqual(rb.metadata, { name: 'kube-proxy', namespace: 'kube-system' });
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kube-proxy' });
    assert.deepEqual(rb.subjects, [
      { kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token' },
    ]);
  });
});

describe('orders', () => {
  const addon = render(config('networking:\n  podSubnet: 10.244.0.0/16\n'), { HTTP_PROXY: 'http://p:1' });

  test('apply: ConfigMap, DaemonSet, ServiceAccount, ClusterRoleBinding, Role, RoleBinding', () => {
    assert.equal(addon.name, 'kube-proxy');
    assert.deepEqual(
      addon.objects.map((o) => o.kind),
      ['ConfigMap', 'DaemonSet', 'ServiceAccount', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    );
    assert.equal(addon.appliedMessage, '[addons] Applied essential addon: kube-proxy');
  });

  test('--print-manifest: ServiceAccount, ClusterRoleBinding, Role, RoleBinding, ConfigMap, DaemonSet', () => {
    const text = printManifest(addon);
    const docs = text.split(/^---\n/m);
    assert.equal(docs.shift(), '');
    const parsed = docs.map((d) => yamlLib().parse(d) as Any);
    assert.deepEqual(
      parsed.map((o) => o.kind),
      ['ServiceAccount', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ConfigMap', 'DaemonSet'],
    );
    assert.match(text, /^ {2}config\.conf: \|-\n {4}apiVersion: kubeproxy\.config\.k8s\.io\/v1alpha1$/m);
    assert.match(text, /^ {2}kubeconfig\.conf: \|-\n {4}apiVersion: v1\n {4}kind: Config$/m);
  });

  test('the printed ConfigMap and DaemonSet are the applied ones: hash annotation and proxy variables included', () => {
    const cm = byKind(addon.manifestOrder, 'ConfigMap');
    assert.deepEqual(cm, byKind(addon.objects, 'ConfigMap'));
    assert.match(
      cm.metadata.annotations['kubeadm.kubernetes.io/component-config.hash'],
      /^sha256:[0-9a-f]{64}$/,
    );
    const env = byKind(addon.manifestOrder, 'DaemonSet').spec.template.spec.containers[0].env;
    assert.deepEqual(
      env.map((e: Any) => e.name),
      ['NODE_NAME', 'HTTP_PROXY'],
    );
  });
});
