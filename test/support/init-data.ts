// Run data for init's phases over an in-memory host: a whole InitData, so phases are called
// exactly as the runner calls them.
import type { InitConfig } from '../../src/config/model.js';
import { createTestHost, type TestHost, type TestHostOptions } from '../../src/host/test-host.js';
import { recordOutput, type RecordedOutput } from '../../src/output/output.js';
import { newInitCache, type InitData } from '../../src/phases/init/data.js';

export interface TestInitData extends InitData {
  host: TestHost;
  out: RecordedOutput;
}

export interface TestInitDataOptions extends TestHostOptions {
  /** kbadm's environment (proxy variables reach the control-plane Pods); default none. */
  env?: Record<string, string>;
}

/** InitData for `config` on a fresh TestHost; the run starts at the epoch. */
export function testInitData(config: InitConfig, options: TestInitDataOptions = {}): TestInitData {
  const { env = {}, ...hostOptions } = options;
  const host = createTestHost(hostOptions);
  return {
    config,
    paths: host.paths,
    host,
    out: recordOutput(),
    dryRun: options.dryRun ?? false,
    now: new Date(0),
    env,
    skipTokenPrint: false,
    outputFormat: 'text',
    cache: newInitCache(),
  };
}
