// Loading the init configuration on a host, for init's data initializer and the day-two commands
// (certs, kubeconfig user): --config when given, else the flags and kubeadm's defaults, with the
// host's dynamic defaults; for day-two commands --cert-dir on top when the user set it.
import { readConfigFile } from '../config/config-files.js';
import { KNOWN_CRI_SOCKETS } from '../config/defaults.js';
import { gatherDefaultingFacts } from '../host/facts.js';
import { userPath } from '../host/paths.js';
import type { SetFlags } from '../config/flags.js';
import type { InitConfig } from '../config/model.js';
import { resolveInitConfig } from '../config/resolve.js';
import type { Host } from '../host/host.js';
import type { Output } from '../output/output.js';

export interface CommandConfigOptions extends Omit<InitConfigLoad, 'flags'> {
  /** --cert-dir when the user set it. */
  certDir?: string;
}

export interface CommandConfig {
  config: InitConfig;
  /** certificatesDir under --rootfs. */
  pkiDir: string;
}

/** How a command loads the init configuration on a host. */
export interface InitConfigLoad {
  /** --config, '' when not given. */
  configPath: string;
  /** The flags the user set that set configuration fields (config/flags.ts); none by default. */
  flags?: SetFlags;
  /**
   * The command does not use the advertise address (check-expiration, renew): a host without a
   * default route then still gets a configuration instead of a validation error about it.
   */
  addressUnused?: boolean;
}

/**
 * The init configuration as init and the day-two commands load it: the --config file when given
 * (read under --rootfs), the flags, the host's facts for dynamic defaults; warnings printed.
 */
export async function loadInitConfigOnHost(host: Host, out: Output, o: InitConfigLoad): Promise<InitConfig> {
  let configText: string | undefined;
  if (o.configPath !== '') {
    // readConfigFile reports a missing or unreadable file as one clear error.
    configText = await readConfigFile(host, o.configPath);
  }
  const facts = await gatherDefaultingFacts(host, KNOWN_CRI_SOCKETS);
  if (o.addressUnused && facts.defaultRouteAddress === undefined) facts.defaultRouteAddress = '127.0.0.1';
  const r = resolveInitConfig({
    ...(configText !== undefined ? { configText, source: o.configPath } : {}),
    flags: o.flags ?? {},
    facts,
  });
  for (const w of r.warnings) out.warn(w);
  return r.config;
}

/** The configuration of a day-two command, with --cert-dir on top when the user set it. */
export async function loadCommandConfig(
  host: Host,
  out: Output,
  o: CommandConfigOptions,
): Promise<CommandConfig> {
  const config = await loadInitConfigOnHost(host, out, {
    configPath: o.configPath,
    ...(o.addressUnused ? { addressUnused: true } : {}),
  });
  if (o.certDir !== undefined && o.certDir !== '') config.cluster.certificatesDir = o.certDir;
  return { config, pkiDir: userPath(host.paths, config.cluster.certificatesDir) };
}
