// The configuration day-two commands (certs, kubeconfig user) run with: --config when given,
// else kubeadm's defaults with the host's dynamic defaults; --cert-dir on top when the user set it.
import { readConfigFile } from '../config/config-files.js';
import { KNOWN_CRI_SOCKETS } from '../config/defaults.js';
import { gatherDefaultingFacts } from '../host/facts.js';
import { userPath } from '../host/paths.js';
import type { InitConfig } from '../config/model.js';
import { resolveInitConfig } from '../config/resolve.js';
import type { Host } from '../host/host.js';
import type { Output } from '../output/output.js';

export interface CommandConfigOptions {
  /** --config, '' when not given. */
  configPath: string;
  /** --cert-dir when the user set it. */
  certDir?: string;
  /**
   * The command does not use the advertise address (check-expiration, renew): a host without a
   * default route then still gets a configuration instead of a validation error about it.
   */
  addressUnused?: boolean;
}

export interface CommandConfig {
  config: InitConfig;
  /** certificatesDir under --rootfs. */
  pkiDir: string;
}

export async function loadCommandConfig(
  host: Host,
  out: Output,
  o: CommandConfigOptions,
): Promise<CommandConfig> {
  const facts = await gatherDefaultingFacts(host, KNOWN_CRI_SOCKETS);
  if (o.addressUnused && facts.defaultRouteAddress === undefined) facts.defaultRouteAddress = '127.0.0.1';
  let configText: string | undefined;
  if (o.configPath !== '') {
    // readConfigFile reports a missing or unreadable file as one clear error.
    configText = await readConfigFile(host, o.configPath);
  }
  const r = resolveInitConfig({
    ...(configText !== undefined ? { configText, source: o.configPath } : {}),
    flags: {},
    facts,
  });
  for (const w of r.warnings) out.warn(w);
  const config = r.config;
  if (o.certDir !== undefined && o.certDir !== '') config.cluster.certificatesDir = o.certDir;
  return { config, pkiDir: userPath(host.paths, config.cluster.certificatesDir) };
}
