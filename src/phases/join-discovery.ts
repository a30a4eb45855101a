// Join discovery on a real node: the flow of tokens/discovery-run.ts with the network fetchers of
// cluster/discovery-fetch.ts, files read through the Host (so --rootfs applies), the real clock,
// and kubeadm's V(1) lines as info logs. The join command's data initializer calls this.
import { setTimeout as sleep } from 'node:timers/promises';
import * as discoveryFetch from '../cluster/discovery-fetch.js';
import type { Discovery } from '../config/model.js';
import { errorMessage, KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import type { Output } from '../output/output.js';
import { type DiscoveredCluster } from '../tokens/discovery.js';
import { discoverByFile, discoverByToken, type DiscoveryIO } from '../tokens/discovery-run.js';

export function realDiscoveryIO(host: Host, out: Output): DiscoveryIO {
  return {
    fetchInsecure: (ep) => discoveryFetch.fetchClusterInfoInsecure(ep),
    fetchWithCA: (ep, ca) => discoveryFetch.fetchClusterInfoWithCA(ep, ca),
    fetchWithKubeconfig: (cfg, source) => discoveryFetch.fetchClusterInfoWithKubeconfig(cfg, source),
    fetchURL: (url) => discoveryFetch.fetchDiscoveryURL(url),
    async readFile(p) {
      let data: Buffer | undefined;
      try {
        data = await host.readFileIfExists(host.paths.under(p));
      } catch (err) {
        throw new KbadmError(`failed to read the discovery file ${p}: ${errorMessage(err)}`);
      }
      if (data === undefined) throw new KbadmError(`open ${p}: no such file or directory`);
      return data.toString('utf8');
    },
    sleep: (ms) => sleep(ms),
    now: () => Date.now(),
    log: (line) => out.log.info(line),
    warn: (line) => out.warn(line),
  };
}

/** Runs the discovery the configuration asks for (token or file). */
export function runDiscovery(
  discovery: Discovery,
  timeoutMs: number,
  io: DiscoveryIO,
): Promise<DiscoveredCluster> {
  const bt = discovery.bootstrapToken;
  if (bt) return discoverByToken({ ...bt, endpoint: bt.apiServerEndpoint, timeoutMs }, io);
  if (discovery.file) return discoverByFile({ kubeConfigPath: discovery.file.kubeConfigPath, timeoutMs }, io);
  throw new KbadmError('JoinConfiguration.discovery: bootstrapToken or file must be set');
}
