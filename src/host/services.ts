// Service control on the machine kbadm runs on, kubeadm's way (util/initsystem): systemd when
// systemctl is on the PATH, else OpenRC, else none. Callers decide what a failure means.
import type { Host } from './host.js';

export type InitSystem = 'systemd' | 'openrc';

/**
 * Service commands act on the machine kbadm runs on. Under another --rootfs kubeadm has chrooted,
 * and systemctl in a chroot ignores service requests, so kbadm leaves the services alone there.
 */
export function managesServices(host: Host): boolean {
  return host.paths.rootfs === '/';
}

/** kubeadm's GetInitSystem: systemctl on the PATH means systemd, else openrc, else none. */
export async function detectInitSystem(host: Host): Promise<InitSystem | undefined> {
  if (await host.which('systemctl')) return 'systemd';
  if (await host.which('openrc')) return 'openrc';
  return undefined;
}

/** Whether the init system knows the service (a unit or an init script exists). */
export async function serviceExists(host: Host, init: InitSystem, service: string): Promise<boolean> {
  const r =
    init === 'systemd'
      ? await host.run('systemctl', ['status', service], { allowFailure: true, readOnly: true })
      : await host.run('rc-service', [service, 'status'], { allowFailure: true, readOnly: true });
  const text = init === 'systemd' ? r.stdout : r.stdout + r.stderr;
  return !text.includes(init === 'systemd' ? 'Loaded: not-found' : 'does not exist');
}

/** `systemctl is-active <service>` is active or activating (a crash-looping kubelet counts). */
export async function serviceIsActive(host: Host, service: string): Promise<boolean> {
  // This machine's services say nothing about the system under --rootfs (in kubeadm's chroot the
  // query fails and counts as inactive).
  if (!managesServices(host)) return false;
  const init = await detectInitSystem(host);
  if (init === undefined) return false;
  const r =
    init === 'systemd'
      ? await host.run('systemctl', ['is-active', service], { allowFailure: true, readOnly: true })
      : await host.run('rc-service', [service, 'status'], { allowFailure: true, readOnly: true });
  if (init === 'openrc') {
    const text = r.stdout + r.stderr;
    return !text.includes('stopped') && !text.includes('does not exist');
  }
  const state = r.stdout.trim();
  return state === 'active' || state === 'activating';
}

/** Stops a service; throws when the init system reports a failure. */
export async function stopService(host: Host, init: InitSystem, service: string): Promise<void> {
  if (init === 'systemd') await host.run('systemctl', ['stop', service]);
  else await host.run('rc-service', [service, 'stop']);
}

/** Reloads systemd's units, then restarts the service; throws when either step fails. */
export async function restartService(host: Host, init: InitSystem, service: string): Promise<void> {
  if (init === 'systemd') {
    await host.run('systemctl', ['daemon-reload']);
    await host.run('systemctl', ['restart', service]);
  } else {
    await host.run('rc-service', [service, 'restart']);
  }
}
