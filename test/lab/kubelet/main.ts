// The simulated kubelet as a process of a lab node (run inside the node's network namespace):
// `main.ts --root DIR --node-name NAME --address IP [--version vX.Y.Z]`. Like the kubelet under
// systemd, it waits for its configuration, restarts after a failed start, and restarts when
// config.yaml or kubeadm-flags.env change (kbadm's kubelet-start and upgrade rewrite them).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connectRuntime } from '../../../src/host/cri/client.js';
import { SimulatedKubelet } from './kubelet.js';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    'node-name': { type: 'string' },
    address: { type: 'string' },
    version: { type: 'string', default: 'v1.34.0' },
  },
});
if (!values.root || !values['node-name'] || !values.address) {
  process.stderr.write('usage: main.ts --root DIR --node-name NAME --address IP [--version vX.Y.Z]\n');
  process.exit(2);
}
const root = values.root;

function configSignature(): string {
  const h = createHash('sha256');
  for (const f of ['var/lib/kubelet/config.yaml', 'var/lib/kubelet/kubeadm-flags.env']) {
    const p = path.join(root, f);
    h.update(existsSync(p) ? readFileSync(p) : Buffer.alloc(0));
  }
  return h.digest('hex');
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => (stopping = true));

while (!stopping) {
  const signature = configSignature();
  const kubelet = new SimulatedKubelet({
    root,
    nodeName: values['node-name'],
    address: values.address,
    version: values.version,
    connect: (endpoint) => connectRuntime(endpoint, { timeoutMs: 10_000 }),
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  try {
    await kubelet.start();
  } catch (err) {
    process.stderr.write(`${new Date().toISOString()} kubelet failed to start: ${(err as Error).message}\n`);
    await kubelet.stop().catch(() => undefined);
    await sleep(2000);
    continue;
  }
  while (!stopping && configSignature() === signature) await sleep(1000);
  await kubelet.stop();
}
process.exit(0);
