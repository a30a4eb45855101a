// `kbadm init phase addon`: CoreDNS and kube-proxy. Each addon is rendered once from the
// configuration into the objects it consists of; --print-manifest prints those objects, a dry run
// sends them to the printing client, and a real run applies them, so all three show the same thing.
// The renderers are imported when an addon phase runs, not with the phase tree.
import type { FlagSpec, Phase } from '../../workflow/index.js';
import { apiCall } from './api-call.js';
import type { InitData } from './data.js';

const printManifestFlag: FlagSpec = {
  name: 'print-manifest',
  type: 'boolean',
  description:
    "Print the addon's objects as YAML documents instead of applying them; nothing is sent to the cluster.",
};

async function runCoreDNS(d: InitData): Promise<void> {
  const { applyCoreDNS, coreDNSReplicas, coreDNSState } = await import('../../manifests/addon-apply.js');
  const { printManifest } = await import('../../manifests/addon.js');
  const { DEFAULT_COREDNS_REPLICAS, renderCoreDNS } = await import('../../manifests/coredns.js');
  const { patchSets } = await import('./static-pods.js');
  const patches = await patchSets(d);
  if (d.printManifest) {
    d.out.print(
      printManifest(
        renderCoreDNS({ cluster: d.config.cluster, replicas: DEFAULT_COREDNS_REPLICAS, patches }),
      ).trimEnd(),
    );
    return;
  }
  const client = await d.cluster();
  // The replica count an operator chose for an existing Deployment is kept.
  const state = await coreDNSState(client);
  const addon = renderCoreDNS({ cluster: d.config.cluster, replicas: coreDNSReplicas(state), patches });
  for (const m of addon.patchMessages) d.out.progress('patches', m);
  const { corefile } = await applyCoreDNS(client, addon, state, apiCall(d));
  if (corefile === 'kept')
    d.out.log.info('the coredns ConfigMap holds a Corefile changed by hand: it was kept as it is');
  d.out.progressLine(addon.appliedMessage);
}

async function runKubeProxy(d: InitData): Promise<void> {
  const { applyKubeProxy } = await import('../../manifests/addon-apply.js');
  const { printManifest } = await import('../../manifests/addon.js');
  const { renderKubeProxy } = await import('../../manifests/kube-proxy.js');
  const addon = renderKubeProxy({
    cluster: d.config.cluster,
    localEndpoint: d.config.init.localAPIEndpoint,
    ...(d.config.componentConfigs.kubeProxy ? { componentConfig: d.config.componentConfigs.kubeProxy } : {}),
    env: d.env,
  });
  if (d.printManifest) {
    d.out.print(printManifest(addon).trimEnd());
    return;
  }
  await applyKubeProxy(await d.cluster(), addon, apiCall(d));
  d.out.progressLine(addon.appliedMessage);
}

export const addonPhase: Phase<InitData> = {
  name: 'addon',
  short: 'Install the CoreDNS and kube-proxy addons',
  long: 'Installs the cluster DNS (CoreDNS) and kube-proxy through the API server. Each can be left out with dns.disabled or proxy.disabled in the ClusterConfiguration, or with --skip-phases.',
  phases: [
    {
      name: 'coredns',
      short: 'Install CoreDNS, the cluster DNS server, and its kube-dns Service',
      inheritFlags: [
        'config',
        'kubeconfig',
        'kubernetes-version',
        'image-repository',
        'service-dns-domain',
        'service-cidr',
        'feature-gates',
        'dry-run',
        'patches',
      ],
      localFlags: [printManifestFlag],
      runIf: (d) => !d.config.cluster.dns.disabled,
      run: runCoreDNS,
    },
    {
      name: 'kube-proxy',
      short: 'Install kube-proxy, which programs Service addresses on every node',
      inheritFlags: [
        'config',
        'kubeconfig',
        'image-repository',
        'kubernetes-version',
        'apiserver-advertise-address',
        'control-plane-endpoint',
        'apiserver-bind-port',
        'pod-network-cidr',
        'feature-gates',
        'dry-run',
      ],
      localFlags: [printManifestFlag],
      runIf: (d) => !d.config.cluster.proxy.disabled,
      run: runKubeProxy,
    },
  ],
};
