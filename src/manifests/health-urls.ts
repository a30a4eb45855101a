// Where init checks the node's health: the kubelet's healthz from its configuration, and each
// control-plane component's health URL from its static Pod as written (after patches), so an
// extraArgs or patched --secure-port / --bind-address / --advertise-address is followed.
import { joinHostPort } from '../config/net.js';
import { KUBELET_DEFAULTS } from '../config/component-configs.js';
import { getArg, parseFlags } from './args.js';
import {
  KUBE_APISERVER,
  KUBE_CONTROLLER_MANAGER,
  KUBE_CONTROLLER_MANAGER_PORT,
  KUBE_SCHEDULER,
  KUBE_SCHEDULER_PORT,
  type ControlPlaneComponentName,
} from './control-plane.js';

export interface HealthTarget {
  component: ControlPlaneComponentName;
  url: string;
  /** The port the URL names: the one a port-in-use diagnosis looks at. */
  port: number;
  /** The container image of the static Pod, '' when it names none. */
  image: string;
}

const DEFAULT_APISERVER_PORT = 6443;

/** The kubelet's healthz URL, or undefined when healthzPort is 0 (the check is skipped). */
export function kubeletHealthzURL(
  kubeletConfig: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const port = kubeletConfig?.['healthzPort'] ?? KUBELET_DEFAULTS.healthzPort;
  if (port === 0) return undefined;
  const address = kubeletConfig?.['healthzBindAddress'];
  const host = typeof address === 'string' && address !== '' ? address : KUBELET_DEFAULTS.healthzBindAddress;
  return `http://${joinHostPort(host, String(port))}/healthz`;
}

/** The first container's command and args of a static Pod read back from YAML. */
function containerOf(pod: unknown): { command: string[]; image: string } {
  const spec = (pod as { spec?: { containers?: unknown } } | null)?.spec;
  const containers = Array.isArray(spec?.containers) ? spec.containers : [];
  const first = (containers[0] ?? {}) as { command?: unknown; args?: unknown; image?: unknown };
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  return {
    command: [...strings(first.command), ...strings(first.args)],
    image: typeof first.image === 'string' ? first.image : '',
  };
}

function target(
  component: ControlPlaneComponentName,
  pod: unknown,
  defaultHost: string,
  hostFlag: string,
  defaultPort: number,
  path: string,
): HealthTarget {
  const { command, image } = containerOf(pod);
  const args = parseFlags(command);
  const host = getArg(args, hostFlag) || defaultHost;
  const portText = getArg(args, 'secure-port');
  const port = portText !== undefined && /^[0-9]+$/.test(portText) ? Number(portText) : defaultPort;
  return { component, url: `https://${joinHostPort(host, portText ?? String(port))}${path}`, port, image };
}

/**
 * The three health URLs in kubeadm's order: kube-apiserver /livez at its advertise address and
 * secure port (defaults: localAPIEndpoint), kube-controller-manager /healthz (it serves no /livez)
 * and kube-scheduler /livez at their bind address (default 127.0.0.1) and secure port.
 */
export function controlPlaneHealthTargets(
  pods: Readonly<Record<ControlPlaneComponentName, unknown>>,
  endpoint: { advertiseAddress: string; bindPort: number },
): HealthTarget[] {
  return [
    target(
      KUBE_APISERVER,
      pods[KUBE_APISERVER],
      endpoint.advertiseAddress,
      'advertise-address',
      endpoint.bindPort || DEFAULT_APISERVER_PORT,
      '/livez',
    ),
    target(
      KUBE_CONTROLLER_MANAGER,
      pods[KUBE_CONTROLLER_MANAGER],
      '127.0.0.1',
      'bind-address',
      KUBE_CONTROLLER_MANAGER_PORT,
      '/healthz',
    ),
    target(KUBE_SCHEDULER, pods[KUBE_SCHEDULER], '127.0.0.1', 'bind-address', KUBE_SCHEDULER_PORT, '/livez'),
  ];
}
