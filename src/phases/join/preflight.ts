// `kbadm join phase preflight`: the node checks, then discovery and the cluster's configuration
// (the first time join reaches the network, and nothing is written before it succeeds); for a
// control-plane join also the conditions for another control plane, the control-plane node checks
// and the image pull. The checks are imported when the phase runs, not with the phase tree.
import { KbadmError } from '../../errors.js';
import type { Phase } from '../../workflow/index.js';
import { pullControlPlaneImages } from '../init/preflight.js';
import type { JoinData } from './data.js';
import { DISCOVERY_FLAGS } from './flags.js';

const TAG = 'preflight';

/** kubeadm's message when this node cannot host another control-plane instance. */
export function notReadyForControlPlane(reason: string): string {
  return (
    '\nOne or more conditions for hosting a new control plane instance is not satisfied.\n\n' +
    `${reason}\n\n` +
    'Please ensure that:\n' +
    '* The cluster has a stable controlPlaneEndpoint address.\n' +
    '* The certificates that must be shared among control plane instances are provided.\n'
  );
}

async function checkReadyForControlPlane(d: JoinData): Promise<void> {
  const { cluster } = await d.initConfig();
  if (cluster.controlPlaneEndpoint === '') {
    throw new KbadmError(
      notReadyForControlPlane(
        "unable to add a new control plane instance to a cluster that doesn't have a stable controlPlaneEndpoint address",
      ),
    );
  }
  // Without a certificate key the shared certificates must already be on this node.
  if (d.config.controlPlane?.certificateKey) return;
  const { kubeadmCertFiles, copyCertHostPath } = await import('../../certs/copy-certs.js');
  const missing: string[] = [];
  for (const f of kubeadmCertFiles(cluster)) {
    const shown = copyCertHostPath(f, cluster.certificatesDir);
    if (!(await d.host.exists(d.paths.under(shown)))) missing.push(shown);
  }
  if (missing.length > 0) {
    throw new KbadmError(
      notReadyForControlPlane(
        `the shared certificates are missing and no --certificate-key was given to download them: ${missing.join(', ')}`,
      ),
    );
  }
}

export async function runJoinPreflight(d: JoinData): Promise<void> {
  const { joinPreflight, controlPlaneChecks } = await import('../../preflight/lists.js');
  const { controlPlaneEndpointCheck } = await import('../../preflight/control-plane-endpoint.js');
  const { createNodeProbe } = await import('../../preflight/preflight-files.js');
  const { ignoreSet, runPreflight } = await import('../../preflight/run.js');
  const nodeRegistration = d.config.nodeRegistration;
  const ignored = ignoreSet(nodeRegistration.ignorePreflightErrors);
  const probe = createNodeProbe(d.host, { env: d.env, criSocket: nodeRegistration.criSocket, out: d.out });
  try {
    d.out.progress(TAG, 'Running pre-flight checks');
    await runPreflight(joinPreflight(d.config), probe, ignored, d.out);
    const config = await d.initConfig();
    const given = d.config.controlPlaneEndpoint;
    if (given) {
      const { fetchServingCertificate } = await import('../../cluster/serving-certificate.js');
      const check = controlPlaneEndpointCheck(await d.discovered(), given, (server, ca) =>
        fetchServingCertificate(server, ca),
      );
      await runPreflight([[check]], probe, ignored, d.out);
    }
    if (!d.controlPlane) return;
    await checkReadyForControlPlane(d);
    d.out.progress(TAG, 'Running pre-flight checks before initializing the new control plane instance');
    await runPreflight(
      [
        controlPlaneChecks(config.init, config.cluster, {
          secondary: true,
          downloadCerts: Boolean(d.config.controlPlane?.certificateKey),
        }),
      ],
      probe,
      ignored,
      d.out,
    );
    await pullControlPlaneImages({ ...d, config }, probe, ignored);
  } finally {
    probe.close();
  }
}

export const joinPreflightPhase: Phase<JoinData> = {
  name: 'preflight',
  aliases: ['pre-flight'],
  short: 'Check that this machine can join the cluster',
  long:
    'Checks the machine before anything is written: root, free ports, no kubelet files from an earlier join, the container runtime, required executables, IP forwarding. ' +
    'Then finds the cluster (discovery) and reads its configuration with the bootstrap token. For a control-plane join it also checks that the cluster has a controlPlaneEndpoint and that the shared certificates can be had, runs the control-plane node checks and pulls the control-plane images. ' +
    'Errors stop join with exit code 2 unless --ignore-preflight-errors lists the check (or "all").',
  example:
    '  # Check this machine before joining it as a worker.\n' +
    '  kbadm join phase preflight 192.168.0.10:6443 --token abcdef.0123456789abcdef \\\n' +
    '    --discovery-token-ca-cert-hash sha256:<hash>',
  inheritFlags: [
    'apiserver-advertise-address',
    'apiserver-bind-port',
    'certificate-key',
    'config',
    'control-plane',
    'cri-socket',
    'dry-run',
    'ignore-preflight-errors',
    'node-name',
    ...DISCOVERY_FLAGS,
  ],
  run: runJoinPreflight,
};
