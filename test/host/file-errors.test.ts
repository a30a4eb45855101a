import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KbadmError } from '../../src/errors.js';
import { main } from '../../src/main.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { recordOutput } from '../../src/output/output.js';
import { runCli } from '../support/cli.js';
import { faultyFileSystem, type FileFault } from '../support/faulty-fs.js';

// Errors a file system reports without a path (ENOSPC on write, EISDIR on read) must still name the
// file, as the user knows it under --rootfs, in one line.
describe('file errors name the file', () => {
  let root: string;
  const at = (p: string) => path.join(root, p);
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-file-errors-'));
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  test('EISDIR on read: `open <file>: is a directory`, errno code kept', async () => {
    const host = createRealHost(createPaths(root), recordOutput());
    await fs.mkdir(at('etc/kubernetes/pki/ca.crt'), { recursive: true });
    for (const read of [host.readFile, host.readFileIfExists]) {
      await assert.rejects(
        read(at('etc/kubernetes/pki/ca.crt')),
        (e: unknown) =>
          e instanceof KbadmError &&
          (e as KbadmError & { code: string }).code === 'EISDIR' &&
          e.message === 'open /etc/kubernetes/pki/ca.crt: is a directory',
      );
    }
  });

  test('the CLI reports it in one line naming the file, exit 1', async () => {
    await fs.mkdir(at('etc/kubernetes/pki/ca.crt'), { recursive: true });
    const r = await runCli(['--rootfs', root, 'init', 'phase', 'certs', 'ca']);
    assert.equal(r.code, 1, r.stderr);
    const [line, hint, ...rest] = r.stderr.trimEnd().split('\n');
    assert.match(line!, /open \/etc\/kubernetes\/pki\/ca\.crt: is a directory$/);
    assert.match(hint!, /^To see the stack trace/);
    assert.deepEqual(rest, []);
  });

  test('ENOSPC on write: `write <file>: no space left on device`, and no temp file is left', async (t) => {
    // A 16 KiB tmpfs under the root fills up for real; it is unmounted whatever happens.
    const dir = at('full');
    await fs.mkdir(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,mode=0700', 'tmpfs', dir]);
    t.after(() => execFileSync('umount', [dir]));
    const host = createRealHost(createPaths(root), recordOutput());
    await assert.rejects(
      host.writeFile(path.join(dir, 'big.yaml'), Buffer.alloc(256 * 1024, 'x'), 0o600),
      (e: unknown) =>
        e instanceof KbadmError &&
        (e as KbadmError & { code: string }).code === 'ENOSPC' &&
        e.message === 'write /full/big.yaml: no space left on device',
    );
    assert.deepEqual(await fs.readdir(dir), []);
  });

  test('a key and certificate pair: the error names the file actually being written', async (t) => {
    const failed = (file: string, why: string) =>
      `error execution phase certs/ca: write /etc/kubernetes/pki/${file}: ${why}`;
    /** `init phase certs ca` on a fresh root, failing as `fault` says; its first stderr line and the files it wrote. */
    const certsCa = async (fault: ReturnType<typeof faultyFileSystem>) => {
      const dir = await fs.mkdtemp(path.join(root, 'pair-'));
      t.after(() => fs.rm(dir, { recursive: true, force: true }));
      let stderr = '';
      const code = await main(['--rootfs', dir, 'init', 'phase', 'certs', 'ca'], {
        stdout: { write: () => undefined },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        fileSystem: fault,
      });
      return { code, line: stderr.split('\n')[0], files: fault.files.map((f) => path.basename(f)) };
    };
    const counted = await certsCa(faultyFileSystem({ file: 0, at: 'data', mode: 'once' }));
    assert.equal(counted.code, 0);
    const nth = (pattern: RegExp) => counted.files.findIndex((f) => pattern.test(f)) + 1;
    const crt = nth(/^\.ca\.crt\.kbadm-/);
    const key = nth(/^\.ca\.key\.kbadm-/);
    const record = nth(/^\.kbadm-.*\.commit$/);
    assert.ok(crt > 0 && key > 0 && record > Math.max(crt, key), counted.files.join(' '));
    const lastOfPair = crt > key ? 'ca.crt' : 'ca.key';
    const cases: [FileFault, string][] = [
      [{ file: crt, at: 'data', mode: 'once' }, failed('ca.crt', 'no space left on device')],
      [{ file: key, at: 'data', mode: 'once' }, failed('ca.key', 'no space left on device')],
      [{ file: record, at: 'data', mode: 'once' }, failed(lastOfPair, 'no space left on device')],
      [{ file: crt, at: 'commit', mode: 'once' }, failed('ca.crt', 'input/output error')],
      [{ file: key, at: 'commit', mode: 'once' }, failed('ca.key', 'input/output error')],
    ];
    for (const [plan, expected] of cases) {
      const r = await certsCa(faultyFileSystem(plan));
      assert.equal(r.code, 1, `${plan.at} of file ${plan.file}`);
      assert.equal(r.line, expected, `${plan.at} of file ${plan.file}`);
    }
  });
});
