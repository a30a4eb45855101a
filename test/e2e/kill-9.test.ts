// The built CLI killed with SIGKILL at spread-out moments of `init` and `certs renew all`: the
// next plain run completes the tree, every certificate verifies, every key matches, no private
// key that existed is replaced, and no temporary file (some hold private keys) is left behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.js';
import { treeProblems } from '../support/pki-check.js';
import { config } from '../support/e2e.js';
import { API_SERVER_PHASES } from '../support/temp-root-preflight.js';

const CLI = fileURLToPath(new URL('../../dist/bundle/kbadm.js', import.meta.url));
// Preflight is left out: these runs are about the files, and a re-run meets the manifests on purpose.
const INIT = [
  'init',
  '--config',
  '/cfg.yaml',
  '--skip-phases',
  ['preflight', ...API_SERVER_PHASES].join(','),
];
const RENEW = ['certs', 'renew', 'all', '--config', '/cfg.yaml'];
/** What init writes after the PKI and kubeconfig files, which treeProblems checks. */
const NODE_FILES = [
  'etc/kubernetes/manifests/etcd.yaml',
  'etc/kubernetes/manifests/kube-apiserver.yaml',
  'etc/kubernetes/manifests/kube-controller-manager.yaml',
  'etc/kubernetes/manifests/kube-scheduler.yaml',
  'var/lib/kubelet/kubeadm-flags.env',
  'var/lib/kubelet/instance-config.yaml',
  'var/lib/kubelet/config.yaml',
];

let scratch: string;
let initialized: string;
let roots = 0;

function newRoot(): string {
  const dir = join(scratch, `root-${++roots}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'cfg.yaml'), config('ECDSA-P256'));
  return dir;
}

/** The re-run: in-process, which is cheaper than a new process and runs the same code. */
function kbadm(root: string, args: string[]) {
  return runCli(['--rootfs', root, ...args]);
}

/**
 * Starts the CLI and kills it with SIGKILL `delayMs` after its `line`-th line of output (progress
 * lines come right before the writes they announce). Resolves with whether the kill landed.
 */
function killDuring(root: string, args: string[], line: number, delayMs: number): Promise<boolean> {
  const child = spawn(process.execPath, [CLI, '--rootfs', root, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lines = 0;
  let armed = false;
  child.stdout.on('data', (d: Buffer) => {
    lines += d.toString().split('\n').length - 1;
    if (lines >= line && !armed) {
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    }
  });
  return new Promise((resolve) => child.on('close', (_code, signal) => resolve(signal === 'SIGKILL')));
}

function privateKeys(root: string): Map<string, string> {
  const keys = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.key')) keys.set(p, readFileSync(p, 'utf8'));
    }
  };
  if (existsSync(join(root, 'etc/kubernetes'))) walk(join(root, 'etc/kubernetes'));
  return keys;
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  scratch = mkdtempSync(join(tmpdir(), 'kbadm-kill-'));
  initialized = newRoot();
  const r = await kbadm(initialized, INIT);
  assert.equal(r.code, 0, r.stderr);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * [line, extra delay in ms]: from the first certificate to the last files of each command. init's
 * lines (with preflight and the API-server phases skipped): 3-16 certs, 17-22 kubeconfig, 23 etcd,
 * 24-27 control-plane, 28-31 kubelet-start (kubeadm-flags.env, instance-config.yaml, config.yaml).
 */
const INIT_MOMENTS: readonly [number, number][] = [
  [3, 0],
  [5, 3],
  [8, 1],
  [11, 5],
  [14, 0],
  [16, 2],
  [19, 4],
  [22, 0],
  [23, 0],
  [25, 1],
  [27, 0],
  [28, 0],
  [29, 1],
  [31, 0],
];
const RENEW_MOMENTS: readonly [number, number][] = [
  [1, 0],
  [3, 2],
  [6, 1],
  [9, 3],
];

describe('kill -9 of the built CLI, then a plain re-run', () => {
  for (const [name, args, moments, fromInitialized] of [
    ['init', INIT, INIT_MOMENTS, false],
    ['certs renew all', RENEW, RENEW_MOMENTS, true],
  ] as const) {
    test(`${name}: killed at ${moments.length} moments, every re-run completes a tree that verifies`, async () => {
      const problems: string[] = [];
      const missed: string[] = [];
      for (const [line, delay] of moments) {
        const root = newRoot();
        if (fromInitialized) cpSync(initialized, root, { recursive: true });
        if (!(await killDuring(root, args, line, delay))) missed.push(`${line} + ${delay} ms`);
        const keys = privateKeys(root);
        const r = await kbadm(root, args);
        const at = `killed after line ${line} + ${delay} ms`;
        if (r.code !== 0) problems.push(`${at}: re-run exited ${r.code}: ${r.stderr}`);
        for (const p of treeProblems(root)) problems.push(`${at}: ${p}`);
        for (const f of NODE_FILES)
          if (!existsSync(join(root, f))) problems.push(`${at}: ${f} is missing after the re-run`);
        if (!fromInitialized) {
          const now = privateKeys(root);
          for (const [file, key] of keys)
            if (now.get(file) !== key) problems.push(`${at}: ${file} was replaced`);
        }
        rmSync(root, { recursive: true, force: true });
      }
      assert.deepEqual(problems, []);
      assert.ok(missed.length <= 1, `moments the command ended before the kill: ${missed.join(', ')}`);
    });
  }
});
