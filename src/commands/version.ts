// `kbadm version`: kubeadm's version.Info, with Node.js standing where Go stands in kubeadm.
// It must stay cheap: no heavy imports here or in what it reaches.
import { Command } from 'commander';
import { outputOption, parseOutputFormat } from '../output/printer.js';
import { KBADM_VERSION, GIT_COMMIT } from '../version.js';
import { dumpYaml } from '../output/yaml.js';
import { readBuildInfo, type BuildInfo } from '../host/build-info.js';
import type { CommandContext } from './context.js';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  nodeVersion: string;
  compiler: string;
  platform: string;
}

const VERSION_FORMATS = ['yaml', 'json', 'short'];

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64' };

export function versionInfo(build: BuildInfo = readBuildInfo()): VersionInfo {
  const [major = '', minor = ''] = KBADM_VERSION.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion: KBADM_VERSION,
    gitCommit: build.gitCommit ?? GIT_COMMIT,
    gitTreeState: build.gitTreeState ?? '',
    buildDate: build.buildDate ?? '',
    nodeVersion: process.version,
    compiler: build.compiler ?? 'tsc',
    platform: `${process.platform}/${GO_ARCH[process.arch] ?? process.arch}`,
  };
}

export function formatVersion(info: VersionInfo, format: string): string {
  switch (format) {
    case 'short':
      return info.gitVersion;
    case 'json':
      return JSON.stringify({ clientVersion: info }, null, 2);
    case 'yaml':
      return dumpYaml({ clientVersion: info }).trimEnd();
    default: {
      const fields = Object.entries(info).map(([k, v]) => `${k[0]!.toUpperCase()}${k.slice(1)}:"${v}"`);
      return `kbadm version: &version.Info{${fields.join(', ')}}`;
    }
  }
}

export function versionCommand(ctx: CommandContext): Command {
  return new Command('version')
    .summary("Show kbadm's release and the build it came from")
    .description(
      "Prints kbadm's release, which is also the Kubernetes version init installs unless told otherwise, " +
        'with the commit and date of the build and the Node.js version running it.',
    )
    .addOption(
      outputOption(
        VERSION_FORMATS,
        '',
        "Print 'short' (the release alone), 'json' or 'yaml' (a clientVersion object) instead of one line of fields",
      ),
    )
    .action((opts: { output: string }) => {
      if (opts.output !== '') parseOutputFormat(opts.output, VERSION_FORMATS);
      ctx.stdout.write(`${formatVersion(versionInfo(), opts.output)}\n`);
    });
}
