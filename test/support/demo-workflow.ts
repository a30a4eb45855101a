// A small workflow that exercises every engine feature (nesting, aliases, a hidden phase, runIf,
// inherited, phase-only and local flags) and prints what it runs; it touches nothing. The engine's
// tests mount it on the real root as a hidden `demo-workflow` command.
import { Command } from 'commander';
import type { Output } from '../../src/output/output.js';
import { bindRunner, Runner, type FlagSpec, type Invocation, type Phase } from '../../src/workflow/index.js';
import type { CommandEntry } from '../../src/commands/root.js';

export interface DemoData {
  out: Output;
  config: string;
  dryRun: boolean;
  nodeName: string;
  timeoutMs: number;
  extraSans: string[];
  kubeconfig: string;
  keyType: string;
  printManifest: boolean;
  args: readonly string[];
}

export const demoFlags: FlagSpec[] = [
  { name: 'config', type: 'string', description: 'Path to a configuration file' },
  {
    name: 'dry-run',
    type: 'boolean',
    description: "Don't apply any changes; just output what would be done",
  },
  { name: 'node-name', type: 'string', default: 'demo-node', description: 'Name of the node' },
  { name: 'timeout', type: 'duration', default: '1m0s', description: 'How long to wait' },
  { name: 'extra-sans', type: 'strings', description: 'Extra Subject Alternative Names' },
];

/** Flags only phase subcommands can inherit, like init's --kubeconfig. */
export const demoPhaseFlags: FlagSpec[] = [
  {
    name: 'kubeconfig',
    type: 'string',
    default: '/etc/kubernetes/admin.conf',
    description: 'The kubeconfig file to use when talking to the cluster',
  },
];

const step = (tag: string, describe: (d: DemoData) => string) => async (d: DemoData) => {
  d.out.progress(tag, describe(d));
};

export const demoPhases: Phase<DemoData>[] = [
  {
    name: 'prepare',
    short: 'Prepare the node',
    phases: [
      {
        name: 'config',
        aliases: ['cfg'],
        short: 'Load the configuration',
        inheritFlags: ['config', 'dry-run'],
        run: step('prepare/config', (d) => `Using config ${JSON.stringify(d.config)} (dry-run: ${d.dryRun})`),
      },
      {
        name: 'keys',
        short: 'Generate keys',
        inheritFlags: ['dry-run', 'extra-sans'],
        localFlags: [{ name: 'key-type', type: 'string', default: 'rsa', description: 'Key algorithm' }],
        run: step('prepare/keys', (d) => `Generating ${d.keyType} keys for SANs [${d.extraSans.join(',')}]`),
      },
    ],
    all: { short: 'Run every preparation step' },
  },
  {
    name: 'render',
    short: 'Render the node files',
    phases: [
      {
        name: 'files',
        short: 'Write files',
        inheritFlags: ['node-name', 'dry-run'],
        run: step('render/files', (d) => `Writing files for node ${JSON.stringify(d.nodeName)}`),
      },
      {
        name: 'manifests',
        aliases: ['manifest'],
        short: 'Write static Pod manifests (skipped with --dry-run)',
        inheritFlags: ['config', 'dry-run'],
        localFlags: [{ name: 'print-manifest', type: 'boolean', description: 'Print the manifests instead' }],
        runIf: (d) => !d.dryRun,
        run: step('render/manifests', (d) => (d.printManifest ? 'Printing manifests' : 'Writing manifests')),
      },
    ],
  },
  {
    name: 'debug',
    short: 'Dump the run data',
    hidden: true,
    run: step('debug', (d) => `node=${d.nodeName} timeout=${d.timeoutMs}ms args=[${d.args.join(',')}]`),
  },
  {
    name: 'finish [message]',
    aliases: ['done'],
    short: 'Finish the run',
    inheritFlags: ['kubeconfig', 'timeout'],
    argsValidator: (args) => {
      if (args.length > 1) throw new Error(`accepts at most 1 arg(s), received ${args.length}`);
    },
    run: step(
      'finish',
      (d) => `Done (kubeconfig ${d.kubeconfig}, timeout ${d.timeoutMs}ms)${suffix(d.args)}`,
    ),
  },
];

function suffix(args: readonly string[]): string {
  return args.length > 0 ? `: ${args.join(' ')}` : '';
}

/** The run data, built from flags; announces itself so a demo shows when (and that) it is built. */
export async function demoData(out: Output, ctx: Invocation): Promise<DemoData> {
  out.progress(
    'demo-workflow',
    ctx.phase ? `Initializing run data for phase ${ctx.phase}` : 'Initializing run data',
  );
  const { flags } = ctx;
  return {
    out,
    config: flags.string('config'),
    dryRun: flags.boolean('dry-run'),
    nodeName: flags.string('node-name'),
    timeoutMs: flags.duration('timeout'),
    extraSans: flags.strings('extra-sans'),
    kubeconfig: flags.string('kubeconfig'),
    keyType: flags.string('key-type'),
    printManifest: flags.boolean('print-manifest'),
    args: ctx.args,
  };
}

/** `demo-workflow [message]`: the demo workflow bound to a command, printing through `output()`. */
export function createDemoWorkflowCommand(output: () => Output): Command {
  const cmd = new Command('demo-workflow')
    .description('Run a demonstration workflow that only prints its phases')
    .argument('[message]', 'Text the finish phase prints');
  const runner = new Runner<DemoData>(demoPhases, { init: (ctx) => demoData(output(), ctx) });
  bindRunner(cmd, runner, { flags: demoFlags, phaseFlags: demoPhaseFlags });
  return cmd;
}

/** The demo as a hidden top-level command, for `buildProgram(ctx, argv, [...COMMANDS, demoWorkflowEntry])`. */
export const demoWorkflowEntry: CommandEntry = {
  name: 'demo-workflow',
  summary: 'Show the workflow engine on phases that only print what they do',
  hidden: true,
  load: async () => (ctx) => createDemoWorkflowCommand(() => ctx.output()),
};
