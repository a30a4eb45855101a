// Writes that survive interruption: a unit of files (a key and its certificate) is in place
// entirely or not at all once the next locked run has looked at its directory; an exclusive write
// never replaces a file; temporary files are private and never outlive the next run.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  FileExistsError,
  isKbadmTempName,
  recoverDir,
  writeFileAtomic,
  writeUnit,
} from '../../src/host/files.js';
import type { FileWrite } from '../../src/host/host.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { recordOutput } from '../../src/output/output.js';
import { faultyFileSystem } from '../support/faulty-fs.js';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-units-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const dir = () => path.join(tmp, 'pki');

/** The directory's files and contents, temporary files included. */
async function contents(d = dir()): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await fs.readdir(d).catch(() => [])).sort()) {
    out[name] = await fs.readFile(path.join(d, name), 'utf8');
  }
  return out;
}

function pair(tag: string, exclusive: boolean): FileWrite[] {
  return [
    { path: path.join(dir(), 'ca.key'), data: `key-${tag}`, mode: 0o600, exclusive },
    { path: path.join(dir(), 'ca.crt'), data: `crt-${tag}`, mode: 0o644, exclusive },
  ];
}

describe('writeUnit', () => {
  test('puts every file in place with its mode and leaves no temporary file', async () => {
    await writeUnit(pair('new', true));
    assert.deepEqual(await contents(), { 'ca.crt': 'crt-new', 'ca.key': 'key-new' });
    assert.equal((await fs.stat(path.join(dir(), 'ca.key'))).mode & 0o777, 0o600);
    assert.equal((await fs.stat(path.join(dir(), 'ca.crt'))).mode & 0o777, 0o644);
  });

  test('an exclusive file found in place is kept, names the file, and stops the unit there', async () => {
    await fs.mkdir(dir());
    await fs.writeFile(path.join(dir(), 'ca.key'), 'theirs');
    await assert.rejects(
      writeUnit(pair('new', true), { show: (p) => `/shown${p.slice(tmp.length)}` }),
      (err: unknown) => err instanceof FileExistsError && err.message.includes('/shown/pki/ca.key'),
    );
    // Their key is untouched, our certificate (which belongs to our key) is not put next to it.
    assert.deepEqual(await contents(), { 'ca.key': 'theirs' });
  });

  test('with `after`, the files are written beside their targets and put in place only once it resolves', async () => {
    let go!: () => void;
    const after = new Promise<void>((resolve) => (go = resolve));
    const writing = writeUnit(pair('new', true), { after });
    // However long it waits: everything is written, nothing is in place.
    await new Promise((r) => setTimeout(r, 20));
    const waiting = await contents();
    assert.deepEqual(
      Object.keys(waiting).filter((n) => !isKbadmTempName(n)),
      [],
      'nothing in place before `after` resolved',
    );
    assert.ok(Object.values(waiting).includes('key-new') && Object.values(waiting).includes('crt-new'));
    go();
    await writing;
    assert.deepEqual(await contents(), { 'ca.crt': 'crt-new', 'ca.key': 'key-new' });
  });

  test('when `after` rejects, nothing is put in place, nothing is left behind, and its error is thrown', async () => {
    const failure = new Error('the CA could not be written');
    await assert.rejects(writeUnit(pair('new', true), { after: Promise.reject(failure) }), failure);
    assert.deepEqual(await contents(), {});
  });

  test('replaces files that are not exclusive', async () => {
    await writeUnit(pair('old', false));
    await writeUnit(pair('new', false));
    assert.deepEqual(await contents(), { 'ca.crt': 'crt-new', 'ca.key': 'key-new' });
  });

  for (const mode of ['crash', 'once'] as const) {
    for (const replacing of [false, true]) {
      test(`${mode === 'crash' ? 'killed' : 'failing once'} at every step of ${replacing ? 'a replacement' : 'a new pair'}: after recovery the pair is all old or all new`, async () => {
        const prepare = async () => {
          await fs.rm(dir(), { recursive: true, force: true });
          if (replacing) await writeUnit(pair('old', false));
        };
        await prepare();
        const counter = faultyFileSystem({ at: 0, mode });
        await writeUnit(pair('new', !replacing), { fsys: counter });
        const steps = counter.count;
        assert.ok(steps >= 10, `a unit takes several steps (${steps})`);
        const old = replacing ? { 'ca.crt': 'crt-old', 'ca.key': 'key-old' } : {};
        const seen = new Set<string>();
        for (let at = 1; at <= steps; at++) {
          await prepare();
          const fsys = faultyFileSystem({ at, mode });
          // The fault, named after the file it hit, its errno code kept.
          await assert.rejects(writeUnit(pair('new', !replacing), { fsys }), (err: NodeJS.ErrnoException) =>
            ['EIO', 'ENOSPC'].includes(err.code ?? ''),
          );
          await recoverDir(dir());
          const after = await contents();
          const state = JSON.stringify(after) === JSON.stringify(old) ? 'old' : 'new';
          if (state === 'new')
            assert.deepEqual(after, { 'ca.crt': 'crt-new', 'ca.key': 'key-new' }, fsys.failedStep);
          seen.add(state);
        }
        // Early failures leave the old state, late ones the new: both were exercised.
        assert.deepEqual([...seen].sort(), ['new', 'old']);
      });
    }
  }

  test('a killed write leaves a 0600 temporary file beside its target, which recovery deletes', async () => {
    await fs.mkdir(dir());
    const fsys = faultyFileSystem({ at: 1, mode: 'crash', steps: ['chmod'] });
    await assert.rejects(writeFileAtomic(path.join(dir(), 'ca.crt'), 'crt', 0o644, { fsys }), /EIO/);
    const [left] = await fs.readdir(dir());
    assert.ok(left && isKbadmTempName(left) && left.startsWith('.ca.crt.'), left);
    assert.equal((await fs.stat(path.join(dir(), left))).mode & 0o777, 0o600);
    await fs.writeFile(path.join(dir(), 'notes.tmp'), 'not ours');
    await recoverDir(dir());
    assert.deepEqual(await contents(), { 'notes.tmp': 'not ours' });
  });

  test('an incomplete commit record is discarded with the files it names', async () => {
    await fs.mkdir(dir());
    await fs.writeFile(path.join(dir(), '.ca.key.kbadm-0123456789ab.tmp'), 'key');
    await fs.writeFile(path.join(dir(), '.kbadm-0123456789ab.commit'), '{"files":[{"name":"ca.key","excl');
    await recoverDir(dir());
    assert.deepEqual(await contents(), {});
  });

  /** A unit as an interrupted run leaves it: the temporary files given, and a record naming both with their digests. */
  async function leftUnit(
    tmps: Record<string, string>,
    digests: Record<string, string>,
    id = '0123456789ab',
  ) {
    await fs.mkdir(dir(), { recursive: true });
    for (const [name, data] of Object.entries(tmps)) {
      await fs.writeFile(path.join(dir(), `.${name}.kbadm-${id}.tmp`), data);
    }
    const sha = (d: string) => createHash('sha256').update(d).digest('hex');
    const files = Object.entries(digests).map(([name, data]) => ({
      name,
      exclusive: true,
      sha256: sha(data),
    }));
    await fs.writeFile(path.join(dir(), `.kbadm-${id}.commit`), JSON.stringify({ files }));
  }

  test('a record whose files are not all as it says (the run stopped while writing them) is discarded', async () => {
    // The record was on disk before the certificate was complete: nothing goes into place.
    await leftUnit({ 'ca.key': 'key-new', 'ca.crt': 'crt-n' }, { 'ca.key': 'key-new', 'ca.crt': 'crt-new' });
    await recoverDir(dir());
    assert.deepEqual(await contents(), {});
    // Nor when one of them is missing altogether.
    await leftUnit({ 'ca.key': 'key-new' }, { 'ca.key': 'key-new', 'ca.crt': 'crt-new' });
    await recoverDir(dir());
    assert.deepEqual(await contents(), {});
  });

  test('a record whose files are complete, some already in place, is finished', async () => {
    await leftUnit({ 'ca.crt': 'crt-new' }, { 'ca.key': 'key-new', 'ca.crt': 'crt-new' });
    await fs.writeFile(path.join(dir(), 'ca.key'), 'key-new');
    await recoverDir(dir());
    assert.deepEqual(await contents(), { 'ca.crt': 'crt-new', 'ca.key': 'key-new' });
  });

  test('a record without digests, as earlier releases wrote them once the files were complete, is finished', async () => {
    await fs.mkdir(dir());
    await fs.writeFile(path.join(dir(), '.ca.key.kbadm-0123456789ab.tmp'), 'key-new');
    await fs.writeFile(path.join(dir(), '.ca.crt.kbadm-0123456789ab.tmp'), 'crt-new');
    await fs.writeFile(
      path.join(dir(), '.kbadm-0123456789ab.commit'),
      JSON.stringify({
        files: [
          { name: 'ca.key', exclusive: true },
          { name: 'ca.crt', exclusive: true },
        ],
      }),
    );
    await recoverDir(dir());
    assert.deepEqual(await contents(), { 'ca.crt': 'crt-new', 'ca.key': 'key-new' });
  });

  test('a record never moves a file out of its directory', async () => {
    await fs.mkdir(dir());
    await fs.writeFile(path.join(dir(), '.x.kbadm-0123456789ab.tmp'), 'x');
    await fs.writeFile(
      path.join(dir(), '.kbadm-0123456789ab.commit'),
      JSON.stringify({ files: [{ name: '../x', exclusive: false }] }),
    );
    await recoverDir(dir());
    assert.deepEqual(await contents(), {});
    await assert.rejects(fs.stat(path.join(tmp, 'x')), /ENOENT/);
  });
});

describe('writeFileAtomic, exclusive', () => {
  test('never replaces a file that is there at the moment of the write', async () => {
    await fs.mkdir(dir());
    await fs.writeFile(path.join(dir(), 'sa.key'), 'theirs');
    await assert.rejects(
      writeFileAtomic(path.join(dir(), 'sa.key'), 'ours', 0o600, { exclusive: true }),
      FileExistsError,
    );
    assert.deepEqual(await contents(), { 'sa.key': 'theirs' });
  });
});

describe('a real host that recovers', () => {
  test('finishes an interrupted unit before its first read of the directory; a plain host shows the raw state', async () => {
    await writeUnit(pair('old', false));
    await assert.rejects(
      writeUnit(pair('new', false), { fsys: faultyFileSystem({ at: 2, mode: 'crash', steps: ['rename'] }) }),
    );
    // The key is new, the certificate old, and the record says how to finish.
    const plain = createRealHost(createPaths(tmp), recordOutput());
    assert.equal((await plain.readFile(path.join(dir(), 'ca.key'))).toString(), 'key-new');
    assert.equal((await plain.readFile(path.join(dir(), 'ca.crt'))).toString(), 'crt-old');
    const raw = await contents();
    assert.ok(Object.keys(raw).some((n) => n.endsWith('.commit')));
    const locked = createRealHost(createPaths(tmp), recordOutput(), { recover: true });
    assert.equal((await locked.readFile(path.join(dir(), 'ca.crt'))).toString(), 'crt-new');
    assert.deepEqual(await contents(), { 'ca.crt': 'crt-new', 'ca.key': 'key-new' });
  });
});
