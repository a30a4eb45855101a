// The one program inside the lab's control-plane images: `components.mjs <component> <flags>`,
// where <component> is the command kbadm's manifest runs (kube-apiserver, kube-controller-manager,
// kube-scheduler). A bad flag or file ends the process with exit code 1 before it serves, as the
// real components do; SIGTERM stops it cleanly.
import { loadConfig } from '../apiserver/flags.js';
import { startApiServer } from '../apiserver/server.js';
import { runControllerManager } from '../controllers/controller-manager.js';
import { runScheduler } from '../controllers/scheduler.js';

async function start(component: string, args: string[]): Promise<() => Promise<void>> {
  switch (component) {
    case 'kube-apiserver': {
      const cfg = loadConfig(args);
      if (process.env.LAB_KUBE_VERSION) cfg.version = process.env.LAB_KUBE_VERSION;
      const server = await startApiServer(cfg);
      process.stdout.write(`serving securely on ${cfg.bindAddress}:${server.port}\n`);
      return () => server.close();
    }
    case 'kube-controller-manager':
      return runControllerManager(args);
    case 'kube-scheduler':
      return runScheduler(args);
    default:
      throw new Error(`unknown component ${JSON.stringify(component)}`);
  }
}

const [component = '', ...args] = process.argv.slice(2);
start(component, args).then(
  (stop) => {
    const onSignal = () => void stop().then(() => process.exit(0));
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  },
  (err: unknown) => {
    process.stderr.write(`Error: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  },
);
