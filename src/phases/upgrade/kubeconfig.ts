// The hidden `kubeconfig` phase of `upgrade apply` and `upgrade node`: on a control-plane node,
// kubelet.conf is pointed at the node's own API server when ControlPlaneKubeletLocalMode is on (and
// back at controlPlaneEndpoint when it is off). Workers keep theirs.
import * as path from 'node:path';
import { pkiInputsFromConfig } from '../../certs/inputs.js';
import { KbadmError } from '../../errors.js';
import { KUBECONFIG_FILE_MODE, parseKubeconfig, serializeKubeconfig } from '../../kubeconfig/kubeconfig.js';
import { kubeletServerChange, withServer } from '../../kubeconfig/kubelet-server.js';
import { controlPlaneEndpoint, kubeletLocalMode, localAPIEndpoint } from '../../kubeconfig/specs.js';
import type { Phase } from '../../workflow/index.js';
import type { UpgradeNodeData } from './node-data.js';

const TAG = 'upgrade/kubeconfig';

export async function runUpgradeKubeconfig(d: UpgradeNodeData): Promise<void> {
  if (!d.controlPlane) {
    d.out.progress(TAG, 'Skipping phase. Not a control plane node.');
    return;
  }
  const config = await d.config();
  const file = path.join(d.paths.kubernetesDir, 'kubelet.conf');
  const shown = d.paths.onHost(file);
  try {
    const bytes = await d.host.readFileIfExists(file);
    if (bytes === undefined) throw new KbadmError(`${shown} does not exist`);
    const cfg = parseKubeconfig(bytes.toString('utf8'), shown);
    const inputs = pkiInputsFromConfig(config.init, config.cluster);
    const change = kubeletServerChange(
      cfg,
      {
        controlPlane: controlPlaneEndpoint(inputs),
        local: localAPIEndpoint(inputs),
        localMode: kubeletLocalMode(inputs),
      },
      shown,
    );
    if (change === undefined) {
      d.out.log.debug('kubelet.conf already names the API server it should', { file: shown });
    } else if (d.dryRun) {
      d.out.progress('dryrun', `Would change the server of ${shown} from "${change.from}" to "${change.to}"`);
    } else {
      d.out.log.info('changing the server of kubelet.conf', {
        file: shown,
        from: change.from,
        to: change.to,
      });
      await d.host.writeFile(file, serializeKubeconfig(withServer(cfg, change)), KUBECONFIG_FILE_MODE);
    }
  } catch (err) {
    throw new KbadmError(`failed to update kubelet local mode: ${(err as Error).message}`, { cause: err });
  }
  d.out.progress(TAG, 'The kubeconfig files for this node were successfully upgraded!');
}

export const upgradeKubeconfigPhase: Phase<UpgradeNodeData> = {
  name: 'kubeconfig',
  short: "Point this control-plane node's kubelet.conf at the API server the feature gates call for",
  hidden: true,
  inheritFlags: ['config', 'dry-run', 'kubeconfig'],
  run: runUpgradeKubeconfig,
};
