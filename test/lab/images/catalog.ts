// The lab's images, under the names kbadm renders for a Kubernetes version (registry.k8s.io is
// mirrored to the lab registry, so the names resolve unchanged):
// - pause: busybox behind /pause, which sleeps until SIGTERM and, like the real pause, prints its
//   version and exits 0 when run with -v (kubeadm's upgrade health-check Job runs exactly that);
// - kube-proxy, coredns: busybox, sleeping;
// - etcd: Debian's etcd binary with its libraries, behind a wrapper that maps the 3.5/3.6 flag
//   spellings kbadm writes to those of Debian's 3.4;
// - kube-apiserver, kube-controller-manager, kube-scheduler: this machine's node binary with the
//   stand-ins bundled into one file, reporting the image's version.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageList } from '../../../src/config/images.js';
import { copyWithLibraries, makeLayer, writeOciImage, type Layer } from './oci.js';

const BUSYBOX = '/bin/busybox';
const ETCD = '/usr/bin/etcd';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SLEEP = ['/bin/busybox', 'sleep', '2147483647'];

/** Image references (registry.k8s.io/...) for the versions, in kbadm's own naming. */
export function labImageNames(versions: readonly string[]): string[] {
  const names = versions.flatMap((v) =>
    imageList({ imageRepository: 'registry.k8s.io', kubernetesVersion: v, etcdLocal: {} }),
  );
  return [...new Set(names)];
}

/** `registry.k8s.io/kube-apiserver:v1.34.0` → repository `kube-apiserver`, tag `v1.34.0`. */
export function repositoryAndTag(image: string): { repository: string; tag: string } {
  const m = /^registry\.k8s\.io\/(.+):([^:]+)$/.exec(image);
  if (!m) throw new Error(`not a registry.k8s.io image: ${image}`);
  return { repository: m[1]!, tag: m[2]! };
}

// The pause program of the lab: any user may run it (the health-check Job runs it as 999).
const PAUSE = `#!/bin/sh
case "$1" in
  -v|-V) echo "pause.c v\${LAB_PAUSE_VERSION:-lab}"; exit 0 ;;
esac
trap 'exit 0' TERM INT
/bin/busybox sleep 2147483647 &
wait
`;

async function busyboxRoot(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'bin'), { recursive: true });
  await fs.copyFile(BUSYBOX, path.join(dir, 'bin/busybox'));
  await fs.chmod(path.join(dir, 'bin/busybox'), 0o755);
  await fs.symlink('busybox', path.join(dir, 'bin/sh'));
  await fs.writeFile(path.join(dir, 'pause'), PAUSE, { mode: 0o755 });
  for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev', 'var/lib'])
    await fs.mkdir(path.join(dir, d), { recursive: true });
}

// Debian's etcd is 3.4; kbadm writes the 3.5/3.6 spellings of two flags.
const ETCD_WRAPPER = `#!/bin/sh
for a in "$@"; do
  shift
  case "$a" in
    --feature-gates=InitialCorruptCheck=true) set -- "$@" --experimental-initial-corrupt-check=true ;;
    --watch-progress-notify-interval=*) set -- "$@" "--experimental-watch-progress-notify-interval=\${a#*=}" ;;
    *) set -- "$@" "$a" ;;
  esac
done
exec /usr/bin/etcd-3.4 "$@"
`;

/** Bundles the stand-ins into one ES module for the control-plane images. */
export async function bundleComponents(outFile: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(HERE, 'components.ts')],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: {
      js: "import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

type LayerKind = 'busybox' | 'etcd' | 'control-plane';

const CONTROL_PLANE = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

function layerKind(repository: string): LayerKind {
  const name = repository.split('/').pop()!;
  if (name === 'etcd') return 'etcd';
  return CONTROL_PLANE.includes(name) ? 'control-plane' : 'busybox';
}

async function layerRoot(kind: LayerKind, rootfs: string, bundle: string): Promise<void> {
  await fs.rm(rootfs, { recursive: true, force: true });
  await busyboxRoot(rootfs);
  await fs.mkdir(path.join(rootfs, 'usr/local/bin'), { recursive: true });
  if (kind === 'etcd') {
    if (!existsSync(ETCD)) throw new Error(`${ETCD} is missing (Debian package etcd-server)`);
    await copyWithLibraries(ETCD, rootfs, '/usr/bin/etcd-3.4');
    await fs.writeFile(path.join(rootfs, 'usr/local/bin/etcd'), ETCD_WRAPPER, { mode: 0o755 });
  }
  if (kind === 'control-plane') {
    await copyWithLibraries(process.execPath, rootfs, '/usr/local/bin/node');
    await fs.mkdir(path.join(rootfs, 'lab'), { recursive: true });
    await fs.copyFile(bundle, path.join(rootfs, 'lab/components.mjs'));
    // One layer serves the three components: the command kbadm's manifest runs picks the stand-in.
    for (const name of CONTROL_PLANE) {
      await fs.writeFile(
        path.join(rootfs, `usr/local/bin/${name}`),
        `#!/bin/sh\nexec /usr/local/bin/node /lab/components.mjs ${name} "$@"\n`,
        {
          mode: 0o755,
        },
      );
    }
  }
}

/** Writes the OCI layouts of `images` under `outDir` (one directory per image); `work` is scratch space. */
export async function buildImages(
  images: readonly string[],
  outDir: string,
  work: string,
  bundle: string,
): Promise<Map<string, string>> {
  const layers = new Map<LayerKind, Layer>();
  const layouts = new Map<string, string>();
  for (const image of images) {
    const { repository, tag } = repositoryAndTag(image);
    const kind = layerKind(repository);
    let layer = layers.get(kind);
    if (layer === undefined) {
      const rootfs = path.join(work, kind);
      await layerRoot(kind, rootfs, bundle);
      layer = makeLayer(rootfs);
      layers.set(kind, layer);
      await fs.rm(rootfs, { recursive: true, force: true });
    }
    const name = repository.split('/').pop()!;
    const cfg =
      kind === 'busybox'
        ? name === 'pause'
          ? { entrypoint: ['/pause'], env: [`LAB_PAUSE_VERSION=${tag}`] }
          : { entrypoint: SLEEP }
        : kind === 'etcd'
          ? { cmd: ['etcd'] }
          : { cmd: [name], env: [`LAB_KUBE_VERSION=${tag}`] };
    const layout = path.join(outDir, `${repository.replace(/\//g, '_')}-${tag}`);
    await writeOciImage(layout, tag, layer, cfg);
    layouts.set(image, layout);
  }
  return layouts;
}

/** Pushes an OCI layout to the lab registry; `netns` runs skopeo where the registry is reachable. */
export function pushImage(
  layout: string,
  tag: string,
  registry: string,
  repository: string,
  netns?: string,
): void {
  const args = [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout}:${tag}`,
    `docker://${registry}/${repository}:${tag}`,
  ];
  if (netns === undefined) execFileSync('skopeo', args, { stdio: 'pipe' });
  else execFileSync('nsenter', [`--net=/var/run/netns/${netns}`, 'skopeo', ...args], { stdio: 'pipe' });
}
