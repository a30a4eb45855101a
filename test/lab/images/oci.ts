// Writes a one-layer OCI image layout from a directory tree (GNU tar makes the layer), which
// skopeo then pushes to the lab's registry. Small, deterministic enough, and no image tool needed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface ImageSpec {
  /** The directory whose content becomes the image's root filesystem. */
  rootfs: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function blob(layout: string, data: Buffer): Promise<string> {
  const digest = sha(data);
  await fs.mkdir(path.join(layout, 'blobs/sha256'), { recursive: true });
  await fs.writeFile(path.join(layout, 'blobs/sha256', digest), data);
  return `sha256:${digest}`;
}

/** Writes the image into a fresh OCI layout directory `layout`, tagged `tag`. */
export async function writeOciImage(layout: string, tag: string, spec: ImageSpec): Promise<void> {
  await fs.rm(layout, { recursive: true, force: true });
  await fs.mkdir(layout, { recursive: true });
  const layer = execFileSync(
    'tar',
    ['-C', spec.rootfs, '--numeric-owner', '--owner=0', '--group=0', '-czf', '-', '.'],
    {
      maxBuffer: 1 << 30,
    },
  );
  const layerDigest = await blob(layout, layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
        Env: ['PATH=/usr/local/bin:/usr/bin:/bin', ...(spec.env ?? [])],
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(gunzipSync(layer))}`] },
    }),
  );
  const configDigest = await blob(layout, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length },
      ],
    }),
  );
  const manifestDigest = await blob(layout, manifest);
  await fs.writeFile(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await fs.writeFile(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
}

/** The shared libraries a dynamically linked binary loads, from ldd. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
}

/** Copies a binary and the libraries it links into `rootfs` at the same paths. */
export async function copyWithLibraries(binary: string, rootfs: string, target = binary): Promise<void> {
  await fs.mkdir(path.dirname(path.join(rootfs, target)), { recursive: true });
  await fs.copyFile(binary, path.join(rootfs, target));
  for (const lib of sharedLibraries(binary)) {
    const dest = path.join(rootfs, lib);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.copyFile(await fs.realpath(lib), dest);
  }
}
