// `init phase certs all` signs each certificate with the CA signed in the same run as soon as that
// exists, while the CA's files are still being written; the certificate's files still go in place
// only after its CA's, and not at all when the CA's write fails.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { nodeFileSystem, type FileSystem } from '../../../src/host/file-system.js';
import { isKbadmTempName } from '../../../src/host/files.js';
import { main } from '../../../src/main.js';
import { config, LEAVES } from '../../support/e2e.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'kbadm-certs-order-'));
  writeFileSync(path.join(root, 'cfg.yaml'), config('ECDSA-P256'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const pki = () => path.join(root, 'etc/kubernetes/pki');
/** `ca.crt`, `etcd/server.key`: a path under the PKI directory. */
const inPki = (p: string) => path.relative(pki(), p);
/** The target a temporary file or commit record stands for: `.ca.key.kbadm-<id>.tmp` is `ca.key`. */
const targetOf = (p: string) =>
  path.join(path.dirname(inPki(p)), path.basename(p).replace(/^\.(.+)\.kbadm-[0-9a-f]{12}\.tmp$/, '$1'));

async function certsAll(fileSystem: FileSystem) {
  let stderr = '';
  const code = await main(['--rootfs', root, 'init', 'phase', 'certs', 'all', '--config', '/cfg.yaml'], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    fileSystem,
  });
  return { code, stderr };
}

test('a certificate is written while its CA is, and goes in place after it', async () => {
  const events: string[] = [];
  let leafBegun!: () => void;
  const leafWritten = new Promise<void>((resolve) => (leafBegun = resolve));
  const place = async (tmp: string, target: string, put: () => Promise<void>) => {
    // The CA's certificate goes in place only once apiserver's files are being written: a run that
    // waited for the CA's files before signing apiserver would stop here, and fail on the timeout.
    if (inPki(target) === 'ca.crt') {
      const timeout = setTimeout(() => leafBegun(), 5000);
      await leafWritten;
      clearTimeout(timeout);
    }
    events.push(`place ${targetOf(tmp)}`);
    await put();
  };
  const fileSystem: FileSystem = {
    ...nodeFileSystem,
    open: async (p, flags, mode) => {
      if (targetOf(p) === 'apiserver.key') {
        events.push('write apiserver.key');
        leafBegun();
      }
      return nodeFileSystem.open(p, flags, mode);
    },
    link: (existing, created) =>
      place(String(existing), String(created), () => nodeFileSystem.link(existing, created)),
    rename: (from, to) => place(String(from), String(to), () => nodeFileSystem.rename(from, to)),
  };
  const r = await certsAll(fileSystem);
  assert.equal(r.code, 0, r.stderr);

  assert.ok(
    events.indexOf('write apiserver.key') < events.indexOf('place ca.crt'),
    `apiserver is written before ca.crt is in place: ${events.join(', ')}`,
  );
  for (const { base, ca } of LEAVES) {
    for (const ext of ['crt', 'key']) {
      const leaf = events.indexOf(`place ${base}.${ext}`);
      assert.ok(leaf >= 0, `${base}.${ext} was put in place`);
      assert.ok(events.indexOf(`place ${ca}.crt`) < leaf, `${ca}.crt is in place before ${base}.${ext}`);
      assert.ok(events.indexOf(`place ${ca}.key`) < leaf, `${ca}.key is in place before ${base}.${ext}`);
    }
    const cert = new X509Certificate(readFileSync(path.join(pki(), `${base}.crt`)));
    const caCert = new X509Certificate(readFileSync(path.join(pki(), `${ca}.crt`)));
    assert.ok(cert.verify(caCert.publicKey), `${base}.crt verifies against the ${ca}.crt on disk`);
  }
});

test("when the CA's files cannot be written, the certificates it signed are not put in place", async () => {
  const fileSystem: FileSystem = {
    ...nodeFileSystem,
    open: async (p, flags, mode) => {
      const file = await nodeFileSystem.open(p, flags, mode);
      if (targetOf(p) !== 'ca.crt') return file;
      return {
        ...file,
        writeFile: async () => {
          throw Object.assign(new Error(`ENOSPC: no space left on device, write '${p}'`), {
            code: 'ENOSPC',
            syscall: 'write',
            path: p,
          });
        },
      };
    },
  };
  const r = await certsAll(fileSystem);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /\/etc\/kubernetes\/pki\/ca\.crt: no space left on device/);
  const files = readdirSync(pki(), { recursive: true }).map(String);
  for (const name of ['ca.crt', 'ca.key', 'apiserver.crt', 'apiserver.key', 'apiserver-kubelet-client.crt'])
    assert.ok(!files.includes(name), `${name} is not in place`);
  assert.deepEqual(
    files.filter((f) => isKbadmTempName(path.basename(f))),
    [],
    'no temporary file or commit record is left',
  );
  assert.ok(files.includes('etcd/server.crt'), 'what the other CAs signed is in place');
});
