// `kbadm init phase upload-config`: the cluster keeps the configuration init used, so join, upgrade
// and reset read it from the kubeadm-config and kubelet-config ConfigMaps instead of asking again.
// The API helpers and objects are imported when a sub-phase runs, not with the phase tree.
import { KbadmError } from '../../errors.js';
import type { Phase } from '../../workflow/index.js';
import { apiCall } from './api-call.js';
import type { InitData } from './data.js';

async function uploadKubeadmConfig(d: InitData): Promise<void> {
  const { createOrMutate, createOrUpdate } = await import('../../cluster/idempotency.js');
  const { UPLOAD_CONFIG_LINE, kubeadmConfigMap, withClusterConfiguration } =
    await import('../../manifests/cluster-config-maps.js');
  const { kubeadmConfigRbac } = await import('../../manifests/rbac.js');
  const client = await d.cluster();
  d.out.progressLine(UPLOAD_CONFIG_LINE);
  const desired = kubeadmConfigMap(d.config.cluster);
  await createOrMutate(client, desired, (live) => withClusterConfiguration(live, desired), apiCall(d));
  for (const o of kubeadmConfigRbac()) await createOrUpdate(client, o, apiCall(d));
}

async function uploadKubeletConfig(d: InitData): Promise<void> {
  const { createOrUpdate } = await import('../../cluster/idempotency.js');
  const { patchNode } = await import('../../cluster/patch-node.js');
  const { KUBELET_CONFIG_LINE, kubeletConfigMap } = await import('../../manifests/cluster-config-maps.js');
  const { criSocketAnnotationPatch } = await import('../../manifests/cri-socket.js');
  const { nodeLocalCRISocket } = await import('../../manifests/kubelet.js');
  const { kubeletConfigRbac } = await import('../../manifests/rbac.js');
  const client = await d.cluster();
  d.out.progressLine(KUBELET_CONFIG_LINE);
  const kubelet = d.config.componentConfigs.kubelet;
  if (!kubelet) throw new KbadmError('the configuration holds no KubeletConfiguration to upload');
  await createOrUpdate(client, kubeletConfigMap(kubelet), apiCall(d));
  for (const o of kubeletConfigRbac()) await createOrUpdate(client, o, apiCall(d));
  // Without NodeLocalCRISocket the node's CRI socket is recorded on its Node object instead of in
  // instance-config.yaml, so that join and upgrade can find it.
  if (!nodeLocalCRISocket(d.config.cluster)) {
    const { name, criSocket } = d.config.init.nodeRegistration;
    await patchNode(client, name, (live) => criSocketAnnotationPatch(live, criSocket), apiCall(d));
  }
}

const FLAGS = ['config', 'kubeconfig', 'dry-run'];

export const uploadConfigPhase: Phase<InitData> = {
  name: 'upload-config',
  aliases: ['uploadconfig'],
  short: 'Store the kubeadm and kubelet configuration in the cluster',
  long:
    'Writes the ClusterConfiguration to the kubeadm-config ConfigMap and the cluster-wide KubeletConfiguration to the kubelet-config ConfigMap (both in kube-system), ' +
    'with the Roles that let joining nodes read them.',
  phases: [
    {
      name: 'kubeadm',
      short: 'Store the ClusterConfiguration in the kubeadm-config ConfigMap',
      inheritFlags: FLAGS,
      run: uploadKubeadmConfig,
    },
    {
      name: 'kubelet',
      short: 'Store the KubeletConfiguration in the kubelet-config ConfigMap',
      inheritFlags: FLAGS,
      run: uploadKubeletConfig,
    },
  ],
};
