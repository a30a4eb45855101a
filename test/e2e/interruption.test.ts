// A full disk, an I/O error or a kill at any write of `kbadm init` (its offline phases) and of
// `kbadm certs renew all`: the next plain run completes the tree, with every certificate verifying
// against its CA (openssl), every key matching its certificate, every kubeconfig's client pair
// matching and verifying, no private key replaced, and no temporary file left anywhere.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/main.js';
import { faultyFileSystem, type FileFault } from '../support/faulty-fs.js';
import { treeProblems } from '../support/pki-check.js';
import { config } from '../support/e2e.js';

// Preflight is left out: these runs are about the files, and a re-run meets the manifests on purpose.
// No kubelet runs under the temporary roots, so there is no control plane to wait for either.
const INIT = ['init', '--config', '/cfg.yaml', '--skip-phases', 'preflight,wait-control-plane'];
const RENEW = ['certs', 'renew', 'all', '--config', '/cfg.yaml'];
/** Iterations run side by side: they share nothing but the CPU. */
const PARALLEL = 3;

let scratch: string;
let initialized: string;
before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'kbadm-interrupt-'));
  initialized = newRoot('initialized');
  const r = await kbadm(initialized, INIT);
  assert.equal(r.code, 0, r.stderr);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

let roots = 0;
function newRoot(name = `root-${++roots}`): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'cfg.yaml'), config('ECDSA-P256'));
  return dir;
}

async function kbadm(root: string, args: string[], fault?: ReturnType<typeof faultyFileSystem>) {
  let stdout = '';
  let stderr = '';
  const code = await main(['--rootfs', root, ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    ...(fault ? { fileSystem: fault } : {}),
  });
  return { code, stdout, stderr };
}

/** Private keys on disk, by file, kubeconfig client keys included. */
function privateKeys(root: string): Map<string, string> {
  const keys = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.key')) keys.set(p, readFileSync(p, 'utf8'));
      else if (e.name.endsWith('.conf')) {
        const m = /client-key-data: (\S+)/.exec(readFileSync(p, 'utf8'));
        if (m) keys.set(p, m[1]!);
      }
    }
  };
  walk(join(root, 'etc/kubernetes'));
  return keys;
}

async function inPool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

/** The files (temporary files and commit records) a command writes on a root made by `prepare`. */
async function filesWritten(args: string[], prepare: () => string): Promise<readonly string[]> {
  const counter = faultyFileSystem({ file: 0, at: 'data', mode: 'once' });
  const root = prepare();
  const r = await kbadm(root, args, counter);
  assert.equal(r.code, 0, r.stderr);
  rmSync(root, { recursive: true, force: true });
  return counter.files;
}

/**
 * The fault for the Nth file: a commit record's bytes hit a full disk; the other files take turns
 * (so that keys and certificates each meet all three): a full disk while writing the bytes, a
 * process killed while putting the file in place, an I/O error while putting it in place.
 */
function faultFor(n: number, files: readonly string[]): FileFault {
  if (/\.commit$/.test(files[n - 1]!)) return { file: n, at: 'data', mode: 'once' };
  const j = files.slice(0, n - 1).filter((f) => !/\.commit$/.test(f)).length;
  const kinds: FileFault[] = [
    { file: n, at: 'data', mode: 'once' },
    { file: n, at: 'commit', mode: 'crash' },
    { file: n, at: 'commit', mode: 'once' },
  ];
  return kinds[j % kinds.length]!;
}

function scenario(name: string, args: string[], prepare: () => string, expect: { keysKept: boolean }): void {
  test(`${name}: a full disk, a kill or an I/O error at write N, for every N; a plain re-run completes the tree`, async () => {
    const files = await filesWritten(args, prepare);
    assert.ok(files.length >= (args[0] === 'init' ? 40 : 20), `files written: ${files.length}`);
    const failures: string[] = [];
    await inPool(
      Array.from({ length: files.length }, (_, i) => i + 1),
      async (n) => {
        const root = prepare();
        const plan = faultFor(n, files);
        const fault = faultyFileSystem(plan);
        const first = await kbadm(root, args, fault);
        const what = `N=${n} ${plan.at}/${plan.mode} (${fault.failedStep ?? 'no fault'})`;
        if (fault.failedStep === undefined) failures.push(`${what}: the fault did not happen`);
        else if (first.code === 0) failures.push(`${what}: the failing run exited 0`);
        const keysBefore = privateKeys(root);
        const again = await kbadm(root, args);
        if (again.code !== 0) failures.push(`${what}: the re-run exited ${again.code}: ${again.stderr}`);
        for (const p of treeProblems(root)) failures.push(`${what}: ${p}`);
        if (expect.keysKept) {
          const keysAfter = privateKeys(root);
          for (const [file, key] of keysBefore)
            if (keysAfter.get(file) !== key) failures.push(`${what}: ${file} was replaced`);
        }
        rmSync(root, { recursive: true, force: true });
      },
    );
    assert.deepEqual(failures, []);
  });
}

describe('interrupted at any write, converged by a re-run', () => {
  scenario('init', INIT, () => newRoot(), { keysKept: true });
  scenario(
    'certs renew all',
    RENEW,
    () => {
      const root = newRoot();
      cpSync(initialized, root, { recursive: true });
      return root;
    },
    { keysKept: false },
  );
});
