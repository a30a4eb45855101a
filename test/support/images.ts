// Small container images for tests, built from busybox-static with umoci and pushed with skopeo:
// one image (busybox and its applets, `sleep infinity` by default) serves as the pause image and
// under every tag kbadm renders (kube-apiserver, etcd, coredns...). It is built once per test
// process, in well under a second, and removed when the process exits.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { onExitCleanup } from './processes.js';
import type { Registry } from './registry.js';

const run = promisify(execFile);

export const BUSYBOX = '/bin/busybox';
export const IMAGE_TOOLS = ['/usr/bin/umoci', '/usr/bin/skopeo', BUSYBOX] as const;

async function tool(command: string, args: string[]): Promise<string> {
  try {
    return (await run(command, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Whether an ELF executable asks for a program interpreter (is dynamically linked): PT_INTERP. */
function dynamicallyLinked(file: string): boolean {
  const elf = fs.readFileSync(file);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2)
    throw new Error(`${file} is not a 64-bit ELF executable`);
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) return true;
  return false;
}

let layout: Promise<string> | undefined;

/** The OCI layout holding the test image as tag `base` (built on first use). */
export function testImageLayout(): Promise<string> {
  layout ??= buildLayout();
  return layout;
}

async function buildLayout(): Promise<string> {
  // The image holds nothing but busybox: it must not need a libc.
  if (dynamicallyLinked(BUSYBOX)) throw new Error(`${BUSYBOX} is dynamically linked; install busybox-static`);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kbadm-image-'));
  onExitCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rootfs = path.join(dir, 'rootfs');
  await fsp.mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await fsp.mkdir(path.join(rootfs, 'tmp'), { mode: 0o1777 });
  await fsp.copyFile(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
  await fsp.chmod(path.join(rootfs, 'bin', 'busybox'), 0o755);
  const applets = (await tool(BUSYBOX, ['--list'])).split('\n').filter((a) => a !== '' && a !== 'busybox');
  await Promise.all(applets.map((a) => fsp.symlink('busybox', path.join(rootfs, 'bin', a))));

  const image = `${path.join(dir, 'oci')}:base`;
  await tool('umoci', ['init', '--layout', path.join(dir, 'oci')]);
  await tool('umoci', ['new', '--image', image]);
  await tool('umoci', ['insert', '--image', image, rootfs, '/']);
  await tool('umoci', [
    'config',
    '--image',
    image,
    '--os',
    'linux',
    '--architecture',
    process.arch === 'x64' ? 'amd64' : process.arch,
    '--config.entrypoint',
    '/bin/sleep',
    '--config.cmd',
    'infinity',
  ]);
  return image;
}

/** `registry.k8s.io/pause:3.10.1` -> `pause:3.10.1`: the repository and tag without the registry host. */
export function repositoryAndTag(image: string): string {
  const [first, ...rest] = image.split('/');
  const hasHost = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  return hasHost ? rest.join('/') : image;
}

/**
 * Pushes the test image to `registry` under each image's repository and tag (its own registry
 * host dropped: `registry.k8s.io/etcd:3.6.5-0` becomes `<registry>/etcd:3.6.5-0`). Resolves to
 * the references pushed.
 */
export async function pushTestImages(registry: Registry, images: readonly string[]): Promise<string[]> {
  const source = `oci:${await testImageLayout()}`;
  const refs = images.map((i) => `${registry.host}/${repositoryAndTag(i)}`);
  // Two at a time: the machine has two cores and the registry is local.
  for (let i = 0; i < refs.length; i += 2) {
    await Promise.all(
      refs
        .slice(i, i + 2)
        .map((ref) =>
          tool('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', source, `docker://${ref}`]),
        ),
    );
  }
  return refs;
}
