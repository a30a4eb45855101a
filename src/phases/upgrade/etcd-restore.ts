// Restoring this node's etcd from what `upgrade apply` saved (its snapshot, or its copy of the data
// directory), for `kbadm upgrade rollback --etcd-snapshot|--etcd-data`. The steps and their
// directories are in src/upgrade/etcd-restore.ts; this module checks that the restore may happen
// (before anything changes) and carries it out through the Host, keeping a journal so that a run
// that is interrupted is finished by the next one.
import * as path from 'node:path';
import { formatDuration } from '../../config/duration.js';
import { EtcdClient } from '../../etcd/client.js';
import { etcdHealth, type EtcdClientTLS } from '../../etcd/health.js';
import { describeMembers, type EtcdMember } from '../../etcd/members.js';
import {
  ETCDCTL_ENV,
  etcdctlRestores,
  etcdctlVersion,
  snapshotRestoreArgs,
} from '../../etcd/snapshot-restore.js';
import { errorMessage, KbadmError } from '../../errors.js';
import { describeCommand } from '../../host/exec.js';
import type { Host } from '../../host/host.js';
import { readEtcdManifest } from '../../manifests/etcd-member.js';
import type { Output } from '../../output/output.js';
import { readRestoreJournal, writeRestoreJournal } from '../../upgrade/backup-files.js';
import {
  apiServerSecurePort,
  restoreLayout,
  restoreMember,
  restoreWorkDir,
  urlPorts,
  type EtcdRestoreJournal,
  type EtcdRestoreLayout,
  type EtcdRestoreSource,
  type RestoreMember,
} from '../../upgrade/etcd-restore.js';
import { copyTree } from './host-copy.js';
import { pollUntil, REAL_CLOCK } from '../clock.js';

const TAG = 'upgrade/rollback';
const ETCD_MANIFEST = 'etcd.yaml';
const APISERVER_MANIFEST = 'kube-apiserver.yaml';
/** Stopped together, so that nothing keeps serving (or caching) the data being replaced. */
const CONTROL_PLANE_MANIFESTS = [
  ETCD_MANIFEST,
  APISERVER_MANIFEST,
  'kube-controller-manager.yaml',
  'kube-scheduler.yaml',
];
export const DEFAULT_RESTORE_TIMEOUT_MS = 5 * 60 * 1000;
const RESTORE_TOOL_TIMEOUT_MS = 10 * 60 * 1000;
const POLL_INTERVAL_MS = 500;
const MEMBER_LIST_TIMEOUT_MS = 15_000;

/** What the restore asks etcd (tests answer for it). */
export interface EtcdRestoreProbes {
  members(endpoints: string[], tls: EtcdClientTLS): Promise<EtcdMember[]>;
  healthy(endpoint: string, tls: EtcdClientTLS): Promise<boolean>;
}

export const realEtcdProbes: EtcdRestoreProbes = {
  members: (endpoints, tls) =>
    new EtcdClient({
      endpoints,
      tls,
      timeoutMs: MEMBER_LIST_TIMEOUT_MS,
      giveUpWhenNothingListens: true,
    }).listMembers(),
  healthy: async (endpoint, tls) => (await etcdHealth(endpoint, tls)).healthy,
};

export interface EtcdRestoreContext {
  host: Host;
  out: Output;
  /** The backup directory rolled back to (under --rootfs) and its name. */
  backupDir: string;
  backupName: string;
  source: EtcdRestoreSource;
  probes?: EtcdRestoreProbes;
  /** Budget of each wait (ports free, etcd healthy). */
  timeoutMs?: number;
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds, for the waits' deadlines (tests move it with their `sleep`). */
  clock?: () => number;
  now?: () => Date;
}

/** Everything the restore needs, read and checked before anything changes. */
export interface EtcdRestorePlan {
  layout: EtcdRestoreLayout;
  member: RestoreMember;
  /** The manifest the member was read from (host path), for messages. */
  memberManifest: string;
  /** The journal of an earlier run that did not finish, or of one that did ('done'). */
  journal?: EtcdRestoreJournal;
  /** Manifest file names to move out (from the journal when resuming). */
  stop: string[];
  /** TCP ports that must be free before the data is swapped (etcd's client ports, the API server's). */
  ports: number[];
  /** The restore command, for a snapshot. */
  command?: { command: string; args: string[] };
  tls: EtcdClientTLS;
}

const refuse = (why: string): KbadmError => new KbadmError(`cannot restore etcd: ${why}`);

/** The journal of a restore for this backup, if one was started (for runs without an etcd flag). */
export async function unfinishedEtcdRestore(
  host: Host,
  backupName: string,
): Promise<EtcdRestoreJournal | undefined> {
  const workDir = host.paths.under(restoreWorkDir(host.paths.onHost(host.paths.tmpDir), backupName));
  const journal = await readRestoreJournal(host, workDir);
  return journal && journal.step !== 'done' ? journal : undefined;
}

/**
 * Reads and checks everything: the source, the etcd manifest to restore, the restore tool, and
 * (unless an earlier run already stopped etcd) that etcd has this one member only. Throws a
 * one-line KbadmError when the restore must not happen; changes nothing.
 */
export async function planEtcdRestore(ctx: EtcdRestoreContext): Promise<EtcdRestorePlan> {
  const { host } = ctx;
  const { paths } = host;
  const show = (p: string) => paths.onHost(p);
  const tmpDir = show(paths.tmpDir);
  const workDir = paths.under(restoreWorkDir(tmpDir, ctx.backupName));
  const journal = await readRestoreJournal(host, workDir);
  const flag = (kind: string) => (kind === 'snapshot' ? '--etcd-snapshot' : '--etcd-data');
  if (journal && journal.step !== 'done') {
    if (journal.source.kind !== ctx.source.kind || journal.source.path !== ctx.source.path)
      throw refuse(
        `a restore from "${journal.source.path}" was started by an earlier run (${show(workDir)}); run again with ${flag(journal.source.kind)} to finish it`,
      );
  }

  // The source.
  const source = await host.stat(paths.under(ctx.source.path));
  if (ctx.source.kind === 'snapshot' ? !source?.isFile : !source?.isDirectory)
    throw refuse(
      `the ${ctx.source.kind === 'snapshot' ? 'snapshot' : 'data copy'} "${ctx.source.path}" does not exist`,
    );

  // The etcd manifest to restore: the backup's; else the one that runs (or was stopped by a run before).
  const live = path.join(paths.manifestsDir, ETCD_MANIFEST);
  const candidates = [path.join(ctx.backupDir, ETCD_MANIFEST), live, path.join(workDir, ETCD_MANIFEST)];
  let memberManifest: string | undefined;
  let text: Buffer | undefined;
  for (const c of candidates) {
    text = await host.readFileIfExists(c);
    if (text !== undefined) {
      memberManifest = c;
      break;
    }
  }
  if (text === undefined || memberManifest === undefined)
    throw refuse(
      `no ${ETCD_MANIFEST} in ${candidates.map((c) => `"${show(c)}"`).join(', ')}: no local etcd here`,
    );
  const member = memberFrom(text, show(memberManifest));
  const layout = restoreLayout(tmpDir, ctx.backupName, member.dataDir);
  const tls = await clientTLS(host, member);
  const done = journal?.step === 'done';

  // The tool, while a restore is still ahead.
  let command: EtcdRestorePlan['command'];
  if (ctx.source.kind === 'snapshot' && !done && (journal === undefined || journal.step === 'stopping')) {
    const tool = await restoreTool(host);
    command = {
      command: tool,
      args: snapshotRestoreArgs({
        snapshot: paths.under(ctx.source.path),
        dataDir: paths.under(layout.restoreDir),
        name: member.name,
        initialCluster: member.initialCluster,
        peerURLs: member.peerURLs,
        ...(member.initialClusterToken ? { initialClusterToken: member.initialClusterToken } : {}),
      }),
    };
  }

  let stop: string[];
  if (journal) {
    stop = journal.stopped;
  } else {
    // etcd must run now, as its only member: restoring one member of several would split the cluster.
    const running = await host.readFileIfExists(live);
    if (running === undefined)
      throw refuse(`"${show(live)}" does not exist, so this node's etcd cannot be asked for its members`);
    const runningMember = memberFrom(running, show(live));
    const runningTLS = await clientTLS(host, runningMember);
    const probes = ctx.probes ?? realEtcdProbes;
    let members: EtcdMember[];
    try {
      members = await probes.members(runningMember.clientURLs, runningTLS);
    } catch (err) {
      throw refuse(
        `etcd at ${runningMember.clientURLs.join(',')} did not list its members (${errorMessage(err)}); kbadm restores etcd only when it can see this is its only member`,
      );
    }
    if (members.length !== 1)
      throw refuse(
        `etcd has ${members.length} members (${describeMembers(members)}); a snapshot or data copy of one member cannot be restored while others run, so kbadm restores a single-member etcd only`,
      );
    stop = [];
    for (const name of CONTROL_PLANE_MANIFESTS)
      if (await host.exists(path.join(paths.manifestsDir, name))) stop.push(name);
  }

  // The ports of what is stopped (etcd's clients, the API server's), from the manifests that run.
  const running = async (name: string) =>
    (await host.readFileIfExists(path.join(paths.manifestsDir, name))) ??
    (await host.readFileIfExists(path.join(workDir, name)));
  const etcdRunning = stop.includes(ETCD_MANIFEST) ? await running(ETCD_MANIFEST) : undefined;
  const ports = urlPorts((etcdRunning ? memberFrom(etcdRunning, ETCD_MANIFEST) : member).clientURLs);
  const apiserver = stop.includes(APISERVER_MANIFEST) ? await running(APISERVER_MANIFEST) : undefined;
  if (apiserver !== undefined) ports.push(apiServerSecurePort(apiserver.toString('utf8')));

  return {
    layout,
    member,
    memberManifest: show(memberManifest),
    ...(journal ? { journal } : {}),
    stop,
    ports: [...new Set(ports)],
    ...(command ? { command } : {}),
    tls,
  };
}

function memberFrom(text: Buffer, file: string): RestoreMember {
  let reading;
  try {
    reading = readEtcdManifest(text.toString('utf8'));
  } catch (err) {
    throw refuse(`"${file}": ${errorMessage(err)}`);
  }
  if (reading.kind === 'unknown')
    throw refuse(`"${file}" is not a stacked etcd kbadm knows: ${reading.reason}`);
  const m = restoreMember(reading.member);
  if ('problem' in m) throw refuse(`"${file}": ${m.problem}`);
  return m;
}

/** The etcd CA and the healthcheck-client pair beside it, as kubeadm keeps them. */
async function clientTLS(host: Host, member: RestoreMember): Promise<EtcdClientTLS> {
  const caFile = member.caFile ?? path.join(host.paths.onHost(host.paths.pkiDir), 'etcd/ca.crt');
  const read = async (hostPath: string): Promise<Buffer> => {
    const data = await host.readFileIfExists(host.paths.under(hostPath));
    if (data === undefined) throw refuse(`"${hostPath}" does not exist (needed to talk to etcd)`);
    return data;
  };
  const dir = path.dirname(caFile);
  return {
    ca: await read(caFile),
    cert: await read(path.join(dir, 'healthcheck-client.crt')),
    key: await read(path.join(dir, 'healthcheck-client.key')),
  };
}

/** etcdutl when on PATH, else an etcdctl that still restores (before 3.6). */
async function restoreTool(host: Host): Promise<string> {
  const etcdutl = await host.which('etcdutl');
  if (etcdutl) return etcdutl;
  const etcdctl = await host.which('etcdctl');
  if (etcdctl) {
    const r = await host.run(etcdctl, ['version'], { readOnly: true, allowFailure: true, env: ETCDCTL_ENV });
    const version = etcdctlVersion(r.stdout);
    if (version && etcdctlRestores(version)) return etcdctl;
    throw refuse(
      `etcdutl is not on PATH, and ${etcdctl} (${version ? `version ${version.join('.')}` : 'unknown version'}) cannot restore snapshots; install etcdutl`,
    );
  }
  throw refuse('neither etcdutl nor etcdctl is on PATH; one of them is needed to restore a snapshot');
}

/** What a run would do, for --dry-run: one line per step still ahead. */
export async function describeEtcdRestore(
  ctx: Pick<EtcdRestoreContext, 'host' | 'out' | 'backupDir' | 'source'>,
  plan: EtcdRestorePlan,
): Promise<void> {
  const { host, out } = ctx;
  const { paths } = host;
  const show = (p: string) => paths.onHost(p);
  const L = plan.layout;
  const say = (line: string) => out.progress('dryrun', line);
  const step = plan.journal?.step ?? 'stopping';
  if (step === 'done') return;
  if (step === 'stopping') {
    for (const name of plan.stop)
      say(
        `Would move "${show(path.join(paths.manifestsDir, name))}" to "${path.join(L.workDir, name)}" to stop its Pod`,
      );
    say(`Would wait until ports ${plan.ports.join(', ')} are free`);
    if (plan.command)
      say(
        `Would restore the snapshot "${ctx.source.path}" into "${L.restoreDir}": ${describeCommand(plan.command.command, plan.command.args)}`,
      );
    else say(`Would copy "${ctx.source.path}" to "${L.restoreDir}"`);
    say(
      `Would put "${L.restoreDir}" in place of "${L.dataDir}", keeping the replaced data as "${L.keptDir}"`,
    );
  }
  for (const name of plan.stop) {
    const backedUp = path.join(ctx.backupDir, name);
    const from = (await host.exists(backedUp)) ? show(backedUp) : path.join(L.workDir, name);
    say(`Would write "${show(path.join(paths.manifestsDir, name))}" from "${from}"`);
  }
  say(`Would wait for etcd at ${plan.member.clientURLs.join(',')} to become healthy`);
}

/**
 * Carries the restore out, from where the journal says an earlier run stopped. Resolves once etcd
 * is healthy on the restored data; throws a KbadmError naming the step otherwise (a later run
 * picks up from there).
 */
export async function runEtcdRestore(ctx: EtcdRestoreContext, plan: EtcdRestorePlan): Promise<void> {
  const { host, out } = ctx;
  const { paths } = host;
  const show = (p: string) => paths.onHost(p);
  const under = (p: string) => paths.under(p);
  const L = plan.layout;
  const workDir = under(L.workDir);
  const now = ctx.now ?? (() => new Date());
  let journal: EtcdRestoreJournal = plan.journal ?? {
    source: ctx.source,
    step: 'stopping',
    stopped: plan.stop,
    startedAt: now().toISOString(),
  };
  if (journal.step === 'done') return;
  if (!plan.journal) {
    await host.mkdir(workDir, 0o700);
    await writeRestoreJournal(host, workDir, journal);
  } else {
    out.progress(TAG, `Continuing the etcd restore an earlier run left at "${journal.step}" (${L.workDir})`);
  }

  if (journal.step === 'stopping') {
    for (const name of journal.stopped) {
      const liveFile = path.join(paths.manifestsDir, name);
      const kept = path.join(workDir, name);
      if (await host.exists(liveFile)) {
        await moveFile(host, liveFile, kept);
        out.progress(TAG, `Moved "${show(liveFile)}" to "${show(kept)}" to stop its Pod`);
      } else if (!(await host.exists(kept))) {
        throw refuse(`neither "${show(liveFile)}" nor "${show(kept)}" exists`);
      }
    }
    out.progress(
      TAG,
      `Waiting for ports ${plan.ports.join(', ')} to be free (etcd and the API server stopped)`,
    );
    const free = await poll(ctx, async () => {
      for (const port of plan.ports) if ((await host.bindError(port)) !== undefined) return false;
      return true;
    });
    if (!free.ok)
      throw refuse(
        `something still listens on port ${plan.ports.join(' or ')} after ${formatDuration(ctx.timeoutMs ?? DEFAULT_RESTORE_TIMEOUT_MS)}; the stopped manifests are in "${L.workDir}"; run this again once etcd has stopped`,
      );
    await swapData(ctx, plan);
    journal = { ...journal, step: 'swapped' };
    await writeRestoreJournal(host, workDir, journal);
  }

  for (const name of journal.stopped) {
    const liveFile = path.join(paths.manifestsDir, name);
    const backedUp = path.join(ctx.backupDir, name);
    const stopped = path.join(workDir, name);
    const from = (await host.exists(backedUp)) ? backedUp : stopped;
    const bytes = await host.readFile(from);
    await host.writeFile(liveFile, bytes, (await host.stat(from))?.mode ?? 0o600);
    out.progress(TAG, `Wrote "${show(liveFile)}" from "${show(from)}"`);
  }
  out.progress(TAG, 'Waiting for etcd to become healthy');
  const healthy = await poll(ctx, async () => {
    for (const url of plan.member.clientURLs)
      if (await (ctx.probes ?? realEtcdProbes).healthy(url, plan.tls)) return true;
    return false;
  });
  if (!healthy.ok)
    throw refuse(
      `etcd at ${plan.member.clientURLs.join(',')} did not become healthy within ${formatDuration(ctx.timeoutMs ?? DEFAULT_RESTORE_TIMEOUT_MS)}${healthy.error ? ` (${errorMessage(healthy.error)})` : ''}; the replaced data is in "${L.keptDir}"`,
    );
  journal = { ...journal, step: 'done' };
  await writeRestoreJournal(host, workDir, journal);
  out.progress(
    TAG,
    `etcd is healthy on the data restored from "${ctx.source.path}"; the replaced data is kept in "${L.keptDir}"`,
  );
}

/**
 * Puts the restored data in place of the data directory. Safe to repeat from any point: the state
 * on disk says how far an earlier run got (see src/upgrade/etcd-restore.ts).
 */
async function swapData(ctx: EtcdRestoreContext, plan: EtcdRestorePlan): Promise<void> {
  const { host, out } = ctx;
  const { paths } = host;
  const L = plan.layout;
  const [data, restore, replaced, kept, partial] = [
    L.dataDir,
    L.restoreDir,
    L.replacedDir,
    L.keptDir,
    L.keptPartialDir,
  ].map((p) => paths.under(p)) as [string, string, string, string, string];
  // The data directory and its two siblings may be anywhere etcd.local.dataDir says.
  for (const dir of [data, restore, replaced]) host.addManagedDir(dir);

  const swapped = (await host.exists(kept)) || ((await host.exists(replaced)) && (await host.exists(data)));
  if (!swapped) {
    await host.remove(restore);
    if (plan.command) {
      out.progress(TAG, `Restoring the etcd snapshot "${ctx.source.path}" into "${L.restoreDir}"`);
      await host.run(plan.command.command, plan.command.args, {
        timeoutMs: RESTORE_TOOL_TIMEOUT_MS,
        env: ETCDCTL_ENV,
      });
    } else {
      out.progress(TAG, `Copying the etcd data "${ctx.source.path}" to "${L.restoreDir}"`);
      await copyTree(host, paths.under(ctx.source.path), restore);
    }
    if ((await host.exists(data)) && !(await host.exists(replaced))) await host.rename(data, replaced);
    await host.rename(restore, data);
    out.progress(TAG, `Put the restored data in place as "${L.dataDir}"`);
  }
  if (await host.exists(kept)) {
    await host.remove(replaced); // a copy that finished before its source was removed
  } else if (await host.exists(replaced)) {
    try {
      await host.rename(replaced, kept);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EXDEV') throw err;
      // The data directory lives on another file system: copy, then rename within /etc/kubernetes/tmp.
      await host.remove(partial);
      await copyTree(host, replaced, partial);
      await host.rename(partial, kept);
      await host.remove(replaced);
    }
    out.progress(TAG, `Kept the replaced etcd data as "${L.keptDir}"`);
  }
}

/** Moves a manifest: one rename, or a write and a remove when /etc/kubernetes/tmp is another mount. */
async function moveFile(host: Host, from: string, to: string): Promise<void> {
  await host.remove(to); // left by an earlier run that stopped before it removed `from`
  try {
    await host.rename(from, to);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EXDEV') throw err;
    await host.writeFile(to, await host.readFile(from), (await host.stat(from))?.mode ?? 0o600);
    await host.remove(from);
  }
}

function poll(
  ctx: EtcdRestoreContext,
  check: () => Promise<boolean>,
): Promise<{ ok: boolean; error?: unknown }> {
  const clock = {
    now: ctx.clock ?? REAL_CLOCK.now,
    sleep: ctx.sleep ?? REAL_CLOCK.sleep,
  };
  return pollUntil(
    clock,
    ctx.timeoutMs ?? DEFAULT_RESTORE_TIMEOUT_MS,
    ctx.pollIntervalMs ?? POLL_INTERVAL_MS,
    check,
  );
}
