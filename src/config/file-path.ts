// Paths that go into flags and files, joined the way kubeadm joins them (Go's filepath.Join on
// Linux): empty parts dropped, the result cleaned, so `/etc/kubernetes/pki/` + `ca.crt` gives
// `/etc/kubernetes/pki/ca.crt`, never `pki//ca.crt`.
import * as path from 'node:path';

export function joinPath(...parts: string[]): string {
  const given = parts.filter((p) => p !== '');
  if (given.length === 0) return '';
  return cleanPath(path.posix.join(...given));
}

/** Go's filepath.Clean: no `.`/`..` segments, no doubled or trailing slash (except `/` itself). */
export function cleanPath(p: string): string {
  const normal = path.posix.normalize(p);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}
