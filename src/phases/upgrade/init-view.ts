// The upgrade run seen as init's data, for the steps upgrade repeats from init (upload-config,
// the bootstrap-token RBAC and the addons): the target configuration, this node's host and paths,
// and in a dry run a client that prints the writes instead of sending them.
import * as path from 'node:path';
import { DryRunCluster } from '../../cluster/dry-run.js';
import type { ClusterClient } from '../../cluster/types.js';
import { userPath } from '../../host/paths.js';
import type { InitData } from '../init/data.js';
import type { UpgradeNodeData } from './node-data.js';

// One printing client per run, shared by its phases, so a dry run lists their writes together.
const dryRunClients = new WeakMap<UpgradeNodeData, ClusterClient>();

export function dryRunClient(d: UpgradeNodeData): ClusterClient {
  let client = dryRunClients.get(d);
  if (client === undefined) dryRunClients.set(d, (client = new DryRunCluster(d.out)));
  return client;
}

export async function asUpgradeInitData(d: UpgradeNodeData): Promise<InitData> {
  const config = await d.config();
  return {
    config,
    paths: { ...d.paths, pkiDir: userPath(d.host.paths, config.cluster.certificatesDir) },
    host: d.host,
    out: d.out,
    dryRun: d.dryRun,
    now: d.now,
    env: d.env,
    wholeRun: false,
    skipTokenPrint: true,
    outputFormat: 'text',
    cache: d.cache,
    kubeconfigPath: path.join(d.paths.kubernetesDir, 'admin.conf'),
    cluster: d.dryRun ? async () => dryRunClient(d) : () => d.cluster(),
    uploadCerts: false,
    certificateKey: async () => '',
    skipCertificateKeyPrint: true,
    printManifest: false,
    healthProbes: (a) => d.healthProbes(a),
  };
}
