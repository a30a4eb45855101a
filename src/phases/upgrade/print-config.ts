// `--print-config` of `upgrade plan` and `upgrade apply`: the ClusterConfiguration the command
// works with (the target version in it when one is given), each YAML line after a tab, as kubeadm
// prints it.
import type { ClusterConfiguration } from '../../config/model.js';
import { clusterConfigurationYaml } from '../../manifests/cluster-config-maps.js';
import type { Output } from '../../output/output.js';

export function printUsedConfiguration(out: Output, cluster: ClusterConfiguration): void {
  out.progress('upgrade/config', 'Configuration used:');
  for (const line of clusterConfigurationYaml(cluster).trimEnd().split('\n')) out.progressLine(`\t${line}`);
}
