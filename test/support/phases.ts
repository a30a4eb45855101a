// Runs kbadm commands against an in-memory test host, through the real command modules.
import { certsCommand } from '../../src/commands/certs.js';
import { initCommand } from '../../src/commands/init.js';
import { kubeconfigCommand } from '../../src/commands/kubeconfig.js';
import { createTestHost, type TestHost } from '../../src/host/test-host.js';
import { runOnHost, settleOnHost, type HostRun } from './host-cli.js';
import { prepareNode } from './prepared-node.js';

export type Run = HostRun;

/** v1beta4 init + cluster documents for node cp-1 at 10.0.0.5; ECDSA keeps the unit tests quick. */
export function configYaml(cluster: Record<string, string> = {}): string {
  const extra = Object.entries({ encryptionAlgorithm: 'ECDSA-P256', ...cluster })
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
  return (
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
    'localAPIEndpoint:\n  advertiseAddress: 10.0.0.5\nnodeRegistration:\n  name: cp-1\n---\n' +
    `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n${extra}`
  );
}

/** A node prepared for init (preflight passes) holding the configuration at /cfg.yaml. */
export function newHost(config = configYaml()): TestHost {
  return prepareNode(createTestHost({ files: { '/cfg.yaml': config }, facts: { hostname: 'cp-1' } })).host;
}

const FACTORIES = { init: initCommand, certs: certsCommand, kubeconfig: kubeconfigCommand };

export async function run(host: TestHost, command: keyof typeof FACTORIES, args: string[]): Promise<Run> {
  return runOnHost(FACTORIES[command], args, host);
}

/** A run that may fail: its output, and its error when it failed. */
export async function settle(
  host: TestHost,
  command: keyof typeof FACTORIES,
  args: string[],
): Promise<Run & { error?: Error }> {
  return settleOnHost(FACTORIES[command], args, host);
}

/** The error a run throws; fails the test when it does not throw. */
export async function failure(
  host: TestHost,
  command: keyof typeof FACTORIES,
  args: string[],
): Promise<Error> {
  try {
    await run(host, command, args);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`kbadm ${command} ${args.join(' ')} succeeded`);
}

/** The message of an error and its causes, as `--v=5` would show the chain. */
export function fullMessage(err: Error): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(': ');
}
