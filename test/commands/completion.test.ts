import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { completionScript } from '../../src/commands/completion.js';
import { runCli } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

// A tree shaped like kbadm's: nested phase commands, aliases, value flags with and without choices.
function sampleProgram(): Command {
  const root = new Command('kbx')
    .option('--rootfs <path>', 'host root')
    .option('-v, --v <level>', 'verbosity');
  const init = root.command('init').description('Set up a control plane');
  init.option('--config <file>', 'config file').option('--dry-run', 'do nothing');
  const phase = init.command('phase').description('Run one phase');
  const certs = phase.command('certs').description('Create certificates');
  certs.command('all').description('Create every certificate').option('--cert-dir <dir>', 'dir');
  certs
    .command('apiserver')
    .description("Create the API server's certificate")
    .option('--cert-dir <dir>', 'dir');
  phase.command('upload-config').alias('uploadconfig').description('Upload the configuration');
  phase.command('secret').description('hidden one');
  (phase.commands.at(-1) as Command & { _hidden: boolean })._hidden = true;
  root
    .command('version')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json', 'short']));
  root.command('join').description('Add this machine to a cluster');
  return root;
}

const dir = mkdtempSync(join(tmpdir(), 'kbadm-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'files'));
writeFileSync(join(dir, 'files', 'cluster.yaml'), '');
writeFileSync(join(dir, 'files', 'cluster.json'), '');

function scriptFile(shell: string): string {
  const file = join(dir, `kbx.${shell}`);
  writeFileSync(file, completionScript(sampleProgram(), shell));
  return file;
}

/** Candidates bash offers for a command line (the cursor at its end). */
function bash(line: string): string[] {
  const out = execFileSync(
    'bash',
    [
      '-c',
      'source "$1"; COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; _kbx; printf "%s\\n" "${COMPREPLY[@]}"',
      '_',
      scriptFile('bash'),
      line,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean).sort();
}

const cases: [string, string[]][] = [
  ['kbx ', ['init', 'join', 'version']],
  ['kbx i', ['init']],
  ['kbx init ', ['phase']],
  ['kbx init phase ', ['certs', 'upload-config', 'uploadconfig']],
  ['kbx init phase certs ', ['all', 'apiserver']],
  ['kbx init phase certs apiserver --cert', ['--cert-dir']],
  ['kbx --rootfs /x init --dry-run phase c', ['certs']],
  ['kbx init --config files/cluster.yaml phase ', ['certs', 'upload-config', 'uploadconfig']],
  ['kbx --v 3 init phase certs ', ['all', 'apiserver']],
  ['kbx version --output ', ['json', 'short', 'yaml']],
  ['kbx version -o j', ['json']],
  ['kbx version --output=y', ['yaml']],
  ['kbx init --config files/cluster.y', ['files/cluster.yaml']],
  ['kbx init --d', ['--dry-run']],
  ['kbx join --r', ['--rootfs']],
  [
    'kbx init phase uploadconfig --',
    ['--help', '--rootfs', '--v', '-h', '-v'].filter((f) => f.startsWith('--')),
  ],
];

test('bash completion completes commands, phases, aliases, flags and flag values', () => {
  for (const [line, expected] of cases) assert.deepEqual(bash(line), [...expected].sort(), line);
});

test('bash completion hides hidden commands', () => {
  assert.ok(!bash('kbx init phase ').includes('secret'));
});

test('zsh completion offers the same candidates', () => {
  requireTool('zsh');
  const file = scriptFile('zsh');
  // Stand-ins for the completion system's builtins, filtering by the word under the cursor as zsh does.
  const harness = `
compdef() { : }
PREFIX=""
compset() { [[ $1 == -P ]] && PREFIX="\${PREFIX#*=}"; }
_files() { print -r -- __FILES__ }
compadd() {
  local arr
  while (( $# )); do case $1 in -a) shift; arr=$1 ;; -d) shift ;; esac; shift; done
  local n; for n in "\${(@P)arr}"; do [[ $n == "$PREFIX"* ]] && print -r -- "$n"; done
  return 0
}
source "$1"
words=(\${(z)2})
[[ "$2" == *" " ]] && words+=("")
CURRENT=\${#words}
PREFIX="\${words[CURRENT]}"
_kbx`;
  for (const [line, expected] of cases) {
    const out = execFileSync('zsh', ['-f', '-c', harness, '_', file, line], { cwd: dir, encoding: 'utf8' });
    const got = out.split('\n').filter(Boolean).sort();
    if (got[0] === '__FILES__') continue; // file names are zsh's own _files job
    assert.deepEqual(got, [...expected].sort(), line);
  }
});

test('fish completion offers the same candidates', () => {
  requireTool('fish');
  const file = scriptFile('fish');
  for (const [line, expected] of cases) {
    const out = execFileSync(
      'fish',
      ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', file, line],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    const got = out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!)
      .sort();
    // fish replaces the whole token, so a "--flag=" prefix stays on its candidates.
    const prefix = /(--?[\w-]+=)[^ ]*$/.exec(line)?.[1] ?? '';
    assert.deepEqual(got, expected.map((e) => prefix + e).sort(), line);
  }
});

test('kbadm completion prints a valid script for each shell and rejects others', async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runCli(['completion', shell]);
    assert.equal(r.code, 0, shell);
    assert.match(r.stdout, /kbadm/);
    const file = join(dir, `kbadm.${shell}`);
    writeFileSync(file, r.stdout);
    if (shell !== 'bash') requireTool(shell);
    const check = spawnSync(shell, shell === 'fish' ? ['--no-execute', file] : ['-n', file], {
      encoding: 'utf8',
    });
    assert.equal(check.status, 0, `${shell}: ${check.stderr}`);
  }
  const bad = await runCli(['completion', 'powershell']);
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /shell: "powershell": unsupported shell type; supported: bash, zsh, fish/);
});

test('the real kbadm tree completes its commands, phases and output formats in bash', async () => {
  const file = join(dir, 'kbadm.bash');
  writeFileSync(file, (await runCli(['completion', 'bash'])).stdout);
  const complete = (line: string): string[] =>
    execFileSync(
      'bash',
      [
        '-c',
        'source "$1"; COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; _kbadm; printf "%s\\n" "${COMPREPLY[@]}"',
        '_',
        file,
        line,
      ],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
  const top = complete('kbadm ');
  for (const c of ['certs', 'completion', 'config', 'init', 'kubeconfig', 'version'])
    assert.ok(top.includes(c), c);
  assert.ok(!top.includes('demo-workflow'), 'hidden commands are not offered');
  assert.deepEqual(complete('kbadm init phase control-plane '), [
    'apiserver',
    'controller-manager',
    'scheduler',
    'all',
  ]);
  assert.deepEqual(complete('kbadm init -o '), ['text', 'json', 'yaml']);
  assert.deepEqual(complete('kbadm certs check-expiration --output=j'), ['json']);
});
