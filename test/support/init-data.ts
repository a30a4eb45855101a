// Run data for init's phases over an in-memory host: a whole InitData, so phases are called
// exactly as the runner calls them.
import { MemoryCluster } from '../../src/cluster/memory.js';
import type { HealthProbes } from '../../src/cluster/probes.js';
import type { InitConfig } from '../../src/config/model.js';
import { createTestHost, type TestHost, type TestHostOptions } from '../../src/host/test-host.js';
import { recordOutput, type RecordedOutput } from '../../src/output/output.js';
import { newInitCache, type InitData } from '../../src/phases/init/data.js';
import { fakeProbes } from './health-probes.js';

export interface TestInitData extends InitData {
  host: TestHost;
  out: RecordedOutput;
  /** The API server the phases talk to: in memory, recording every request. */
  api: MemoryCluster;
}

export interface TestInitDataOptions extends TestHostOptions {
  /** kbadm's environment (proxy variables reach the control-plane Pods); default none. */
  env?: Record<string, string>;
  /** The cluster (default: an empty MemoryCluster). */
  api?: MemoryCluster;
  uploadCerts?: boolean;
  certificateKey?: string;
  printManifest?: boolean;
  /** What wait-control-plane's checks answer; default: everything healthy at once. */
  probes?: HealthProbes;
}

/** InitData for `config` on a fresh TestHost; the run starts at the epoch. */
export function testInitData(config: InitConfig, options: TestInitDataOptions = {}): TestInitData {
  const {
    env = {},
    api = new MemoryCluster(),
    uploadCerts,
    certificateKey,
    printManifest,
    probes = fakeProbes(),
    ...hostOptions
  } = options;
  const host = createTestHost(hostOptions);
  const key = certificateKey ?? config.init.certificateKey;
  return {
    api,
    kubeconfigPath: host.paths.under('/etc/kubernetes/admin.conf'),
    cluster: async () => api,
    uploadCerts: uploadCerts ?? false,
    certificateKey: async () => key || '0'.repeat(64),
    skipCertificateKeyPrint: false,
    printManifest: printManifest ?? false,
    config,
    wholeRun: false,
    paths: host.paths,
    host,
    out: recordOutput(),
    dryRun: options.dryRun ?? false,
    now: new Date(0),
    env,
    skipTokenPrint: false,
    outputFormat: 'text',
    cache: newInitCache(),
    healthProbes: async () => probes,
  };
}
