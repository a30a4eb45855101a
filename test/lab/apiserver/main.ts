// Entry point of the kube-apiserver stand-in inside a lab container: `kube-apiserver <flags>`.
// A bad flag or file ends the process with exit code 1 before it serves, as the real one does.
import { loadConfig, StartupError } from './flags.js';
import { startApiServer } from './server.js';

async function run(): Promise<void> {
  const cfg = loadConfig(process.argv.slice(2));
  if (process.env.LAB_KUBE_VERSION) cfg.version = process.env.LAB_KUBE_VERSION;
  const server = await startApiServer(cfg);
  process.stdout.write(`serving securely on ${cfg.bindAddress}:${server.port}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

run().catch((err: unknown) => {
  const message = err instanceof StartupError ? err.message : String((err as Error)?.stack ?? err);
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
});
