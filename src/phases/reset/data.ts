// What reset's phases may read, built once per run: the ResetConfiguration (--config or flags,
// defaulted and validated), the host paths, the host, how to ask the user, how to reach etcd.
import { readConfigFile } from '../../config/config-files.js';
import { KNOWN_CRI_SOCKETS } from '../../config/defaults.js';
import { gatherDefaultingFacts } from '../../host/facts.js';
import { userPath } from '../../host/paths.js';
import type { ResetConfiguration } from '../../config/model.js';
import { resolveResetConfig } from '../../config/resolve.js';
import { EtcdClient, type EtcdClientOptions } from '../../etcd/client.js';
import type { EtcdMember } from '../../etcd/members.js';
import { KbadmError, ValidationError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import { HOST_DEFAULTS, type Paths } from '../../host/paths.js';
import type { Output, TextSink } from '../../output/output.js';
import { askYesNo, type Answer, type Stdin } from '../../output/prompt.js';
import { userSetFlags, type FlagSpec, type Invocation } from '../../workflow/index.js';

/** The etcd calls reset makes (EtcdClient; tests pass a fake). */
export interface EtcdMembership {
  sync(): Promise<string[]>;
  listMembers(): Promise<EtcdMember[]>;
  removeMember(id: string): Promise<EtcdMember[]>;
}

export interface ResetData {
  /** Defaulted and validated; criSocket is detected when none was given. */
  config: ResetConfiguration;
  /** Every host path under --rootfs; pkiDir is certificatesDir. */
  paths: Paths;
  host: Host;
  out: Output;
  dryRun: boolean;
  /** Reset without asking (--force or ResetConfiguration.force). */
  force: boolean;
  /** Asks a yes/no question on the terminal; 'not-interactive' when stdin is no terminal. */
  ask(prompt: string): Promise<Answer>;
  /** Connects to etcd; the real client by default. */
  etcd(options: EtcdClientOptions): EtcdMembership;
  /**
   * The etcd data directory remove-etcd-member emptied (a host path under --rootfs): etcd may still
   * write to it until cleanup-node removes its sandbox, so cleanup-node empties it once more.
   */
  emptiedEtcdDataDir?: string;
}

/** What the initializer needs from the command context (CommandContext provides it). */
export interface ResetDataDeps {
  readonly stdout: TextSink;
  readonly stdin?: Stdin;
  output(): Output;
  host(options: { dryRun?: boolean; out?: Output; writes?: boolean }): Promise<Host>;
}

/**
 * reset's data initializer. Everything that can be wrong with the input (the configuration, a
 * certificates directory kbadm must never empty) is reported before any phase runs.
 */
export async function newResetData(
  deps: ResetDataDeps,
  ctx: Invocation,
  specs: readonly FlagSpec[],
  etcd: (options: EtcdClientOptions) => EtcdMembership = (o) => new EtcdClient(o),
): Promise<ResetData> {
  const { flags } = ctx;
  const out = deps.output();
  const realHost = await deps.host({ out });
  const configPath = flags.has('config') ? flags.string('config') : '';
  const configText = configPath === '' ? undefined : await readConfigFile(realHost, configPath);
  const resolved = resolveResetConfig({
    ...(configText !== undefined ? { configText, source: configPath } : {}),
    flags: userSetFlags(
      flags,
      specs.filter((f) => f.name !== 'kubeconfig'),
    ),
    facts: await gatherDefaultingFacts(realHost, KNOWN_CRI_SOCKETS),
  });
  for (const w of resolved.warnings) out.warn(w);
  const config = resolved.config;

  const dryRun = config.dryRun;
  // A real reset deletes the node's files: it holds the node lock from here on, so it never
  // removes what another kbadm command is writing.
  const host = dryRun ? await deps.host({ dryRun: true, out }) : await deps.host({ out, writes: true });
  const pkiDir = userPath(host.paths, config.certificatesDir);
  try {
    // Emptying certificatesDir is only safe where kubeadm's files live: never /, /etc, /var/lib...
    host.addManagedDir(pkiDir);
  } catch (err) {
    if (!(err instanceof KbadmError)) throw err;
    const field =
      flags.has('cert-dir') && flags.isSet('cert-dir') ? '--cert-dir' : 'ResetConfiguration.certificatesDir';
    const why = err.message.replace(/^refusing to manage "[^"]*": /, '');
    throw new ValidationError([
      {
        field,
        value: config.certificatesDir,
        detail: `reset empties the certificates directory, and ${why}`,
      },
    ]);
  }
  return {
    config,
    paths: { ...host.paths, pkiDir },
    host,
    out,
    dryRun,
    force: config.force,
    ask: (prompt) => askYesNo(deps.stdout, deps.stdin, prompt),
    etcd,
  };
}

/** certificatesDir as kubeadm defaults it. */
export const DEFAULT_CERTIFICATES_DIR = HOST_DEFAULTS.pkiDir;
