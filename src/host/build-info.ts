// The build's record of where it came from (dist/build-info.json, written by scripts/stamp-build.mjs).
// Read from kbadm's own install, never from under --rootfs. Only node:fs, so `kbadm version` stays cheap.
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  gitCommit?: string;
  gitTreeState?: string;
  buildDate?: string;
  /** How this kbadm was built: `tsc` for the npm package (the default), `node-sea` for the single executable. */
  compiler?: string;
}

// The single executable has no file beside it: its bundler defines this with the build info.
declare const KBADM_EMBEDDED_BUILD_INFO: BuildInfo | undefined;

/** dist/build-info.json beside the built code; {} when absent (run from source) or unreadable. */
export function readBuildInfo(): BuildInfo {
  if (typeof KBADM_EMBEDDED_BUILD_INFO !== 'undefined') return KBADM_EMBEDDED_BUILD_INFO;
  try {
    return JSON.parse(readFileSync(new URL('./build-info.json', new URL('..', import.meta.url)), 'utf8'));
  } catch {
    return {};
  }
}
