// Upgrading one static Pod the way kubeadm does: the new manifest is written to a temporary
// directory, the current one is backed up and replaced, then the kubelet must restart the
// component (its mirror Pod hash changes) and the component must come up healthy. When either
// does not happen in time, the old manifest goes back byte for byte (for etcd the data directory
// too) and the error says so. kbadm also snapshots etcd before touching it.
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { formatDuration } from '../../config/duration.js';
import { errorMessage, KbadmError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import {
  manifestFileName,
  MANIFEST_FILE_MODE,
  MANIFESTS_DIR_MODE,
  toYaml,
} from '../../manifests/serialize.js';
import type { Output } from '../../output/output.js';
import { yamlLib } from '../../output/yaml.js';
import {
  BACKUP_ETCD_PREFIX,
  BACKUP_MANIFESTS_PREFIX,
  ETCD_DATA_COPY,
  ETCD_SNAPSHOT_FILE,
} from '../../upgrade/backup-record.js';
import { copyTree, restoreTree } from './host-copy.js';
import type { ComponentHealthProbe, MirrorPodHashReader } from './mirror-pod.js';
import type { StaticPodRunningProbe } from './pod-containers.js';

export const DEFAULT_UPGRADE_MANIFESTS_TIMEOUT_MS = 5 * 60 * 1000;
export const HASH_POLL_INTERVAL_MS = 1000;
export const HEALTH_POLL_INTERVAL_MS = 500;

const TAG = 'upgrade/staticpods';

/** The directories of one upgrade run, all under --rootfs. */
export interface UpgradeDirs {
  /** /etc/kubernetes/tmp/kubeadm-upgraded-manifests<random>: the new manifests, removed at the end. */
  upgradedManifests: string;
  /** /etc/kubernetes/tmp/kubeadm-backup-manifests-<date>: the replaced manifests, kept. */
  backupManifests: string;
  /** /etc/kubernetes/tmp/kubeadm-backup-etcd-<date>: the etcd data copy (and snapshot), kept. */
  backupEtcd: string;
}

/** Go's "2006-01-02-15-04-05" layout in local time, as kubeadm names its backup directories. */
export function backupTimestamp(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return [
    now.getFullYear(),
    two(now.getMonth() + 1),
    two(now.getDate()),
    two(now.getHours()),
    two(now.getMinutes()),
    two(now.getSeconds()),
  ].join('-');
}

/** The run's directory names; `random` is the temporary directory's suffix (digits, like Go's). */
export function upgradeDirs(
  tmpDir: string,
  now: Date,
  random: string = String(Math.floor(Math.random() * 1e9)),
): UpgradeDirs {
  const ts = backupTimestamp(now);
  return {
    upgradedManifests: path.join(tmpDir, `kubeadm-upgraded-manifests${random}`),
    backupManifests: path.join(tmpDir, `${BACKUP_MANIFESTS_PREFIX}${ts}`),
    backupEtcd: path.join(tmpDir, `${BACKUP_ETCD_PREFIX}${ts}`),
  };
}

export interface StaticPodUpgradeContext {
  host: Host;
  out: Output;
  dirs: UpgradeDirs;
  /** The manifests directory under --rootfs (host.paths.manifestsDir). */
  manifestsDir: string;
  /** This node's name, for messages. */
  nodeName: string;
  readHash: MirrorPodHashReader;
  healthy: ComponentHealthProbe;
  /**
   * Whether the runtime still runs the component's Pod, to see it stop during a restart with an
   * unchanged manifest. Without it the mirror Pod's disappearance is the sign.
   */
  running?: StaticPodRunningProbe;
  /** Each wait's budget: UpgradeConfiguration timeouts.upgradeManifests (default 5m). */
  timeoutMs?: number;
  hashPollIntervalMs?: number;
  healthPollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** What only an etcd upgrade needs. */
export interface EtcdUpgradeOptions {
  /** The etcd data directory under --rootfs (ClusterConfiguration etcd.local.dataDir). */
  dataDir: string;
  /** kbadm's addition: a snapshot taken through etcd's API before the manifest changes. */
  snapshot?: () => Promise<Uint8Array>;
  /** After the Pod is back: whether etcd answers as a cluster member ("[upgrade/etcd] Waiting ..."). */
  available?: () => Promise<boolean>;
}

export interface StaticPodUpgradeOptions {
  etcd?: EtcdUpgradeOptions;
  /**
   * Work before the component is replaced, such as renewing its certificates; skipped when the
   * manifests are equal and nothing will restart.
   */
  prepare?: () => Promise<void>;
  /**
   * Called once the old manifest (and etcd's data) are backed up, just before the new manifest
   * moves in: apply records there that this component is about to change.
   */
  backedUp?: (result: StaticPodUpgradeResult) => Promise<void>;
  /**
   * Restart the component even when its manifest stays the same, so that it reads certificates
   * `prepare` renewed (kubeadm restarts in that case instead of skipping).
   */
  restartWhenUnchanged?: boolean;
}

export interface StaticPodUpgradeResult {
  component: string;
  /**
   * `unchanged`: the manifests were equal and nothing was done; `restarted`: they were equal and
   * the Pod was stopped and started again with the same manifest.
   */
  outcome: 'upgraded' | 'restarted' | 'unchanged';
  /** Where the old manifest was backed up (under --rootfs). */
  backupManifest?: string;
  /** etcd: the copy of the data directory, and the snapshot file when one was taken. */
  backupEtcdData?: string;
  snapshot?: string;
}

/** The upgrade failed; `restored` tells whether the old state was put back. */
export class StaticPodUpgradeError extends KbadmError {
  constructor(
    message: string,
    readonly component: string,
    readonly restored: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** kubeadm's line naming the temporary directory, printed once before the components. */
export function announceUpgradedManifests(ctx: Pick<StaticPodUpgradeContext, 'host' | 'out' | 'dirs'>): void {
  ctx.out.progress(
    TAG,
    `Writing new Static Pod manifests to "${ctx.host.paths.onHost(ctx.dirs.upgradedManifests)}"`,
  );
}

/** Removes the temporary directory of new manifests; the backups stay for the user. */
export async function cleanupUpgradedManifests(ctx: Pick<StaticPodUpgradeContext, 'host' | 'dirs'>) {
  await ctx.host.remove(ctx.dirs.upgradedManifests);
}

/** Whether two manifests describe the same Pod (YAML formatting and key order do not matter). */
export function manifestsEqual(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return isDeepStrictEqual(yamlLib().parse(a), yamlLib().parse(b));
  } catch {
    return false;
  }
}

/**
 * Upgrades `component` to `pod` (a rendered, patched Pod, or its YAML). Resolves when the new Pod
 * runs healthy or when nothing had to change; rejects with StaticPodUpgradeError after restoring
 * the old manifest when the kubelet does not pick the new one up or the component stays unhealthy.
 */
export async function upgradeStaticPod(
  ctx: StaticPodUpgradeContext,
  component: string,
  pod: unknown,
  options: StaticPodUpgradeOptions = {},
): Promise<StaticPodUpgradeResult> {
  const { host, out, dirs } = ctx;
  const onHost = (p: string) => host.paths.onHost(p);
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_UPGRADE_MANIFESTS_TIMEOUT_MS;
  const file = manifestFileName(component);
  const current = path.join(ctx.manifestsDir, file);
  const staged = path.join(dirs.upgradedManifests, file);
  const backup = path.join(dirs.backupManifests, file);
  const wait = waiter(ctx);

  out.progress(TAG, `Preparing for "${component}" upgrade`);
  const newText = typeof pod === 'string' ? pod : toYaml(pod);
  await host.mkdir(dirs.upgradedManifests, MANIFESTS_DIR_MODE);
  await host.writeFile(staged, newText, MANIFEST_FILE_MODE);

  const oldBytes = await host.readFileIfExists(current);
  if (oldBytes === undefined) {
    throw new StaticPodUpgradeError(
      `cannot upgrade "${component}": its static Pod manifest ${onHost(current)} does not exist`,
      component,
      false,
    );
  }
  const oldMode = (await host.stat(current))?.mode ?? MANIFEST_FILE_MODE;
  const unchanged = manifestsEqual(oldBytes.toString('utf8'), newText);
  if (unchanged && !options.restartWhenUnchanged) {
    out.progress(TAG, `Current and new manifests of ${component} are equal, skipping upgrade`);
    return { component, outcome: 'unchanged' };
  }
  await options.prepare?.();

  // The hash of the running Pod, so the change can be told apart from a kubelet that has not noticed.
  const hashBefore = await wait.until(
    () => ctx.readHash(component),
    (h) => h !== undefined,
    timeoutMs,
    ctx.hashPollIntervalMs ?? HASH_POLL_INTERVAL_MS,
  );
  if (hashBefore.value === undefined) {
    throw new StaticPodUpgradeError(
      `cannot upgrade "${component}": no mirror Pod ${component}-${ctx.nodeName} with a config hash appeared within ${formatDuration(timeoutMs)}${lastError(hashBefore.error)}`,
      component,
      false,
    );
  }

  const result: StaticPodUpgradeResult = {
    component,
    outcome: unchanged ? 'restarted' : 'upgraded',
    backupManifest: backup,
  };
  if (options.etcd) {
    if (!(await host.stat(options.etcd.dataDir))?.isDirectory) {
      throw new StaticPodUpgradeError(
        `cannot upgrade "${component}": its data directory ${onHost(options.etcd.dataDir)} does not exist, so it cannot be backed up`,
        component,
        false,
      );
    }
    result.backupEtcdData = path.join(dirs.backupEtcd, ETCD_DATA_COPY);
    await copyTree(host, options.etcd.dataDir, result.backupEtcdData);
    if (options.etcd.snapshot) {
      result.snapshot = path.join(dirs.backupEtcd, ETCD_SNAPSHOT_FILE);
      try {
        await host.writeFile(result.snapshot, await options.etcd.snapshot(), 0o600);
      } catch (err) {
        throw new StaticPodUpgradeError(
          `cannot upgrade "${component}": taking an etcd snapshot failed, nothing was changed: ${errorMessage(err)}`,
          component,
          false,
          { cause: err },
        );
      }
      out.progress('upgrade/etcd', `Saved a snapshot of etcd to "${onHost(result.snapshot)}"`);
    }
  }

  await host.mkdir(dirs.backupManifests, MANIFESTS_DIR_MODE);
  await host.writeFile(backup, oldBytes, oldMode);
  await options.backedUp?.(result);
  out.progress(
    TAG,
    unchanged
      ? `Restarting the ${component} static pod and backing up its manifest to "${onHost(backup)}"`
      : `Moving new manifest to "${onHost(current)}" and backing up old manifest to "${onHost(backup)}"`,
  );

  try {
    if (unchanged) {
      out.progress(TAG, 'Waiting for the kubelet to restart the component');
      out.progress(TAG, `This can take up to ${formatDuration(timeoutMs)}`);
      await restartUnchanged(ctx, wait, component, { current, oldBytes, oldMode, timeoutMs });
    } else {
      await host.writeFile(current, newText, MANIFEST_FILE_MODE);
      out.progress(TAG, 'Waiting for the kubelet to restart the component');
      out.progress(TAG, `This can take up to ${formatDuration(timeoutMs)}`);
      const changed = await wait.until(
        () => ctx.readHash(component),
        (h) => h !== undefined && h !== hashBefore.value,
        timeoutMs,
        ctx.hashPollIntervalMs ?? HASH_POLL_INTERVAL_MS,
      );
      if (!changed.ok) {
        throw new Error(
          `static Pod hash for component ${component} on Node ${ctx.nodeName} did not change after ${formatDuration(timeoutMs)}${lastError(changed.error)}`,
        );
      }
    }
    await waitHealthy(wait, ctx, component, timeoutMs);
    if (options.etcd?.available) {
      out.progress('upgrade/etcd', 'Waiting for etcd to become available');
      const up = await wait.until(
        options.etcd.available,
        (v) => v,
        timeoutMs,
        ctx.healthPollIntervalMs ?? HEALTH_POLL_INTERVAL_MS,
      );
      if (!up.ok) {
        throw new Error(
          `etcd did not become available within ${formatDuration(timeoutMs)}${lastError(up.error)}`,
        );
      }
    }
  } catch (err) {
    throw await rollBack(ctx, component, err, { current, backup, oldMode, timeoutMs, result, options });
  }

  out.progress(TAG, `Component "${component}" upgraded successfully!`);
  return result;
}

/**
 * The same manifest keeps the same config hash, so the kubelet would not restart the Pod if the
 * file were simply rewritten. Instead the manifest leaves the directory until the kubelet has
 * stopped the Pod (the runtime runs none of its containers, or else its mirror Pod is gone), then
 * comes back unchanged, byte for byte, and the mirror Pod must show up again.
 */
async function restartUnchanged(
  ctx: StaticPodUpgradeContext,
  wait: Waiter,
  component: string,
  s: { current: string; oldBytes: Buffer; oldMode: number; timeoutMs: number },
): Promise<void> {
  const interval = ctx.hashPollIntervalMs ?? HASH_POLL_INTERVAL_MS;
  await ctx.host.remove(s.current);
  const running = ctx.running;
  const stopped = running
    ? await wait.until(
        () => running(component),
        (r) => !r,
        s.timeoutMs,
        interval,
      )
    : await wait.until(
        () => ctx.readHash(component),
        (h) => h === undefined,
        s.timeoutMs,
        interval,
      );
  if (!stopped.ok) {
    throw new Error(
      `the kubelet did not stop the static Pod of ${component} on Node ${ctx.nodeName} within ${formatDuration(s.timeoutMs)} after its manifest was taken away${lastError(stopped.error)}`,
    );
  }
  await ctx.host.writeFile(s.current, s.oldBytes, s.oldMode);
  const back = await wait.until(
    async () => (running === undefined || (await running(component))) && (await ctx.readHash(component)),
    (h) => typeof h === 'string',
    s.timeoutMs,
    interval,
  );
  if (!back.ok) {
    throw new Error(
      `the kubelet did not start the static Pod of ${component} on Node ${ctx.nodeName} again within ${formatDuration(s.timeoutMs)}${lastError(back.error)}`,
    );
  }
}

async function waitHealthy(
  wait: Waiter,
  ctx: StaticPodUpgradeContext,
  component: string,
  timeoutMs: number,
): Promise<void> {
  const up = await wait.until(
    () => ctx.healthy(component),
    (v) => v,
    timeoutMs,
    ctx.healthPollIntervalMs ?? HEALTH_POLL_INTERVAL_MS,
  );
  if (!up.ok) {
    throw new Error(
      `component "${component}" did not become healthy within ${formatDuration(timeoutMs)}${lastError(up.error)}`,
    );
  }
}

/**
 * Puts the old manifest back (and the etcd data), waits a while for the old Pod to answer, and
 * returns the error to throw: it names the component, the cause and what was restored.
 */
async function rollBack(
  ctx: StaticPodUpgradeContext,
  component: string,
  cause: unknown,
  s: {
    current: string;
    backup: string;
    oldMode: number;
    timeoutMs: number;
    result: StaticPodUpgradeResult;
    options: StaticPodUpgradeOptions;
  },
): Promise<StaticPodUpgradeError> {
  const { host } = ctx;
  const onHost = (p: string) => host.paths.onHost(p);
  const failures: string[] = [];
  const restored: string[] = [];
  if (s.options.etcd && s.result.backupEtcdData) {
    try {
      await restoreTree(host, s.result.backupEtcdData, s.options.etcd.dataDir);
      restored.push(`the etcd data directory from "${onHost(s.result.backupEtcdData)}"`);
    } catch (err) {
      failures.push(`restoring the etcd data directory failed: ${errorMessage(err)}`);
    }
  }
  try {
    await host.writeFile(s.current, await host.readFile(s.backup), s.oldMode);
    restored.unshift(`the old manifest from "${onHost(s.backup)}"`);
  } catch (err) {
    failures.push(`restoring the old manifest failed: ${errorMessage(err)}`);
  }
  if (failures.length === 0) {
    // Best effort: the caller learns about the failure either way.
    try {
      await waitHealthy(waiter(ctx), ctx, component, s.timeoutMs);
    } catch (err) {
      ctx.out.warn(`[${TAG}] the restored "${component}" did not come back healthy: ${errorMessage(err)}`);
    }
  }
  const what = failures.length === 0 ? `; restored ${restored.join(' and ')}` : `; ${failures.join('; ')}`;
  return new StaticPodUpgradeError(
    `couldn't upgrade control plane component "${component}": ${errorMessage(cause)}${what}`,
    component,
    failures.length === 0,
    { cause },
  );
}

function lastError(err: unknown): string {
  return err === undefined ? '' : ` (last error: ${errorMessage(err)})`;
}

interface Waiter {
  /** Polls `get` until `done` holds or `timeoutMs` passes; errors count as "not yet". */
  until<T>(
    get: () => Promise<T>,
    done: (v: T) => boolean,
    timeoutMs: number,
    intervalMs: number,
  ): Promise<{ ok: boolean; value?: T; error?: unknown }>;
}

function waiter(ctx: Pick<StaticPodUpgradeContext, 'sleep' | 'now'>): Waiter {
  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = ctx.now ?? Date.now;
  return {
    async until(get, done, timeoutMs, intervalMs) {
      const deadline = now() + timeoutMs;
      let error: unknown;
      for (;;) {
        try {
          const value = await get();
          error = undefined;
          if (done(value)) return { ok: true, value };
        } catch (err) {
          error = err;
        }
        if (now() + intervalMs > deadline) return { ok: false, error };
        await sleep(intervalMs);
      }
    },
  };
}
