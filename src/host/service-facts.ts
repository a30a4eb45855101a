// What the init system says about a service, for preflight: read-only queries, kubeadm's way
// (util/initsystem): systemctl on the PATH means systemd, else openrc, else none.
import type { Host } from './host.js';

export type InitSystem = 'systemd' | 'openrc';

export interface ServiceFacts {
  /** undefined: neither systemctl nor openrc is on the PATH. */
  initSystem?: InitSystem;
  exists: boolean;
  enabled: boolean;
  /** Active or activating. */
  active: boolean;
}

/** The command that enables a service at boot, as the init system spells it. */
export function enableCommand(init: InitSystem, service: string): string {
  return init === 'systemd' ? `systemctl enable ${service}.service` : `rc-update add ${service} default`;
}

/**
 * The service's state on this machine, or undefined under another --rootfs: this machine's init
 * system says nothing about the system there (systemctl in kubeadm's chroot cannot answer either).
 */
export async function readServiceFacts(host: Host, service: string): Promise<ServiceFacts | undefined> {
  if (host.paths.rootfs !== '/') return undefined;
  const query = (command: string, args: string[]) =>
    host.run(command, args, { allowFailure: true, readOnly: true, timeoutMs: 10_000 });
  if (await host.which('systemctl')) {
    const status = await query('systemctl', ['status', service]);
    const exists = !/Loaded: not-found|could not be found/.test(status.stdout);
    const enabled = (await query('systemctl', ['is-enabled', service])).exitCode === 0;
    const state = (await query('systemctl', ['is-active', service])).stdout.trim();
    return {
      initSystem: 'systemd',
      exists,
      enabled,
      active: state === 'active' || state === 'activating',
    };
  }
  if (await host.which('openrc')) {
    const status = await query('rc-service', [service, 'status']);
    const text = status.stdout + status.stderr;
    const exists = !text.includes('does not exist');
    const enabled = (await query('rc-update', ['show', 'default'])).stdout.includes(service);
    return { initSystem: 'openrc', exists, enabled, active: exists && !text.includes('stopped') };
  }
  return { exists: false, enabled: false, active: false };
}
