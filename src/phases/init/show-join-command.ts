// `show-join-command`: the last step of init. Prints kubeadm's success message with the join
// commands for workers and control-plane nodes, or with -o json|yaml the same facts as one object.
import * as path from 'node:path';
import { KbadmError } from '../../errors.js';
import { renderResult } from '../../output/printer.js';
import type { Phase } from '../../workflow/index.js';
import type { InitData } from './data.js';

export interface InitDoneInput {
  kubeconfigPath: string;
  controlPlaneEndpoint: string;
  joinControlPlaneCommand: string;
  joinWorkerCommand: string;
  /** The certificates went to the kubeadm-certs Secret: the control-plane command carries the key. */
  certificatesUploaded: boolean;
}

/**
 * kubeadm's success text, with kbadm in its commands. The control-plane block (only with a
 * control-plane endpoint) either carries the certificate key or asks for the CAs to be copied.
 */
export function initDoneMessage(i: InitDoneInput): string {
  let controlPlane = '';
  if (i.controlPlaneEndpoint && i.certificatesUploaded) {
    controlPlane = `You can now join any number of control-plane nodes running the following command on each as root:

  ${i.joinControlPlaneCommand}

The certificate key decrypts the cluster's CA keys: keep it secret.
The uploaded certificates are deleted after two hours; to upload them again, run
"kbadm init phase upload-certs --upload-certs".

`;
  } else if (i.controlPlaneEndpoint) {
    controlPlane = `You can now join any number of control-plane nodes by copying certificate authorities
and service account keys on each node and then running the following as root:

  ${i.joinControlPlaneCommand}

`;
  }
  return `
Your Kubernetes control-plane has initialized successfully!

To start using your cluster, you need to run the following as a regular user:

  mkdir -p $HOME/.kube
  sudo cp -i ${i.kubeconfigPath} $HOME/.kube/config
  sudo chown $(id -u):$(id -g) $HOME/.kube/config

Alternatively, if you are the root user, you can run:

  export KUBECONFIG=/etc/kubernetes/admin.conf

You should now deploy a pod network to the cluster.
Run "kubectl apply -f [podnetwork].yaml" with one of the options listed at:
  https://kubernetes.io/docs/concepts/cluster-administration/addons/

${controlPlane}Then you can join any number of worker nodes by running the following on each as root:

${i.joinWorkerCommand}
`;
}

async function showJoinCommand(d: InitData): Promise<void> {
  const { joinCommand, joinFacts, singleLine, WITHHELD } = await import('../../tokens/join-command.js');
  const adminConf = path.join(d.paths.kubernetesDir, 'admin.conf');
  const kubeconfigPath = d.paths.onHost(adminConf);
  const text = await d.host.readFileIfExists(adminConf);
  if (!text) throw new KbadmError(`failed to load kubeconfig: ${kubeconfigPath} does not exist`);
  const { endpoint, caCertHashes } = joinFacts(text.toString('utf8'), kubeconfigPath);
  // A key only helps a joining node when the certificates were uploaded with it in this run: not
  // when upload-certs was skipped, nor when this phase runs on its own.
  const certificateKey = d.cache.certificatesUploaded ? await d.certificateKey() : undefined;
  const common = {
    endpoint,
    caCertHashes,
    skipTokenPrint: d.skipTokenPrint,
    skipCertificateKeyPrint: d.skipCertificateKeyPrint,
  };
  const tokens = d.config.init.bootstrapTokens.map((t) => {
    const worker = joinCommand({ ...common, token: t.token });
    const controlPlane = joinCommand({
      ...common,
      token: t.token,
      controlPlane: true,
      ...(certificateKey ? { certificateKey } : {}),
    });
    return { token: t.token, worker, controlPlane };
  });

  if (d.outputFormat === 'text') {
    for (const t of tokens) {
      d.out.print(
        initDoneMessage({
          kubeconfigPath,
          controlPlaneEndpoint: d.config.cluster.controlPlaneEndpoint,
          joinControlPlaneCommand: t.controlPlane,
          joinWorkerCommand: t.worker,
          certificatesUploaded: certificateKey !== undefined,
        }),
      );
    }
    return;
  }
  const result = {
    apiVersion: 'output.kbadm/v1alpha1',
    kind: 'InitResult',
    kubeconfig: kubeconfigPath,
    controlPlaneEndpoint: d.config.cluster.controlPlaneEndpoint || endpoint,
    caCertHashes,
    ...(certificateKey ? { certificateKey: d.skipCertificateKeyPrint ? WITHHELD : certificateKey } : {}),
    tokens: tokens.map((t) => ({
      token: d.skipTokenPrint ? WITHHELD : t.token,
      joinCommand: singleLine(t.worker).trimEnd(),
      controlPlaneJoinCommand: singleLine(t.controlPlane).trimEnd(),
    })),
  };
  d.out.print(renderResult(d.outputFormat, result, () => ''));
}

export const showJoinCommandPhase: Phase<InitData> = {
  name: 'show-join-command',
  short: 'Print the commands that add worker and control-plane nodes',
  long:
    'Prints, for each bootstrap token, the join commands for new workers and new control-plane nodes, with the API server endpoint and CA hash taken from admin.conf in --kubeconfig-dir. ' +
    'With -o json or yaml they come as one InitResult object instead.',
  inheritFlags: ['config', 'kubeconfig-dir', 'skip-token-print', 'skip-certificate-key-print', 'output'],
  run: showJoinCommand,
};
