// `kbadm upgrade plan v1.34.0` (the built CLI, text and -o json) against the lab's API server
// stand-in on a real etcd holding 5,000 Nodes, against the same cluster with 50 Nodes: the ratio
// says what the cluster's size costs on top of start-up and the fixed reads. Both clusters run in
// this process, side by side, and the runs alternate between them, so that load from elsewhere on
// the machine falls on both alike. Needs /usr/bin/etcd and /usr/bin/kubectl (the lab fixture's
// tools); no root, no containers. Run after `npm run build`.
// BENCH_RUNS sets the number of runs per case (default 5); the median is reported.
import { register } from 'tsx/esm/api';

register();
const { startPlanCluster } = await import('../test/lab/plan-cluster.ts');

const runs = Number(process.env.BENCH_RUNS ?? 5);
const FROM = 'v1.33.4';
const SIZES = [50, 5000];

function workers(total) {
  return Array.from({ length: total - 1 }, (_, i) => [
    `worker-${String(i).padStart(4, '0')}`,
    i % 5 === 1 ? 'v1.33.1' : FROM,
  ]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const clusters = [];
try {
  for (const size of SIZES) {
    clusters.push(
      await startPlanCluster({
        name: `bench-plan-${size}`,
        kubernetesVersion: FROM,
        etcdVersion: '3.5.21-0',
        controlPlanes: ['cp-1'],
        workers: workers(size),
      }),
    );
  }
  const cases = clusters.flatMap((cluster, i) =>
    [[], ['-o', 'json']].map((args) => ({
      name: `${SIZES[i]} Nodes, ${args.length === 0 ? 'text' : 'json'}`,
      run: async () => {
        const t = process.hrtime.bigint();
        const { stdout } = await cluster.plan(['v1.34.0', ...args]);
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        const rows = stdout.match(/^kubelet {5}/gm)?.length ?? stdout.match(/"name": "kubelet"/g)?.length;
        if (rows !== SIZES[i]) throw new Error(`${SIZES[i]} Nodes, but ${rows} kubelet entries`);
        return ms;
      },
    })),
  );
  for (const c of cases) await c.run(); // warm the file cache
  const samples = cases.map(() => []);
  for (let r = 0; r < runs; r++) for (const [j, c] of cases.entries()) samples[j].push(await c.run());
  const medians = samples.map(median);
  cases.forEach((c, j) => {
    // The 5,000-Node cases against the 50-Node case of the same format.
    const base = j - 2;
    const ratio = base >= 0 ? `  ${(medians[j] / medians[base]).toFixed(2)}x the ${SIZES[0]}-Node run` : '';
    console.log(`upgrade plan, ${c.name.padEnd(18)} ${medians[j].toFixed(0).padStart(6)} ms${ratio}`);
  });
  console.log(`(medians of ${runs} runs)`);
} finally {
  for (const c of clusters) await c.close();
}
