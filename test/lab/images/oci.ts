// Writes a one-layer OCI image layout from a directory tree (GNU tar makes the layer), which
// skopeo then pushes to the lab's registry. Small, deterministic enough, and no image tool needed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface Layer {
  /** The gzip-compressed tar. */
  data: Buffer;
  digest: string;
  diffId: string;
}

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** One layer holding `rootfs`, owned by root (gzip level 1: the layers are large and local). */
export function makeLayer(rootfs: string): Layer {
  const data = execFileSync(
    'tar',
    [
      '-C',
      rootfs,
      '--numeric-owner',
      '--owner=0',
      '--group=0',
      '--use-compress-program=gzip -1',
      '-cf',
      '-',
      '.',
    ],
    { maxBuffer: 1 << 30 },
  );
  return { data, digest: `sha256:${sha(data)}`, diffId: `sha256:${sha(gunzipSync(data))}` };
}

async function blob(layout: string, data: Buffer): Promise<string> {
  const digest = sha(data);
  await fs.mkdir(path.join(layout, 'blobs/sha256'), { recursive: true });
  await fs.writeFile(path.join(layout, 'blobs/sha256', digest), data);
  return `sha256:${digest}`;
}

/** Writes a one-layer image into a fresh OCI layout directory `layout`, tagged `tag`. */
export async function writeOciImage(
  layout: string,
  tag: string,
  layer: Layer,
  cfg: ImageConfig,
): Promise<void> {
  await fs.rm(layout, { recursive: true, force: true });
  await fs.mkdir(layout, { recursive: true });
  const layerDigest = await blob(layout, layer.data);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        ...(cfg.entrypoint ? { Entrypoint: cfg.entrypoint } : {}),
        ...(cfg.cmd ? { Cmd: cfg.cmd } : {}),
        Env: ['PATH=/usr/local/bin:/usr/bin:/bin', ...(cfg.env ?? [])],
      },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
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
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: layerDigest,
          size: layer.data.length,
        },
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
