// The mark a whole `kbadm init` leaves on the node while it writes: written once preflight has
// passed, removed when the init succeeded. When the next `kbadm init` finds it, the node's
// manifests, etcd data and busy ports are that interrupted init's own work, not another control
// plane's, and preflight lets the run resume instead of refusing it (see preflight/lists.ts
// initResumeChecks). It holds when and by which process the init started: nothing secret.
import * as path from 'node:path';
import type { Host } from '../host/host.js';
import type { Paths } from '../host/paths.js';

/** The marker's name, in /etc/kubernetes/tmp. */
export const INIT_IN_PROGRESS_FILE = 'kbadm-init.in-progress';

/** /etc/kubernetes, as the certs phase creates it. */
const KUBERNETES_DIR_MODE = 0o755;
/** kubeadm's mode for its temporary directory. */
const TMP_DIR_MODE = 0o700;

export interface InitInProgress {
  /** When the interrupted init started (ISO 8601), when the marker says. */
  started?: string;
  /** Its process id, when the marker says. */
  pid?: number;
}

export function initMarkerPath(paths: Pick<Paths, 'tmpDir'>): string {
  return path.join(paths.tmpDir, INIT_IN_PROGRESS_FILE);
}

/** The marker's text. */
export function initMarkerText(started: Date, pid: number): string {
  return (
    '# A kbadm init is running on this node, or was interrupted; the next kbadm init resumes it.\n' +
    `started: ${started.toISOString()}\npid: ${pid}\n`
  );
}

/** What a marker says; a marker that says nothing readable still marks an interrupted init. */
export function parseInitMarker(text: string): InitInProgress {
  const started = /^started: (\S+)$/m.exec(text)?.[1];
  const pid = /^pid: (\d+)$/m.exec(text)?.[1];
  return { ...(started ? { started } : {}), ...(pid ? { pid: Number(pid) } : {}) };
}

/** The marker of an interrupted init, when there is one. */
export async function readInitMarker(
  host: Pick<Host, 'readFileIfExists'>,
  paths: Pick<Paths, 'tmpDir'>,
): Promise<InitInProgress | undefined> {
  const data = await host.readFileIfExists(initMarkerPath(paths));
  return data === undefined ? undefined : parseInitMarker(data.toString('utf8'));
}

/** Marks the node: an init that started at `started` is writing it (written atomically, 0600). */
export async function writeInitMarker(
  host: Host,
  paths: Pick<Paths, 'tmpDir'>,
  started: Date,
): Promise<void> {
  await host.mkdir(path.dirname(paths.tmpDir), KUBERNETES_DIR_MODE);
  await host.mkdir(paths.tmpDir, TMP_DIR_MODE);
  const { pid } = await host.machine();
  await host.writeFile(initMarkerPath(paths), initMarkerText(started, pid), 0o600);
}

/**
 * Removes the marker. With `tidy` (an init that succeeded), the temporary directory goes too when
 * the marker was all it held, so a finished init leaves /etc/kubernetes as kubeadm's does.
 */
export async function removeInitMarker(
  host: Host,
  paths: Pick<Paths, 'tmpDir'>,
  options: { tidy?: boolean } = {},
): Promise<void> {
  const marker = initMarkerPath(paths);
  if (!(await host.exists(marker))) return;
  await host.remove(marker);
  if (options.tidy && (await host.listDir(paths.tmpDir)).length === 0) await host.remove(paths.tmpDir);
}
