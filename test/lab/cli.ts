// `npm run lab -- up [--nodes N] [--versions v1.34.0,...] [-o json]`, `npm run lab -- exec NODE --
// CMD...`, `npm run lab -- down`. The lab directory is $KBADM_LAB_DIR or /tmp/kbadm-lab.
import { defaultLabDir, labDown, labExec, labUp, readState } from './lab.js';

function usage(): never {
  process.stderr.write(
    'usage: lab up [--nodes N] [--versions v1.34.0,...] [-o json] | lab exec NODE -- CMD... | lab down\n',
  );
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const dir = defaultLabDir();
  switch (verb) {
    case 'up': {
      let nodes = 1;
      let json = false;
      let versions: string[] | undefined;
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i]!;
        if (a === '--nodes') nodes = Number(rest[++i]);
        else if (a.startsWith('--nodes=')) nodes = Number(a.slice(8));
        else if (a === '--versions') versions = rest[++i]!.split(',');
        else if (a === '-o' && rest[i + 1] === 'json') ((json = true), i++);
        else if (a === '-o=json' || a === '--output=json') json = true;
        else usage();
      }
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9)
        throw new Error('--nodes must be an integer from 1 to 9');
      const s = await labUp({ nodes, dir, ...(versions ? { versions } : {}) });
      const view = { nodes: s.nodes, registry: s.registry };
      process.stdout.write(
        json
          ? `${JSON.stringify(view, null, 2)}\n`
          : s.nodes.map((n) => `${n.name}\t${n.address}\t${n.rootfs}`).join('\n') + '\n',
      );
      return 0;
    }
    case 'exec': {
      const [nodeName, sep, cmd, ...args] = rest;
      if (nodeName === undefined || sep !== '--' || cmd === undefined) usage();
      const node = readState(dir)?.nodes.find((n) => n.name === nodeName);
      if (node === undefined) throw new Error(`no node ${nodeName} in the lab at ${dir}`);
      const r = labExec(node, cmd, args);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.code;
    }
    case 'down':
      await labDown(dir);
      return 0;
    default:
      usage();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`lab: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
